"""action=userrights: add and remove a user's groups (MediaWiki ApiUserrights, seed
API:User group membership).

Behaviour of 1.39 kept here:

* expiries are checked before the user is looked up: one expiry applies to every added
  group, otherwise their count must equal the number of added groups (``toofewexpiries``);
* groups the performer may not change are silently skipped — an anonymous caller with
  the ``+\\`` token gets ``added: [], removed: []``, not a permission error;
* a group already held is re-added only when its expiry changes or it is also removed in
  the same request; nothing changed → no log entry;
* the ``rights/rights`` log entry lists old and new groups with their expiries, the new
  list being the old one minus removed groups plus added ones, in that order.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.params import Param, require_only_one
from wikigate.i18n import Num
from wikigate.storage.sql.schema import user as user_table
from wikigate.storage.sql.schema import user_groups
from wikigate.users.model import User
from wikigate.util.clock import mw_timestamp, mw_to_iso, to_mw_timestamp
from wikigate.util.expiry import ExpiryError, parse_expiry
from wikigate.util.ints import parse_int64

log = logging.getLogger(__name__)


class ApiUserrights(ApiModule):
    name = "userrights"
    classname = "ApiUserrights"
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:User_group_membership"]
    must_be_posted = True
    is_write = True
    needs_token = "userrights"
    # Outside bot-password sessions, [rights] add_groups/remove_groups may instead let
    # members of a group change the groups listed for it (Rights.changeable_groups).
    rights_needed = ("userrights",)

    def params(self) -> dict[str, Param]:
        groups = self.services.rights.explicit_groups
        return {
            "user": Param("user", user_types=("name", "id")),
            "userid": Param("integer", deprecated=True),
            "add": Param("enum", multi=True, choices=lambda: sorted(groups())),
            "expiry": Param("string", multi=True, default="infinite", allow_duplicates=True),
            "remove": Param("enum", multi=True, choices=lambda: sorted(groups())),
            "reason": Param("string", default=""),
        }

    def final_params(self) -> dict[str, Param]:
        # MediaWiki declares tags after the token.
        p = super().final_params()
        p["tags"] = Param("tags", multi=True, choices=())
        return p

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        add: list[str] = list(p["add"] or [])
        expiries = self._expiries(add, list(p["expiry"] or []))
        target = await self._target(p)
        # From the session's effective rights (bot-password grants applied).
        changeable = ctx.changeable_groups()
        is_self = target.id == ctx.user.id
        addable = set(changeable["add"]) | (set(changeable["add-self"]) if is_self else set())
        removable = set(changeable["remove"]) | (set(changeable["remove-self"]) if is_self else set())

        now_ts = mw_timestamp(ctx.now)
        held = {g.group: g.expiry for g in target.groups}
        remove = [g for g in dict.fromkeys(p["remove"] or []) if g in removable and g in held]
        add = [g for g in add if g in addable and (
            g not in held or g in remove or held[g] != expiries.get(g))]

        if add or remove:
            await self.services.db.run(lambda c: self._save(c, target, held, add, remove, expiries,
                                                            p["reason"], now_ts))
            await self._audit(target, add, remove)
        ctx.result["userrights"] = {
            "user": target.name, "userid": target.id,
            "added": Indexed(add, "group"), "removed": Indexed(remove, "group"),
        }

    async def _audit(self, target: User, add: list[str], remove: list[str]) -> None:
        """A ``rights-change`` audit entry naming the session kind (a bot password's app id)."""
        from wikigate.auth.containment import bot_app_id

        ctx = self.ctx
        via = (f"botpassword app={bot_app_id(ctx.state.session if ctx.state else None)}"
               if ctx.is_bot_password_session else "session")
        audit = self.services.audit
        try:
            await audit.record("rights-change", ctx.user, ctx.request.client_ip,
                               f"target={target.name} added={','.join(add)} removed={','.join(remove)} via={via}")
        except Exception:  # the change is made; a broken audit trail must not hide that
            log.exception("audit record rights-change failed")

    def _expiries(self, add: list[str], raw: list[str]) -> dict[str, str | None]:
        if not add:
            return {}
        if len(raw) != len(add):
            if len(raw) != 1:
                raise ApiError("apierror-toofewexpiries", [Num(len(raw)), Num(len(add))])
            raw = raw * len(add)
        now = datetime.fromtimestamp(self.ctx.now, UTC)
        out: dict[str, str | None] = {}
        for group, text in zip(add, raw, strict=True):
            try:
                when = parse_expiry(text, now)
            except ExpiryError as e:
                raise ApiError(f"apierror-{e.code}", [text], code=e.code) from None
            out[group] = None if when is None else to_mw_timestamp(when)
        return out

    async def _target(self, p: Values) -> User:
        which = require_only_one(p, ["user", "userid"])
        users = self.services.users
        if which == "userid":
            found: User | None = await users.get_by_id(p["userid"]) if p["userid"] > 0 else None
            if found is None:
                raise ApiError("noname", code="invaliduser")
            return found
        name: str = p["user"]
        if name.startswith("#"):
            # An id past 64 bits names nobody (PHP saturates it to a non-existent id).
            uid = parse_int64(name[1:], signed=False)
            found_id: User | None = await users.get_by_id(uid) if uid is not None else None
            if found_id is None:
                # MediaWiki resolves an unknown id to its placeholder name.
                raise ApiError("nosuchusershort", ["Unknown user"], code="nosuchuser")
            return found_id
        by_name: User | None = await users.get_by_name(name)
        if by_name is None:
            raise ApiError("nosuchusershort", [name], code="nosuchuser")
        return by_name

    def _save(self, conn: Connection, target: User, held: dict[str, str | None], add: list[str],
              remove: list[str], expiries: dict[str, str | None], reason: str, now_ts: str) -> None:
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
        self.services.logs.add_in(
            conn, type="rights", action="rights", actor_id=self.ctx.user.id,
            actor_name=self.ctx.user.name, namespace=2, title=target.name.replace(" ", "_"),
            comment=reason, timestamp=now_ts,
            params={
                "oldgroups": list(old), "newgroups": list(new),
                "oldmetadata": [_meta(g, e) for g, e in old.items()],
                "newmetadata": [_meta(g, e) for g, e in new.items()],
            },
        )


def _meta(group: str, expiry: str | None) -> dict[str, Any]:
    """A membership as the API prints rights log parameters (stored in that form)."""
    return {"group": group, "expiry": "infinity" if expiry is None else mw_to_iso(expiry)}
