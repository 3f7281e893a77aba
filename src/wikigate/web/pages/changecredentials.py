"""index.php?title=Special:ChangeCredentials (and Special:ChangePassword) — change the
password through the same engine calls as action=changeauthenticationdata.

Order as the API: logged in; not a bot-password session (auth.containment); a recent
login (``security_sensitive_operation_status``; otherwise the login form, returning
here); the ``change`` requests minus CHANGE_BLACKLIST; the providers' checks (retype,
password policy); the change, which ends the user's other sessions and bot passwords
while this session stays logged in (http.session_cookies.rebind_after_credential_change).
"""

from __future__ import annotations

from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
from wikigate.auth.flow import SEC_OK, SEC_REAUTH
from wikigate.auth.requests import (
    ACTION_CHANGE,
    CHANGE_BLACKLIST,
    AuthenticationRequest,
    PasswordAuthenticationRequest,
)
from wikigate.http.response import Response
from wikigate.http.session_cookies import rebind_after_credential_change
from wikigate.web.flowform import form_fields, load_submission, manager_for
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext


class SpecialChangeCredentials(HtmlPage):
    title = "Special:ChangeCredentials"
    texts = "changecredentials"
    account_security = "ChangeCredentials"
    authentication = "session cookie with a recent login; POST with the csrf token"

    def _notice(self, ctx: PageContext, text: str, status: int, links: list[tuple[str, str, str]]) -> Response:
        return ctx.render("flow.html", ctx.t["title"], status=status, fields=None, errors=[], intro="",
                          notice=text, notice_class="notice", links=links)

    def _pick(self, reqs: list[AuthenticationRequest], subpage: str | None) -> AuthenticationRequest | None:
        """The request named by the sub-page (MediaWiki's ``Special:ChangeCredentials/<id>``),
        else the password."""
        wanted = subpage or PasswordAuthenticationRequest.class_id
        for r in reqs:
            if r.unique_id == wanted:
                return r
        return None

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        user = ctx.user
        here = self.current_title(subpage)
        if not user.is_registered:
            return self._notice(ctx, t["anon"], 200, [("", ctx.url("Special:UserLogin", returnto=here),
                                                       texts_for(ctx.lang, "ui")["login"])])
        try:
            await refuse_in_bot_session(self.services, ctx.state.session, user, ctx.request.client_ip,
                                        "ChangeCredentials")
        except BotSessionRefused:
            return self._notice(ctx, t["denied"], 403, [])
        manager = manager_for(ctx)
        status = manager.security_sensitive_operation_status("ChangeCredentials")
        if status == SEC_REAUTH:
            # MediaWiki sends the user through the login form and back here.
            return ctx.redirect(ctx.url("Special:UserLogin", returnto=here))
        if status != SEC_OK:
            return self._notice(ctx, t["denied"], 403, [])
        reqs = [r for r in await manager.get_authentication_requests(ACTION_CHANGE, user)
                if not isinstance(r, CHANGE_BLACKLIST)]
        req = self._pick(reqs, subpage)
        if req is None:
            return self._notice(ctx, t["none"], 404, [])
        errors: list[str] = []
        code = 200
        if ctx.request.method == "POST":
            if not ctx.csrf_ok():
                errors, code = [texts_for(ctx.lang, "ui")["bad_token"]], 400
            else:
                loaded = load_submission(ctx.request, [req])
                if not loaded:
                    errors, code = [texts_for(ctx.lang, "ui")["required"]], 400
                else:
                    problems, _ = await manager.allows_authentication_data_change(loaded[0], True)
                    if problems:
                        errors, code = [ctx.msg(m) for m in problems], 400
                    else:
                        await manager.change_authentication_data(loaded[0])
                        fresh = await self.services.users.get_by_id(user.id)
                        if fresh is not None:
                            await rebind_after_credential_change(self.services, ctx.state, fresh)
                            ctx.state.user = fresh
                        return ctx.render("flow.html", t["title"], fields=None, errors=[], intro="",
                                          notice=t["done"], notice_class="success",
                                          links=[("", ctx.returnto_url(), ctx.returnto()
                                                  or texts_for(ctx.lang, "ui")["back_main"])])
        return ctx.render("flow.html", t["title"], status=code, form_id="mw-changecredentials-form",
                          action=ctx.url(here, returnto=ctx.returnto() or ""),
                          fields=form_fields(ctx, [req], new_credentials=True), token=ctx.csrf_token(), hidden=[],
                          submit=t["submit"], cancel="", errors=errors, intro=t["intro"].format(user=user.name),
                          notice="", notice_class="", links=[])


class SpecialChangePassword(SpecialChangeCredentials):
    """MediaWiki's Special:ChangePassword is this page for the password request."""

    title = "Special:ChangePassword"
