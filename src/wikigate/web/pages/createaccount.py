"""index.php?title=Special:CreateAccount — create an account through the flow engine.

The fields are those the ``create`` requests declare (what meta=authmanagerinfo lists
for creation: username, password, retype, e-mail, real name, and a captcha or a reason
when a provider adds them); the submission goes to ``AuthManager.begin_account_creation``
exactly as action=createaccount sends it, so the name, permission, throttle and password
rules are the engine's. Unlike the API (and as MediaWiki's special page does), an
anonymous visitor is logged in to the new account afterwards; a logged-in creator
(``createaccount`` right) stays who they are.
"""

from __future__ import annotations

from typing import Any

from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
from wikigate.auth.requests import (
    ACTION_CREATE,
    ACTION_CREATE_CONTINUE,
    AuthResponse,
    TemporaryPasswordAuthenticationRequest,
)
from wikigate.http.response import Response
from wikigate.http.session_cookies import log_in
from wikigate.i18n import Message
from wikigate.web.flowform import absolute, form_fields, load_submission, manager_for
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext

PAGE = "Special:CreateAccount"


class SpecialCreateAccount(HtmlPage):
    title = PAGE
    texts = "createaccount"
    rights_needed = ("createaccount",)
    account_security = "CreateAccount"
    authentication = "session cookie, optional; creates through the flow engine (same as action=createaccount)"
    scripts = ("createaccount.js",)

    def _form(self, ctx: PageContext, fields: list[dict[str, Any]], *, continuing: bool, status: int = 200,
              errors: list[str] | None = None, notice: str = "") -> Response:
        t = ctx.t
        other = ctx.user.is_registered
        links = [] if other or continuing else [
            (t["have_account"], ctx.url("Special:UserLogin", returnto=ctx.returnto() or ""),
             texts_for(ctx.lang, "ui")["login"])]
        # The "mail a temporary password" box belongs after the address it is sent to.
        box = [f for f in fields if f["name"] == "mailpassword"]
        if box:
            fields = [f for f in fields if f["name"] != "mailpassword"]
            at = next((i + 1 for i, f in enumerate(fields) if f["name"] == "email"), len(fields))
            fields = fields[:at] + box + fields[at:]
        site = self.services.settings.site
        form_data = {"api": f"{site.script_path}/api.php", "taken": t["taken"], "name-free": t["name_free"],
                     "pw-ok": t["pw_ok"]}
        return ctx.render(
            "flow.html", t["continue_title"] if continuing else t["title"], status=status, form_data=form_data,
            form_id="userlogin2", action=ctx.url(PAGE, returnto=ctx.returnto() or ""), fields=fields,
            token=ctx.csrf_token(), hidden=[("wpContinue", "1")] if continuing else [],
            submit=t["continue"] if continuing else (t["submit_other"] if other else t["submit"]), cancel="",
            errors=errors or [], notice=notice, notice_class="notice",
            intro=t["intro_other"].format(user=ctx.user.name) if other else t["intro"], links=links)

    def _notice(self, ctx: PageContext, text: str, status: int) -> Response:
        return ctx.render("flow.html", ctx.t["title"], status=status, fields=None, errors=[], intro="",
                          notice=text, notice_class="notice", links=[])

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        manager = manager_for(ctx)
        if not manager.can_create_accounts():
            return self._notice(ctx, t["cannot"], 403)
        rights = ctx.rights()
        refusal = manager.check_account_create_permissions(ctx.user, rights)
        if refusal is not None:
            return self._notice(ctx, ctx.msg(refusal), 403)
        if ctx.request.method != "POST":
            reqs = await manager.get_authentication_requests(ACTION_CREATE, ctx.user)
            return self._form(ctx, form_fields(ctx, reqs, new_credentials=True), continuing=False)
        continuing = ctx.request.params.get("wpContinue") == "1"
        reqs = await manager.get_authentication_requests(
            ACTION_CREATE_CONTINUE if continuing else ACTION_CREATE, ctx.user)
        if continuing and not reqs:
            reqs = await manager.get_authentication_requests(ACTION_CREATE, ctx.user)
            return self._form(ctx, form_fields(ctx, reqs, new_credentials=True), continuing=False,
                              errors=[ctx.msg(Message("authmanager-create-not-in-progress"))])
        if not ctx.csrf_ok():
            return self._form(ctx, form_fields(ctx, reqs, new_credentials=True), continuing=continuing,
                              status=400, errors=[texts_for(ctx.lang, "ui")["bad_token"]])
        try:
            await refuse_in_bot_session(self.services, ctx.state.session, ctx.user, ctx.request.client_ip,
                                        "CreateAccount")
        except BotSessionRefused:
            return self._notice(ctx, t["denied"], 403)
        loaded = load_submission(ctx.request, reqs)
        if continuing:
            res = await manager.continue_account_creation(ctx.user, rights, loaded)
        else:
            return_url = absolute(ctx, ctx.url(PAGE, returnto=ctx.returnto() or ""))
            res = await manager.begin_account_creation(ctx.user, rights, loaded, return_url)
        message = ctx.msg(res.message) if res.message is not None else ""
        if res.status == AuthResponse.PASS and res.user is not None:
            if ctx.user.is_registered:
                mailed = any(isinstance(r, TemporaryPasswordAuthenticationRequest) and r.mailpassword
                             for r in loaded)
                done = t["done_byemail"].format(user=res.user.name, email=res.user.email) if mailed \
                    else t["done"].format(user=res.user.name)
                return ctx.render("flow.html", t["done_title"], fields=None, errors=[], intro="",
                                  notice=done, notice_class="success",
                                  links=[("", ctx.url(PAGE), t["submit_other"])])
            await log_in(self.services, ctx.state, res.user, remember=False, now=ctx.now)
            ctx.state.user = res.user
            return ctx.render("flow.html", t["done_title"], fields=None, errors=[], intro="",
                              notice=t["done_self"].format(user=res.user.name), notice_class="success",
                              links=[("", ctx.returnto_url(),
                                      ctx.returnto() or texts_for(ctx.lang, "ui")["back_main"])])
        if res.status == AuthResponse.REDIRECT and res.redirect_target:
            return ctx.redirect(res.redirect_target)
        if res.status == AuthResponse.UI:
            return self._form(ctx, form_fields(ctx, res.needed, new_credentials=True), continuing=True,
                              notice=message)
        reqs = await manager.get_authentication_requests(ACTION_CREATE, ctx.user)
        return self._form(ctx, form_fields(ctx, reqs, new_credentials=True), continuing=False,
                          errors=[message or ctx.msg(Message("authmanager-create-no-primary"))])
