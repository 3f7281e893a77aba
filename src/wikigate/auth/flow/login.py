"""The login flow (``beginAuthentication`` / ``continueAuthentication``; login.md §4).

Pre-authentication providers may veto (throttles, captcha) and are told at the end of
every attempt whether a password was really checked. A primary PASS without a local user
(a third-party identity) is answered with RESTART: the login starts over, the identity's
creation and link requests are kept in the flow (and, through the manager, for a later
``preservestate`` request).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wikigate.auth.flow.records import KIND_LOGIN
from wikigate.auth.flow.steps import FlowKind, run
from wikigate.auth.providers.base import (
    TYPE_LINK,
    PreAuthenticationProvider,
    PrimaryAuthenticationProvider,
    SecondaryAuthenticationProvider,
)
from wikigate.auth.requests import (
    ACTION_LOGIN,
    AuthenticationRequest,
    AuthResponse,
    CreateFromLoginAuthenticationRequest,
    RememberMeAuthenticationRequest,
    get_request,
    username_from_requests,
)
from wikigate.auth.usernames import login_username
from wikigate.i18n import Message
from wikigate.users.model import User

if TYPE_CHECKING:
    from wikigate.auth.flow.engine import AuthManager


class LoginFlow(FlowKind):
    kind = KIND_LOGIN
    action = ACTION_LOGIN
    not_in_progress = "authmanager-authn-not-in-progress"
    no_primary = "authmanager-authn-no-primary"
    secondary_may_fail = True

    async def begin_primary(self, p: PrimaryAuthenticationProvider, reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.begin_primary_authentication(reqs)

    async def continue_primary(self, p: PrimaryAuthenticationProvider,
                               reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.continue_primary_authentication(reqs)

    async def begin_secondary(self, p: SecondaryAuthenticationProvider, user: User,
                              reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.begin_secondary_authentication(user, reqs)

    async def continue_secondary(self, p: SecondaryAuthenticationProvider, user: User,
                                 reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.continue_secondary_authentication(user, reqs)

    def fill_name(self, user: User | None) -> str | None:
        return user.name if user is not None else self.flow.guess

    def start_primary(self, reqs: list[AuthenticationRequest]) -> None:
        self.flow.guess = username_from_requests(reqs)
        self.flow.begin_reqs = reqs

    async def fail(self, res: AuthResponse, name: str | None = None) -> AuthResponse:
        if res.status == AuthResponse.FAIL and (res.create_request is not None or self.flow.maybe_link):
            res.create_request = CreateFromLoginAuthenticationRequest(res.create_request, self.flow.maybe_link)
        await post_authentication(self.manager, name, res)
        await self.manager.drop_flow(self.kind)
        return res

    async def restart(self, res: AuthResponse) -> AuthResponse:
        """A primary answered RESTART: start over, keeping what it handed over."""
        msg = res.message or Message("authmanager-authn-no-local-user")
        return await self._start_over(msg, res.create_request)

    async def after_primary(self) -> User | AuthResponse:
        flow = self.flow
        username = flow.primary_username
        if username is None:
            # A third-party identity without a local account: start over (RESTART).
            pres = self.primary_response
            provider = self.manager.provider(flow.primary)
            link_req = pres.link_request if pres is not None else None
            if (link_req is not None and isinstance(provider, PrimaryAuthenticationProvider)
                    and provider.account_creation_type == TYPE_LINK and self.manager.confirms_links()):
                flow.maybe_link = [r for r in flow.maybe_link if r.unique_id != link_req.unique_id] + [link_req]
                msg = Message("authmanager-authn-no-local-user-link")
            else:
                msg = Message("authmanager-authn-no-local-user")
            return await self._start_over(msg, pres.create_request if pres is not None else None)
        canonical = login_username(username)
        if canonical is None:
            raise ValueError(f"{flow.primary} returned an invalid username: {username}")
        user = await self.manager.services.users.get_by_name(canonical)
        if user is None:
            # No auto-creation of local accounts for external identities (yet).
            return await self.fail(AuthResponse.fail(Message("authmanager-authn-autocreate-failed",
                                                             (Message("authmanager-autocreate-noperm"),))),
                                   canonical)
        return user

    async def _start_over(self, msg: Message, create_request: AuthenticationRequest | None) -> AuthResponse:
        m, flow = self.manager, self.flow
        res = AuthResponse.restart(msg)
        res.needed = await m.requests_internal(ACTION_LOGIN, [*m.primary, *m.secondary], None)
        if create_request is not None or flow.maybe_link:
            res.create_request = CreateFromLoginAuthenticationRequest(create_request, flow.maybe_link)
            res.needed.append(res.create_request)
        m.fill(res.needed, ACTION_LOGIN, None, force=True)
        flow.primary, flow.primary_done, flow.primary_username = None, False, None
        flow.secondary, flow.begin_reqs = {}, []
        return await self.pause(res)

    async def finish(self, user: User) -> AuthResponse:
        m = self.manager
        mode = m.services.settings.sessions.remember_me
        if mode == "always":
            remember = True
        elif mode == "never":
            remember = False
        else:
            rm = get_request(self.flow.begin_reqs, RememberMeAuthenticationRequest)
            remember = bool(rm and rm.rememberMe)
        await m.drop_flow(self.kind)
        # Re-read: a secondary may have changed the password (and with it user_token).
        fresh = await m.services.users.get_by_id(user.id) or user
        res = AuthResponse.pass_(fresh.name)
        res.user = fresh
        res.remember = remember
        await post_authentication(m, fresh.name, res)
        await m.audit("login-success", fresh, self.flow.primary or "")
        return res


async def begin_authentication(m: AuthManager, reqs: list[AuthenticationRequest],
                               return_url: str | None) -> AuthResponse:
    if not m.can_set_user:
        await m.drop_flow(KIND_LOGIN)
        raise RuntimeError("Authentication is not possible now")
    for r in reqs:
        r.return_to_url = return_url
    guess = username_from_requests(reqs)
    await m.drop_flow(KIND_LOGIN)
    flow = m.new_flow(KIND_LOGIN, return_url, guess=guess, begin_reqs=reqs)
    preserved = get_request(reqs, CreateFromLoginAuthenticationRequest)
    if preserved is not None:
        flow.maybe_link = list(preserved.maybe_link)
    m.verified = False
    try:
        for provider in m.pre:
            assert isinstance(provider, PreAuthenticationProvider)
            msg = await provider.test_for_authentication(reqs)
            if msg is not None:
                res = AuthResponse.fail(msg)
                if m.throttled is not None:
                    res.retry_after = m.throttled[0]
                await post_authentication(m, guess, res)
                return res
        m.session.persist()
        return await run(LoginFlow(m, flow), reqs)
    finally:
        # Also on an exception (a backend failure): a reservation that verified
        # nothing is given back; see note_verification.
        for provider in m.pre:
            assert isinstance(provider, PreAuthenticationProvider)
            await provider.end_attempt(m.verified)


async def continue_authentication(m: AuthManager, reqs: list[AuthenticationRequest]) -> AuthResponse:
    if not m.can_set_user:
        raise RuntimeError("Authentication is not possible now")
    flow = await m.load_flow(KIND_LOGIN)
    if flow is None:
        return AuthResponse.fail(Message("authmanager-authn-not-in-progress"))
    for r in reqs:
        r.return_to_url = flow.return_url
    return await run(LoginFlow(m, flow), reqs)


async def post_authentication(m: AuthManager, username: str | None, res: AuthResponse) -> None:
    """The providers' ``post_authentication`` hooks and the audit entry of a failure."""
    for p in m.all_providers:
        await p.post_authentication(username, res)
    if res.status == AuthResponse.FAIL:
        name = (login_username(username) or username) if username else None
        user = await m.services.users.get_by_name(name) if name else None
        event, detail = "login-failure", res.message.key if res.message is not None else ""
        if m.throttled is not None:
            # Throttle hits get their own event, with the limit that refused them.
            event, detail = "login-throttled", m.throttled[1]
        await m.audit(event, user or User(id=0, name=name or ""), detail)
