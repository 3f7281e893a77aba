"""Recent changes (``wg_recentchanges``): MediaWiki's ``RecentChange`` rows, for
``list=recentchanges``.

A row is written in the transaction of what it records, so a change and its row commit
together or not at all:

- an edit or a page creation (:meth:`RecentChangesStore.add_edit_in`, from
  :class:`wikigate.pages.service.PageService`); null revisions and the redirect a move
  leaves behind write none (``EDIT_SUPPRESS_RC``), as in MediaWiki;
- a published log entry (:meth:`RecentChangesStore.add_log_in`, from
  :meth:`wikigate.logs.store.LogStore.add_in`); page creations' ``create/create`` entries
  and restricted log types are not published.

Rows older than ``max_age_days`` ($wgRCMaxAge, 90 days) are purged now and then by the
writes themselves, as MediaWiki's purge job does.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal, or_, select, true, update
from sqlalchemy.engine import Connection

from wikigate.storage.sql.database import Database
from wikigate.storage.sql.ranges import time_range
from wikigate.storage.sql.schema import page as page_t
from wikigate.storage.sql.schema import recentchanges as rc_t
from wikigate.storage.sql.schema import revision as rev_t
from wikigate.util.clock import Clock, mw_timestamp

#: rc_type values (RC_EDIT, RC_NEW, RC_LOG, RC_EXTERNAL, RC_CATEGORIZE).
RC_EDIT, RC_NEW, RC_LOG, RC_EXTERNAL, RC_CATEGORIZE = 0, 1, 3, 5, 6
#: The ``rctype`` names, by rc_type (RecentChange::getChangeTypes order).
CHANGE_TYPES = {"edit": RC_EDIT, "new": RC_NEW, "log": RC_LOG, "external": RC_EXTERNAL,
                "categorize": RC_CATEGORIZE}
TYPE_NAMES = {v: k for k, v in CHANGE_TYPES.items()}
#: rc_patrolled values.
PRC_UNPATROLLED, PRC_PATROLLED, PRC_AUTOPATROLLED = 0, 1, 2
#: Built once (see the statements in pages/store.py).
_INSERT_CHANGE = insert(rc_t)
#: One write in this many purges rows older than the maximum age.
PURGE_ONE_IN = 50


@dataclass(frozen=True)
class RecentChange:
    id: int
    timestamp: str
    type: int
    namespace: int
    title: str  # dbkey
    page_id: int
    actor_id: int
    actor_name: str
    comment: str
    minor: bool
    bot: bool
    patrolled: int
    this_oldid: int
    last_oldid: int
    old_len: int | None
    new_len: int | None
    log_id: int
    log_type: str | None
    log_action: str
    params: dict[str, Any]
    tags: list[str]


@dataclass(frozen=True)
class ChangeRow:
    """A row with what the query joined to it: whether the page now at its title is a
    redirect (None: no page there) and its latest revision, and the recorded revision's
    SHA-1 in base 36 (None: no such revision)."""

    change: RecentChange
    page_is_redirect: bool | None
    rev_sha1: str | None


@dataclass(frozen=True)
class ChangeQuery:
    """list=recentchanges' filters. ``cont``: (timestamp, rc id) to continue from."""

    newer: bool = False
    start: str | None = None
    end: str | None = None
    namespaces: Sequence[int] | None = None
    types: Sequence[int] | None = None
    title: tuple[int, str] | None = None
    minor: bool | None = None
    bot: bool | None = None
    anon: bool | None = None
    redirect: bool | None = None
    patrolled: bool | None = None  # rc_patrolled != 0
    unpatrolled: bool = False  # rc_patrolled == 0
    autopatrolled: bool | None = None  # rc_patrolled == 2
    user: str | None = None
    exclude_user: str | None = None
    tag: str | None = None
    top_only: bool = False
    cont: tuple[str, int] | None = None
    limit: int = 10


def _change(m: Any) -> RecentChange:
    params = m["rc_params"]
    return RecentChange(
        id=m["rc_id"], timestamp=m["rc_timestamp"], type=m["rc_type"], namespace=m["rc_namespace"],
        title=m["rc_title"], page_id=m["rc_cur_id"], actor_id=m["rc_actor"], actor_name=m["rc_actor_name"],
        comment=m["rc_comment"], minor=bool(m["rc_minor"]), bot=bool(m["rc_bot"]), patrolled=m["rc_patrolled"],
        this_oldid=m["rc_this_oldid"], last_oldid=m["rc_last_oldid"], old_len=m["rc_old_len"],
        new_len=m["rc_new_len"], log_id=m["rc_logid"], log_type=m["rc_log_type"], log_action=m["rc_log_action"],
        params=json.loads(params) if params else {}, tags=[t for t in m["rc_tags"].split("\n") if t])


