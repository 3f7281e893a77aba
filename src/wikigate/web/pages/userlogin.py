"""index.php?title=Special:UserLogin — log in through the flow engine api.php uses.

The page only translates: the first form shows the fields of the ``login`` requests
(username, password, "keep me logged in"), a submission is loaded into those requests
and handed to ``AuthManager.begin_authentication``; a UI answer (captcha, two-factor
code, the new password after a temporary one …) becomes a form with exactly the fields
the flow asks for, sent back to ``continue_authentication``. Throttles, captcha and
two-factor rules live in the providers, so the browser meets them exactly when the API
would. A PASS binds the user to the session (http.session_cookies.log_in: new session
id, new token secrets) and redirects to ``returnto`` — a local title, never a URL.
"""

from __future__ import annotations

from typing import Any

from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
from wikigate.auth.requests import ACTION_LOGIN, ACTION_LOGIN_CONTINUE, AuthResponse
from wikigate.http.response import Response
from wikigate.http.session_cookies import log_in
from wikigate.i18n import Message
from wikigate.web.flowform import absolute, form_fields, load_submission, manager_for
from wikigate.web.pages.oidcreturn import is_provider_return
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext

PAGE = "Special:UserLogin"


class SpecialUserLogin(HtmlPage):
    title = PAGE
    texts = "login"
    account_security = "Login"
    authentication = "session cookie; logs in through the flow engine (same as action=clientlogin)"

    def _links(self, ctx: PageContext) -> list[tuple[str, str, str]]:
        t = ctx.t
        return [("", ctx.url("Special:PasswordReset"), t["forgot"]),
                (t["no_account"], ctx.url("Special:CreateAccount", returnto=ctx.returnto() or ""), t["create"])]

    def _form(self, ctx: PageContext, fields: list[dict[str, Any]], *, continuing: bool, status: int = 200,
              errors: list[str] | None = None, notice: str = "", notice_class: str = "notice") -> Response:
        t = ctx.t
        hidden: list[tuple[str, str]] = []
        if continuing:
            hidden.append(("wpContinue", "1"))
        intro = ""
        if not continuing and ctx.user.is_registered:
            intro = t["already"].format(user=ctx.user.name)
        return ctx.render(
            "flow.html", t["continue_title"] if continuing else t["title"], status=status,
            form_id="userloginForm", action=ctx.url(PAGE, returnto=ctx.returnto() or ""), fields=fields,
            token=ctx.csrf_token(), hidden=hidden, submit=t["continue"] if continuing else t["submit"],
            cancel=t["cancel"] if continuing else "", errors=errors or [], notice=notice,
            notice_class=notice_class, intro=intro, links=[] if continuing else self._links(ctx))

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        manager = manager_for(ctx)
        returning = is_provider_return(ctx.request)  # back from an OpenID Connect provider
        if (ctx.request.method != "POST" and not returning) or ctx.request.params.get("wpCancel"):
            reqs = await manager.get_authentication_requests(ACTION_LOGIN, ctx.user)
            return self._form(ctx, form_fields(ctx, reqs, new_credentials=False), continuing=False)
        continuing = returning or ctx.request.params.get("wpContinue") == "1"
        action = ACTION_LOGIN_CONTINUE if continuing else ACTION_LOGIN
        reqs = await manager.get_authentication_requests(action, ctx.user)
        if continuing and not reqs:
            # The stored flow expired or was finished elsewhere: start over.
            reqs = await manager.get_authentication_requests(ACTION_LOGIN, ctx.user)
            return self._form(ctx, form_fields(ctx, reqs, new_credentials=False), continuing=False,
                              errors=[ctx.msg(Message("authmanager-authn-not-in-progress"))])
        if not returning and not ctx.csrf_ok():
            return self._form(ctx, form_fields(ctx, reqs, new_credentials=continuing), continuing=continuing,
                              status=400, errors=[texts_for(ctx.lang, "ui")["bad_token"]])
        try:
            await refuse_in_bot_session(self.services, ctx.state.session, ctx.user, ctx.request.client_ip, "Login")
        except BotSessionRefused:
            return ctx.render("flow.html", ctx.t["title"], status=403, fields=None, errors=[ctx.t["cannot"]],
                              intro="", notice="", notice_class="", links=[])
        loaded = load_submission(ctx.request, reqs)
        if continuing:
            res = await manager.continue_authentication(loaded)
        else:
            return_url = absolute(ctx, ctx.url(PAGE, returnto=ctx.returnto() or ""))
            res = await manager.begin_authentication(loaded, return_url)
        return await self._answer(ctx, res)

    async def _answer(self, ctx: PageContext, res: AuthResponse) -> Response:
        manager = manager_for(ctx)
        message = ctx.msg(res.message) if res.message is not None else ""
        if res.status == AuthResponse.PASS and res.user is not None:
            await log_in(self.services, ctx.state, res.user, remember=res.remember, now=ctx.now)
            return ctx.redirect(ctx.returnto_url())
        if res.status == AuthResponse.REDIRECT and res.redirect_target:
            # A provider (external sign-in) sends the browser away; the target is the
            # provider's configured URL, not anything from this request.
            return ctx.redirect(res.redirect_target)
        if res.status == AuthResponse.UI:
            fields = form_fields(ctx, res.needed, new_credentials=True)
            return self._form(ctx, fields, continuing=True, notice=message,
                              notice_class="error" if res.message_type == "error" else "notice")
        # FAIL or RESTART: the first form again, the reason above it, the name kept.
        reqs = await manager.get_authentication_requests(ACTION_LOGIN, ctx.user)
        return self._form(ctx, form_fields(ctx, reqs, new_credentials=False), continuing=False,
                          errors=[message or ctx.msg(Message("authmanager-authn-no-primary"))])
