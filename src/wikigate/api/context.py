"""Per-request state of an api.php call: parameters, user, session, result, warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wikigate.api.errors import ApiError, ApiWarning
from wikigate.api.params import Param
from wikigate.auth import tokens as tok
from wikigate.http.request import Request
from wikigate.http.response import Response
from wikigate.http.session_cookies import SessionState, log_in, log_out
from wikigate.i18n import Message, Plaintext, api_code_for_key
from wikigate.users.model import User, anonymous
from wikigate.users.rights import flags_as_bot
from wikigate.util.ints import is_int_string

if TYPE_CHECKING:
    from wikigate.services import Services


class ApiContext:
    def __init__(self, services: Services, request: Request, response: Response) -> None:
        self.services = services
        self.request = request
        self.response = response
        self.params = request.params
        self.used: set[str] = set()
        self.warnings: list[ApiWarning] = []
        self.result: dict[str, Any] = {}
        self.fv = 1
        self.format = "jsonfm"
        self.errorformat = "bc"
        self.uselang = "en"
        self.errorlang = "en"
        self.state: SessionState | None = None
        self._user: User = anonymous(request.client_ip)
        self._groups: list[str] | None = None
        self._rights: set[str] | None = None
        self._rights_list: list[str] | None = None
        self.high_limits = False
        self.now = services.clock.time()
        self._deprecation_help = False
        self._warned_badutf8: set[str] = set()
        #: Path of the module being run ("main" until the action is known), for error output.
        self.module_path = "main"
        #: Credentials ignored (origin=*, JSONP callback, Treat-as-Untrusted).
        self.anonymized = False

    # -- parameters ----------------------------------------------------------------------

    def get_raw(self, name: str, module: str = "main") -> str | None:
        """A parameter's value; a ``badutf8`` warning (once) names ``module``, the module
        that declares the parameter (ApiBase::handleParamNormalization)."""
        self.used.add(name)
        if name in self.request.array_names:
            self.add_warning("main", Message("apiwarn-unsupportedarray", (name,)), "unsupportedarray")
            return None
        value = self.params.get(name)
        if value is not None and name in self.request.badutf8 and name not in self._warned_badutf8:
            self._warned_badutf8.add(name)
            self.add_warning(module, Message("apiwarn-badutf8", (name,)), "badutf8")
        return value

    def has_param(self, name: str) -> bool:
        return name in self.params

    def in_query(self, name: str) -> bool:
        return name in self.request.query_names

    def require_posted(self, names: list[str]) -> None:
        """``mustpostparams`` for any of ``names`` found in the query string."""
        found = [n for n in names if n in self.request.query_names]
        if found:
            # ApiMain passes the names as one string and a plain count.
            raise ApiError("apierror-mustpostparams", [", ".join(found), len(found)], code="mustpostparams")

    def validate_user(self, name: str, value: str, param: Param) -> str:
        from wikigate.auth.usernames import canonical_username, is_ip_address

        if "id" in param.user_types and value.startswith("#") and is_int_string(value[1:], signed=False):
            return value
        if "interwiki" in param.user_types and ">" in value:
            # An imported user ("prefix>Name"): no local account, matches nothing here.
            iw, _, rest = value.partition(">")
            local = canonical_username(rest)
            if iw and local is not None:
                return f"{iw}>{local}"
        if is_ip_address(value) and "ip" not in param.user_types:
            raise ApiError("paramvalidator-baduser", [Plaintext(name), Plaintext(value)], code="baduser")
        canonical = canonical_username(value)
        if canonical is None:
            if "ip" in param.user_types and is_ip_address(value):
                return value
            raise ApiError("paramvalidator-baduser", [Plaintext(name), Plaintext(value)], code="baduser")
        return canonical

    # -- warnings ------------------------------------------------------------------------

    def add_warning(self, module: str, message: Message, code: str | None = None,
                    data: dict[str, Any] | None = None) -> None:
        w = ApiWarning(module, message, code or api_code_for_key(message.key), data or {})
        if any(x.module == w.module and x.message == w.message for x in self.warnings):
            return
        self.warnings.append(w)

    def add_parsed_limit(self, module_path: str, value: int) -> None:
        """``ApiResult::addParsedLimit``: what ``limit=max`` meant, in ``limits``."""
        self.result.setdefault("limits", {})[module_path.rsplit("+", 1)[-1]] = value

    def message_fields(self, msg: Message) -> dict[str, Any]:
        """A message as the non-bc error formatter prints it: ``text`` (plaintext or
        wikitext), ``html``, or raw ``key``/``params``; nothing for ``none`` or bc. One place
        for errors, warnings, login reasons and status lists alike."""
        from wikigate.api.output import ContentKey

        cat = self.services.catalog
        ef = self.errorformat
        if ef == "plaintext":
            return {ContentKey("text"): cat.plaintext(msg, self.errorlang)}
        if ef == "wikitext":
            return {ContentKey("text"): cat.wikitext(msg, self.errorlang)}
        if ef == "html":
            return {ContentKey("html"): cat.html(msg, self.errorlang)}
        if ef == "raw":
            return dict(cat.raw(msg))
        return {}

    def add_deprecation(self, module: str, message: Message, feature: str) -> None:
        self.add_warning(module, message, "deprecation", {"feature": feature})
        if not self._deprecation_help:
            self._deprecation_help = True
            self.add_warning("main", Message("api-usage-mailinglist-ref"), "deprecation-help")

    # -- user and rights -----------------------------------------------------------------

    @property
    def user(self) -> User:
        return self._user

    def set_user(self, user: User) -> None:
        self._user = user
        self._groups = self._rights = self._rights_list = None
        self.high_limits = "apihighlimits" in self.rights

    @property
    def groups(self) -> list[str]:
        if self._groups is None:
            self._groups = self.services.rights.effective_groups(self._user, self.now)
        return self._groups

    @property
    def rights_list(self) -> list[str]:
        if self._rights_list is None:
            rights = self.services.rights.rights_for_groups(self.groups)
            state = self.state
            if self.is_bot_password_session:
                from wikigate.users.rights import grant_rights

                assert state is not None and state.session.bot is not None
                allowed = grant_rights(state.session.bot.get("grants", []))
                rights = [r for r in rights if r in allowed]
            self._rights_list = rights
        return self._rights_list

    @property
    def rights(self) -> set[str]:
        if self._rights is None:
            self._rights = set(self.rights_list)
        return self._rights

    def has_right(self, right: str) -> bool:
        return right in self.rights

    def flags_as_bot(self) -> bool:
        """A log entry written by this request reaches recent changes as a bot's
        (``users.rights.flags_as_bot``; the ``bot`` parameter is read from the request, as
        MediaWiki reads $wgRequest, without marking it used)."""
        return flags_as_bot(self.rights, self.params.get("bot"))

    @property
    def is_bot_password_session(self) -> bool:
        """A session opened with a bot password: rights limited by its grants, and no
        account-security operations (auth/containment.py)."""
        state = self.state
        return state is not None and state.provider == "botpassword" and bool(state.session.bot)

    def changeable_groups(self) -> dict[str, list[str]]:
        """The groups this *session* may change: from its effective rights (grants
        applied), never from group membership alone."""
        return self.services.rights.changeable_groups(
            self.groups, self.rights, group_lists=not self.is_bot_password_session)

    @property
    def is_anon(self) -> bool:
        return not self._user.is_registered

    @property
    def explicit_groups(self) -> list[str]:
        """The groups the user is a member of (not ``*``/``user``/``autoconfirmed``)."""
        from wikigate.users.rights import IMPLICIT_GROUPS

        return [g for g in self.groups if g not in IMPLICIT_GROUPS]

    async def ping_limiter(self, action: str, incr: int = 1) -> bool:
        """``User::pingLimiter``: count ``action`` against ``throttle.rate_limits``
        (counters in the shared key-value store); True when a limit is exceeded."""
        from wikigate.auth.ratelimit import RateLimiter, RateLimitSubject, effective_rate_limits

        subject = RateLimitSubject.from_rights(self._user.id, self.request.client_ip, self.explicit_groups,
                                               self.rights)
        limiter = RateLimiter(self.services.kv, effective_rate_limits(self.services.settings.throttle))
        return await limiter.limit(subject, action, incr)

    # -- sessions and tokens -------------------------------------------------------------

    @property
    def session(self) -> Any:
        assert self.state is not None
        return self.state.session

    def get_token(self, token_type: str) -> str:
        key, salt = tok.TOKEN_TYPES[token_type]
        session = self.session
        if self.is_anon and key == "default":
            return tok.ANON_TOKEN
        session.persist()
        secret = session.token_secret(key, create=True, mac_key=self.services.secret_key)
        assert secret is not None
        return tok.make_token(secret, salt, int(self.now))

    def check_token(self, token_type: str, token: str, max_age: int | None = None) -> bool:
        key, salt = tok.TOKEN_TYPES[token_type]
        if self.is_anon and key == "default":
            return token == tok.ANON_TOKEN
        secret = self.session.token_secret(key, create=False, mac_key=self.services.secret_key)
        return tok.check_token(secret, salt, token, now=self.now, max_age=max_age)

    async def login(self, user: User, *, remember: bool) -> None:
        """Log ``user`` into the current session: new session id, fresh token secrets."""
        state = self.state
        assert state is not None
        await log_in(self.services, state, user, remember=remember, now=self.now)
        self.set_user(user)

    async def logout(self) -> None:
        state = self.state
        assert state is not None
        await log_out(self.services, state, self.request)
        self.set_user(anonymous(self.request.client_ip))
