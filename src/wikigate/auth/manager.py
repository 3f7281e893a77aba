"""The authentication engine: MediaWiki's AuthManager, independent of HTTP.

Login and account creation run as *flows* through the configured providers
(:mod:`wikigate.auth.providers`): pre-authentication vetoes, the first primary provider
that does not abstain, then every secondary provider. A flow that needs more input
(UI, REDIRECT, RESTART) is stored as ONE record in the key-value store under a key bound
to the session id, with the session's TTL — so the next step may reach another worker or
host, and a worker restart loses nothing. The record never holds a password: sensitive
fields are blanked before it is written.

One :class:`AuthManager` serves one request; :class:`AuthService` (``services.auth``)
holds the provider classes and builds managers. Spec: authmanager.md,
login.md §4, createaccount.md §2.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from wikigate.auth.hashpool import HashQueueFull
from wikigate.auth.passwords import PolicyResult, check_password, merge_policy_overrides
from wikigate.auth.providers.base import (
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
    PRIMARY_REQUIRED,
    REQUIRED,
    AuthenticationRequest,
    AuthResponse,
    CreationReasonAuthenticationRequest,
    RememberMeAuthenticationRequest,
    UserDataAuthenticationRequest,
    UsernameAuthenticationRequest,
    dump_request,
    get_request,
    load_request,
    status_message,
    username_from_requests,
)
from wikigate.auth.usernames import canonical_username, login_username
from wikigate.i18n import Duration, ListParam, Message, Num, Plaintext, RawMessage
from wikigate.storage.errors import is_backend_outage
from wikigate.storage.sql.unit import UnitOfWork
from wikigate.users.model import User
from wikigate.users.store import UserExists

if TYPE_CHECKING:
    from wikigate.auth.sessions import Session
    from wikigate.services import Services

log = logging.getLogger("wikigate.auth")

#: Core providers (MediaWiki's $wgAuthManagerAutoConfig), in call order within each kind.
CORE_PROVIDERS = [
    "wikigate.auth.providers.throttle:ThrottlePreAuthenticationProvider",
    # Captcha (ConfirmEdit): asks nothing while services.captcha is NullCaptcha.
    "wikigate.auth.providers.captcha:CaptchaPreAuthenticationProvider",
    "wikigate.auth.providers.temporary_password:TemporaryPasswordPrimaryAuthenticationProvider",
    "wikigate.auth.providers.password:LocalPasswordPrimaryAuthenticationProvider",
    "wikigate.auth.providers.check_blocks:CheckBlocksSecondaryAuthenticationProvider",
    "wikigate.auth.providers.reset_password:ResetPasswordSecondaryAuthenticationProvider",
    # Second factor (OATHAuth TOTP): abstains while services.oath is NullOath.
    "wikigate.auth.providers.totp:TOTPSecondaryAuthenticationProvider",
]

SEC_OK = "ok"
SEC_REAUTH = "reauth"
SEC_FAIL = "fail"

#: Sanitizer::validateEmail (the HTML5 rule), case-insensitive.
_EMAIL_RE = re.compile(r"^[a-z0-9!#$%&'*+\-/=?^_`{|}~.]+@[a-z0-9-]+(\.[a-z0-9-]+)*$", re.IGNORECASE)


def valid_email(address: str) -> bool:
    return bool(_EMAIL_RE.match(address))


# -- message (de)serialisation for stored flows ----------------------------------------------

def dump_message(msg: Message) -> dict[str, Any]:
    return {"k": msg.key, "r": isinstance(msg, RawMessage), "p": [_dump_param(p) for p in msg.params]}


def _dump_param(p: Any) -> Any:
    if isinstance(p, Message):
        return {"m": dump_message(p)}
    if isinstance(p, Num):
        return {"num": p.value}
    if isinstance(p, Duration):
        return {"duration": p.seconds}
    if isinstance(p, Plaintext):
        return {"plaintext": p.value}
    if p is None or isinstance(p, str | int | float | bool):
        return {"v": p}
    return {"v": str(p)}


def load_message(data: dict[str, Any]) -> Message:
    params = tuple(_load_param(p) for p in data.get("p", []))
    return (RawMessage if data.get("r") else Message)(data["k"], params)


def _load_param(p: dict[str, Any]) -> Any:
    if "m" in p:
        return load_message(p["m"])
    if "num" in p:
        return Num(p["num"])
    if "duration" in p:
        return Duration(p["duration"])
    if "plaintext" in p:
        return Plaintext(p["plaintext"])
    return p.get("v")


def _scrubbed(req: AuthenticationRequest) -> dict[str, Any]:
    """The request as stored in a flow record: sensitive field values are dropped."""
    data = dump_request(req)
    for name, info in req.fields().items():
        if info.sensitive and name in data["d"]:
            data["d"][name] = None
    for key in ("password", "retype"):
        if key in data["d"]:
            data["d"][key] = None
    return data


@dataclass
class NewAccount:
    """The account being created (MediaWiki's unsaved User object)."""

    name: str
    email: str = ""
    real_name: str = ""
    #: The user id, set by the unit-of-work step that inserts the user row (0 before).
    id: int = 0


class AuthService:
    """Holds the provider classes; builds one :class:`AuthManager` per request."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.provider_classes = [self._load(t) for t in [*CORE_PROVIDERS, *services.settings.auth.providers]]
        self.policies = merge_policy_overrides(services.settings.passwords.policies)

    @staticmethod
    def _load(target: str) -> type[AuthenticationProvider]:
        module_name, _, name = target.partition(":")
        try:
            cls = getattr(importlib.import_module(module_name), name)
        except (ImportError, AttributeError) as e:
            raise ValueError(f"auth.providers: cannot load {target!r}: {e}") from None
        if not (isinstance(cls, type) and issubclass(cls, AuthenticationProvider)):
            raise ValueError(f"auth.providers: {target!r} is not an authentication provider")
        return cls

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
        #: setAuthenticationSessionData), saved with the flow record.
        self.flow_data: dict[str, Any] = {}
        #: A password (or dummy hash) was verified in this request: the attempt keeps
        #: its throttle slots (see :meth:`note_verification`).
        self.verified = False
        #: Set by a throttle that refused this request: (seconds left, audit detail).
        self.throttled: tuple[int, str] | None = None
        providers = [cls(self) for cls in service.provider_classes]
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

    # -- flow records --------------------------------------------------------------------

    def _flow_key(self, kind: str) -> str | None:
        return f"authflow:{kind}:{self.session.id}" if self.session.id else None

    async def _load_flow(self, kind: str) -> dict[str, Any] | None:
        key = self._flow_key(kind)
        if key is None:
            return None
        raw = await self.services.kv.get(key)
        if raw is None:
            return None
        try:
            state: dict[str, Any] = json.loads(raw)
        except ValueError:
            return None
        return state

    async def _save_flow(self, kind: str, state: dict[str, Any]) -> None:
        self.session.persist()
        key = self._flow_key(kind)
        assert key is not None
        record = dict(state)
        record["data"] = self.flow_data
        await self.services.kv.set(key, json.dumps(record, separators=(",", ":")).encode(),
                                   self.services.settings.sessions.ttl_seconds)

    async def _drop_flow(self, kind: str) -> None:
        key = self._flow_key(kind)
        if key is not None:
            await self.services.kv.delete(key)

    @staticmethod
    def _dump_reqs(reqs: list[AuthenticationRequest]) -> list[dict[str, Any]]:
        return [_scrubbed(r) for r in reqs]

    @staticmethod
    def _load_reqs(data: list[dict[str, Any]]) -> list[AuthenticationRequest]:
        out = []
        for d in data:
            try:
                out.append(load_request(d))
            except (ImportError, AttributeError, ValueError, KeyError):
                log.warning("dropping unloadable stored authentication request %r", d.get("c"))
        return out

    @staticmethod
    def _fill(reqs: list[AuthenticationRequest], action: str, username: str | None, force: bool = False) -> None:
        for r in reqs:
            if not r.action or force:
                r.action = action
            if r.username is None:
                r.username = username

    # -- capabilities --------------------------------------------------------------------

    def can_authenticate_now(self) -> bool:
        return self.can_set_user

    def can_create_accounts(self) -> bool:
        return any(p.account_creation_type != TYPE_NONE for p in self.primary)

    def can_link_accounts(self) -> bool:
        return any(p.account_creation_type == "link" for p in self.primary)

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
        if action == ACTION_LOGIN_CONTINUE:
            state = await self._load_flow("login")
            return self._load_reqs(state["continue"]) if state else []
        if action == ACTION_CREATE_CONTINUE:
            state = await self._load_flow("create")
            return self._load_reqs(state["continue"]) if state else []
        if action == ACTION_LINK_CONTINUE:
            return []
        provider_action = action
        providers: list[AuthenticationProvider]
        if action in (ACTION_LOGIN, ACTION_CREATE):
            providers = self.all_providers
        elif action in (ACTION_LINK, ACTION_UNLINK):
            providers = [p for p in self.primary if p.account_creation_type == "link"]
            if action == ACTION_UNLINK:
                provider_action = ACTION_REMOVE
        elif action in (ACTION_CHANGE, ACTION_REMOVE):
            providers = [*self.primary, *self.secondary]
        else:
            raise ValueError(f"invalid authentication action {action!r}")
        return await self._requests_internal(provider_action, providers, user or self.performer)

    async def _requests_internal(self, action: str, providers: list[AuthenticationProvider],
                                 user: User | None) -> list[AuthenticationRequest]:
        username = user.name if user is not None and user.is_registered else None
        reqs: dict[str, AuthenticationRequest] = {}
        for provider in providers:
            is_primary = isinstance(provider, PrimaryAuthenticationProvider)
            for req in await provider.get_authentication_requests(action, username):
                if is_primary and req.required != "optional":
                    req.required = PRIMARY_REQUIRED
                rid = req.unique_id
                if rid not in reqs or req.required == REQUIRED or reqs[rid].required == "optional":
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
        self._fill(out, action, username, force=True)
        if action in (ACTION_CHANGE, ACTION_REMOVE):
            kept = []
            for r in out:
                errors, _ = await self.allows_authentication_data_change(r, check_data=False)
                if not errors:
                    kept.append(r)
            out = kept
        return out

    # -- login ---------------------------------------------------------------------------

    async def begin_authentication(self, reqs: list[AuthenticationRequest], return_url: str | None) -> AuthResponse:
        if not self.can_set_user:
            await self._drop_flow("login")
            raise RuntimeError("Authentication is not possible now")
        for r in reqs:
            r.return_to_url = return_url
        guess = username_from_requests(reqs)
        await self._drop_flow("login")
        self.flow_data = {}
        self.verified = False
        try:
            for provider in self.pre:
                assert isinstance(provider, PreAuthenticationProvider)
                msg = await provider.test_for_authentication(reqs)
                if msg is not None:
                    res = AuthResponse.fail(msg)
                    if self.throttled is not None:
                        res.retry_after = self.throttled[0]
                    await self._post_authentication(guess, res)
                    return res
            state: dict[str, Any] = {
                "reqs": reqs, "return": return_url, "guess": guess, "primary": None,
                "primary_done": False, "primary_username": None, "secondary": {}, "continue": [],
            }
            self.session.persist()
            return await self._continue_authentication(state, reqs)
        finally:
            # Also on an exception (a backend failure): a reservation that verified
            # nothing is given back; see note_verification.
            for provider in self.pre:
                assert isinstance(provider, PreAuthenticationProvider)
                await provider.end_attempt(self.verified)

    async def continue_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        if not self.can_set_user:
            raise RuntimeError("Authentication is not possible now")
        stored = await self._load_flow("login")
        if stored is None:
            return AuthResponse.fail(Message("authmanager-authn-not-in-progress"))
        self.flow_data = dict(stored.get("data") or {})
        state = dict(stored)
        state["reqs"] = self._load_reqs(stored.get("reqs", []))
        for r in reqs:
            r.return_to_url = state.get("return")
        return await self._continue_authentication(state, reqs)

    async def _post_authentication(self, username: str | None, res: AuthResponse) -> None:
        for p in self.all_providers:
            await p.post_authentication(username, res)
        if res.status == AuthResponse.FAIL:
            name = (login_username(username) or username) if username else None
            user = await self.services.users.get_by_name(name) if name else None
            event, detail = "login-failure", res.message.key if res.message is not None else ""
            if self.throttled is not None:
                # Throttle hits get their own event, with the limit that refused them.
                event, detail = "login-throttled", self.throttled[1]
            await self.audit(event, user or User(id=0, name=name or ""), detail)

    async def _pause_login(self, state: dict[str, Any], res: AuthResponse) -> AuthResponse:
        state["continue"] = res.needed
        record = dict(state)
        record["reqs"] = self._dump_reqs(state["reqs"])
        record["continue"] = self._dump_reqs(res.needed)
        await self._save_flow("login", record)
        return res

    async def _continue_authentication(self, state: dict[str, Any], reqs: list[AuthenticationRequest]) -> AuthResponse:
        provider: AuthenticationProvider | None
        state["continue"] = []
        guess: str | None = state.get("guess")
        if state["primary"] is None:
            guess = username_from_requests(reqs)
            state["guess"] = guess
            state["reqs"] = reqs
            for provider in self.primary:
                assert isinstance(provider, PrimaryAuthenticationProvider)
                res = await provider.begin_primary_authentication(reqs)
                if res.status == AuthResponse.PASS:
                    state["primary"] = provider.unique_id
                    state["primary_done"] = True
                    state["primary_username"] = res.username
                    break
                if res.status == AuthResponse.FAIL:
                    await self._post_authentication(guess, res)
                    await self._drop_flow("login")
                    return res
                if res.status in (AuthResponse.REDIRECT, AuthResponse.UI):
                    self._fill(res.needed, ACTION_LOGIN, guess)
                    state["primary"] = provider.unique_id
                    return await self._pause_login(state, res)
                if res.status != AuthResponse.ABSTAIN:
                    raise ValueError(f"{provider.unique_id} returned {res.status} from begin_primary_authentication")
            if state["primary"] is None:
                res = AuthResponse.fail(Message("authmanager-authn-no-primary"))
                await self._post_authentication(guess, res)
                await self._drop_flow("login")
                return res
        elif not state["primary_done"]:
            provider = self.provider(state["primary"])
            if not isinstance(provider, PrimaryAuthenticationProvider):
                res = AuthResponse.fail(Message("authmanager-authn-not-in-progress"))
                await self._post_authentication(guess, res)
                await self._drop_flow("login")
                return res
            res = await provider.continue_primary_authentication(reqs)
            if res.status == AuthResponse.PASS:
                state["primary_done"] = True
                state["primary_username"] = res.username
            elif res.status == AuthResponse.FAIL:
                await self._post_authentication(guess, res)
                await self._drop_flow("login")
                return res
            elif res.status in (AuthResponse.REDIRECT, AuthResponse.UI):
                self._fill(res.needed, ACTION_LOGIN, guess)
                return await self._pause_login(state, res)
            else:
                raise ValueError(f"{provider.unique_id} returned {res.status} from continue_primary_authentication")

        username = state["primary_username"]
        if username is None:
            # A third-party identity without a local account: start over (MediaWiki RESTART).
            res = AuthResponse.restart(Message("authmanager-authn-no-local-user"))
            res.needed = await self._requests_internal(ACTION_LOGIN, [*self.primary, *self.secondary], None)
            self._fill(res.needed, ACTION_LOGIN, None, force=True)
            state.update(primary=None, primary_done=False, primary_username=None, secondary={})
            return await self._pause_login(state, res)

        canonical = login_username(username)
        if canonical is None:
            raise ValueError(f"{state['primary']} returned an invalid username: {username}")
        user = await self.services.users.get_by_name(canonical)
        if user is None:
            # No auto-creation of local accounts for external identities (yet).
            res = AuthResponse.fail(Message("authmanager-authn-autocreate-failed",
                                            (Message("authmanager-autocreate-noperm"),)))
            await self._post_authentication(canonical, res)
            await self._drop_flow("login")
            return res

        begin_reqs: list[AuthenticationRequest] = state["reqs"]
        done: dict[str, bool] = state["secondary"]
        for provider in self.secondary:
            assert isinstance(provider, SecondaryAuthenticationProvider)
            pid = provider.unique_id
            if pid not in done:
                res = await provider.begin_secondary_authentication(user, begin_reqs)
            elif not done[pid]:
                res = await provider.continue_secondary_authentication(user, reqs)
            else:
                continue
            if res.status in (AuthResponse.PASS, AuthResponse.ABSTAIN):
                done[pid] = True
            elif res.status == AuthResponse.FAIL:
                await self._post_authentication(user.name, res)
                await self._drop_flow("login")
                return res
            elif res.status in (AuthResponse.REDIRECT, AuthResponse.UI):
                self._fill(res.needed, ACTION_LOGIN, user.name)
                done[pid] = False
                return await self._pause_login(state, res)
            else:
                raise ValueError(f"{pid} returned {res.status} from secondary authentication")

        mode = self.services.settings.sessions.remember_me
        if mode == "always":
            remember = True
        elif mode == "never":
            remember = False
        else:
            rm = get_request(begin_reqs, RememberMeAuthenticationRequest)
            remember = bool(rm and rm.rememberMe)
        await self._drop_flow("login")
        # Re-read: a secondary may have changed the password (and with it user_token).
        fresh = await self.services.users.get_by_id(user.id) or user
        res = AuthResponse.pass_(fresh.name)
        res.user = fresh
        res.remember = remember
        await self._post_authentication(fresh.name, res)
        await self.audit("login-success", fresh, state.get("primary") or "")
        return res

    # -- account creation ----------------------------------------------------------------

    async def can_create_account(self, name: str) -> Message | None:
        """``canCreateAccount``: exists → userexists; not creatable → noname; provider vetoes."""
        if await self.services.users.get_by_name(name) is not None:
            return Message("userexists")
        for prim in self.primary:
            if isinstance(prim, PrimaryAuthenticationProvider) and await prim.user_exists(name):
                return Message("userexists")
        if canonical_username(name, rigor="creatable") != name:
            return Message("noname")
        for p in self.all_providers:
            errors = await p.test_user_for_creation(name)
            if errors:
                return status_message(errors)
        return None

    def check_account_create_permissions(self, creator: User, creator_rights: set[str]) -> Message | None:
        if "createaccount" not in creator_rights:
            groups = self.services.rights.groups_with_right("createaccount")
            cat = self.services.catalog
            items = tuple(RawMessage(f"[[{{{{int:grouppage-{g}}}}}|{{{{int:group-{g}}}}}]]")
                          if cat.exists(f"grouppage-{g}") and cat.exists(f"group-{g}") else g for g in groups)
            return Message("badaccess-groups", (ListParam(items, "comma"), Num(len(groups))))
        if self.services.settings.site.read_only:
            return Message("readonlytext", (self.services.settings.site.read_only,))
        return None

    async def begin_account_creation(self, creator: User, creator_rights: set[str],
                                     reqs: list[AuthenticationRequest], return_url: str | None) -> AuthResponse:
        await self._drop_flow("create")
        self.flow_data = {}
        if not self.can_create_accounts():
            return AuthResponse.fail(Message("authmanager-create-disabled"))
        raw_name = username_from_requests(reqs)
        name = canonical_username(raw_name, rigor="creatable") if raw_name is not None else None
        if name is None:
            # An invalid name cannot even be checked for existence: MediaWiki says "noname".
            return AuthResponse.fail(Message("noname"))
        perm = self.check_account_create_permissions(creator, creator_rights)
        if perm is not None:
            return AuthResponse.fail(perm)
        msg = await self.can_create_account(name)
        if msg is not None:
            return AuthResponse.fail(msg)
        account = NewAccount(name)
        for r in reqs:
            r.username = name
            r.return_to_url = return_url
            if isinstance(r, UserDataAuthenticationRequest):
                if r.email:
                    if not valid_email(r.email):
                        return AuthResponse.fail(Message("invalidemailaddress"))
                    account.email = r.email
                if r.realname:
                    account.real_name = r.realname
        state: dict[str, Any] = {
            "username": name, "userid": 0, "creator_id": creator.id, "creator_name": creator.name,
            "reqs": reqs, "return": return_url, "primary": None, "primary_done": False,
            "primary_response": None, "secondary": {}, "continue": [], "ran_pretests": False,
            "email": account.email, "realname": account.real_name,
        }
        self.session.persist()
        return await self._continue_account_creation(state, reqs, creator, creator_rights)

    async def continue_account_creation(self, creator: User, creator_rights: set[str],
                                        reqs: list[AuthenticationRequest]) -> AuthResponse:
        stored = await self._load_flow("create")
        if stored is None:
            return AuthResponse.fail(Message("authmanager-create-not-in-progress"))
        self.flow_data = dict(stored.get("data") or {})
        state = dict(stored)
        state["reqs"] = self._load_reqs(stored.get("reqs", []))
        if stored.get("primary_response"):
            pr = stored["primary_response"]
            res = AuthResponse(pr["status"], username=pr.get("username"))
            state["primary_response"] = res
        if creator.id != state["creator_id"]:
            await self._drop_flow("create")
            return AuthResponse.fail(Message("authmanager-create-not-in-progress"))
        for r in reqs:
            r.username = state["username"]
            r.return_to_url = state.get("return")
        return await self._continue_account_creation(state, reqs, creator, creator_rights)

    async def _pause_create(self, state: dict[str, Any], res: AuthResponse) -> AuthResponse:
        record = dict(state)
        record["reqs"] = self._dump_reqs(state["reqs"])
        record["continue"] = self._dump_reqs(res.needed)
        pr = state.get("primary_response")
        record["primary_response"] = {"status": pr.status, "username": pr.username} if pr else None
        await self._save_flow("create", record)
        return res

    async def _fail_create(self, account: NewAccount, creator: User, res: AuthResponse) -> AuthResponse:
        for p in self.all_providers:
            await p.post_account_creation(account, creator, res)
        await self._drop_flow("create")
        return res

    async def _continue_account_creation(self, state: dict[str, Any], reqs: list[AuthenticationRequest],
                                         creator: User, creator_rights: set[str]) -> AuthResponse:
        provider: AuthenticationProvider | None
        state["continue"] = []
        account = NewAccount(state["username"], state.get("email", ""), state.get("realname", ""))
        perm = self.check_account_create_permissions(creator, creator_rights)
        if perm is not None:
            return await self._fail_create(account, creator, AuthResponse.fail(perm))
        if state["userid"] == 0 and await self.services.users.get_by_name(account.name) is not None:
            return await self._fail_create(account, creator, AuthResponse.fail(Message("userexists")))

        if not state["ran_pretests"]:
            for provider in self.all_providers:
                errors = await provider.test_for_account_creation(account, creator, reqs)
                if errors:
                    return await self._fail_create(account, creator, AuthResponse.fail(status_message(errors)))
            state["ran_pretests"] = True

        if state["primary"] is None:
            for provider in self.primary:
                assert isinstance(provider, PrimaryAuthenticationProvider)
                if provider.account_creation_type == TYPE_NONE:
                    continue
                res = await provider.begin_primary_account_creation(account, creator, reqs)
                if res.status == AuthResponse.PASS:
                    state["primary"] = provider.unique_id
                    state["primary_done"] = True
                    state["primary_response"] = res
                    break
                if res.status == AuthResponse.FAIL:
                    return await self._fail_create(account, creator, res)
                if res.status in (AuthResponse.REDIRECT, AuthResponse.UI):
                    self._fill(res.needed, ACTION_CREATE, None)
                    state["primary"] = provider.unique_id
                    return await self._pause_create(state, res)
                if res.status != AuthResponse.ABSTAIN:
                    raise ValueError(f"{provider.unique_id} returned {res.status} from account creation")
            if state["primary"] is None:
                return await self._fail_create(account, creator,
                                               AuthResponse.fail(Message("authmanager-create-no-primary")))
        elif not state["primary_done"]:
            provider = self.provider(state["primary"])
            if not isinstance(provider, PrimaryAuthenticationProvider):
                return await self._fail_create(account, creator,
                                               AuthResponse.fail(Message("authmanager-create-not-in-progress")))
            res = await provider.continue_primary_account_creation(account, creator, reqs)
            if res.status == AuthResponse.PASS:
                state["primary_done"] = True
                state["primary_response"] = res
            elif res.status == AuthResponse.FAIL:
                return await self._fail_create(account, creator, res)
            elif res.status in (AuthResponse.REDIRECT, AuthResponse.UI):
                self._fill(res.needed, ACTION_CREATE, None)
                return await self._pause_create(state, res)
            else:
                raise ValueError(f"{provider.unique_id} returned {res.status} from account creation")

        if state["userid"] == 0:
            account.id = 0
            user = await self._insert_user(account, creator, state)
            if isinstance(user, AuthResponse):
                return await self._fail_create(account, creator, user)
            state["userid"] = user.id
        else:
            got = await self.services.users.get_by_id(state["userid"])
            if got is None:
                return await self._fail_create(account, creator,
                                               AuthResponse.fail(Message("authmanager-create-not-in-progress")))
            user = got

        try:
            return await self._finish_account_creation(state, reqs, account, user, creator)
        except Exception as e:
            if not is_backend_outage(e):
                raise
            # The account is committed (and complete: credential, log, audit); a backend
            # failing now must not make the answer say otherwise, or a client would retry
            # and get "userexists" for its own account. Throttle counters and the flow
            # record are what is lost; the flow record expires with the session.
            log.warning("account %r created; finishing steps failed: %s: %s",
                        user.name, type(e).__name__, e)
            done_res = AuthResponse.pass_(user.name)
            done_res.user = user
            return done_res

    async def _finish_account_creation(self, state: dict[str, Any], reqs: list[AuthenticationRequest],
                                       account: NewAccount, user: User, creator: User) -> AuthResponse:
        """Secondary providers and post-creation hooks, once the user row exists."""
        begin_reqs: list[AuthenticationRequest] = state["reqs"]
        done: dict[str, bool] = state["secondary"]
        for provider in self.secondary:
            assert isinstance(provider, SecondaryAuthenticationProvider)
            pid = provider.unique_id
            if pid not in done:
                res = await provider.begin_secondary_account_creation(user, creator, begin_reqs)
            elif not done[pid]:
                res = await provider.continue_secondary_account_creation(user, creator, reqs)
            else:
                continue
            if res.status in (AuthResponse.PASS, AuthResponse.ABSTAIN):
                done[pid] = True
            elif res.status in (AuthResponse.REDIRECT, AuthResponse.UI):
                self._fill(res.needed, ACTION_CREATE, None)
                done[pid] = False
                return await self._pause_create(state, res)
            else:
                raise ValueError(f"{pid} returned {res.status} from secondary account creation")

        res = AuthResponse.pass_(user.name)
        res.user = user
        for p in self.all_providers:
            await p.post_account_creation(account, creator, res)
        await self._drop_flow("create")
        return res

    async def _insert_user(self, account: NewAccount, creator: User, state: dict[str, Any]) -> User | AuthResponse:
        """Step 2 of account creation: the user row, the provider's credential, the log
        entry and the audit entry, committed in ONE transaction (:class:`UnitOfWork`).

        The slow part (hashing the password, rendering a mail) happens before the
        transaction opens; a database failure or a killed worker therefore leaves either
        the whole account or nothing — never a name that is taken but cannot log in.
        """
        svc = self.services
        users = svc.users
        uow = UnitOfWork(svc.db)

        def insert_user(conn: Connection) -> User:
            got = users.create_in(conn, account.name, email=account.email, real_name=account.real_name)
            account.id = got.id
            return got

        uow.add(insert_user)
        provider = self.provider(state["primary"])
        assert isinstance(provider, PrimaryAuthenticationProvider)
        try:
            subtype = await provider.finish_account_creation(account, creator, state["primary_response"], uow)
        except HashQueueFull:
            return AuthResponse.fail(Message("actionthrottledtext"))
        anon = not creator.is_registered
        action = subtype or ("create" if anon else "create2")
        reason = get_request(state["reqs"], CreationReasonAuthenticationRequest)
        comment = reason.reason if reason is not None else ""
        logs = svc.logs
        uow.add(lambda conn: logs.add_in(
                conn, type="newusers", action=action,
                actor_id=account.id if anon else creator.id,
                actor_name=account.name if anon else creator.name,
                namespace=2, title=account.name.replace(" ", "_"), comment=comment,
                params={"userid": account.id}))
        audit = svc.audit
        detail = f"by {creator.name}" if not anon else ""
        uow.add(lambda conn: audit.record_in(conn, "account-created", account, self.ip, detail))
        # Read the finished row back in the same transaction: after the commit nothing may
        # fail any more (the account exists; the answer must say so).
        uow.add(lambda conn: users.get_by_id_in(conn, account.id))
        try:
            results = await uow.commit()
        except UserExists:
            return AuthResponse.fail(Message("userexists"))
        fresh: User | None = results[-1]
        assert fresh is not None
        return fresh

    # -- changing credentials ------------------------------------------------------------

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
