"""The account-link flow (``beginAccountLink`` / ``continueAccountLink``; authmanager.md §8).

Only primary providers with ``account_creation_type == TYPE_LINK`` take part, through
``begin_primary_account_link`` / ``continue_primary_account_link``; pre-authentication
providers may veto with ``test_for_account_link``; every provider's
``post_account_link`` hears the end (PASS or FAIL). There is no secondary stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wikigate.auth.flow.records import KIND_LINK
from wikigate.auth.flow.steps import FlowKind, run
from wikigate.auth.providers.base import (
    TYPE_LINK,
    PreAuthenticationProvider,
    PrimaryAuthenticationProvider,
    SecondaryAuthenticationProvider,
)
from wikigate.auth.requests import ACTION_LINK, AuthenticationRequest, AuthResponse, status_message
from wikigate.auth.usernames import canonical_username
from wikigate.i18n import Message

if TYPE_CHECKING:
    from wikigate.auth.flow.engine import AuthManager
    from wikigate.auth.flow.records import FlowRecord
    from wikigate.users.model import User


class LinkFlow(FlowKind):
    kind = KIND_LINK
    action = ACTION_LINK
    not_in_progress = "authmanager-link-not-in-progress"
    no_primary = "authmanager-link-no-primary"

    def __init__(self, manager: AuthManager, flow: FlowRecord, user: User) -> None:
        super().__init__(manager, flow)
        self.user = user

    def primaries(self) -> list[PrimaryAuthenticationProvider]:
        return [p for p in super().primaries() if p.account_creation_type == TYPE_LINK]

    def secondaries(self) -> list[SecondaryAuthenticationProvider]:
        return []

    async def begin_primary(self, p: PrimaryAuthenticationProvider, reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.begin_primary_account_link(self.user, reqs)

    async def continue_primary(self, p: PrimaryAuthenticationProvider,
                               reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.continue_primary_account_link(self.user, reqs)

    def fill_name(self, user: User | None) -> str | None:
        return self.user.name

    async def fail(self, res: AuthResponse, name: str | None = None) -> AuthResponse:
        for p in self.manager.all_providers:
            await p.post_account_link(self.user, res)
        await self.manager.drop_flow(self.kind)
        return res

    async def after_primary(self) -> User | AuthResponse:
        return self.user

    async def finish(self, user: User) -> AuthResponse:
        res = self.primary_response or AuthResponse.pass_(user.name)
        for p in self.manager.all_providers:
            await p.post_account_link(user, res)
        await self.manager.drop_flow(self.kind)
        return res


async def begin_account_link(m: AuthManager, user: User, reqs: list[AuthenticationRequest],
                             return_url: str | None) -> AuthResponse:
    await m.drop_flow(KIND_LINK)
    if not m.can_link_accounts():
        return AuthResponse.fail(Message("userlogin-cannot-link"))
    if not user.is_registered:
        if canonical_username(user.name, rigor="usable") is None:
            return AuthResponse.fail(Message("noname"))
        return AuthResponse.fail(Message("authmanager-userdoesnotexist", (user.name,)))
    for r in reqs:
        r.username = user.name
        r.return_to_url = return_url
    flow = m.new_flow(KIND_LINK, return_url, username=user.name, user_id=user.id, begin_reqs=reqs)
    k = LinkFlow(m, flow, user)
    for provider in m.pre:
        assert isinstance(provider, PreAuthenticationProvider)
        errors = await provider.test_for_account_link(user)
        if errors:
            return await k.fail(AuthResponse.fail(status_message(errors)))
    m.session.persist()
    return await run(k, reqs)


async def continue_account_link(m: AuthManager, reqs: list[AuthenticationRequest]) -> AuthResponse:
    flow = await m.load_flow(KIND_LINK)
    if flow is None:
        return AuthResponse.fail(Message("authmanager-link-not-in-progress"))
    user = await m.services.users.get_by_id(flow.user_id)
    if user is None or user.name != flow.username:
        await m.drop_flow(KIND_LINK)
        return AuthResponse.fail(Message("noname"))
    for r in reqs:
        r.username = flow.username
        r.return_to_url = flow.return_url
    return await run(LinkFlow(m, flow, user), reqs)
