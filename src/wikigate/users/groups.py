"""Changing a user's groups (``UserGroupManager`` / ``UserrightsPage::doSaveUserGroups``)
as one service owning its transaction: action=userrights and ``wikigate user
set-groups`` / ``user create --group`` call it, so every change writes the same
``rights/rights`` log entry and ``rights-change`` audit entry.

Behaviour of MediaWiki 1.39 kept here:

* one expiry applies to every added group, otherwise their count must equal the number
  of added groups (``toofewexpiries``);
* groups the performer may not change are silently skipped;
* a group already held is re-added only when its expiry changes or it is also removed in
  the same request; nothing changed → nothing written, no log entry;
* the log entry lists old and new groups with their expiries, the new list being the
  old one minus removed groups plus added ones, in that order.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from wikigate.logs.store import LogStore
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import user as user_table
from wikigate.storage.sql.schema import user_groups
from wikigate.users.model import User
from wikigate.users.rights import Rights
from wikigate.users.store import UserStore, new_user_token
from wikigate.util.clock import Clock, mw_timestamp, mw_to_iso, to_mw_timestamp
from wikigate.util.errors import RequestRefused
from wikigate.util.expiry import ExpiryError, parse_expiry

if TYPE_CHECKING:
    from wikigate.auth.audit import AuditLog

log = logging.getLogger(__name__)

#: Performer of changes made from the command line (MediaWiki's maintenance scripts
#: act as the system user of that name).
MAINTENANCE_USER = User(id=0, name="Maintenance script")


class GroupExpiryError(RequestRefused):
    """Refused expiries: ``code`` ``toofewexpiries`` (``given``/``needed`` set) or an
    :class:`~wikigate.util.expiry.ExpiryError` code (``invalidexpiry``, ``pastexpiry``;
    ``value``: the expiry as given)."""


@dataclass(frozen=True)
class GroupChange:
    """What a change did: groups added (or re-added with a new expiry) and removed,
    in request order; both empty when nothing was written."""

    added: list[str]
    removed: list[str]


class UserRightsService:
    """``services.userrights``."""

    def __init__(self, db: Database, users: UserStore, logs: LogStore, rights: Rights, clock: Clock,
                 audit: AuditLog) -> None:
        self.db = db
        self.users = users
        self.logs = logs
        self.rights = rights
        self.clock = clock
        #: ``rights-change`` entries.
        self.audit = audit

    def parse_expiries(self, add: Sequence[str], raw: Sequence[str], now: float | None = None
                       ) -> dict[str, str | None]:
        """Expiry (TS_MW, None = infinity) of each added group; raises :class:`GroupExpiryError`."""
        if not add:
            return {}
        texts = list(raw)
        if len(texts) != len(add):
            if len(texts) != 1:
                raise GroupExpiryError("toofewexpiries", given=len(texts), needed=len(add))
            texts = texts * len(add)
        when = datetime.fromtimestamp(self.clock.time() if now is None else now, UTC)
        out: dict[str, str | None] = {}
        for group, text in zip(add, texts, strict=True):
            try:
                parsed = parse_expiry(text, when)
            except ExpiryError as e:
                raise GroupExpiryError(e.code, text) from None
            out[group] = None if parsed is None else to_mw_timestamp(parsed)
        return out

    async def change_groups(self, target: User, performer: User, *, add: Iterable[str] = (),
                            remove: Iterable[str] = (), expiries: dict[str, str | None] | None = None,
                            reason: str = "", addable: Collection[str] | None = None,
                            removable: Collection[str] | None = None, now: float | None = None,
                            via: str = "session", ip: str = "", bot: bool = False) -> GroupChange:
        """Add and remove ``target``'s groups as ``performer`` in one transaction, with the
        ``rights/rights`` log entry; then a ``rights-change`` audit entry (``via``: the
        session kind, ``ip``: where the request came from).

        ``target.groups`` is the membership the caller saw (the log's old groups).
        ``addable``/``removable``: groups the performer may change (others are skipped
        silently); None = every explicit group. ``expiries`` from :meth:`parse_expiries`
        (missing = infinity). ``bot``: the log entry's recent change is a bot's.
        """
        exp = dict(expiries or {})
        explicit = set(self.rights.explicit_groups())
        may_add = explicit if addable is None else set(addable)
        may_remove = explicit if removable is None else set(removable)
        held = {g.group: g.expiry for g in target.groups}
        removed = [g for g in dict.fromkeys(remove) if g in may_remove and g in held]
        added = [g for g in add if g in may_add and (g not in held or g in removed or held[g] != exp.get(g))]
        if not added and not removed:
            return GroupChange([], [])
        now_ts = mw_timestamp(self.clock.time() if now is None else now)
        await self.db.run(lambda c: self._save(c, target, performer, held, added, removed, exp, reason, now_ts,
                                                      bot))
        await self._audit(target, performer, added, removed, via, ip)
        return GroupChange(added, removed)

    async def create_account(self, name: str, performer: User, *, password_hash: str, email: str = "",
                             groups: Sequence[str] = (), update_existing: User | None = None) -> User:
        """Create ``name`` (or, with ``update_existing``, set its password and end its
        sessions) and add ``groups`` (no expiry), all in one transaction: an interrupted
        command leaves the account as it was, never half made. Group additions write the
        same log entry as :meth:`change_groups`. Raises ``users.store.UserExists``."""
        now_ts = mw_timestamp(self.clock.time())
        users = self.users

        def write(conn: Connection) -> tuple[User, list[str]]:
            if update_existing is None:
                u = users.create_in(conn, name, password_hash=password_hash, email=email)
            else:
                u = update_existing
                users.update_in(conn, u.id, password=password_hash, newpassword="", newpass_time=None,
                                token=new_user_token())
            held = {g.group: g.expiry for g in u.groups}
            added = [g for g in dict.fromkeys(groups) if g not in held or held[g] is not None]
            if added:
                self._save(conn, u, performer, held, added, [], {}, "", now_ts)
            return u, added

        user, added = await self.db.run(write)
        if added:
            await self._audit(user, performer, added, [], "cli", "")
        return user

    async def _audit(self, target: User, performer: User, add: list[str], remove: list[str], via: str,
                     ip: str) -> None:
        try:
            await self.audit.record("rights-change", performer, ip,
                                    f"target={target.name} added={','.join(add)} removed={','.join(remove)} "
                                    f"via={via}")
        except Exception:  # the change is made; a broken audit trail must not hide that
            log.exception("audit record rights-change failed")

    def _save(self, conn: Connection, target: User, performer: User, held: dict[str, str | None],
              add: list[str], remove: list[str], expiries: dict[str, str | None], reason: str,
              now_ts: str, bot: bool = False) -> None:
        ug = user_groups.c
        for g in remove:
            conn.execute(delete(user_groups).where(and_(ug.ug_user == target.id, ug.ug_group == g)))
        for g in add:
            conn.execute(delete(user_groups).where(and_(ug.ug_user == target.id, ug.ug_group == g)))
            conn.execute(insert(user_groups).values(ug_user=target.id, ug_group=g, ug_expiry=expiries.get(g)))
        conn.execute(update(user_table).where(user_table.c.user_id == target.id).values(user_touched=now_ts))
        # Re-read what is now in force (an expired membership no longer counts).
        rows = conn.execute(select(ug.ug_group, ug.ug_expiry).where(and_(
            ug.ug_user == target.id, or_(ug.ug_expiry.is_(None), ug.ug_expiry > now_ts))))
        current = dict(rows.all())
        old = dict(held)
        new_order = [g for g in old if g not in remove and g not in add] + [g for g in add]
        new = {g: current.get(g) for g in new_order if g in current}
        self.logs.add_in(
            conn, type="rights", action="rights", actor_id=performer.id, actor_name=performer.name,
            namespace=2, title=target.name.replace(" ", "_"), comment=reason, timestamp=now_ts,
            params={
                "oldgroups": list(old), "newgroups": list(new),
                "oldmetadata": [_meta(g, e) for g, e in old.items()],
                "newmetadata": [_meta(g, e) for g, e in new.items()],
            },
            bot=bot,
        )


def _meta(group: str, expiry: str | None) -> dict[str, Any]:
    """A membership as the API prints rights log parameters (stored in that form)."""
    return {"group": group, "expiry": "infinity" if expiry is None else mw_to_iso(expiry)}
