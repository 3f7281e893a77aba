"""Log entries in ``wg_logging``, shaped for ``list=logevents``.

``params`` is stored as JSON exactly as ``list=logevents`` prints it (e.g. ``{"userid": 28}``
for newusers, ``{"description", "cascade", "details"}`` for protect), so reading back is a
straight copy.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, insert, select, true
from sqlalchemy.engine import Connection

from wikigate.logs.recentchanges import RecentChange, RecentChangesStore
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.ranges import time_range
from wikigate.storage.sql.schema import logging as log_table
from wikigate.storage.sql.schema import page as page_table
from wikigate.util.clock import Clock, mw_timestamp


@dataclass(frozen=True)
class LogEntry:
    id: int
    type: str
    action: str
    timestamp: str
    actor_id: int
    actor_name: str
    namespace: int
    title: str  # dbkey
    page_id: int
    comment: str
    params: dict[str, Any]


@dataclass(frozen=True)
class LogQuery:
    """list=logevents' filters. ``title``/``prefix``: (namespace, dbkey); ``nothing``:
    match no entry (a change-tag filter: log entries carry no tags here); ``cont``:
    (timestamp, log id) to continue from."""

    type: str | None = None
    action: str | None = None
    start: str | None = None
    end: str | None = None
    actor_name: str | None = None
    title: tuple[int, str] | None = None
    namespace: int | None = None
    prefix: tuple[int, str] | None = None
    nothing: bool = False
    cont: tuple[str, int] | None = None
    newer: bool = False
    limit: int = 10


def _entry(row: Any) -> LogEntry:
    m = row._mapping
    return LogEntry(m["log_id"], m["log_type"], m["log_action"], m["log_timestamp"], m["log_actor"],
                    m["log_actor_name"], m["log_namespace"], m["log_title"], m["log_page"], m["log_comment"],
                    json.loads(m["log_params"] or "{}"))


#: Built once (see the statements in pages/store.py).
_INSERT_LOG = insert(log_table)

#: Log types whose entries are not published to recent changes ($wgLogRestrictions: only
#: some users may read them).
RESTRICTED_LOG_TYPES = frozenset({"oath", "suppress"})


class LogStore:
    def __init__(self, db: Database, clock: Clock, recent: RecentChangesStore | None = None) -> None:
        self.db = db
        self.clock = clock
        self.recent = recent if recent is not None else RecentChangesStore(db, clock)

    def add_in(self, conn: Connection, *, type: str, action: str, actor_id: int, actor_name: str,
               namespace: int, title: str, page_id: int = 0, comment: str = "",
               params: dict[str, Any] | None = None, timestamp: str | None = None,
               publish: bool = True, bot: bool = False, rev_id: int = 0, tags: Sequence[str] = ()) -> int:
        """Insert inside an existing transaction (so the log and the change commit together).

        ``publish``: also a recent-changes row (ManualLogEntry::publish), unless the type
        is restricted; ``bot`` its bot flag (the performer has the ``bot`` right and the
        request did not say ``bot=0``), ``rev_id`` the revision it is associated with (the
        null revision of a protection or a move).
        """
        ts = timestamp or mw_timestamp(self.clock.time())
        res = conn.execute(_INSERT_LOG, {
            "log_type": type, "log_action": action, "log_timestamp": ts,
            "log_actor": actor_id, "log_actor_name": actor_name, "log_namespace": namespace, "log_title": title,
            "log_page": page_id, "log_comment": comment, "log_params": json.dumps(params or {}),
        })
        log_id = int(res.inserted_primary_key[0]) if res.inserted_primary_key else 0
        if publish and type not in RESTRICTED_LOG_TYPES:
            self.recent.add_log_in(conn, timestamp=ts, namespace=namespace, title=title, page_id=page_id,
                                   actor_id=actor_id, actor_name=actor_name, comment=comment, bot=bot,
                                   log_id=log_id, log_type=type, log_action=action, params=params or {},
                                   rev_id=rev_id, tags=tags)
        return log_id

    async def record_patrol(self, change: RecentChange, *, actor_id: int, actor_name: str,
                            tags: Sequence[str] = ()) -> bool:
        """Mark ``change`` patrolled with its ``patrol/patrol`` entry, in one transaction
        (RecentChange::doMarkPatrolled + PatrolLog::record, which does not publish it to
        recent changes). False, with nothing written, when it was patrolled already."""

        def run(conn: Connection) -> bool:
            if not self.recent.set_patrolled_in(conn, change.id):
                return False
            self.add_in(conn, type="patrol", action="patrol", actor_id=actor_id, actor_name=actor_name,
                        namespace=change.namespace, title=change.title, page_id=change.page_id,
                        params={"curid": change.this_oldid, "previd": change.last_oldid, "auto": False},
                        publish=False, tags=tags)
            return True

        return await self.db.run(run)

    async def add(self, **kw: Any) -> int:
        return await self.db.run(lambda conn: self.add_in(conn, **kw))

    async def list(self, *, type: str | None = None, action: str | None = None, actor_name: str | None = None,
                   namespace: int | None = None, title: str | None = None, newer: bool = False,
                   start: str | None = None, end: str | None = None, limit: int = 10,
                   cont: tuple[str, int] | None = None) -> list[LogEntry]:
        """Entries newest first (or oldest first with ``newer``); ``limit + 1`` rows signal more."""
        c = log_table.c
        conds: list[Any] = []
        if type:
            conds.append(c.log_type == type)
        if action:
            conds.append(c.log_action == action)
        if actor_name:
            conds.append(c.log_actor_name == actor_name)
        if namespace is not None and title is not None:
            conds += [c.log_namespace == namespace, c.log_title == title]
        conds += time_range(c.log_timestamp, c.log_id, newer=newer, start=start, end=end, cont=cont or None)
        order = [c.log_timestamp.asc(), c.log_id.asc()] if newer else [c.log_timestamp.desc(), c.log_id.desc()]
        stmt = select(log_table).where(and_(true(), *conds)).order_by(*order).limit(limit + 1)

        def q(conn: Connection) -> list[LogEntry]:
            return [_entry(r) for r in conn.execute(stmt)]

        return await self.db.read(q)

    async def search(self, q: LogQuery) -> builtins.list[tuple[LogEntry, int]]:
        """Entries matching ``q`` (newest first, or oldest with ``newer``), ``limit + 1``
        rows, each with the id of the page now at its title (0 if none)."""
        c = log_table.c
        conds: list[Any] = []
        if q.type is not None:
            conds.append(c.log_type == q.type)
        if q.action is not None:
            conds.append(c.log_action == q.action)
        conds += time_range(c.log_timestamp, c.log_id, newer=q.newer, start=q.start, end=q.end, cont=q.cont)
        if q.actor_name:
            conds.append(c.log_actor_name == q.actor_name)
        if q.title is not None:
            conds += [c.log_namespace == q.title[0], c.log_title == q.title[1]]
        if q.namespace is not None:
            conds.append(c.log_namespace == q.namespace)
        if q.prefix is not None:
            conds += [c.log_namespace == q.prefix[0], c.log_title.startswith(q.prefix[1], autoescape=True)]
        if q.nothing:
            conds.append(c.log_id < 0)
        order = [c.log_timestamp.asc(), c.log_id.asc()] if q.newer else [c.log_timestamp.desc(), c.log_id.desc()]
        stmt = (select(log_table, page_table.c.page_id)
                .select_from(log_table.outerjoin(page_table, and_(page_table.c.page_namespace == c.log_namespace,
                                                                  page_table.c.page_title == c.log_title)))
                .where(and_(true(), *conds)).order_by(*order).limit(q.limit + 1))

        def run(conn: Connection) -> builtins.list[tuple[LogEntry, int]]:
            return [(_entry(r), int(r._mapping["page_id"] or 0)) for r in conn.execute(stmt)]

        return await self.db.read(run)
