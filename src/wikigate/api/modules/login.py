"""action=login: the legacy login (bot passwords; main accounts with a deprecation warning).

Seed: API:Login (Method 1); spec login.md §1. The token is checked *inside* the module and
reported as a result (NeedToken / WrongToken / Failed "sessionlost"), never as an API
error. Bot-password credentials (§3.3) go to ``services.botpasswords``;
everything else runs one step of the engine with rememberMe forced on, and any answer that
would need user interaction (UI/REDIRECT/RESTART) becomes ``Aborted``.
"""

from __future__ import annotations

from typing import Any

from wikigate.api.authmanager import make_manager
from wikigate.api.base import ApiModule, Values
from wikigate.api.params import Param
from wikigate.auth import tokens as tok
from wikigate.auth.botpasswords.model import SEPARATOR, canonicalize_login_data
from wikigate.auth.botpasswords.sessions import ThrottleFailure
from wikigate.auth.requests import ACTION_LOGIN, AuthResponse, load_requests_from_submission
from wikigate.i18n import Message, api_code_for_key

# One definition of what a bot-password login looks like (BotPassword::canonicalizeLoginData)
# and of the separator, shared with the bot-password code.
__all__ = ["SEPARATOR", "ApiLogin", "canonicalize_login_data"]


class ApiLogin(ApiModule):
    name = "login"
    prefix = "lg"
    classname = "ApiLogin"
    must_be_posted = True
    is_read = False
    #: ApiLogin::isWriteMode (T283394): logging in writes (writeapi, read-only mode).
    is_write = True
    examples = [
        ("action=login&lgname=user&lgpassword=password&lgtoken=123ABC", "apihelp-login-example-login"),
    ]

    def params(self) -> dict[str, Param]:
        return {
            "name": Param("string"),
            "password": Param("password", sensitive=True),
            "domain": Param("string"),
            "token": Param("string", sensitive=True),
        }

    def _reason(self, msg: Message, code: str | None = None) -> Any:
        """bc: English plain text; other errorformats: the error formatter's object."""
        ctx = self.ctx
        cat = ctx.services.catalog
        ef = ctx.errorformat
        if ef == "bc":
            return cat.bc(msg)
        out: dict[str, Any] = {"code": code or api_code_for_key(msg.key, msg.params)}
        out.update(ctx.message_fields(msg))
        return out

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        state = ctx.state
        assert state is not None
        if ctx.anonymized:
            reason = self._reason(Message("api-login-fail-sameorigin"))
            self.add_result("login", {"result": "Aborted", "reason": reason})
            return
        ctx.require_posted(["lgpassword", "lgtoken"])
        session = state.session
        session.persist()
        if state.provider == "botpassword":
            self.add_result("login", {"result": "Aborted", "reason": self._reason(
                Message("api-login-fail-badsessionprovider", (
                    # MediaWiki passes the provider description as already-rendered text.
                    self.services.catalog.wikitext(
                        Message("sessionprovider-generic", ("MediaWiki\\Session\\BotPasswordSessionProvider",)),
                        self.ctx.uselang),
                )))})
            return

        result: dict[str, Any] = {}
        auth_res: str | None = None
        message: Message | None = None
        #: ApiMessage::create( 'authpage-cannot-login-continue', 'sessionlost' ) has its own code.
        message_code: str | None = None
        #: Seconds a throttled client should wait (beyond MediaWiki, see clientlogin).
        retry_after: int | None = None
        secret = session.token_secret("login", create=False, mac_key=self.services.secret_key)
        token_was_new = secret is None
        if secret is None:
            secret = session.token_secret("login", create=True, mac_key=self.services.secret_key)
        if not p["token"]:
            auth_res = "NeedToken"
        elif token_was_new:
            auth_res = "Failed"
            message = Message("authpage-cannot-login-continue")
            message_code = "sessionlost"
        elif not ctx.check_token("login", p["token"]):
            auth_res = "WrongToken"

        settings = ctx.services.settings
        if auth_res is None and settings.auth.enable_bot_passwords:
            data = canonicalize_login_data(p["name"] or "", p["password"] or "")
            bp = ctx.services.botpasswords
            if data is not None:
                name, _, app = data[0].partition(SEPARATOR)
                outcome, value = await bp.login(ctx, name, app, data[1])
                if outcome == "success":
                    auth_res = "Success"
                    ctx.set_user(value)
                elif outcome == "failed" and isinstance(value, ThrottleFailure):
                    auth_res = "Failed"
                    message, retry_after = value.message, value.wait
                elif outcome == "failed":
                    auth_res = "Failed"
                    message = value

        if auth_res is None:
            manager = make_manager(ctx)
            reqs = load_requests_from_submission(
                await manager.get_authentication_requests(ACTION_LOGIN, ctx.user),
                {k: v for k, v in (("username", p["name"]), ("password", p["password"]),
                                   ("domain", p["domain"]), ("rememberMe", "1")) if v is not None})
            res = await manager.begin_authentication(reqs, "null:")
            if res.status == AuthResponse.PASS and res.user is not None:
                await ctx.login(res.user, remember=True)
                key = "apiwarn-deprecation-login-botpw" if settings.auth.enable_bot_passwords \
                    else "apiwarn-deprecation-login-nobotpw"
                ctx.add_deprecation(self.path, Message(key), "main-account-login")
                auth_res = "Success"
            elif res.status == AuthResponse.FAIL:
                auth_res = "Failed"
                message = res.message or Message("authmanager-authn-no-primary")
                retry_after = res.retry_after
            else:
                auth_res = "Aborted"

        result["result"] = auth_res
        if auth_res == "Success":
            result["lguserid"] = ctx.user.id
            result["lgusername"] = ctx.user.name
        elif auth_res == "NeedToken":
            assert secret is not None
            result["token"] = tok.make_token(secret, "", int(ctx.now))
            ctx.add_deprecation(self.path, Message("apiwarn-deprecation-login-token"), "action=login&!lgtoken")
        elif auth_res == "Failed":
            assert message is not None
            result["reason"] = self._reason(message, message_code)
            if retry_after is not None:
                result["wait"] = retry_after
                ctx.response.set_header("Retry-After", str(retry_after))
        elif auth_res == "Aborted":
            result["reason"] = self._reason(Message(
                "api-login-fail-aborted" if settings.auth.enable_bot_passwords else "api-login-fail-aborted-nobotpw"))
        self.add_result("login", result)
