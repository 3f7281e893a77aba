"""Changing a page's protection (``WikiPage::doUpdateRestrictions``) and a missing
title's create protection, as one service that owns its transaction.

Front ends (action=protect, an HTML protect form) call :meth:`ProtectionService.plan`
to check the requested ``type=level`` items and expiries (a :class:`ProtectError` names
what is wrong, the front end turns it into its own error), then
:meth:`ProtectionService.apply`, which writes everything — watchlist row, restrictions
or title protection, null revision, log entry — in ONE transaction (spec protect.md).

The update replaces the complete set of restrictions (types not listed are cleared).
If nothing changes, nothing is written — no null revision, no log entry. Cascading
survives only with an ``edit`` level listed in ``protection.cascading_levels``; it is
dropped silently otherwise, and for missing pages.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from wikigate.config import ProtectionSettings
from wikigate.logs.store import LogStore
from wikigate.pages import protection as prot
from wikigate.pages.store import PageStore
from wikigate.pages.titles import Title
from wikigate.users.model import User
from wikigate.util.errors import RequestRefused
from wikigate.util.expiry import ExpiryError, expiry_to_db, is_infinity, parse_expiry


class ProtectError(RequestRefused):
    """A refused protect request. ``code`` is one of ``toofewexpiries`` (``given``,
    ``needed`` set), ``create-titleexists``, ``missingtitle-createonly``,
    ``protect-invalidaction`` / ``protect-invalidlevel`` (``value``: the type or level as
    given), or an expiry error code of :class:`~wikigate.util.expiry.ExpiryError`
    (``invalidexpiry``, ``pastexpiry``; ``value``: the expiry as given)."""


@dataclass(frozen=True)
class ProtectItem:
    """One requested ``type=level`` in request order: ``level`` None for a bare ``type``,
    ``""`` for ``all``; ``expiry`` ``infinity`` or TS_MW."""

    type: str
    level: str | None
    expiry: str


@dataclass(frozen=True)
class ProtectPlan:
    """A checked protect request: the items as given and the resulting limits/expiries
    by type (a later duplicate type wins)."""

    title: Title
    exists: bool
    items: tuple[ProtectItem, ...]
    limits: dict[str, str]
    expiries: dict[str, str]


class ProtectionService:
    """``services.protection``."""

    def __init__(self, store: PageStore, logs: LogStore, settings: ProtectionSettings) -> None:
        self.store = store
        self.logs = logs
        self.settings = settings

    def plan(self, title: Title, exists: bool, protections: Sequence[str], expiries: Sequence[str],
             rights: Collection[str], now: float) -> ProtectPlan:
        """Check ``type=level`` items (``all`` = no level) and their expiries (one expiry
        applies to every item), in MediaWiki's order; raises :class:`ProtectError`."""
        items = list(protections)
        raw_expiries = list(expiries)
        if len(raw_expiries) != len(items):
            if len(raw_expiries) != 1:
                raise ProtectError("toofewexpiries", given=len(raw_expiries), needed=len(items))
            raw_expiries = raw_expiries * len(items)
        applicable = prot.applicable_types(self.settings, title.namespace, exists)
        levels = prot.levels_for_user(self.settings, rights)
        when = datetime.fromtimestamp(int(now), UTC)
        limits: dict[str, str] = {}
        expiry_by_type: dict[str, str] = {}
        planned: list[ProtectItem] = []
        for item, raw_expiry in zip(items, raw_expiries, strict=True):
            parts = item.split("=")
            ptype = parts[0]
            level: str | None = None if len(parts) < 2 else ("" if parts[1] == "all" else parts[1])
            if exists and ptype == "create":
                raise ProtectError("create-titleexists")
            if not exists and ptype != "create":
                raise ProtectError("missingtitle-createonly")
            if ptype not in applicable and ptype != "create":
                raise ProtectError("protect-invalidaction", ptype)
            # PHP's in_array(null, levels) is true ("" == null), hence "edit" alone is accepted.
            if (level if level is not None else "") not in levels:
                raise ProtectError("protect-invalidlevel", level or "")
            if is_infinity(raw_expiry):
                exp = "infinity"
            else:
                try:
                    exp = expiry_to_db(parse_expiry(raw_expiry, when))
                except ExpiryError as e:
                    raise ProtectError(e.code, raw_expiry) from None
            limits[ptype] = level or ""
            expiry_by_type[ptype] = exp
            planned.append(ProtectItem(ptype, level, exp))
        return ProtectPlan(title, exists, tuple(planned), limits, expiry_by_type)

    async def apply(self, plan: ProtectPlan, performer: User, *, cascade: bool = False, reason: str = "",
                    tags: Sequence[str] = (), watch: bool = False, bot: bool = False) -> bool:
        """Write ``plan`` in one transaction; returns the cascade flag as the API echoes
        it (the one applied, or ``cascade`` as given when nothing changed). An anonymous
        performer's ``watch`` is ignored; ``bot`` flags the log entry's recent change."""
        limits = dict(plan.limits)
        expiries = dict(plan.expiries)
        title = plan.title
        store = self.store
        tag_list = list(tags)

        def run(conn: Connection) -> bool:
            if performer.is_registered:
                store.set_watch_in(conn, performer.id, title.namespace, title.dbkey, watch)
            fresh = store.page_in(conn, title.namespace, title.dbkey)
            types = prot.applicable_types(self.settings, title.namespace, fresh is not None)
            if fresh is not None:
                current = {r.type: r for r in store.restrictions_in(conn, fresh.id)}
                current_cascade = any(r.cascade for r in current.values())
            else:
                tp = store.title_protection_in(conn, title.namespace, title.dbkey)
                current = {"create": prot.Restriction("create", tp.level, tp.expiry)} if tp else {}
                current_cascade = False
            new_cascade = cascade
            protect = changed = is_protected = False
            for t in types:
                limits.setdefault(t, "")
                expiries.setdefault(t, "infinity")
                if limits[t]:
                    protect = True
                cur = current.get(t)
                cur_level = cur.level if cur is not None else ""
                if cur_level:
                    is_protected = True
                # Expiries only matter for a type that stays protected.
                same_level = limits[t] == cur_level
                if not same_level or (limits[t] and cur is not None and cur.expiry != expiries[t]):
                    changed = True
            # Compared before cascading is dropped for a level that cannot cascade (as MediaWiki).
            if not changed and protect and current_cascade != new_cascade:
                changed = True
            if not changed:
                # MediaWiki returns before touching its by-reference $cascade: echoed as given.
                return cascade
            action = "unprotect" if not protect else ("modify" if is_protected else "protect")
            ordered = [prot.Restriction(t, limits[t], expiries[t]) for t in limits if t in types]
            if fresh is not None:
                if not self._may_cascade(limits, current):
                    new_cascade = False
                restrictions = [prot.Restriction(r.type, r.level, r.expiry, new_cascade and r.type == "edit")
                                for r in ordered]
                comment = prot.null_revision_comment(action, title.prefixed_text, reason, restrictions, new_cascade)
                text = store.latest_text_in(conn, fresh)
                _same, null_rev, _before = store.insert_revision_in(
                    conn, namespace=title.namespace, dbkey=title.dbkey, text=text, comment=comment,
                    user_id=performer.id, user_name=performer.name, minor=True, tags=tag_list, null=True,
                    current=fresh)
                rev_id = null_rev.id
                store.set_restrictions_in(conn, fresh.id, restrictions)
                page_id = fresh.id
            else:
                new_cascade = False
                restrictions = [r for r in ordered if r.type == "create"]
                create = restrictions[0] if restrictions else prot.Restriction("create", "")
                store.set_title_protection_in(conn, title.namespace, title.dbkey, level=create.level,
                                              expiry=create.expiry, user_id=performer.id, reason=reason)
                page_id = rev_id = 0
            params: dict[str, Any] = {} if action == "unprotect" else prot.log_params(
                restrictions, new_cascade, title_protection=fresh is None)
            self.logs.add_in(conn, type="protect", action=action, actor_id=performer.id,
                             actor_name=performer.name, namespace=title.namespace, title=title.dbkey,
                             page_id=page_id, comment=reason, params=params, bot=bot, rev_id=rev_id,
                             tags=tag_list)
            return new_cascade

        return await store.run(run)

    def _may_cascade(self, limits: dict[str, str], current: dict[str, prot.Restriction]) -> bool:
        """Whether the edit level is one of ``$wgCascadingRestrictionLevels`` (by its right)."""
        edit = limits["edit"] if "edit" in limits else (current["edit"].level if "edit" in current else "")
        allowed = {prot.level_right(lv) for lv in self.settings.cascading_levels}
        return bool(edit) and prot.level_right(edit) in allowed
