"""action=clientlogin: interactive login through the authentication engine.

Seed: API:Login (Method 2); spec login.md §4. Order (§4.1): token checks in api/main, then
``logincontinue``/``loginreturnurl`` presence and URL shape, then "can this session log
in at all" (bot-password sessions cannot: FAIL ``userlogin-cannot-login``), then the
fields are loaded (sensitive ones only from the POST body) and the flow begins or
continues. A PASS regenerates the session id and every token secret (ctx.login).
"""

from __future__ import annotations

from wikigate.api.authmanager import Formatter, check_return_url, load_requests, make_manager, standard_params
from wikigate.api.base import ApiModule, Values
from wikigate.api.params import Param
from wikigate.auth.requests import ACTION_LOGIN, ACTION_LOGIN_CONTINUE, AuthResponse
from wikigate.i18n import Message


class ApiClientLogin(ApiModule):
    name = "clientlogin"
    prefix = "login"
    classname = "ApiClientLogin"
    must_be_posted = True
    needs_token = "login"
    is_read = False
    #: ApiLogin::isWriteMode (T283394): logging in writes (writeapi, read-only mode).
    is_write = True
    dynamic_parameters = True
    account_security = "Login"
    examples = [
        ("action=clientlogin&username=Example&password=ExamplePassword&"
         "loginreturnurl=http://example.org/&logintoken=123ABC", "apihelp-clientlogin-example-login"),
        ("action=clientlogin&logincontinue=1&OATHToken=987654&logintoken=123ABC",
         "apihelp-clientlogin-example-login2"),
    ]

    def params(self) -> dict[str, Param]:
        return standard_params(ACTION_LOGIN, "requests", "messageformat", "mergerequestfields",
                               "preservestate", "returnurl", "continue")

    def refused_in_bot_session(self, p: Values) -> None:
        # MediaWiki's own answer for a session that cannot change its user (a FAIL
        # response, not an error), kept for wire compatibility; the refusal is audited.
        check_return_url(self.ctx, self.prefix, p)
        fmt = Formatter(self.ctx, p["messageformat"], p["mergerequestfields"])
        self.add_result(self.name, fmt.response(AuthResponse.fail(Message("userlogin-cannot-login"))))

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        check_return_url(ctx, self.prefix, p)
        fmt = Formatter(ctx, p["messageformat"], p["mergerequestfields"])
        manager = make_manager(ctx)
        if not manager.can_authenticate_now():
            res = AuthResponse.fail(Message("userlogin-cannot-login"))
            self.add_result(self.name, fmt.response(res))
            return
        if p["continue"]:
            reqs = await load_requests(ctx, manager, ACTION_LOGIN_CONTINUE, p["requests"])
            res = await manager.continue_authentication(reqs)
        else:
            reqs = await load_requests(ctx, manager, ACTION_LOGIN, p["requests"])
            preserved = manager.preserved_request() if p["preservestate"] else None
            if preserved is not None:
                reqs.append(preserved)
            res = await manager.begin_authentication(reqs, p["returnurl"])
        if res.status == AuthResponse.PASS and res.user is not None:
            await ctx.login(res.user, remember=res.remember)
        self.add_result(self.name, fmt.response(res))
