"""The TOTP second factor at login (OATHAuth's TOTPSecondaryAuthenticationProvider).

Behaviour as the reference wiki (:8082) answers it: after a correct password, an account
with TOTP gets ``UI`` with one ``TOTPAuthenticationRequest`` (field ``OATHToken``) and the
message ``oathauth-auth-ui``; ``logincontinue`` without the field or with a wrong code
gets the same request again with ``oathauth-login-failed`` (type error); the right code
(or an unused recovery code) gives ``PASS``. ``action=login`` therefore answers
``Aborted`` for such accounts (it cannot continue a flow), while bot passwords never reach
the flow engine and so skip the second factor, as in MediaWiki.

With ``oath.enabled = false`` the component is :class:`~wikigate.auth.oath.NullOath`,
which knows no enrolments, so this provider always abstains.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wikigate.auth.oath import VERIFY_BAD, VERIFY_THROTTLED, OathDataError, get_oath
from wikigate.auth.providers.base import SecondaryAuthenticationProvider
from wikigate.auth.requests import AuthenticationRequest, AuthResponse, FieldInfo, get_request
from wikigate.i18n import Duration, Message, RawMessage

if TYPE_CHECKING:
    from wikigate.users.model import User


class TOTPAuthenticationRequest(AuthenticationRequest):
    class_id = "MediaWiki\\Extension\\OATHAuth\\Auth\\TOTPAuthenticationRequest"

    def __init__(self) -> None:
        super().__init__()
        self.OATHToken: str | None = None

    def fields(self) -> dict[str, FieldInfo]:
        return {"OATHToken": FieldInfo("string", Message("oathauth-auth-token-label"),
                                       Message("oathauth-auth-token-help"))}

    def describe(self) -> tuple[Message, Message]:
        return Message("oathauth-describe-provider"), RawMessage("$1", (self.username or "",))


class TOTPSecondaryAuthenticationProvider(SecondaryAuthenticationProvider):
    sort = 50

    async def begin_secondary_authentication(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        if not await get_oath(self.manager.services).is_enabled(user.id):
            return AuthResponse.abstain()
        return AuthResponse.ui([TOTPAuthenticationRequest()], Message("oathauth-auth-ui"), "warning")

    async def continue_secondary_authentication(self, user: User,
                                                reqs: list[AuthenticationRequest]) -> AuthResponse:
        oath = get_oath(self.manager.services)
        req = get_request(reqs, TOTPAuthenticationRequest)
        if req is None or not req.OATHToken:
            return AuthResponse.ui([TOTPAuthenticationRequest()], Message("oathauth-login-failed"), "error")
        if not await oath.is_enabled(user.id):
            # Disabled by an administrator while this login was waiting: nothing to check.
            return AuthResponse.abstain()
        try:
            result = await oath.verify(user, str(req.OATHToken))
        except OathDataError:
            # The site secret changed since enrolment: refuse rather than let anyone in.
            result = VERIFY_BAD
        if result == VERIFY_THROTTLED:
            seconds = self.manager.services.settings.oath.throttle_seconds
            return AuthResponse.ui([TOTPAuthenticationRequest()],
                                   Message("oathauth-throttled", (Duration(seconds),)), "error")
        if result == VERIFY_BAD:
            await self.manager.audit("2fa-failure", user)
            return AuthResponse.ui([TOTPAuthenticationRequest()], Message("oathauth-login-failed"), "error")
        # OATHAuth marks the session as authenticated over 2FA.
        self.manager.session.set("oath-authenticated", True)
        return AuthResponse.pass_()
