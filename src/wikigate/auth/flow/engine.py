"""The authentication engine: MediaWiki's AuthManager, independent of HTTP.

:class:`AuthService` (one per process) holds the :class:`ProviderRegistry` built from the
configuration at start; it builds one :class:`AuthManager` per request. The manager lists
the requests an action needs, runs login, account creation and account link flows through
the one state machine of :mod:`.steps` (their kinds: :mod:`.login`, :mod:`.creation`,
:mod:`.link`), answers credential changes, and stores a paused flow as ONE
:class:`~.records.FlowRecord` in the key-value store under a key bound to the session id,
with the session's TTL — so the next step may reach another worker or host, and a worker
restart loses nothing. Spec: authmanager.md, login.md §4, createaccount.md §2.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from wikigate.auth.flow import creation, link, login
from wikigate.auth.flow.records import (
    KIND_CREATE,
    KIND_LINK,
    KIND_LOGIN,
    FlowRecord,
    StaleFlow,
    dump_preserved,
    load_preserved,
)
from wikigate.auth.flow.registry import ProviderRegistry
from wikigate.auth.passwords import PolicyResult, check_password, merge_policy_overrides
from wikigate.auth.providers.base import (
    TYPE_LINK,
    TYPE_NONE,
    AuthenticationProvider,
    PreAuthenticationProvider,
    PrimaryAuthenticationProvider,
    SecondaryAuthenticationProvider,
)
from wikigate.auth.requests import (
    ACTION_CHANGE,
    ACTION_CREATE,
    ACTION_CREATE_CONTINUE,
    ACTION_LINK,
    ACTION_LINK_CONTINUE,
    ACTION_LOGIN,
    ACTION_LOGIN_CONTINUE,
    ACTION_REMOVE,
    ACTION_UNLINK,
    OPTIONAL,
    PRIMARY_REQUIRED,
    REQUIRED,
    AuthenticationRequest,
    AuthResponse,
    CreateFromLoginAuthenticationRequest,
    CreationReasonAuthenticationRequest,
    RememberMeAuthenticationRequest,
    UserDataAuthenticationRequest,
    UsernameAuthenticationRequest,
)
from wikigate.i18n import Message

if TYPE_CHECKING:
    from wikigate.auth.sessions import Session
    from wikigate.services import Services
    from wikigate.users.model import User

log = logging.getLogger("wikigate.auth")

SEC_OK = "ok"
SEC_REAUTH = "reauth"
SEC_FAIL = "fail"

#: Session data key of the login state kept for ``preservestate`` (MediaWiki's
#: ApiAuthManagerHelper::createRequest).
PRESERVED_KEY = "authpreserved"

class AuthService:
    """Holds the provider registry; builds one :class:`AuthManager` per request."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.registry = ProviderRegistry.build(services.settings.auth.providers)
        self.policies = merge_policy_overrides(services.settings.passwords.policies)

    @property
    def provider_classes(self) -> list[type[AuthenticationProvider]]:
        return self.registry.classes

    def manager(self, *, session: Session, ip: str, performer: User, can_set_user: bool = True,
                now: float | None = None, base_url: str = "") -> AuthManager:
        """``base_url``: the wiki's URL (``https://host``) for links in mails."""
        return AuthManager(self, session=session, ip=ip, performer=performer, can_set_user=can_set_user,
                           now=self.services.clock.time() if now is None else now,
                           base_url=base_url or self.services.settings.site.server)


