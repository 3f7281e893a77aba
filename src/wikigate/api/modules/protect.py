"""action=protect (ApiProtect + WikiPage::doUpdateRestrictions; seed: API:Protect, spec protect.md).

Order of checks (spec §2): parameters (``protections`` required before the token), title
or pageid, permission ``protect`` (then ``cantedit`` if the protector cannot edit), tags,
expiry count (one value is replicated, else ``toofewexpiries``), then each
``type=level`` item in order: create-titleexists / missingtitle-createonly /
protect-invalidaction / protect-invalidlevel / invalidexpiry / pastexpiry.

The update replaces the complete set of restrictions (types not listed are cleared).
If nothing changes, nothing is written — no null revision, no log entry — but the answer
is the normal success result. Cascading survives only with an ``edit`` level listed in
``protection.cascading_levels``; it is dropped silently otherwise, and for missing pages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.page_checks import check_tags, pages_of, permission_error, title_or_pageid, want_watch
from wikigate.api.params import Param
from wikigate.pages import protection as prot
from wikigate.pages.store import Page
from wikigate.pages.titles import Title
from wikigate.pages.wikitext import escape_wikitext
from wikigate.util.expiry import ExpiryError, expiry_to_db, is_infinity, parse_expiry
from wikigate.util.multivalue import MULTI_SEP


class ApiProtect(ApiModule):
    name = "protect"
    must_be_posted = True
    is_write = True
    needs_token = "csrf"
    # A protector must also be able to edit the page (protect-cantedit).
    rights_needed = ("protect", "edit")
    rights_conditional = (
        ("editsemiprotected", "setting a level of autoconfirmed, or the page is protected at that level"),
        ("editprotected", "setting a level of sysop, or the page is protected at that level"),
        ("applychangetags", "with tags"),
    )
    classname = "ApiProtect"

    def params(self) -> dict[str, Param]:
        return {
            "title": Param("string"),
            "pageid": Param("integer"),
            "protections": Param("string", multi=True, required=True),
            "expiry": Param("string", multi=True, allow_duplicates=True, default="infinite"),
            "reason": Param("string", default=""),
            "tags": Param("tags", multi=True),
            "cascade": Param("boolean"),
            "watch": Param("boolean", deprecated=True),
            "watchlist": Param("enum", default="preferences",
                               choices=("nochange", "preferences", "unwatch", "watch")),
        }

    def extract_params(self) -> Values:
        # ``protections=`` (empty) is *present* (unprotect everything) in MediaWiki, while
        # the generic rule treats an empty required value as missing.
        if self.ctx.params.get("protections") == "":
            saved = self.ctx.params
            try:
                self.ctx.params = {k: v for k, v in saved.items() if k != "protections"} | {"protections": MULTI_SEP}
                values = super().extract_params()
            finally:
                self.ctx.params = saved
            values["protections"] = []
            return values
        return super().extract_params()

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        title, page = await title_or_pageid(ctx, p)
        err = await permission_error(ctx, title, page, "protect")
        if err is not None:
            raise err
        await check_tags(ctx, p["tags"])

        items: list[str] = p["protections"]
        expiries_in: list[str] = p["expiry"] if p["expiry"] is not None else []
        if len(expiries_in) != len(items):
            if len(expiries_in) == 1:
                expiries_in = expiries_in * len(items)
            else:
                from wikigate.i18n import Num

                raise ApiError("apierror-toofewexpiries", [Num(len(expiries_in)), Num(len(items))],
                               code="toofewexpiries")

        settings = ctx.services.settings.protection
        exists = page is not None
        applicable = prot.applicable_types(settings, title.namespace, exists)
        levels = prot.levels_for_user(settings, ctx.rights)
        now = datetime.fromtimestamp(int(ctx.now), UTC)
        limits: dict[str, str] = {}
        expiries: dict[str, str] = {}
        result_items: list[dict[str, Any]] = []
        for i, item in enumerate(items):
            parts = item.split("=")
            ptype = parts[0]
            level: str | None = None if len(parts) < 2 else ("" if parts[1] == "all" else parts[1])
            if exists and ptype == "create":
                raise ApiError("apierror-create-titleexists")
            if not exists and ptype != "create":
                raise ApiError("apierror-missingtitle-createonly")
            if ptype not in applicable and ptype != "create":
                raise ApiError("apierror-protect-invalidaction", [escape_wikitext(ptype)])
            # PHP's in_array(null, levels) is true ("" == null), hence "edit" alone is accepted.
            if (level if level is not None else "") not in levels:
                raise ApiError("apierror-protect-invalidlevel", [escape_wikitext(level or "")])
            raw_expiry = expiries_in[i]
            if is_infinity(raw_expiry):
                exp = "infinity"
            else:
                try:
                    exp = expiry_to_db(parse_expiry(raw_expiry, now))
                except ExpiryError as e:
                    raise ApiError(f"apierror-{e.code}", [escape_wikitext(raw_expiry)], code=e.code) from None
            limits[ptype] = level or ""
            expiries[ptype] = exp
            result_items.append({ptype: level, "expiry": prot.expiry_api(exp)})

        cascade = bool(p["cascade"])
        if p["watch"]:
            # Boolean parameters are validated without ParamValidator's deprecation notice.
            from wikigate.i18n import Message

            ctx.add_deprecation(self.path, Message("paramvalidator-param-deprecated", ("watch",)),
                                "action=protect&watch")
            watch_value = "watch"
        else:
            watch_value = p["watchlist"]
        watch = await want_watch(ctx, watch_value, title, exists, option="watchdefault")
        cascade = await self._update(title, page, limits, expiries, cascade, p["reason"], list(p["tags"] or []),
                                     watch)

        res: dict[str, Any] = {"title": title.prefixed_text, "reason": p["reason"]}
        if cascade:
            res["cascade"] = True
        res["protections"] = Indexed(result_items, "protection")
        self.add_result(self.name, res)

    async def _update(self, title: Title, page: Page | None, limits: dict[str, str], expiries: dict[str, str],
                      cascade: bool, reason: str, tags: list[str], watch: bool) -> bool:
        """``WikiPage::doUpdateRestrictions``; returns the cascade flag actually applied."""
        ctx = self.ctx
        store = pages_of(ctx)
        settings = ctx.services.settings.protection
        logs = ctx.services.logs
        user = ctx.user

        def run(conn: Connection) -> bool:
            if not ctx.is_anon:
                store.set_watch_in(conn, user.id, title.namespace, title.dbkey, watch)
            fresh = store.page_in(conn, title.namespace, title.dbkey)
            types = prot.applicable_types(settings, title.namespace, fresh is not None)
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
                store.insert_revision_in(conn, namespace=title.namespace, dbkey=title.dbkey, text=text,
                                         comment=comment, user_id=user.id, user_name=user.name, minor=True,
                                         tags=tags, null=True)
                store.set_restrictions_in(conn, fresh.id, restrictions)
                page_id = fresh.id
            else:
                new_cascade = False
                restrictions = [r for r in ordered if r.type == "create"]
                create = restrictions[0] if restrictions else prot.Restriction("create", "")
                store.set_title_protection_in(conn, title.namespace, title.dbkey, level=create.level,
                                              expiry=create.expiry, user_id=user.id, reason=reason)
                page_id = 0
            params: dict[str, Any] = {} if action == "unprotect" else prot.log_params(
                restrictions, new_cascade, title_protection=fresh is None)
            logs.add_in(conn, type="protect", action=action, actor_id=user.id, actor_name=user.name,
                        namespace=title.namespace, title=title.dbkey, page_id=page_id, comment=reason,
                        params=params)
            return new_cascade

        return await store.run(run)

    def _may_cascade(self, limits: dict[str, str], current: dict[str, prot.Restriction]) -> bool:
        """Whether the edit level is one of ``$wgCascadingRestrictionLevels`` (by its right)."""
        settings = self.ctx.services.settings.protection
        edit = limits["edit"] if "edit" in limits else (current["edit"].level if "edit" in current else "")
        allowed = {prot.level_right(lv) for lv in settings.cascading_levels}
        return bool(edit) and prot.level_right(edit) in allowed
