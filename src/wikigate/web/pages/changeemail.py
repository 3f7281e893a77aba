"""index.php?title=Special:ChangeEmail — change or remove the account's e-mail address.

As MediaWiki 1.39's special page: logged in with ``viewmyprivateinfo`` and
``editmyprivateinfo``; a security-sensitive operation, so without a recent login the
person is sent through the login form (password, and two-factor code when enrolled) and
back here — that is the password confirmation; refused in a bot-password session
(auth.containment ``ChangeEmail``); POST with the csrf token. The rule itself (format,
no change, length, the ``changeemail`` rate limit on adding) is users.email_change.
"""

from __future__ import annotations

from typing import Any

from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
from wikigate.auth.manager import SEC_OK, SEC_REAUTH
from wikigate.http.response import Response
from wikigate.users.email_change import INVALID, MAXLENGTH, NOCHANGE, THROTTLED, change_email
from wikigate.web.flowform import manager_for
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext

PAGE = "Special:ChangeEmail"
_ERRORS = {INVALID: "invalid", NOCHANGE: "nochange", MAXLENGTH: "maxlength", THROTTLED: "throttled"}


class SpecialChangeEmail(HtmlPage):
    title = PAGE
    texts = "changeemail"
    rights_needed = ("viewmyprivateinfo", "editmyprivateinfo")
    account_security = "ChangeEmail"
    authentication = "session cookie with a recent login; POST with the csrf token"

    def _notice(self, ctx: PageContext, text: str, status: int,
                links: list[tuple[str, str, str]] | None = None, cls: str = "notice") -> Response:
        return ctx.render("flow.html", ctx.t["title"], status=status, fields=None, errors=[], intro="",
                          notice=text, notice_class=cls, links=links or [])

    def _fields(self, ctx: PageContext, value: str, error: str) -> list[dict[str, Any]]:
        t = ctx.t
        return [{"name": "wpNewEmail", "id": "wpNewEmail", "type": "string", "input_type": "email",
                 "label": t["new"], "help": "", "optional": True,
                 "optional_text": texts_for(ctx.lang, "ui")["optional"],
                 "value": value, "checked": False, "options": [], "autocomplete": "email", "error": error,
                 "autofocus": True}]

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        user = ctx.user
        ui = texts_for(ctx.lang, "ui")
        if not user.is_registered:
            return self._notice(ctx, t["anon"], 200, [("", ctx.url("Special:UserLogin", returnto=PAGE), ui["login"])])
        rights = ctx.rights()
        if not {"viewmyprivateinfo", "editmyprivateinfo"} <= rights:
            return self._notice(ctx, t["denied"], 403)
        try:
            await refuse_in_bot_session(self.services, ctx.state.session, user, ctx.request.client_ip, "ChangeEmail")
        except BotSessionRefused:
            return self._notice(ctx, t["bot_session"], 403)
        status = manager_for(ctx).security_sensitive_operation_status("ChangeEmail")
        if status == SEC_REAUTH:
            return ctx.redirect(ctx.url("Special:UserLogin", returnto=PAGE))
        if status != SEC_OK:
            return self._notice(ctx, t["bot_session"], 403)
        fresh = await self.services.users.get_by_id(user.id) or user
        errors: list[str] = []
        field_error = ""
        code = 200
        value = ""
        if ctx.request.method == "POST":
            value = ctx.request.params.get("wpNewEmail", "")
            if not ctx.csrf_ok():
                errors, code = [ui["bad_token"]], 400
            else:
                groups = [g.group for g in fresh.groups]
                problem = await change_email(self.services, fresh, value, ip=ctx.request.client_ip,
                                             groups=groups, rights=rights)
                if problem is None:
                    return self._notice(ctx, t["done"] if value.strip() else t["removed"], 200,
                                        [("", ctx.returnto_url(), ctx.returnto() or ui["back_main"])], "success")
                field_error = t[_ERRORS[problem]]
                errors, code = [field_error], 429 if problem == THROTTLED else 400
        info = [(t["username"], fresh.name), (t["current"], fresh.email or t["none"])]
        return ctx.render("changeemail.html", t["title"], status=code, form_id="mw-changeemail-form",
                          action=ctx.url(PAGE, returnto=ctx.returnto() or ""), info=info,
                          fields=self._fields(ctx, value, field_error), token=ctx.csrf_token(), hidden=[],
                          submit=t["submit"], cancel="", errors=errors, intro=t["intro"].format(user=fresh.name),
                          notice="", notice_class="", links=[])
