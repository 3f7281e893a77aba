"""action=protect (ApiProtect + WikiPage::doUpdateRestrictions; seed: API:Protect, spec protect.md).

Order of checks (spec §2): parameters (``protections`` required before the token), title
or pageid, permission ``protect`` (then ``cantedit`` if the protector cannot edit), tags,
expiry count (one value is replicated, else ``toofewexpiries``), then each
``type=level`` item in order: create-titleexists / missingtitle-createonly /
protect-invalidaction / protect-invalidlevel / invalidexpiry / pastexpiry.

The item checks and the update (one transaction) are pages.protect.ProtectionService's:
it replaces the complete set of restrictions (types not listed are cleared); if nothing
changes, nothing is written — no null revision, no log entry — but the answer is the
normal success result. Cascading survives only with an ``edit`` level listed in
``protection.cascading_levels``; it is dropped silently otherwise, and for missing pages.
"""

from __future__ import annotations

from typing import Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.page_checks import check_tags, permission_error, title_or_pageid, want_watch
from wikigate.api.params import Param
from wikigate.pages import protection as prot
from wikigate.pages.protect import ProtectError, ProtectionService
from wikigate.pages.wikitext import escape_wikitext
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

        service: ProtectionService = ctx.services.protection
        try:
            plan = service.plan(title, page is not None, p["protections"],
                                p["expiry"] if p["expiry"] is not None else [], ctx.rights, ctx.now)
        except ProtectError as e:
            raise _api_error(e) from None

        if p["watch"]:
            # Boolean parameters are validated without ParamValidator's deprecation notice.
            from wikigate.i18n import Message

            ctx.add_deprecation(self.path, Message("paramvalidator-param-deprecated", ("watch",)),
                                "action=protect&watch")
            watch_value = "watch"
        else:
            watch_value = p["watchlist"]
        watch = await want_watch(ctx, watch_value, title, plan.exists, option="watchdefault")
        cascade = await service.apply(plan, ctx.user, cascade=bool(p["cascade"]), reason=p["reason"],
                                      tags=list(p["tags"] or []), watch=watch, bot=ctx.flags_as_bot())

        res: dict[str, Any] = {"title": title.prefixed_text, "reason": p["reason"]}
        if cascade:
            res["cascade"] = True
        res["protections"] = Indexed([{item.type: item.level, "expiry": prot.expiry_api(item.expiry)}
                                      for item in plan.items], "protection")
        self.add_result(self.name, res)


def _api_error(e: ProtectError) -> ApiError:
    """The error action=protect reports for a refused plan (MediaWiki's keys and codes)."""
    if e.code == "toofewexpiries":
        return ApiError("apierror-toofewexpiries", [e.given, e.needed], code="toofewexpiries")
    if e.code in ("create-titleexists", "missingtitle-createonly"):
        return ApiError(f"apierror-{e.code}")
    if e.code in ("protect-invalidaction", "protect-invalidlevel"):
        return ApiError(f"apierror-{e.code}", [escape_wikitext(e.value)])
    return ApiError(f"apierror-{e.code}", [escape_wikitext(e.value)], code=e.code)
