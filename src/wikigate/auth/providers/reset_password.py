"""Forced or suggested password change after login (ResetPasswordSecondaryAuthenticationProvider).

A primary provider leaves ``reset-pass`` = {msg, hard} in the flow data (policy failure
with suggestChangeOnLogin/forceChange, expired password, temporary password). This
provider then answers UI with a ``change`` PasswordAuthenticationRequest (password +
retype; required when hard, optional plus a ``skipReset`` button when soft). Continuing:
``skipReset`` (soft only) passes without a change; different passwords → UI
``badretype``; policy failures → UI with their message; otherwise the password is
changed through the engine (which ends the user's other sessions) and the login passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wikigate.auth.providers.base import SecondaryAuthenticationProvider
from wikigate.auth.requests import (
    ACTION_CHANGE,
    OPTIONAL,
    REQUIRED,
    AuthenticationRequest,
    AuthResponse,
    ButtonAuthenticationRequest,
    PasswordAuthenticationRequest,
    button_pressed,
    get_request,
    status_message,
)
from wikigate.i18n import Message

if TYPE_CHECKING:
    from wikigate.users.model import User


class ResetPasswordSecondaryAuthenticationProvider(SecondaryAuthenticationProvider):
    sort = 100

    async def begin_secondary_authentication(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await self.try_reset(user, reqs)

    async def continue_secondary_authentication(self, user: User,
                                                reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await self.try_reset(user, reqs)

    async def try_reset(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        from wikigate.auth.flow.records import load_message

        data = self.manager.get_flow_data("reset-pass")
        if not data:
            return AuthResponse.abstain()
        hard = bool(data["hard"])
        msg = load_message(data["msg"])
        if not hard and button_pressed(reqs, "skipReset"):
            self.manager.remove_flow_data("reset-pass")
            return AuthResponse.pass_()
        need = PasswordAuthenticationRequest()
        need.action = ACTION_CHANGE
        need.required = REQUIRED if hard else OPTIONAL
        needed: list[AuthenticationRequest] = [need]
        if not hard:
            needed.append(ButtonAuthenticationRequest("skipReset", Message("authprovider-resetpass-skip-label"),
                                                      Message("authprovider-resetpass-skip-help")))
        req = get_request(reqs, PasswordAuthenticationRequest)
        if req is None or "retype" not in req.fields():
            return AuthResponse.ui(needed, msg, "warning")
        if req.password != req.retype:
            return AuthResponse.ui(needed, Message("badretype"), "error")
        req.username = user.name
        errors, _ = await self.manager.allows_authentication_data_change(req)
        if errors:
            return AuthResponse.ui(needed, status_message(errors), "error")
        await self.manager.change_authentication_data(req)
        self.manager.remove_flow_data("reset-pass")
        return AuthResponse.pass_()