class AuthManager:
    def __init__(self, service: AuthService, *, session: Session, ip: str, performer: User,
                 can_set_user: bool, now: float, base_url: str = "") -> None:
        self.service = service
        self.base_url = base_url
        self.services = service.services
        self.session = session
        self.ip = ip
        self.performer = performer
        self.can_set_user = can_set_user
        self.now = now
        #: Authentication session data of the running flow (MediaWiki's
        #: setAuthenticationSessionData): the ``data`` of its record.
        self.flow_data: dict[str, Any] = {}
        #: A password (or dummy hash) was verified in this request: the attempt keeps
        #: its throttle slots (see :meth:`note_verification`).
        self.verified = False
        #: Set by a throttle that refused this request: (seconds left, audit detail).
        self.throttled: tuple[int, str] | None = None
        providers = [cls(self) for cls in service.registry.classes]
        key = lambda p: p.sort  # noqa: E731 - stable sort keeps configuration order on ties
        self.pre = sorted((p for p in providers if isinstance(p, PreAuthenticationProvider)), key=key)
        self.primary = sorted((p for p in providers if isinstance(p, PrimaryAuthenticationProvider)), key=key)
        self.secondary = sorted((p for p in providers if isinstance(p, SecondaryAuthenticationProvider)), key=key)

    # -- small helpers -------------------------------------------------------------------

    @property
    def all_providers(self) -> list[AuthenticationProvider]:
        return [*self.pre, *self.primary, *self.secondary]

    def provider(self, pid: str | None) -> AuthenticationProvider | None:
        for p in self.all_providers:
            if p.unique_id == pid:
                return p
        return None

    def set_flow_data(self, key: str, value: Any) -> None:
        self.flow_data[key] = value

    def get_flow_data(self, key: str, default: Any = None) -> Any:
        return self.flow_data.get(key, default)

    def remove_flow_data(self, key: str) -> None:
        self.flow_data.pop(key, None)

    def note_verification(self) -> None:
        """Providers call this once a password check has really run (right or wrong).

        Only such attempts count against the login throttles: one that failed before any
        check (database down, hashing queue full, captcha refused) gives its slot back, so
        an outage does not lock users out (issue 15)."""
        self.verified = True

    def note_throttled(self, wait: int, detail: str) -> None:
        """A throttle refused this attempt (audit detail and the wait for the client)."""
        self.throttled = (wait, detail)

    def effective_groups(self, user: User | None) -> list[str]:
        if user is None:
            return ["*"]
        return self.services.rights.effective_groups(user, self.now)

    def check_password_validity(self, username: str, password: str, user: User | None) -> PolicyResult:
        """``User::checkPasswordValidity``: the policy for the user's effective groups."""
        return check_password(username, password, self.effective_groups(user), self.service.policies)

    @staticmethod
    def policy_messages(result: PolicyResult) -> list[Message]:
        return [Message(f.key, tuple(f.params)) for f in result.failures]

    async def audit(self, event: str, user: User | None, detail: str = "") -> None:
        audit = self.services.audit
        try:
            await audit.record(event, user, self.ip, detail)
        except Exception:  # the audit trail must never break a login
            log.exception("audit record %s failed", event)

    @staticmethod
    def fill(reqs: list[AuthenticationRequest], action: str, username: str | None, force: bool = False) -> None:
        """``fillRequests``: the action and username of requests a provider asks for."""
        for r in reqs:
            if not r.action or force:
                r.action = action
            if r.username is None:
                r.username = username

    # -- flow records --------------------------------------------------------------------

    def _flow_key(self, kind: str) -> str | None:
        return f"authflow:{kind}:{self.session.id}" if self.session.id else None

    def new_flow(self, kind: str, return_url: str | None, **fields: Any) -> FlowRecord:
        flow = FlowRecord(kind=kind, expires=self.now + self.services.settings.sessions.ttl_seconds,
                          return_url=return_url, **fields)
        self.flow_data = flow.data
        return flow

    async def load_flow(self, kind: str) -> FlowRecord | None:
        """The stored flow of ``kind``; None when there is none, or it cannot be continued
        (expired, written by an older engine, naming a request type no longer known)."""
        key = self._flow_key(kind)
        if key is None:
            return None
        raw = await self.services.kv.get(key)
        if raw is None:
            return None
        try:
            flow = FlowRecord.from_json(raw, kind, self.service.registry.requests, self.now)
        except StaleFlow as e:
            log.info("ignoring stored %s flow: %s", kind, e)
            return None
        self.flow_data = flow.data
        return flow

    async def save_flow(self, flow: FlowRecord) -> None:
        self.session.persist()
        key = self._flow_key(flow.kind)
        assert key is not None
        flow.data = self.flow_data
        await self.services.kv.set(key, flow.to_json(self.service.registry.requests),
                                   self.services.settings.sessions.ttl_seconds)

    async def drop_flow(self, kind: str) -> None:
        key = self._flow_key(kind)
        if key is not None:
            await self.services.kv.delete(key)

    # -- preserved login state (preservestate) -------------------------------------------

    def keep_preserved(self, res: AuthResponse) -> None:
        """After a FAIL or RESTART that carries a creation request, keep it for the next
        ``preservestate`` request; any other answer forgets it (ApiAuthManagerHelper)."""
        req = res.create_request
        if res.status in (AuthResponse.FAIL, AuthResponse.RESTART) and req is not None:
            if not isinstance(req, CreateFromLoginAuthenticationRequest):
                req = CreateFromLoginAuthenticationRequest(req)
            self.session.set(PRESERVED_KEY, dump_preserved(req, self.service.registry.requests))
        elif PRESERVED_KEY in self.session.data:
            self.session.pop(PRESERVED_KEY)

    def preserved_request(self) -> CreateFromLoginAuthenticationRequest | None:
        """The login state kept by :meth:`keep_preserved`, if any."""
        return load_preserved(self.session.data.get(PRESERVED_KEY), self.service.registry.requests)

    # -- capabilities --------------------------------------------------------------------

    def can_authenticate_now(self) -> bool:
        return self.can_set_user

    def can_create_accounts(self) -> bool:
        return any(p.account_creation_type != TYPE_NONE for p in self.primary)

    def can_link_accounts(self) -> bool:
        return any(p.account_creation_type == TYPE_LINK for p in self.primary)

    def confirms_links(self) -> bool:
        """A secondary provider confirms links of third-party identities after a login
        (MediaWiki's ConfirmLinkSecondaryAuthenticationProvider)."""
        return any(getattr(p, "confirms_links", False) for p in self.secondary)

    def security_sensitive_operation_status(self, operation: str) -> str:
        """``ok``, ``reauth`` or ``fail`` (AuthManager::securitySensitiveOperationStatus)."""
        if not self.performer.is_registered:
            return SEC_REAUTH if self.can_authenticate_now() else SEC_FAIL
        if not self.can_set_user:
            # Only bot-password sessions cannot change their user, and they must never
            # reach security-sensitive operations (auth/containment.py): MediaWiki with
            # $wgAllowSecuritySensitiveOperationIfCannotReauthenticate['default'] = false.
            return SEC_FAIL
        last = self.session.last_auth
        since = max(0.0, self.now - last) if last else float("inf")
        threshold = self.services.settings.sessions.reauthenticate_seconds
        return SEC_REAUTH if threshold >= 0 and since > threshold else SEC_OK

    # -- requests ------------------------------------------------------------------------

    async def get_authentication_requests(self, action: str, user: User | None = None) -> list[AuthenticationRequest]:
        continued = {ACTION_LOGIN_CONTINUE: KIND_LOGIN, ACTION_CREATE_CONTINUE: KIND_CREATE,
                     ACTION_LINK_CONTINUE: KIND_LINK}
        if action in continued:
            flow = await self.load_flow(continued[action])
            return flow.continue_reqs if flow is not None else []
        provider_action = action
        providers: list[AuthenticationProvider]
        if action in (ACTION_LOGIN, ACTION_CREATE):
            providers = self.all_providers
        elif action in (ACTION_LINK, ACTION_UNLINK):
            providers = [p for p in self.primary if p.account_creation_type == TYPE_LINK]
            if action == ACTION_UNLINK:
                provider_action = ACTION_REMOVE
        elif action in (ACTION_CHANGE, ACTION_REMOVE):
            providers = [*self.primary, *self.secondary]
        else:
            raise ValueError(f"invalid authentication action {action!r}")
        return await self.requests_internal(provider_action, providers, user or self.performer)

    async def requests_internal(self, action: str, providers: list[AuthenticationProvider],
                                user: User | None) -> list[AuthenticationRequest]:
        username = user.name if user is not None and user.is_registered else None
        reqs: dict[str, AuthenticationRequest] = {}
        for provider in providers:
            is_primary = isinstance(provider, PrimaryAuthenticationProvider)
            for req in await provider.get_authentication_requests(action, username):
                if is_primary and req.required != OPTIONAL:
                    req.required = PRIMARY_REQUIRED
                rid = req.unique_id
                if rid not in reqs or req.required == REQUIRED or reqs[rid].required == OPTIONAL:
                    reqs[rid] = req
        out = list(reqs.values())
        if action == ACTION_LOGIN:
            s = self.services.settings.sessions
            out.append(RememberMeAuthenticationRequest(s.extended_cookie_expiration // 86400,
                                                       hidden=s.remember_me != "choose"))
        elif action == ACTION_CREATE:
            out.append(UsernameAuthenticationRequest())
            out.append(UserDataAuthenticationRequest(email_enabled=self.services.settings.mail.enabled))
            if username is not None:
                out.append(CreationReasonAuthenticationRequest())
                username = None  # the creator's name is not the new account's
        self.fill(out, action, username, force=True)
        if action in (ACTION_CHANGE, ACTION_REMOVE):
            kept = []
            for r in out:
                errors, _ = await self.allows_authentication_data_change(r, check_data=False)
                if not errors:
                    kept.append(r)
            out = kept
        return out

    # -- the flows (one state machine: .steps; kinds: .login, .creation, .link) ----------

    async def begin_authentication(self, reqs: list[AuthenticationRequest], return_url: str | None) -> AuthResponse:
        res = await login.begin_authentication(self, reqs, return_url)
        self.keep_preserved(res)
        return res

    async def continue_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        res = await login.continue_authentication(self, reqs)
        self.keep_preserved(res)
        return res

    async def post_authentication(self, username: str | None, res: AuthResponse) -> None:
        await login.post_authentication(self, username, res)

    async def can_create_account(self, name: str) -> Message | None:
        return await creation.can_create_account(self, name)

    def check_account_create_permissions(self, creator: User, creator_rights: set[str]) -> Message | None:
        return creation.check_account_create_permissions(self, creator, creator_rights)

    async def begin_account_creation(self, creator: User, creator_rights: set[str],
                                     reqs: list[AuthenticationRequest], return_url: str | None) -> AuthResponse:
        res = await creation.begin_account_creation(self, creator, creator_rights, reqs, return_url)
        self.keep_preserved(res)
        return res

    async def continue_account_creation(self, creator: User, creator_rights: set[str],
                                        reqs: list[AuthenticationRequest]) -> AuthResponse:
        res = await creation.continue_account_creation(self, creator, creator_rights, reqs)
        self.keep_preserved(res)
        return res

    async def begin_account_link(self, user: User, reqs: list[AuthenticationRequest],
                                 return_url: str | None) -> AuthResponse:
        res = await link.begin_account_link(self, user, reqs, return_url)
        self.keep_preserved(res)
        return res

    async def continue_account_link(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        res = await link.continue_account_link(self, reqs)
        self.keep_preserved(res)
        return res

    # -- changing credentials (change, remove, unlink) ------------------------------------

    async def allows_authentication_data_change(self, req: AuthenticationRequest,
                                                check_data: bool = True) -> tuple[list[Message], bool]:
        """(errors, handled): errors empty = allowed; handled = some provider uses ``req``."""
        handled = False
        for p in [*self.primary, *self.secondary]:
            errors = await p.allows_authentication_data_change(req, check_data)
            if errors:
                return errors, True
            if errors is not None:
                handled = True
        if not handled:
            return [Message("authmanager-change-not-supported")], False
        return [], True

    async def change_authentication_data(self, req: AuthenticationRequest) -> None:
        # Changing the main password invalidates the user's bot passwords (MediaWiki does
        # the same through BotPasswordStore::invalidateUserPasswords, after the change).
        # Done first here, so that a failure in between fails closed: bot passwords that
        # need a reset, never a changed password with the old bot passwords still valid.
        bp = self.services.botpasswords
        if req.username and hasattr(bp, "invalidate_user_passwords"):
            await bp.invalidate_user_passwords(req.username)
        for p in [*self.primary, *self.secondary]:
            await p.change_authentication_data(req)
