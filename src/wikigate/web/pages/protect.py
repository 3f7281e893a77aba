"""index.php?title=X&action=protect (and ``action=unprotect``) — change a page's
protection, or a missing title's create protection, as a person.

The page only translates the form: who may protect is decided by the permission rules
action=protect applies (api.page_checks.permission_errors for ``protect``: the
``protect`` right, ``protect-cantedit`` when the protector cannot edit the page), and the
change is :class:`wikigate.pages.protect.ProtectionService` — ``plan`` checks levels per
action (``protection.levels``, only those the protector may set), expiries (presets or
free text, as ``expiry=``) and ``apply`` writes restrictions, null revision and log
entry in one transaction. ``action=unprotect`` is the same form with every level set to
"all users" (MediaWiki serves both actions with one form). The watchlist is left as it
is. POST with the csrf token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from wikigate.http.response import Response
from wikigate.i18n import Message, Num
from wikigate.pages import protection as prot
from wikigate.pages.protect import ProtectError, ProtectionService
from wikigate.pages.service import PageService
from wikigate.pages.store import Page
from wikigate.pages.titles import InvalidTitle, Title, parse_title
from wikigate.users.model import User
from wikigate.users.rights import flags_as_bot
from wikigate.web.listing import expiry_text, level_text, select_field, text_field
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext

if TYPE_CHECKING:
    from wikigate.api.context import ApiContext

#: Expiry choices (values are what ``expiry=`` accepts), MediaWiki's usual presets.
PRESETS = ("infinite", "1 hour", "1 day", "1 week", "2 weeks", "1 month", "3 months", "1 year")
OTHER = "othertime"
EXISTING = "existing"


@dataclass
class _Asker:
    """What api.page_checks reads of a request context: one permission rule for api.php
    and index.php."""

    services: Any
    user: User
    rights: set[str]
    is_anon: bool
    #: Language of pre-rendered message parameters (badaccess-groups' group links).
    uselang: str = "en"


def _preset_key(value: str) -> str:
    return "preset_" + value.replace(" ", "_")


class ProtectAction(HtmlPage):
    """``action=protect`` / ``action=unprotect`` on any page title (WebPages.actions)."""

    title = ""
    actions = ("protect", "unprotect")
    texts = "protect"
    rights_needed = ("protect", "edit")
    authentication = "session cookie; POST with the csrf token (same rules as action=protect)"

    def current_title(self, subpage: str | None) -> str:
        return subpage or "Main Page"

    def returnto_for_nav(self, ctx: PageContext) -> str:
        return ctx.subpage or ""

    def nav_query(self, ctx: PageContext) -> dict[str, str]:
        return {"action": "unprotect" if ctx.request.params.get("action") == "unprotect" else "protect"}

    async def _permission_errors(self, ctx: PageContext, title: Title, page: Page | None) -> list[str]:
        from wikigate.api.page_checks import permission_errors

        asker = _Asker(self.services, ctx.user, ctx.rights(), not ctx.user.is_registered, ctx.lang)
        return [ctx.msg(e.message) for e in await permission_errors(cast("ApiContext", asker), title, page,
                                                                     "protect")]

    def _error_text(self, ctx: PageContext, e: ProtectError) -> str:
        if e.code == "toofewexpiries":
            return ctx.msg(Message("apierror-toofewexpiries", (Num(e.given), Num(e.needed))))
        if e.code in ("create-titleexists", "missingtitle-createonly"):
            return ctx.msg(Message(f"apierror-{e.code}"))
        return ctx.msg(Message(f"apierror-{e.code}", (e.value,)))

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        ui = texts_for(ctx.lang, "ui")
        raw = subpage or ""
        unprotect = ctx.request.params.get("action") == "unprotect"
        try:
            title = parse_title(raw, self.namespaces())
            if not title.dbkey or title.interwiki:
                raise InvalidTitle("title-invalid-empty", raw)
        except InvalidTitle:
            return self._notice(ctx, t["badtitle"], 400, raw)
        name = title.prefixed_text
        if title.namespace < 0:
            return self._notice(ctx, t["special"], 400, name)
        if not ctx.user.is_registered:
            return self._notice(ctx, t["anon"], 401, name,
                                [("", ctx.url("Special:UserLogin", returnto=name), ui["login"])])
        pages: PageService = self.services.page_service
        page = await pages.page(title.namespace, title.dbkey)
        exists = page is not None
        current = await self._current(pages, title, page)
        refusals = await self._permission_errors(ctx, title, page)
        if refusals:
            return self._render(ctx, title, exists, current, status=403, errors=[t["denied"], *refusals],
                                editable=False,
                                unprotect=unprotect)
        errors: list[str] = []
        status = 200
        notice = ""
        if ctx.request.method == "POST":
            if not ctx.csrf_ok():
                errors, status = [ui["bad_token"]], 400
            else:
                service: ProtectionService = self.services.protection
                protections, expiries = self._submitted(ctx, title, exists)
                try:
                    plan = service.plan(title, exists, protections, expiries, ctx.rights(), ctx.now)
                except ProtectError as e:
                    errors, status = [self._error_text(ctx, e)], 400
                else:
                    watched = await pages.watched(ctx.user.id, title)
                    reason = ctx.request.params.get("mwProtect-reason", "")[:500]
                    await service.apply(plan, ctx.user, cascade=ctx.request.params.get("mwProtect-cascade") == "1",
                                        reason=reason, watch=watched,
                                        bot=flags_as_bot(ctx.rights(), ctx.request.params.get("bot")))
                    current = await self._current(pages, title, page)
                    unprotected = not any(r.level for r in current)
                    notice = (t["done_unprotect"] if unprotected else t["done"]).format(title=name)
                    unprotect = False
        return self._render(ctx, title, exists, current, status=status, errors=errors, editable=True,
                            unprotect=unprotect, notice=notice)

    async def _current(self, pages: PageService, title: Title, page: Page | None) -> list[prot.Restriction]:
        state = await pages.protection_state(title, page, title_protection=True, cascade_sources=False)
        tp = state.title_protection
        if page is not None or tp is None:
            return list(state.restrictions)
        return [prot.Restriction("create", tp.level, tp.expiry)]

    def _types(self, title: Title, exists: bool) -> list[str]:
        return prot.applicable_types(self.services.settings.protection, title.namespace, exists)

    def _submitted(self, ctx: PageContext, title: Title, exists: bool) -> tuple[list[str], list[str]]:
        """``type=level`` items and their expiries, as action=protect takes them."""
        params = ctx.request.params
        protections: list[str] = []
        expiries: list[str] = []
        for ptype in self._types(title, exists):
            level = params.get(f"mwProtect-level-{ptype}", "")
            protections.append(f"{ptype}={level or 'all'}")
            choice = params.get(f"wpProtectExpirySelection-{ptype}", "infinite")
            if choice == EXISTING:
                choice = params.get(f"mwProtect-existing-{ptype}", "infinite")
            elif choice == OTHER or choice not in PRESETS:
                choice = params.get(f"mwProtect-expiry-{ptype}", "").strip() or "infinite"
            expiries.append(choice if level else "infinite")
        return protections, expiries

    def _notice(self, ctx: PageContext, text: str, status: int, name: str,
                links: list[tuple[str, str, str]] | None = None) -> Response:
        return ctx.render("flow.html", ctx.t["title"].format(title=name), status=status, fields=None, errors=[],
                          intro="", notice=text, notice_class="notice", links=links or [])

    def _render(self, ctx: PageContext, title: Title, exists: bool, current: list[prot.Restriction], *,
                status: int, errors: list[str], editable: bool, unprotect: bool, notice: str = "") -> Response:
        t = ctx.t
        name = title.prefixed_text
        params = ctx.request.params if ctx.request.method == "POST" and errors else {}
        levels = prot.levels_for_user(self.services.settings.protection, ctx.rights())
        by_type = {r.type: r for r in current}
        groups: list[dict[str, Any]] = []
        for ptype in self._types(title, exists):
            cur = by_type.get(ptype)
            cur_level = "" if unprotect else (cur.level if cur is not None else "")
            options = [(lv, level_text(lv, t)) for lv in levels]
            if cur_level not in {lv for lv, _ in options}:
                options.append((cur_level, level_text(cur_level, t)))
            expiry_options = [(p, t[_preset_key(p)]) for p in PRESETS]
            chosen = "infinite"
            hidden: list[tuple[str, str]] = []
            if cur is not None and cur.level and cur.expiry != "infinity":
                expiry_options.insert(0, (EXISTING, expiry_text(ctx, cur.expiry, t)))
                hidden.append((f"mwProtect-existing-{ptype}", prot.expiry_api(cur.expiry)))
                chosen = EXISTING
            expiry_options.append((OTHER, t["preset_other"]))
            label = t.get(f"type_{ptype}", ptype)
            level_field = select_field(f"mwProtect-level-{ptype}", label, options,
                                       params.get(f"mwProtect-level-{ptype}", cur_level))
            level_field["id"] = f"mwProtect-level-{ptype}"
            expiry_field = select_field(f"wpProtectExpirySelection-{ptype}", t["expiry"], expiry_options,
                                        params.get(f"wpProtectExpirySelection-{ptype}", chosen))
            expiry_field["id"] = f"mwProtectExpirySelection-{ptype}"
            other_field = text_field(f"mwProtect-expiry-{ptype}", t["expiry_other"],
                                     params.get(f"mwProtect-expiry-{ptype}", ""), help_text=t["expiry_other_help"])
            other_field["id"] = f"mwProtect-{ptype}-expires"
            groups.append({"legend": label,
                           "fields": [level_field, expiry_field, other_field], "hidden": hidden})
        cascade = None
        if exists:
            cascade = {"name": "mwProtect-cascade", "id": "mwProtect-cascade", "type": "checkbox",
                       "input_type": "text", "label": t["cascade"], "help": "", "optional": True, "optional_text": "",
                       "value": "1", "checked": (params.get("mwProtect-cascade") == "1") if params else
                       (not unprotect and any(r.cascade for r in current)),
                       "options": [], "autocomplete": "", "error": "", "autofocus": False}
        reason = text_field("mwProtect-reason", t["reason"], params.get("mwProtect-reason", ""))
        reason["id"] = "mwProtect-reason"
        summary = [f"{t.get(f'type_{r.type}', r.type)}: {level_text(r.level, t)}, "
                   f"{expiry_text(ctx, r.expiry, t)}{' ' + t['cascading'] if r.cascade else ''}"
                   for r in current if r.level]
        heading = (t["unprotect_title"] if unprotect else t["title"]).format(title=name)
        action = ctx.url(name, action="unprotect" if unprotect else "protect")
        return ctx.render("protect.html", heading, status=status, errors=errors, notice=notice,
                          intro=(t["intro"] if exists else t["intro_missing"]).format(title=name),
                          current=summary, editable=editable, groups=groups, cascade=cascade, reason=reason,
                          token=ctx.csrf_token() if editable else "", action=action,
                          submit=t["unprotect_submit"] if unprotect else t["submit"],
                          log_url=ctx.url("Special:Log", type="protect", page=name))
