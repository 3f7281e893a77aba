"""index.php?title=Special:UserRights — add and remove a user's groups, with expiries
and a reason (MediaWiki's UserrightsPage), for those who may change groups.

Which groups the person may add or remove is ``Rights.changeable_groups`` of this
session (``userrights`` for all explicit groups, or the ``[rights] add_groups`` /
``remove_groups`` lists; ``*-self`` lists on one's own account); groups outside those are
shown but cannot be ticked. The change is :class:`wikigate.users.groups.UserRightsService`
— ``parse_expiries`` and ``change_groups`` — as action=userrights makes it: one
transaction, the ``rights/rights`` log entry and the ``rights-change`` audit entry.
POST with the csrf token.
"""

from __future__ import annotations

from typing import Any

from wikigate.auth.usernames import canonical_username
from wikigate.http.response import Response
from wikigate.i18n import Message, Num
from wikigate.users.groups import GroupExpiryError, UserRightsService
from wikigate.users.model import User
from wikigate.users.rights import flags_as_bot
from wikigate.util.clock import mw_to_iso
from wikigate.web.listing import text_field
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext

PAGE = "Special:UserRights"


class SpecialUserRights(HtmlPage):
    title = PAGE
    texts = "userrights"
    rights_needed = ("userrights",)
    authentication = "session cookie; POST with the csrf token (same rules as action=userrights)"

    def _notice(self, ctx: PageContext, text: str, status: int,
                links: list[tuple[str, str, str]] | None = None) -> Response:
        return ctx.render("flow.html", ctx.t["title"], status=status, fields=None, errors=[], intro="",
                          notice=text, notice_class="notice", links=links or [])

    def _error_text(self, ctx: PageContext, e: GroupExpiryError) -> str:
        if e.code == "toofewexpiries":
            return ctx.msg(Message("apierror-toofewexpiries", (Num(e.given), Num(e.needed))))
        return f"{e.value}: {ctx.msg(Message(f'apierror-{e.code}', (e.value,)))}"

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        ui = texts_for(ctx.lang, "ui")
        if not ctx.user.is_registered:
            return self._notice(ctx, t["anon"], 401, [("", ctx.url("Special:UserLogin", returnto=PAGE), ui["login"])])
        changeable = ctx.changeable_groups()
        if not any(changeable.values()):
            return self._notice(ctx, t["denied"], 403)
        wanted = (ctx.request.params.get("user") or subpage or "").strip()[:255]
        target: User | None = None
        errors: list[str] = []
        status = 200
        if wanted:
            name = canonical_username(wanted)
            target = await self.services.users.get_by_name(name) if name else None
            if target is None:
                errors, status = [t["nosuchuser"].format(user=wanted)], 404
        notice = ""
        if target is not None:
            is_self = target.id == ctx.user.id
            addable = set(changeable["add"]) | (set(changeable["add-self"]) if is_self else set())
            removable = set(changeable["remove"]) | (set(changeable["remove-self"]) if is_self else set())
            if ctx.request.method == "POST":
                if not ctx.csrf_ok():
                    errors, status = [ui["bad_token"]], 400
                else:
                    problem = await self._save(ctx, target, addable, removable)
                    if problem is not None:
                        errors, status = [problem], 400
                    else:
                        target = await self.services.users.get_by_id(target.id) or target
                        notice = t["done"].format(user=target.name)
            return self._form(ctx, target, addable, removable, errors, status, notice)
        lookup = [text_field("user", t["user"], wanted, error=errors[0] if errors else "", optional=False,
                             autocomplete="off")]
        lookup[0]["autofocus"] = True
        return ctx.render("flow.html", t["title"], status=status, form_id="mw-userrights-lookup",
                          action=ctx.base, fields=lookup, token="", hidden=[("title", PAGE)],
                          submit=t["lookup"], cancel="", errors=errors, intro=t["intro"], notice="",
                          notice_class="", links=[], method="get")

    async def _save(self, ctx: PageContext, target: User, addable: set[str], removable: set[str]) -> str | None:
        params = ctx.request.params
        held = {g.group for g in target.groups}
        ticked = {g for g in self.services.rights.explicit_groups() if params.get(f"wpGroup-{g}") == "1"}
        add = [g for g in self.services.rights.explicit_groups() if g in ticked and g in addable]
        remove = [g for g in self.services.rights.explicit_groups() if g in held and g not in ticked and g in removable]
        service: UserRightsService = self.services.userrights
        try:
            expiries = service.parse_expiries(add, [params.get(f"wpExpiry-{g}", "").strip() or "infinite"
                                                    for g in add], ctx.now)
        except GroupExpiryError as e:
            return self._error_text(ctx, e)
        await service.change_groups(target, ctx.user, add=add, remove=remove, expiries=expiries,
                                    reason=params.get("user-reason", "")[:500], addable=addable,
                                    removable=removable, now=ctx.now, via="session", ip=ctx.request.client_ip,
                                    bot=flags_as_bot(ctx.rights(), params.get("bot")))
        return None

    def _form(self, ctx: PageContext, target: User, addable: set[str], removable: set[str], errors: list[str],
              status: int, notice: str) -> Response:
        t = ctx.t
        params = ctx.request.params if errors and ctx.request.method == "POST" else {}
        held = {g.group: g.expiry for g in target.groups}
        rows: list[dict[str, Any]] = []
        for g in self.services.rights.explicit_groups():
            member = g in held
            can = (g in removable) if member else (g in addable)
            expiry = held.get(g)
            current_expiry = "infinite" if expiry is None else (mw_to_iso(expiry) or "infinite")
            label = ctx.msg(Message(f"group-{g}-member")) if self.services.catalog.exists(f"group-{g}-member") \
                else g
            rows.append({
                "group": g, "label": label, "member": member,
                "checked": (params.get(f"wpGroup-{g}") == "1") if params else member,
                "disabled": not can, "expiry": params.get(f"wpExpiry-{g}", current_expiry if member else "infinite"),
                "expiry_editable": g in addable,
                "until": "" if not member or expiry is None else t["until"].format(expiry=current_expiry),
            })
        current = ", ".join(r["label"] for r in rows if r["member"]) or t["nogroups"]
        reason = text_field("user-reason", t["reason"], params.get("user-reason", ""))
        reason["id"] = "wpReason"
        return ctx.render("userrights.html", t["groups_of"].format(user=target.name), status=status, errors=errors,
                          notice=notice, current=t["current"].format(groups=current), rows=rows, reason=reason,
                          token=ctx.csrf_token(), action=ctx.url(PAGE, user=target.name),
                          log_url=ctx.url("Special:Log", type="rights", page=f"User:{target.name}"))
