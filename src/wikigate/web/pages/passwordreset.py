"""index.php?title=Special:PasswordReset — a temporary password by e-mail.

The form asks for the user name and/or the e-mail address (whichever of
``auth.password_reset_routes`` are on) and calls the same ``PasswordReset.request`` as
action=resetpassword: unknown names, accounts without an address, unknown addresses and
throttled requests all get the same answer, and the mail is sent after the response,
so neither the text nor the timing tells whether an account exists.
"""

from __future__ import annotations

from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
from wikigate.auth.password_reset import Caller, PasswordReset, ResetError
from wikigate.http.response import Response
from wikigate.i18n import Message
from wikigate.web.flowform import absolute
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext


class SpecialPasswordReset(HtmlPage):
    title = "Special:PasswordReset"
    texts = "passwordreset"
    rights_needed = ("editmyprivateinfo",)
    authentication = "session cookie, optional; POST with the csrf token (same service as action=resetpassword)"

    def _fields(self, ctx: PageContext, routes: list[str]) -> list[dict[str, object]]:
        params = ctx.request.params
        out: list[dict[str, object]] = []
        for route, name, input_type, auto in (("username", "wpUsername", "text", "username"),
                                              ("email", "wpEmail", "email", "email")):
            if route in routes:
                out.append({"name": name, "id": name, "type": "string", "input_type": input_type,
                            "label": ctx.t["username" if route == "username" else "email"], "help": "",
                            "optional": len(routes) > 1, "optional_text": texts_for(ctx.lang, "ui")["optional"],
                            "value": params.get(name, ""), "checked": False, "options": [],
                            "autocomplete": auto, "error": "", "autofocus": not out})
        return out

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        reset = PasswordReset(self.services)
        caller = Caller(name=ctx.user.name if ctx.user.is_registered else None, ip=ctx.request.client_ip,
                        rights=frozenset(ctx.rights()))
        errors: list[str] = []
        status = 200
        try:
            reset.check_allowed(caller)
        except ResetError as e:
            return ctx.render("flow.html", t["title"], status=403, fields=None, errors=[ctx.msg(Message(e.key))],
                              intro="", notice="", notice_class="", links=[])
        if ctx.request.method == "POST":
            if not ctx.csrf_ok():
                errors, status = [texts_for(ctx.lang, "ui")["bad_token"]], 400
            else:
                try:
                    await self._request(ctx, reset, caller)
                except ResetError as e:
                    errors, status = [ctx.msg(Message(e.key))], 400
                except BotSessionRefused:
                    errors, status = [ctx.msg(Message("apierror-cannotreauthenticate"))], 403
                else:
                    return ctx.render("flow.html", t["title"], fields=None, errors=[], intro="", notice=t["done"],
                                      notice_class="success",
                                      links=[("", ctx.url("Special:UserLogin"), t["login"])])
        return ctx.render("flow.html", t["title"], status=status, form_id="mw-passwordreset",
                          action=ctx.url(self.title), fields=self._fields(ctx, reset.routes),
                          token=ctx.csrf_token(), hidden=[], submit=t["submit"], cancel="", errors=errors,
                          intro=t["intro"], notice="", notice_class="", links=[])

    async def _request(self, ctx: PageContext, reset: PasswordReset, caller: Caller) -> None:
        params = ctx.request.params
        username = params.get("wpUsername", "").strip() or None
        email = params.get("wpEmail", "").strip() or None
        user = ctx.user
        if user.is_registered and (username == user.name or (email and email.lower() == user.email.lower())):
            # Resetting the session's own password is an account-security operation
            # (auth.containment), as in action=resetpassword.
            await refuse_in_bot_session(self.services, ctx.state.session, user, ctx.request.client_ip,
                                        "ResetOwnPassword")
        mailer = self.services.mailer
        # The link in the mail: this wiki's main page, where the login form is one click away.
        main_page = absolute(ctx, f"{self.services.settings.site.script_path}/index.php/Main_Page")
        await reset.request(caller, username, email, main_page_url=main_page, defer=mailer.after_response)
