"""action=resetpassword (seed: API:Resetpassword; spec resetpassword.md).

Parameters depend on ``auth.password_reset_routes``: ``user`` exists only with the
username route, ``email`` only with the email route; with no route the module takes no
parameters and no token and answers ``moduledisabled``. ``user`` and ``email`` may be
combined (the username route wins) — unlike what the seed page claims, 1.39 has no
``invalidparammix`` here. Every case that would reveal whether an account or address
exists answers ``success`` (see :mod:`wikigate.auth.password_reset`).
"""

from __future__ import annotations

from typing import ClassVar

from wikigate.api.base import ApiModule, Values
from wikigate.api.context import ApiContext
from wikigate.api.errors import ApiError
from wikigate.api.params import Param
from wikigate.auth.password_reset import Caller, PasswordReset, ResetError

#: MediaWiki's message keys whose API code differs from the key.
_CODES = {"noname": "invaliduser"}


class ApiResetPassword(ApiModule):
    """Send a temporary password to the account's e-mail address."""

    name = "resetpassword"
    classname = "ApiResetPassword"
    must_be_posted = True
    is_write = True
    needs_token: ClassVar[str | None] = "csrf"
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Manage_authentication_data"]
    account_security: ClassVar[str | None] = "ResetOwnPassword"
    rights_needed: ClassVar[tuple[str, ...]] = ("editmyprivateinfo",)

    def __init__(self, ctx: ApiContext) -> None:
        super().__init__(ctx)
        self.reset = PasswordReset(self.services)
        self.routes = self.reset.routes
        if not self.routes:
            # A disabled module has no token and does not write (ApiResetPassword::needsToken).
            self.needs_token = None  # type: ignore[misc]
            self.is_write = False  # type: ignore[misc]

    @property
    def examples(self) -> list[tuple[str, str]]:  # type: ignore[override]
        out = []
        if "username" in self.routes:
            out.append(("action=resetpassword&user=Example&token=123ABC", "apihelp-resetpassword-example-user"))
        if "email" in self.routes:
            out.append(("action=resetpassword&user=user@example.com&token=123ABC",
                        "apihelp-resetpassword-example-email"))
        return out

    def params(self) -> dict[str, Param]:
        out: dict[str, Param] = {}
        if "username" in self.routes:
            out["user"] = Param("user", user_types=("name",))
        if "email" in self.routes:
            out["email"] = Param("string")
        return out

    def account_security_applies(self, p: Values) -> bool:
        # Only a reset of the session's own account takes the account over; for other
        # targets the grants decide (editmyprivateinfo, which no grant carries).
        user = self.ctx.user
        if not user.is_registered:
            return False
        if p.get("user") and p["user"] == user.name:
            return True
        email = (p.get("email") or "").strip().lower()
        return bool(email) and email == user.email.strip().lower()

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        if not self.routes:
            # MediaWiki names a help message that does not exist, so clients see ⧼key⧽.
            raise ApiError("apihelp-resetpassword-description-noroutes", code="moduledisabled")
        caller = Caller(name=None if ctx.is_anon else ctx.user.name, ip=ctx.request.client_ip,
                        rights=frozenset(ctx.rights), user_id=ctx.user.id,
                        groups=tuple(ctx.user.group_names()))
        mailer = self.services.mailer
        try:
            await self.reset.request(caller, p.get("user"), p.get("email"),
                                     main_page_url=self._main_page_url(), defer=mailer.after_response)
        except ResetError as e:
            raise ApiError(e.key, code=_CODES.get(e.key, e.key)) from None
        ctx.result[self.name] = {"status": "success"}

    def _main_page_url(self) -> str:
        site = self.services.settings.site
        server = site.server or self.ctx.request.server
        return f"{server}{site.script_path}/index.php/Main_Page"