class RecentChangesStore:
    """``services.recent_changes``; its writes run inside the caller's transaction."""

    def __init__(self, db: Database, clock: Clock, max_age_days: int = 90) -> None:
        self.db = db
        self.clock = clock
        self.max_age_days = max_age_days

    # -- writes (inside the caller's transaction) -----------------------------------------

    def add_edit_in(self, conn: Connection, *, timestamp: str, namespace: int, title: str, page_id: int,
                    actor_id: int, actor_name: str, comment: str, minor: bool, bot: bool, patrolled: int,
                    rev_id: int, old_rev_id: int, old_len: int, new_len: int, tags: Sequence[str] = ()) -> int:
        """An edit (``old_rev_id`` > 0) or a page creation (RecentChange::notifyEdit/New)."""
        return self._insert(conn, rc_timestamp=timestamp, rc_actor=actor_id, rc_actor_name=actor_name,
                            rc_namespace=namespace, rc_title=title, rc_comment=comment.strip(), rc_minor=minor,
                            rc_bot=bot, rc_cur_id=page_id, rc_this_oldid=rev_id, rc_last_oldid=old_rev_id,
                            rc_type=RC_EDIT if old_rev_id else RC_NEW, rc_patrolled=patrolled,
                            rc_old_len=old_len, rc_new_len=new_len, rc_logid=0, rc_log_type=None,
                            rc_log_action="", rc_params="", rc_tags="\n".join(tags))

    def add_log_in(self, conn: Connection, *, timestamp: str, namespace: int, title: str, page_id: int,
                   actor_id: int, actor_name: str, comment: str, bot: bool, log_id: int, log_type: str,
                   log_action: str, params: dict[str, Any], rev_id: int = 0, tags: Sequence[str] = ()) -> int:
        """A published log entry (RecentChange::newLogEntry: not patrollable, so autopatrolled)."""
        return self._insert(conn, rc_timestamp=timestamp, rc_actor=actor_id, rc_actor_name=actor_name,
                            rc_namespace=namespace, rc_title=title, rc_comment=comment.strip(), rc_minor=False,
                            rc_bot=bot, rc_cur_id=page_id, rc_this_oldid=rev_id, rc_last_oldid=0,
                            rc_type=RC_LOG, rc_patrolled=PRC_AUTOPATROLLED, rc_old_len=None, rc_new_len=None,
                            rc_logid=log_id, rc_log_type=log_type, rc_log_action=log_action,
                            rc_params=json.dumps(params), rc_tags="\n".join(tags))

    def _insert(self, conn: Connection, **values: Any) -> int:
        res = conn.execute(_INSERT_CHANGE, values)
        if random.randrange(PURGE_ONE_IN) == 0:
            self.purge_in(conn)
        return int(res.inserted_primary_key[0]) if res.inserted_primary_key else 0

    def purge_in(self, conn: Connection, now: float | None = None) -> int:
        """Delete rows older than the maximum age; returns how many."""
        cutoff = mw_timestamp((self.clock.time() if now is None else now) - self.max_age_days * 86400)
        return conn.execute(delete(rc_t).where(rc_t.c.rc_timestamp < cutoff)).rowcount or 0

    def remove_page_in(self, conn: Connection, page_id: int, namespace: int, title: str, before: str) -> None:
        """A deleted page's edit rows (LinksDeletionUpdate): those of its id, and those of
        its title older than ``before``; log rows stay."""
        c = rc_t.c
        conn.execute(delete(rc_t).where(and_(c.rc_type != RC_LOG, or_(
            c.rc_cur_id == page_id,
            and_(c.rc_namespace == namespace, c.rc_title == title, c.rc_timestamp < before)))))

    def set_patrolled_in(self, conn: Connection, rc_id: int) -> bool:
        """Mark an unpatrolled change patrolled; False if it was not unpatrolled (a
        concurrent patrol loses here, so only one logs it)."""
        res = conn.execute(update(rc_t).where(and_(rc_t.c.rc_id == rc_id, rc_t.c.rc_patrolled == PRC_UNPATROLLED))
                           .values(rc_patrolled=PRC_PATROLLED))
        return bool(res.rowcount)

    # -- reads ------------------------------------------------------------------------------

    async def get(self, rc_id: int) -> RecentChange | None:
        def q(conn: Connection) -> RecentChange | None:
            row = conn.execute(select(rc_t).where(rc_t.c.rc_id == rc_id)).first()
            return _change(row._mapping) if row is not None else None

        return await self.db.read(q)

    async def for_revision(self, rev_id: int) -> RecentChange | None:
        """The change that recorded revision ``rev_id`` (RevisionStore::getRecentChange): an
        edit, a creation or the log entry the revision belongs to."""
        def q(conn: Connection) -> RecentChange | None:
            row = conn.execute(select(rc_t).where(rc_t.c.rc_this_oldid == rev_id)
                               .order_by(rc_t.c.rc_id).limit(1)).first()
            return _change(row._mapping) if row is not None else None

        return await self.db.read(q)


    async def search(self, q: ChangeQuery) -> list[ChangeRow]:
        """Rows matching ``q``, newest first (oldest with ``newer``), ``limit + 1`` of them."""
        c = rc_t.c
        p = page_t.c
        conds = _range_conditions(q) + _flag_conditions(q) + self._field_conditions(q)
        if q.redirect is True:
            conds.append(p.page_is_redirect.is_(True))
        elif q.redirect is False:
            conds.append(or_(p.page_is_redirect.is_(False), p.page_is_redirect.is_(None)))
        if q.top_only:
            conds.append(c.rc_this_oldid == p.page_latest)
        order = [c.rc_timestamp.asc(), c.rc_id.asc()] if q.newer else [c.rc_timestamp.desc(), c.rc_id.desc()]
        joined = (rc_t.outerjoin(page_t, and_(p.page_namespace == c.rc_namespace, p.page_title == c.rc_title))
                  .outerjoin(rev_t, and_(c.rc_this_oldid != 0, rev_t.c.rev_id == c.rc_this_oldid)))
        stmt = (select(rc_t, p.page_id, p.page_is_redirect, rev_t.c.rev_sha1).select_from(joined)
                .where(and_(true(), *conds)).order_by(*order).limit(q.limit + 1))

        def run(conn: Connection) -> list[ChangeRow]:
            out = []
            for r in conn.execute(stmt):
                m = r._mapping
                redirect = None if m["page_id"] is None else bool(m["page_is_redirect"])
                out.append(ChangeRow(_change(m), redirect, m["rev_sha1"]))
            return out

        return await self.db.read(run)

    def _field_conditions(self, q: ChangeQuery) -> list[Any]:
        c = rc_t.c
        conds: list[Any] = []
        if q.namespaces is not None:
            conds.append(c.rc_namespace.in_(list(q.namespaces)))
        if q.types is not None:
            conds.append(c.rc_type.in_(list(q.types)))
        if q.title is not None:
            conds += [c.rc_namespace == q.title[0], c.rc_title == q.title[1]]
        if q.user is not None:
            conds.append(c.rc_actor_name == q.user)
        if q.exclude_user is not None:
            conds.append(c.rc_actor_name != q.exclude_user)
        if q.tag is not None:
            # One tag a line: the whole line must match (case-sensitively; SQLite's LIKE is not).
            nl = literal("\n")
            lines = nl + c.rc_tags + nl
            wanted = "\n" + q.tag + "\n"
            conds.append(func.instr(lines, wanted) > 0 if self.db.dialect == "sqlite"
                         else lines.contains(wanted, autoescape=True))
        return conds


