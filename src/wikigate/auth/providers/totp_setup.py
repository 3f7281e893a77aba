"""Two-factor setup offered at the end of account creation (the seed's API:Account
creation example 3, step 3): a ``UI`` response with a ``TwoFactorAuthenticationRequest``
whose metadata carries the new ``account`` and its TOTP ``secret`` (grouped by four, as
the seed shows it; ``recoverycodes`` too, since nobody else will ever show them), an
optional ``code`` field, and a ``skip2FASetup`` button.

A right code enrols the key exactly as Special:OATHManage does (``OathService.enable``,
audit ``2fa-enabled``); skip finishes the creation without it. ``oath.setup_on_create``:
``off`` (this provider is not loaded), ``offer`` (skip allowed), ``require`` (no skip
button for accounts in ``oath.setup_required_groups``; others get the offer). Accounts
created by a logged-in user for somebody else are not asked (the creator does not hold
the new account's authenticator).

The secret waits in the flow record encrypted with the site secret (the same cipher as
``wg_oath_user``), bound to the new user id.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from wikigate.auth.oath import OathDataError, OathService, get_oath, group4, new_scratch_codes, new_secret
from wikigate.auth.providers.base import SecondaryAuthenticationProvider
from wikigate.auth.requests import (
    OPTIONAL,
    AuthenticationRequest,
    AuthResponse,
    ButtonAuthenticationRequest,
    FieldInfo,
    button_pressed,
    get_request,
)
from wikigate.i18n import Duration, Message, RawMessage

if TYPE_CHECKING:
    from wikigate.users.model import User

FLOW_KEY = "2fa-setup"
SKIP = "skip2FASetup"


class TwoFactorAuthenticationRequest(AuthenticationRequest):
    class_id = "TwoFactorAuthenticationRequest"
    required = OPTIONAL

    def __init__(self, account: str = "", secret: str = "", recovery: list[str] | None = None) -> None:
        super().__init__()
        self.code: str | None = None
        # Shown once in this response; never written to the flow record (leading "_").
        self._account = account
        self._secret = secret
        self._recovery = list(recovery or [])

    def fields(self) -> dict[str, FieldInfo]:
        return {"2FAInfo": FieldInfo("null", Message("oidc-2fa-info-label"), Message("oidc-2fa-info-help")),
                "code": FieldInfo("string", Message("oidc-2fa-code-label"), Message("oidc-2fa-code-help"))}

    def metadata(self) -> dict[str, Any]:
        secret = getattr(self, "_secret", "")
        if not secret:
            return {}
        return {"account": getattr(self, "_account", ""), "secret": group4(secret),
                "recoverycodes": list(getattr(self, "_recovery", []))}

    def describe(self) -> tuple[Message, Message]:
        return RawMessage("$1", ("",)), RawMessage("$1", ("",))


def _skip_button() -> ButtonAuthenticationRequest:
    return ButtonAuthenticationRequest(SKIP, Message("oidc-2fa-skip-label"), Message("oidc-2fa-skip-help"))


class TwoFactorSetupSecondaryAuthenticationProvider(SecondaryAuthenticationProvider):
    sort = 60

    def _required_for(self, user: User) -> bool:
        settings = self.manager.services.settings.oath
        if settings.setup_on_create != "require":
            return False
        groups = set(self.manager.effective_groups(user))
        return bool(groups & set(settings.setup_required_groups))

    def _aad(self, user: User) -> bytes:
        return f"2fa-setup:{user.id}".encode()

    def _ask(self, user: User, secret: str, recovery: list[str], message: Message, kind: str) -> AuthResponse:
        needed: list[AuthenticationRequest] = [TwoFactorAuthenticationRequest(user.name, secret, recovery)]
        if not self._required_for(user):
            needed.append(_skip_button())
        return AuthResponse.ui(needed, message, kind)

    async def begin_secondary_account_creation(self, user: User, creator: User,
                                               reqs: list[AuthenticationRequest]) -> AuthResponse:
        oath = get_oath(self.manager.services)
        if not isinstance(oath, OathService) or creator.is_registered or await oath.is_enabled(user.id):
            return AuthResponse.abstain()
        secret = new_secret()
        recovery = new_scratch_codes(self.manager.services.settings.oath.scratch_codes)
        blob = oath.cipher().encrypt(secret.encode(), self._aad(user))
        self.manager.set_flow_data(FLOW_KEY, {"s": base64.b64encode(blob).decode(), "r": recovery})
        return self._ask(user, secret, recovery, Message("oidc-2fa-setup"), "warning")

    async def continue_secondary_account_creation(self, user: User, creator: User,
                                                  reqs: list[AuthenticationRequest]) -> AuthResponse:
        oath = get_oath(self.manager.services)
        stored = self.manager.get_flow_data(FLOW_KEY)
        if not isinstance(oath, OathService) or not isinstance(stored, dict):
            return AuthResponse.abstain()
        try:
            secret = oath.cipher().decrypt(base64.b64decode(stored["s"]), self._aad(user)).decode()
        except (OathDataError, KeyError, ValueError):
            self.manager.remove_flow_data(FLOW_KEY)
            return AuthResponse.abstain()
        recovery = [str(c) for c in stored.get("r", [])]
        req = get_request(reqs, TwoFactorAuthenticationRequest)
        if req is not None and req.code:
            if await oath.throttled(user.id):
                seconds = self.manager.services.settings.oath.throttle_seconds
                return self._ask(user, secret, recovery, Message("oathauth-throttled", (Duration(seconds),)), "error")
            if not await oath.check_code(user.id, secret, str(req.code)):
                await oath.count_bad(user.id)
                return self._ask(user, secret, recovery, Message("oathauth-failedtovalidateoath"), "error")
            if await oath.enable(user, secret, recovery):
                await self.manager.audit("2fa-enabled", user, "account creation")
            self.manager.remove_flow_data(FLOW_KEY)
            return AuthResponse.pass_()
        if button_pressed(reqs, SKIP) and not self._required_for(user):
            self.manager.remove_flow_data(FLOW_KEY)
            await self.manager.audit("2fa-setup-skipped", user, "account creation")
            return AuthResponse.pass_()
        return self._ask(user, secret, recovery, Message("oidc-2fa-setup"), "warning")
