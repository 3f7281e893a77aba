"""Sign-in with external OpenID Connect providers: a *linking* primary provider
(MediaWiki's ``PrimaryAuthenticationProvider::TYPE_LINK``), as the seeds' "wiki with an
OpenID Connect extension" shows it (API:Account creation example 3, API:Login).

* login / create / link offer one button per configured provider
  (``OpenIdConnectBeginAuthenticationRequest:<id>``, field ``openidconnect-<id>``);
  pressing it answers ``REDIRECT`` to the provider's authorization endpoint with an
  ``OpenIdConnectResponseAuthenticationRequest`` (fields ``code`` and ``state``).
* The provider sends the browser to ``Special:OpenIDConnectReturn``, which forwards
  ``code`` and ``state`` to the client's return URL (web/pages/oidcreturn.py).
* ``logincontinue`` / ``createcontinue`` / ``linkcontinue`` with them: the state must be
  the one stored in *this session's* flow and unused (single use on every worker), the
  code is exchanged with the PKCE verifier, the ID token verified (auth/oidc.py).
* login: a linked identity → PASS as its account; an unknown one → PASS without a user,
  which AuthManager turns into ``RESTART`` with a preserved creation request
  (``createpreservestate``; the name suggested from the claims).
* create: the identity is linked to the new account in the transaction that inserts it.
* unlink / removeauthenticationdata: one ``OpenIdConnectLinkedAuthenticationRequest`` per
  linked identity.

Nothing of this runs without ``[oidc.providers.*]`` settings (the provider is not loaded).
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from wikigate.auth.oidc import (
    IdentityLinkExists,
    OidcError,
    OidcService,
    PendingSignIn,
    VerifiedIdentity,
)
from wikigate.auth.providers.base import TYPE_LINK, CreationRefused, PrimaryAuthenticationProvider
from wikigate.auth.requests import (
    ACTION_CREATE,
    ACTION_LINK,
    ACTION_LOGIN,
    ACTION_REMOVE,
    AuthenticationRequest,
    AuthResponse,
    FieldInfo,
    get_request,
)
from wikigate.auth.usernames import canonical_username
from wikigate.config import ProviderConfig
from wikigate.i18n import Message, RawMessage

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from wikigate.auth.manager import NewAccount
    from wikigate.storage.sql.unit import UnitOfWork
    from wikigate.users.model import User

FLOW_PENDING = "oidc-pending"
FLOW_IDENTITY = "oidc-identity"
RETURN_PAGE = "Special:OpenIDConnectReturn"

#: OidcError.reason -> the FAIL message shown to the user.
_FAIL_MESSAGES = {
    "provider-timeout": "oidc-error-timeout",
    "provider-unreachable": "oidc-error-unreachable",
    "provider-error": "oidc-error-unreachable",
    "bad-discovery": "oidc-error-unreachable",
    "bad-jwks": "oidc-error-unreachable",
    "code-refused": "oidc-error-refused",
    "bad-token": "oidc-error-token",
    "bad-state": "oidc-error-state",
    "no-response": "oidc-error-noresponse",
    "unknown-provider": "oidc-error-state",
}


class OpenIdConnectBeginAuthenticationRequest(AuthenticationRequest):
    """The button that starts a sign-in at one provider."""

    class_id = "OpenIdConnectBeginAuthenticationRequest"

    def __init__(self, provider: str = "", label: str = "") -> None:
        super().__init__()
        self.provider = provider
        self.label = label

    @property
    def unique_id(self) -> str:
        return f"{self.class_id}:{self.provider}"

    @property
    def button(self) -> str:
        return f"openidconnect-{self.provider}"

    def fields(self) -> dict[str, FieldInfo]:
        return {self.button: FieldInfo("button", RawMessage("$1", (self.label,)),
                                       Message("oidc-begin-help", (self.label,)))}

    def describe(self) -> tuple[Message, Message]:
        return RawMessage("$1", (self.label,)), RawMessage("$1", ("",))


class OpenIdConnectResponseAuthenticationRequest(AuthenticationRequest):
    """What the client brings back from the return URL (seed: example 3, step 2)."""

    class_id = "OpenIdConnectResponseAuthenticationRequest"

    def __init__(self, label: str = "") -> None:
        super().__init__()
        self.label = label
        self.code: str | None = None
        self.state: str | None = None

    def fields(self) -> dict[str, FieldInfo]:
        return {"code": FieldInfo("string", Message("oidc-code-label"), Message("oidc-code-help")),
                "state": FieldInfo("string", Message("oidc-state-label"), Message("oidc-state-help"))}

    def serialize_state(self) -> dict[str, Any]:
        # The code is a credential: never stored in a flow record.
        return {"label": self.label, "action": self.action, "username": self.username,
                "return_to_url": self.return_to_url, "required": self.required}

    def describe(self) -> tuple[Message, Message]:
        return RawMessage("$1", (self.label,)), RawMessage("$1", ("",))


class OpenIdConnectCreateAuthenticationRequest(AuthenticationRequest):
    """A verified identity without an account, kept for ``createpreservestate`` (the
    ``createRequest`` of a RESTART). Lives only server-side, in the session; no fields."""

    class_id = "OpenIdConnectCreateAuthenticationRequest"

    def __init__(self, provider: str = "", issuer: str = "", subject: str = "", suggested: str = "") -> None:
        super().__init__()
        self.provider = provider
        self.issuer = issuer
        self.subject = subject
        self.suggested = suggested
        # MediaWiki's createRequest->username: meta=authmanagerinfo reports it as
        # preservedusername, and createaccount with createpreservestate must use it.
        self.username = suggested or None


class OpenIdConnectLinkedAuthenticationRequest(AuthenticationRequest):
    """One linked identity, for ``unlink`` and ``remove`` (no fields: naming it is enough)."""

    class_id = "OpenIdConnectLinkedAuthenticationRequest"

    def __init__(self, provider: str = "", subject: str = "", label: str = "") -> None:
        super().__init__()
        self.provider = provider
        self.subject = subject
        self.label = label

    @property
    def unique_id(self) -> str:
        return f"{self.class_id}:{self.provider}:{self.subject}"

    def describe(self) -> tuple[Message, Message]:
        return RawMessage("$1", (self.label,)), RawMessage("$1", (self.subject,))


class OpenIDConnectPrimaryAuthenticationProvider(PrimaryAuthenticationProvider):
    account_creation_type = TYPE_LINK
    sort = 150

    # -- helpers -------------------------------------------------------------------------

    @property
    def oidc(self) -> OidcService | None:
        svc = self.manager.services.oidc
        return svc if svc.enabled else None

    def _configs(self) -> list[ProviderConfig]:
        svc = self.oidc
        return list(svc.providers.values()) if svc is not None else []

    def _label(self, pid: str) -> str:
        svc = self.oidc
        cfg = svc.providers.get(pid) if svc is not None else None
        return cfg.label if cfg is not None else pid

    def _redirect_uri(self) -> str:
        return f"{self.manager.base_url}/index.php?title={RETURN_PAGE}"

    async def _fail(self, reason: str, detail: str = "", user: Any = None) -> AuthResponse:
        await self.manager.audit("oidc-failure", user, f"{reason} {detail}".strip())
        return AuthResponse.fail(Message(_FAIL_MESSAGES.get(reason, "oidc-error-token")))

    async def _start(self, reqs: list[AuthenticationRequest], user: Any = None) -> AuthResponse:
        begin = get_request(reqs, OpenIdConnectBeginAuthenticationRequest)
        svc = self.oidc
        if begin is None or svc is None or begin.provider not in svc.providers:
            return AuthResponse.abstain()
        return_url = begin.return_to_url
        if not return_url:
            return AuthResponse.fail(Message("oidc-error-noreturn"))
        cfg = svc.providers[begin.provider]
        try:
            target, pending = await svc.begin_sign_in(cfg, self._redirect_uri())
        except OidcError as e:
            return await self._fail(e.reason, e.detail, user)
        self.manager.set_flow_data(FLOW_PENDING, pending.to_json())
        await svc.remember_state(pending.state, return_url)
        return AuthResponse.redirect([OpenIdConnectResponseAuthenticationRequest(cfg.label)], target)

    async def _returned(self, reqs: list[AuthenticationRequest], user: Any = None) -> VerifiedIdentity | AuthResponse:
        """The identity the provider vouches for, or a FAIL. Consumes the flow's state."""
        svc = self.oidc
        pending = PendingSignIn.from_json(self.manager.get_flow_data(FLOW_PENDING))
        self.manager.remove_flow_data(FLOW_PENDING)
        resp = get_request(reqs, OpenIdConnectResponseAuthenticationRequest)
        if svc is None or pending is None:
            return await self._fail("bad-state", "no sign-in in progress", user)
        if resp is None or not resp.code or not resp.state:
            await svc.forget_state(pending.state)
            return await self._fail("no-response", "", user)
        if not hmac.compare_digest(str(resp.state).encode(), pending.state.encode()):
            # Not this session's sign-in (forged, or another flow's): the real one is void too.
            await svc.forget_state(pending.state)
            return await self._fail("bad-state", "state does not match this session's flow", user)
        if not await svc.consume_state(pending.state):
            return await self._fail("bad-state", "state expired or used", user)
        try:
            identity: VerifiedIdentity = await svc.finish(pending, str(resp.code), self.manager.now)
        except OidcError as e:
            return await self._fail(e.reason, e.detail, user)
        finally:
            await svc.forget_state(pending.state)
        return identity

    def _suggested(self, identity: VerifiedIdentity) -> str:
        svc = self.oidc
        cfg = svc.providers.get(identity.provider) if svc is not None else None
        return identity.suggested_username(cfg.username_claim if cfg is not None else "preferred_username")

    # -- requests ------------------------------------------------------------------------

    async def get_authentication_requests(self, action: str, username: str | None) -> list[AuthenticationRequest]:
        if action in (ACTION_LOGIN, ACTION_CREATE, ACTION_LINK):
            return [OpenIdConnectBeginAuthenticationRequest(c.id, c.label) for c in self._configs()]
        if action == ACTION_REMOVE and username:
            user = await self.manager.services.users.get_by_name(username)
            if user is None:
                return []
            return [OpenIdConnectLinkedAuthenticationRequest(li.provider, li.subject, self._label(li.provider))
                    for li in await self.manager.services.identities.for_user(user.id)]
        return []

    # -- login ---------------------------------------------------------------------------

    async def begin_primary_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await self._start(reqs)

    async def continue_primary_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        got = await self._returned(reqs)
        if isinstance(got, AuthResponse):
            return got
        services = self.manager.services
        linked = await services.identities.find(got.provider, got.subject)
        user = await services.users.get_by_id(linked.user_id) if linked is not None else None
        if user is None:
            # The claims' name, if it could be created here (else the client picks one).
            suggested = canonical_username(self._suggested(got), rigor="creatable") or ""
            if suggested and await services.users.get_by_name(suggested) is not None:
                suggested = ""
            res = AuthResponse.pass_(None)
            res.create_request = OpenIdConnectCreateAuthenticationRequest(
                got.provider, got.issuer, got.subject, suggested)
            await self.manager.audit("oidc-login-unlinked", None, f"provider={got.provider} sub={got.subject}")
            return res
        await self.manager.audit("oidc-login", user, f"provider={got.provider} sub={got.subject}")
        return AuthResponse.pass_(user.name)

    # -- account creation ----------------------------------------------------------------

    async def begin_primary_account_creation(self, account: NewAccount, creator: User,
                                             reqs: list[AuthenticationRequest]) -> AuthResponse:
        preserved = get_request(reqs, OpenIdConnectCreateAuthenticationRequest)
        if preserved is not None and preserved.provider in {c.id for c in self._configs()}:
            return await self._accept_for_creation(preserved.provider, preserved.issuer, preserved.subject)
        return await self._start(reqs)

    async def continue_primary_account_creation(self, account: NewAccount, creator: User,
                                                reqs: list[AuthenticationRequest]) -> AuthResponse:
        got = await self._returned(reqs)
        if isinstance(got, AuthResponse):
            return got
        return await self._accept_for_creation(got.provider, got.issuer, got.subject)

    async def _accept_for_creation(self, provider: str, issuer: str, subject: str) -> AuthResponse:
        if await self.manager.services.identities.find(provider, subject) is not None:
            return AuthResponse.fail(Message("oidc-error-linked"))
        self.manager.set_flow_data(FLOW_IDENTITY, {"provider": provider, "issuer": issuer, "subject": subject})
        return AuthResponse.pass_(None)

    async def finish_account_creation(self, account: NewAccount, creator: User, response: AuthResponse,
                                      uow: UnitOfWork) -> str | None:
        ident = self.manager.get_flow_data(FLOW_IDENTITY)
        if not isinstance(ident, dict):
            raise CreationRefused(Message("authmanager-create-not-in-progress"))
        store = self.manager.services.identities
        ip = self.manager.ip

        def link(conn: Connection) -> None:
            try:
                store.link_in(conn, account.id, str(ident["provider"]), str(ident["issuer"]),
                              str(ident["subject"]))
            except IntegrityError:
                raise CreationRefused(Message("oidc-error-linked")) from None
            self.manager.services.audit.record_in(conn, "oidc-link", account, ip,
                                f"provider={ident['provider']} sub={ident['subject']} at creation")

        uow.add(link)
        return None

    # -- linking (action=linkaccount) ----------------------------------------------------

    async def begin_primary_account_link(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await self._start(reqs, user)

    async def continue_primary_account_link(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        got = await self._returned(reqs, user)
        if isinstance(got, AuthResponse):
            return got
        try:
            await self.manager.services.identities.link(user.id, got.provider, got.issuer, got.subject)
        except IdentityLinkExists:
            return await self._fail_linked(user, got)
        await self.manager.audit("oidc-link", user, f"provider={got.provider} sub={got.subject}")
        return AuthResponse.pass_(user.name)

    async def _fail_linked(self, user: User, got: VerifiedIdentity) -> AuthResponse:
        await self.manager.audit("oidc-failure", user, f"already-linked provider={got.provider} sub={got.subject}")
        return AuthResponse.fail(Message("oidc-error-linked"))

    # -- unlink / remove -----------------------------------------------------------------

    async def allows_authentication_data_change(self, req: AuthenticationRequest,
                                                check_data: bool) -> list[Message] | None:
        return [] if isinstance(req, OpenIdConnectLinkedAuthenticationRequest) else None

    async def change_authentication_data(self, req: AuthenticationRequest) -> None:
        if not isinstance(req, OpenIdConnectLinkedAuthenticationRequest) or not req.username:
            return
        services = self.manager.services
        user = await services.users.get_by_name(req.username)
        if user is None:
            return
        if await services.identities.unlink(user.id, req.provider, req.subject):
            await self.manager.audit("oidc-unlink", user, f"provider={req.provider} sub={req.subject}")