def _range_conditions(q: ChangeQuery) -> list[Any]:
    return time_range(rc_t.c.rc_timestamp, rc_t.c.rc_id, newer=q.newer, start=q.start, end=q.end, cont=q.cont)


def _flag_conditions(q: ChangeQuery) -> list[Any]:
    c = rc_t.c
    conds: list[Any] = []
    if q.minor is not None:
        conds.append(c.rc_minor == q.minor)
    if q.bot is not None:
        conds.append(c.rc_bot == q.bot)
    if q.anon is not None:
        conds.append(c.rc_actor == 0 if q.anon else c.rc_actor != 0)
    if q.unpatrolled:
        conds.append(c.rc_patrolled == PRC_UNPATROLLED)
    return conds + patrol_conditions(q.patrolled, q.autopatrolled)


def patrol_conditions(patrolled: bool | None, autopatrolled: bool | None) -> list[Any]:
    """``rcshow``/``ucshow`` patrol filters on rc_patrolled: (not) patrolled in any way,
    (not) autopatrolled; None asks for nothing."""
    c = rc_t.c
    conds: list[Any] = []
    if patrolled is not None:
        conds.append(c.rc_patrolled != PRC_UNPATROLLED if patrolled else c.rc_patrolled == PRC_UNPATROLLED)
    if autopatrolled is not None:
        conds.append(c.rc_patrolled == PRC_AUTOPATROLLED if autopatrolled else c.rc_patrolled != PRC_AUTOPATROLLED)
    return conds
