"""Test providers plugged in through ``settings.auth.providers`` ("tests.auth_fakes:…").

* :class:`FakeIdpProvider` — a third-party identity provider (primary): REDIRECT to the
  IdP, then the client continues with the ``code`` it got back; a code for an unknown
  identity yields PASS without a local user → the engine answers RESTART.
  ``code=new-<Name>`` is an identity without an account that hands over a creation
  request (``preservestate``); ``code=restart`` makes the provider answer RESTART. It
  also links accounts (``action=linkaccount``): REDIRECT, then ``code=good-<Name>``.
* :class:`FakeTotpProvider` — a second factor (secondary): UI asking for ``OATHToken`` for
  users whose name starts with "Totp"; "123456" passes, anything else repeats the UI.
"""

from __future__ import annotations

import secrets
from typing import Any

from wikigate.auth.providers.base import PrimaryAuthenticationProvider, SecondaryAuthenticationProvider
from wikigate.auth.requests import (
    ACTION_LINK,
    ACTION_LOGIN,
    AuthenticationRequest,
    AuthResponse,
    FieldInfo,
    get_request,
)
from wikigate.i18n import Message, RawMessage
from wikigate.users.model import User

IDP_URL = "https://idp.example/authorize"
#: Names linked through FakeIdpProvider (tests read it).
LINKED: list[str] = []


class FakeIdpStartRequest(AuthenticationRequest):
    class_id = "FakeIdpStartAuthenticationRequest"

    def fields(self) -> dict[str, FieldInfo]:
        return {"useIdp": FieldInfo("button", RawMessage("Log in with the IdP"), RawMessage("External login"))}


class FakeIdpReturnRequest(AuthenticationRequest):
    class_id = "FakeIdpReturnAuthenticationRequest"

    def __init__(self) -> None:
        super().__init__()
        self.code: str | None = None
        self.state: str | None = None

    def fields(self) -> dict[str, FieldInfo]:
        return {"code": FieldInfo("string", RawMessage("Code"), RawMessage("Code from the IdP")),
                "state": FieldInfo("string", RawMessage("State"), RawMessage("State from the IdP"))}


class FakeIdpCreateRequest(AuthenticationRequest):
    """What the IdP knows of a new identity, handed to account creation (no fields)."""

    class_id = "FakeIdpCreateAuthenticationRequest"

    def __init__(self, subject: str = "") -> None:
        super().__init__()
        self.subject = subject


class FakeIdpProvider(PrimaryAuthenticationProvider):
    sort = 50
    account_creation_type = "link"

    async def get_authentication_requests(self, action: str, username: str | None) -> list[AuthenticationRequest]:
        return [FakeIdpStartRequest()] if action in (ACTION_LOGIN, ACTION_LINK) else []

    async def begin_primary_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        if get_request(reqs, FakeIdpStartRequest) is None:
            return AuthResponse.abstain()
        state = secrets.token_hex(8)
        self.manager.set_flow_data("idp-state", state)
        return AuthResponse.redirect([FakeIdpReturnRequest()], f"{IDP_URL}?state={state}", {"state": state})

    async def continue_primary_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        req = get_request(reqs, FakeIdpReturnRequest)
        if req is None or req.state != self.manager.get_flow_data("idp-state"):
            return AuthResponse.fail(RawMessage("IdP state mismatch"))
        code = req.code or ""
        if code.startswith("good-"):
            return AuthResponse.pass_(code[5:])
        if code == "unknown":
            return AuthResponse.pass_(None)
        if code.startswith("new-"):
            res = AuthResponse.pass_(None)
            res.create_request = FakeIdpCreateRequest(code[4:])
            res.create_request.username = code[4:]
            return res
        if code == "restart":
            return AuthResponse.restart(RawMessage("The IdP asks to start over"))
        return AuthResponse.fail(RawMessage("IdP refused"))

    async def begin_primary_account_creation(self, account: Any, creator: User,
                                             reqs: list[AuthenticationRequest]) -> AuthResponse:
        req = get_request(reqs, FakeIdpCreateRequest)
        if req is None:
            return AuthResponse.abstain()
        self.manager.set_flow_data("idp-created", req.subject)
        return AuthResponse.pass_(account.name)

    async def begin_primary_account_link(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        if get_request(reqs, FakeIdpStartRequest) is None:
            return AuthResponse.abstain()
        state = secrets.token_hex(8)
        self.manager.set_flow_data("idp-state", state)
        return AuthResponse.redirect([FakeIdpReturnRequest()], f"{IDP_URL}?state={state}", {"state": state})

    async def continue_primary_account_link(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        req = get_request(reqs, FakeIdpReturnRequest)
        if req is None or req.state != self.manager.get_flow_data("idp-state"):
            return AuthResponse.fail(RawMessage("IdP state mismatch"))
        if req.code == f"good-{user.name}":
            LINKED.append(user.name)
            return AuthResponse.pass_()
        return AuthResponse.fail(RawMessage("IdP refused"))


class FakeTotpRequest(AuthenticationRequest):
    class_id = "MediaWiki\\Extension\\OATHAuth\\Auth\\TOTPAuthenticationRequest"

    def __init__(self) -> None:
        super().__init__()
        self.OATHToken: str | None = None

    def fields(self) -> dict[str, FieldInfo]:
        return {"OATHToken": FieldInfo("string", RawMessage("Two-factor token or recovery code"),
                                       RawMessage("The one-time password"))}


class FakeTotpProvider(SecondaryAuthenticationProvider):
    sort = 50

    async def begin_secondary_authentication(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        if not user.name.startswith("Totp"):
            return AuthResponse.abstain()
        return AuthResponse.ui([FakeTotpRequest()], Message("oathauth-auth-ui"))

    async def continue_secondary_authentication(self, user: User,
                                                reqs: list[AuthenticationRequest]) -> AuthResponse:
        req = get_request(reqs, FakeTotpRequest)
        if req is not None and req.OATHToken == "123456":
            return AuthResponse.pass_()
        return AuthResponse.ui([FakeTotpRequest()], Message("oathauth-login-failed"), "error")


PROVIDERS = ["tests.auth_fakes:FakeIdpProvider", "tests.auth_fakes:FakeTotpProvider"]
