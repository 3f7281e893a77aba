"""Typed settings, loaded from one TOML file plus ``WIKIGATE_*`` environment overrides.

Every value is checked at start-up; a bad value raises :class:`ConfigError` naming the
key (``storage.database_url``), so an operator never meets a half-configured server.

Environment overrides use ``WIKIGATE_<SECTION>__<KEY>`` (double underscore between the
section and the key), e.g. ``WIKIGATE_STORAGE__DATABASE_URL=postgresql://…``; top-level
keys are ``WIKIGATE_<KEY>``. Values are parsed as TOML scalars when possible
(``true``, ``8``, ``"x"``) and taken as plain strings otherwise.

The settings are frozen dataclasses: nothing changes them after start-up. Code that
needs other settings (tests, the CLI) builds new ones with :func:`with_overrides` or
:func:`dataclasses.replace`.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

_D = TypeVar("_D")

#: ``$wgRateLimits`` of MediaWiki 1.39 (action -> entity type -> [hits, seconds]), in
#: MediaWiki's order (``meta=userinfo&uiprop=ratelimits`` lists them in this order).
DEFAULT_RATE_LIMITS: dict[str, dict[str, list[int]]] = {
    "edit": {"ip": [8, 60], "newbie": [8, 60], "user": [90, 60]},
    "move": {"newbie": [2, 120], "user": [8, 60]},
    "upload": {"ip": [8, 60], "newbie": [8, 60]},
    "rollback": {"user": [10, 60], "newbie": [5, 120]},
    "mailpassword": {"ip": [5, 3600]},
    "emailuser": {"ip": [5, 86400], "newbie": [5, 86400], "user": [20, 86400]},
    "changeemail": {"ip-all": [10, 3600], "user": [4, 86400]},
    "confirmemail": {"ip-all": [10, 3600], "user": [4, 86400]},
    "purge": {"ip": [30, 60], "user": [30, 60]},
    "linkpurge": {"ip": [30, 60], "user": [30, 60]},
    "renderfile": {"ip": [700, 30], "user": [700, 30]},
    "renderfile-nonstandard": {"ip": [70, 30], "user": [70, 30]},
    "stashedit": {"ip": [30, 60], "newbie": [30, 60]},
    "stashbasehtml": {"ip": [5, 60], "newbie": [5, 60]},
    "changetag": {"ip": [8, 60], "newbie": [8, 60]},
    "editcontentmodel": {"newbie": [2, 120], "user": [8, 60]},
}



class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the key."""


DEFAULT_GROUP_PERMISSIONS: dict[str, list[str]] = {
    "*": [
        "createaccount", "read", "edit", "createpage", "createtalk", "writeapi",
        "viewmywatchlist", "editmywatchlist", "viewmyprivateinfo", "editmyprivateinfo",
        "editmyoptions",
    ],
    "user": [
        "move", "move-subpages", "move-rootuserpages", "move-categorypages", "movefile", "read",
        "edit", "createpage", "createtalk", "writeapi", "upload", "reupload", "reupload-shared",
        "minoredit", "editmyusercss", "editmyuserjson", "editmyuserjs", "editmyuserjsredirect",
        "purge", "sendemail", "applychangetags", "changetags", "editcontentmodel",
    ],
    "autoconfirmed": ["autoconfirmed", "editsemiprotected"],
    "bot": [
        "bot", "autoconfirmed", "editsemiprotected", "nominornewtalk", "autopatrol",
        "suppressredirect", "apihighlimits", "writeapi",
    ],
    "sysop": [
        "block", "createaccount", "delete", "bigdelete", "deletedhistory", "deletedtext",
        "undelete", "editinterface", "editsitejson", "edituserjson", "import", "importupload",
        "move", "move-subpages", "move-rootuserpages", "move-categorypages", "patrol",
        "autopatrol", "protect", "editprotected", "rollback", "upload", "reupload",
        "reupload-shared", "unwatchedpages", "autoconfirmed", "editsemiprotected",
        "ipblock-exempt", "blockemail", "markbotedits", "apihighlimits", "browsearchive",
        "noratelimit", "movefile", "unblockself", "suppressredirect", "mergehistory",
        "managechangetags", "deletechangetags",
    ],
    "interface-admin": [
        "editinterface", "editsitecss", "editsitejson", "editsitejs", "editusercss",
        "edituserjson", "edituserjs",
    ],
    "bureaucrat": ["userrights", "noratelimit"],
    "suppress": [
        "hideuser", "suppressrevision", "viewsuppressed", "suppressionlog", "deleterevision",
        "deletelogentry",
    ],
}

#: $wgAddGroups / $wgRemoveGroups of 1.39: bureaucrats manage these groups.
DEFAULT_CHANGEABLE_GROUPS: dict[str, list[str]] = {
    "bureaucrat": ["bot", "sysop", "interface-admin", "bureaucrat", "suppress"],
}


@dataclass(frozen=True)
class SiteSettings:
    sitename: str = "wikigate"
    #: Public base URL, e.g. ``https://wiki.example.org``; empty = derived from each request.
    server: str = ""
    script_path: str = ""
    language: str = "en"
    #: Cookie prefix; MediaWiki's default is the database name (``my_wiki``).
    cookie_prefix: str = "my_wiki"
    #: ``detect`` (Secure when the request is HTTPS), ``always`` or ``never``.
    cookie_secure: str = "detect"
    #: Empty = no SameSite attribute (MediaWiki's default); ``Lax``/``Strict``/``None``.
    cookie_samesite: str = ""
    #: Secret for token and cookie MACs; generated into the data directory when empty.
    secret_key: str = ""
    server_name: str = ""
    read_only: str = ""
    #: $wgRCMaxAge in days: recent-changes rows older than this are purged.
    rc_max_age_days: int = 90


@dataclass(frozen=True)
class StorageSettings:
    #: ``sqlite:///path``, ``postgresql://…`` or ``mysql://…``; empty = SQLite in data_dir.
    database_url: str = ""
    #: When set, sessions, throttles and flows live in Redis (shared by all hosts).
    redis_url: str = ""
    data_dir: str = "data"
    pool_size: int = 10
    #: Seconds to wait for a new connection to PostgreSQL/MariaDB, and for a free pooled one.
    database_connect_timeout: float = 3.0
    #: Seconds (beyond the connect timeout) one transaction of a request may take on
    #: PostgreSQL/MariaDB before the request fails with 503 (a frozen database must not
    #: hold requests indefinitely). Migrations, the CLI and imports are not limited.
    database_statement_timeout: float = 10.0
    #: Seconds to connect to Redis, and to wait for one Redis reply (a frozen Redis).
    redis_connect_timeout: float = 0.5
    redis_socket_timeout: float = 0.5
    #: Retries (with a short jittered backoff) of a Redis command whose connection broke,
    #: e.g. a pooled connection left stale by a Redis restart.
    redis_retries: int = 2
    #: Seconds a Redis connection may sit idle before it is checked with PING on next use.
    redis_health_check_interval: int = 10


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    #: Trust X-Forwarded-For from these proxy addresses (comma separated).
    forwarded_allow_ips: str = ""
    max_body_bytes: int = 16 * 1024 * 1024
    log_level: str = "info"
    #: Seconds /readyz waits for the database and the key-value store before it answers 503.
    ready_timeout: float = 2.0


@dataclass(frozen=True)
class HttpSettings:
    """Limits of the HTTP edge: what one request may make the server read and parse."""

    #: Parameters in the query string and body together (PHP's max_input_vars).
    max_params: int = 1000
    #: Bytes of one parameter name (bounds ``a[b][c]…`` nesting too).
    max_param_name_bytes: int = 256
    #: Bytes of one header line of a multipart/form-data part.
    max_part_header_bytes: int = 4096
    #: Bytes of the request line and headers together; more → 431.
    max_header_bytes: int = 65536
    #: Seconds a connection may take to send a request's headers; then 408 and closed.
    header_timeout_seconds: float = 10.0
    #: Seconds allowed between two chunks of a request body; then 408 and closed (0 = none).
    body_timeout_seconds: float = 30.0
    #: Seconds an idle keep-alive connection stays open between requests.
    keepalive_timeout_seconds: int = 5
    #: Connections plus running requests per worker before new requests get 503 (0 = no limit).
    limit_concurrency: int = 0


@dataclass(frozen=True)
class SessionSettings:
    ttl_seconds: int = 3600
    cookie_expiration: int = 30 * 86400
    extended_cookie_expiration: int = 180 * 86400
    #: ``choose`` (client picks rememberMe), ``always`` or ``never``.
    remember_me: str = "choose"
    reauthenticate_seconds: int = 3600


@dataclass(frozen=True)
class PasswordSettings:
    default_type: str = "pbkdf2"
    pbkdf2_algo: str = "sha512"
    pbkdf2_iterations: int = 30000
    pbkdf2_length: int = 64
    bcrypt_cost: int = 9
    argon2_memory_kib: int = 65536
    argon2_time: int = 4
    argon2_parallelism: int = 1
    #: Threads hashing passwords off the event loop (0 = number of CPUs).
    hash_threads: int = 0
    #: Maximum hashing jobs waiting for a thread before logins are refused with a
    #: ``ratelimited``-style failure instead of queueing unboundedly.
    hash_queue: int = 256
    temporary_password_expiry: int = 604800
    reminder_resend_hours: int = 24
    #: $wgPasswordPolicy['policies'] overrides: group -> check -> value or table.
    policies: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ThrottleSettings:
    #: $wgPasswordAttemptThrottle: list of {count, seconds[, allIPs]}.
    password_attempts: list[dict[str, Any]] = field(
        default_factory=lambda: [{"count": 5, "seconds": 300}, {"count": 150, "seconds": 172800}]
    )
    #: $wgAccountCreationThrottle (count 0 = disabled, as MediaWiki's default).
    account_creation: list[dict[str, Any]] = field(
        default_factory=lambda: [{"count": 0, "seconds": 86400}]
    )
    #: $wgRateLimits['mailpassword']['ip'] (overrides that key of ``rate_limits``).
    mailpassword_ip: list[int] = field(default_factory=lambda: [5, 3600])
    #: $wgRateLimits: action -> entity type (anon, user, newbie, ip, subnet, ip-all,
    #: subnet-all, user-global or a group) -> [hits, seconds]; "&can-bypass" = false
    #: makes an action limited for users with ``noratelimit`` too. Setting it replaces
    #: MediaWiki's default table.
    rate_limits: dict[str, dict[str, Any]] = field(
        default_factory=lambda: {k: {e: list(c) for e, c in v.items()} for k, v in DEFAULT_RATE_LIMITS.items()})
    #: Beyond MediaWiki: failed logins per account over all IPs (distributed guessing),
    #: [count, seconds]; count 0 = off.
    account_attempts: list[int] = field(default_factory=lambda: [100, 3600])
    #: Beyond MediaWiki: failed logins per client IP over all accounts (password
    #: spraying), [count, seconds]; count 0 = off.
    ip_attempts: list[int] = field(default_factory=lambda: [100, 3600])


@dataclass(frozen=True)
class MailSettings:
    enabled: bool = True
    #: ``maildir`` (spool in data_dir/mail), ``smtp``, ``console`` or ``memory``.
    backend: str = "maildir"
    sender: str = "wiki@localhost"
    maildir: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_tls: str = "none"  # none | starttls | tls
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_timeout: float = 10.0
    retries: int = 5
    #: $wgEmailAuthentication. wikigate has no e-mail confirmation page, so addresses count
    #: as confirmed unless this is true (the reference wiki runs with false too).
    email_authentication: bool = False


@dataclass(frozen=True)
class RightsSettings:
    #: $wgGroupPermissions: group -> list of rights (replaces the default list of that group).
    group_permissions: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_GROUP_PERMISSIONS.items()}
    )
    #: $wgRevokePermissions: group -> rights taken away.
    revoke_permissions: dict[str, list[str]] = field(default_factory=dict)
    add_groups: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_CHANGEABLE_GROUPS.items()}
    )
    remove_groups: dict[str, list[str]] = field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_CHANGEABLE_GROUPS.items()}
    )
    autoconfirm_age: int = 0
    autoconfirm_count: int = 0


@dataclass(frozen=True)
class ProtectionSettings:
    levels: list[str] = field(default_factory=lambda: ["", "autoconfirmed", "sysop"])
    cascading_levels: list[str] = field(default_factory=lambda: ["sysop"])
    semiprotected_levels: list[str] = field(default_factory=lambda: ["autoconfirmed"])
    types: list[str] = field(default_factory=lambda: ["create", "edit", "move", "upload"])


@dataclass(frozen=True)
class AuthSettings:
    #: Extra providers appended after the core ones: a provider id of
    #: wikigate.auth.flow.registry.KNOWN_PROVIDERS or a "module:Class" entry point.
    providers: list[str] = field(default_factory=list)
    enable_bot_passwords: bool = True
    #: Older spelling of ``throttle.account_attempts``: {count, seconds} or empty; when set
    #: it replaces that setting.
    account_attempt_limit: dict[str, int] = field(default_factory=dict)
    password_reset_routes: list[str] = field(default_factory=lambda: ["username", "email"])


# ---- captcha and two-factor settings (issue 11; wikigate.auth.providers.captcha/totp) ----

#: ConfirmEdit's authentication triggers ($wgCaptchaTriggers keys wikigate knows).
CAPTCHA_TRIGGERS = ("createaccount", "badlogin", "badloginperuser")


@dataclass(frozen=True)
class CaptchaSettings:
    """ConfirmEdit: ``kind`` "" is off (a null captcha that never asks)."""

    #: "" (off) | "question" (QuestyCaptcha) | "arithmetic" (SimpleCaptcha) | "image" (FancyCaptcha)
    kind: str = ""
    #: $wgCaptchaQuestions: question -> answer, or -> list of accepted answers.
    questions: dict[str, Any] = field(default_factory=dict)
    #: $wgCaptchaTriggers that are on.
    triggers: list[str] = field(default_factory=lambda: list(CAPTCHA_TRIGGERS))
    #: $wgCaptchaSessionExpiration: how long an unanswered captcha stays valid.
    expiry_seconds: int = 1800
    #: $wgCaptchaBadLoginAttempts / $wgCaptchaBadLoginExpiration (per client IP).
    bad_login_attempts: int = 3
    bad_login_expiry: int = 300
    #: $wgCaptchaBadLoginPerUserAttempts / $wgCaptchaBadLoginPerUserExpiration.
    bad_login_per_user_attempts: int = 20
    bad_login_per_user_expiry: int = 600
    #: $wgRateLimits['badcaptcha']['ip']: wrong answers per client IP in a window; beyond
    #: it every answer fails (even a right one) until the window ends.
    bad_captcha_limit: int = 15
    bad_captcha_seconds: int = 60
    #: Groups given the ``skipcaptcha`` right while captchas are on (ConfirmEdit's defaults).
    skip_groups: list[str] = field(default_factory=lambda: ["bot", "sysop"])


@dataclass(frozen=True)
class OathSettings:
    """OATHAuth (TOTP second factor); off unless ``enabled``."""

    enabled: bool = False
    #: The issuer shown by authenticator apps ($wgOATHAuthAccountPrefix; "" = the site name).
    issuer: str = ""
    #: Wrong codes per account before further codes are refused for ``throttle_seconds``
    #: (OATHAuth's ``$wgRateLimits['badoath']``: 10 per 60 s).
    throttle_count: int = 10
    throttle_seconds: int = 60
    #: Recovery (scratch) codes issued at enrolment.
    scratch_codes: int = 10

    #: Two-factor setup offered at the end of account creation (the seed's example 3):
    #: "off", "offer" (a skip button) or "require" for accounts in ``setup_required_groups``
    #: (others get the offer). Needs ``enabled``.
    setup_on_create: str = "off"
    setup_required_groups: list[str] = field(default_factory=list)

# ---- end of captcha and two-factor settings ----


@dataclass(frozen=True)
class OidcSettings:
    """Sign-in with external OpenID Connect providers (auth/providers/oidc.py).

    ``providers`` is a table of tables, one per provider, keyed by a short id
    (letters, digits, ``_``): ``issuer``, ``client_id``, ``client_secret``, ``label``
    (the button text), optional ``scopes`` and ``username_claim``. Checked at start-up
    by :func:`wikigate.auth.oidc.provider_configs`."""

    providers: dict[str, Any] = field(default_factory=dict)
    #: Seconds for any one HTTP request to a provider (discovery, keys, token exchange).
    timeout_seconds: float = 5.0
    #: Seconds a started sign-in may take at the provider before its ``state`` expires.
    flow_seconds: int = 600
    #: Seconds discovery documents and key sets are cached (a key not in the cached set
    #: triggers one early refresh: key rotation).
    cache_seconds: int = 3600
    #: Allow http:// issuers (local development and tests only).
    allow_insecure_http: bool = False


_OIDC_ID_RE = re.compile(r"^[A-Za-z0-9_]{1,32}$")


@dataclass(frozen=True)
class ProviderConfig:
    id: str
    issuer: str
    client_id: str
    client_secret: str
    label: str
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    #: The claim whose value is suggested as the new account's name.
    username_claim: str = "preferred_username"


def provider_configs(settings: OidcSettings) -> list[ProviderConfig]:
    """The ``[oidc.providers.<id>]`` tables, checked; ValueError names the bad key."""
    out = []
    for pid, table in settings.providers.items():
        key = f"oidc.providers.{pid}"
        if not _OIDC_ID_RE.match(pid):
            raise ValueError(f"{key}: the id must be 1-32 letters, digits or _")
        if not isinstance(table, dict):
            raise ValueError(f"{key}: expected a table")
        unknown = set(table) - {"issuer", "client_id", "client_secret", "label", "scopes", "username_claim"}
        if unknown:
            raise ValueError(f"{key}.{sorted(unknown)[0]}: unknown setting")
        for name in ("issuer", "client_id", "client_secret"):
            if not isinstance(table.get(name), str) or not table[name]:
                raise ValueError(f"{key}.{name}: required (a non-empty string)")
        issuer = str(table["issuer"]).rstrip("/")
        if not issuer.startswith("https://") and not (settings.allow_insecure_http and issuer.startswith("http://")):
            raise ValueError(f"{key}.issuer: must be an https:// URL (http:// only with oidc.allow_insecure_http)")
        scopes = table.get("scopes", ["openid", "profile", "email"])
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes) or "openid" not in scopes:
            raise ValueError(f"{key}.scopes: a list of scope names that includes \"openid\"")
        label = table.get("label") or f"OpenID Connect at {issuer.split('://', 1)[1].split('/', 1)[0]}"
        claim = table.get("username_claim", "preferred_username")
        if not isinstance(label, str) or not isinstance(claim, str):
            raise ValueError(f"{key}: label and username_claim must be strings")
        out.append(ProviderConfig(pid, issuer, str(table["client_id"]), str(table["client_secret"]), label,
                                  tuple(scopes), claim))
    return out


@dataclass(frozen=True)
class Settings:
    site: SiteSettings = field(default_factory=SiteSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    sessions: SessionSettings = field(default_factory=SessionSettings)
    passwords: PasswordSettings = field(default_factory=PasswordSettings)
    throttle: ThrottleSettings = field(default_factory=ThrottleSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    rights: RightsSettings = field(default_factory=RightsSettings)
    protection: ProtectionSettings = field(default_factory=ProtectionSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    captcha: CaptchaSettings = field(default_factory=CaptchaSettings)
    oath: OathSettings = field(default_factory=OathSettings)
    oidc: OidcSettings = field(default_factory=OidcSettings)
    #: Where this configuration came from (for messages); not a setting.
    source: str = ""

    @property
    def data_path(self) -> Path:
        return Path(self.storage.data_dir).expanduser()

    @property
    def database_url(self) -> str:
        url = self.storage.database_url
        if not url:
            return f"sqlite:///{(self.data_path / 'wikigate.db').resolve()}"
        return url


_CHOICES: dict[str, tuple[str, ...]] = {
    "site.cookie_secure": ("detect", "always", "never"),
    "site.cookie_samesite": ("", "Lax", "Strict", "None"),
    "sessions.remember_me": ("choose", "always", "never"),
    "passwords.default_type": ("pbkdf2", "argon2", "bcrypt"),
    "mail.backend": ("maildir", "smtp", "console", "memory"),
    "mail.smtp_tls": ("none", "starttls", "tls"),
    "server.log_level": ("critical", "error", "warning", "info", "debug"),
    "captcha.kind": ("", "question", "arithmetic", "image"),
    "oath.setup_on_create": ("off", "offer", "require"),
}


def _coerce(key: str, value: Any, typ: Any) -> Any:
    origin = get_origin(typ)
    if typ is bool:
        if isinstance(value, bool):
            return value
        raise ConfigError(f"{key}: expected true or false, got {value!r}")
    if typ is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key}: expected an integer, got {value!r}")
        return value
    if typ is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{key}: expected a number, got {value!r}")
        return float(value)
    if typ is str:
        if not isinstance(value, str):
            raise ConfigError(f"{key}: expected a string, got {value!r}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        (item,) = get_args(typ) or (Any,)
        return [v if item is Any else _coerce(f"{key}[{i}]", v, item) for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a table, got {value!r}")
        return dict(value)
    return value


def _apply(obj: _D, data: dict[str, Any], prefix: str) -> _D:
    """A copy of ``obj`` with ``data`` (a TOML table) applied, each value checked."""
    hints = get_type_hints(type(obj))
    known = {f.name for f in fields(obj)}  # type: ignore[arg-type]
    changes: dict[str, Any] = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if name not in known or name == "source":
            raise ConfigError(f"{key}: unknown setting")
        current = getattr(obj, name)
        if is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{key}: expected a table")
            changes[name] = _apply(current, value, f"{key}.")
        else:
            changes[name] = _coerce(key, value, hints[name])
    return replace(obj, **changes)  # type: ignore[type-var]


def with_overrides(settings: Settings, overrides: dict[str, Any]) -> Settings:
    """New settings: ``settings`` with ``{"section.key": value}`` applied (values are not
    coerced or validated; for tests and callers that build settings in code)."""
    tables: dict[str, dict[str, Any]] = {}
    for dotted, value in overrides.items():
        section, _, name = dotted.partition(".")
        tables.setdefault(section, {})[name] = value
    return replace(settings, **{section: replace(getattr(settings, section), **values)
                                for section, values in tables.items()})


def _env_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("WIKIGATE_") or name in ("WIKIGATE_CONFIG",):
            continue
        if name.startswith("WIKIGATE_TEST_"):
            continue
        parts = name[len("WIKIGATE_"):].lower().split("__")
        target = out
        for p in parts[:-1]:
            target = target.setdefault(p, {})
        target[parts[-1]] = _env_value(raw)
    return out


def validate(settings: Settings) -> None:
    for dotted, choices in _CHOICES.items():
        section, name = dotted.split(".")
        value = getattr(getattr(settings, section), name)
        if value not in choices:
            raise ConfigError(f"{dotted}: must be one of {', '.join(map(repr, choices))}, got {value!r}")
    url = settings.storage.database_url
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    if url and scheme not in ("sqlite", "postgresql", "postgres", "mysql", "mariadb"):
        raise ConfigError(f"storage.database_url: unsupported database {url.split(':', 1)[0]!r} "
                          "(use sqlite:///…, postgresql://… or mysql://…)")
    if settings.storage.redis_url and not settings.storage.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError("storage.redis_url: must start with redis://, rediss:// or unix://")
    st = settings.storage
    for name in ("database_connect_timeout", "database_statement_timeout", "redis_connect_timeout",
                 "redis_socket_timeout"):
        if not getattr(st, name) > 0:
            raise ConfigError(f"storage.{name}: must be a positive number of seconds, got {getattr(st, name)!r}")
    if st.redis_retries < 0 or st.redis_health_check_interval < 0:
        raise ConfigError("storage.redis_retries and storage.redis_health_check_interval: must not be negative")
    if settings.site.rc_max_age_days < 1:
        raise ConfigError(f"site.rc_max_age_days: must be at least 1, got {settings.site.rc_max_age_days}")
    if not 1 <= settings.server.port <= 65535:
        raise ConfigError(f"server.port: must be 1..65535, got {settings.server.port}")
    if not 0 < settings.server.ready_timeout <= 60:
        raise ConfigError(f"server.ready_timeout: must be more than 0 and at most 60 seconds, "
                          f"got {settings.server.ready_timeout}")
    if settings.server.workers < 1:
        raise ConfigError("server.workers: must be at least 1")
    if settings.server.max_body_bytes < 1024:
        raise ConfigError("server.max_body_bytes: must be at least 1024")
    for key in ("max_params", "max_param_name_bytes", "max_part_header_bytes", "max_header_bytes",
                "keepalive_timeout_seconds"):
        if getattr(settings.http, key) < 1:
            raise ConfigError(f"http.{key}: must be at least 1")
    if settings.http.max_header_bytes < 1024:
        raise ConfigError("http.max_header_bytes: must be at least 1024")
    for key in ("header_timeout_seconds", "body_timeout_seconds", "limit_concurrency"):
        if getattr(settings.http, key) < 0:
            raise ConfigError(f"http.{key}: must not be negative")
    if settings.sessions.ttl_seconds < 60:
        raise ConfigError("sessions.ttl_seconds: must be at least 60")
    for i, cond in enumerate(settings.throttle.password_attempts):
        if not isinstance(cond.get("count"), int) or not isinstance(cond.get("seconds"), int):
            raise ConfigError(f"throttle.password_attempts[{i}]: needs integer count and seconds")
    for name in ("mailpassword_ip", "account_attempts", "ip_attempts"):
        pair = getattr(settings.throttle, name)
        if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in pair):
            raise ConfigError(f"throttle.{name}: expected [count, seconds] (non-negative integers)")
    for action, conds in settings.throttle.rate_limits.items():
        if not isinstance(conds, dict):
            raise ConfigError(f"throttle.rate_limits.{action}: expected a table of entity = [hits, seconds]")
        for entity, cond in conds.items():
            if entity == "&can-bypass":
                if not isinstance(cond, bool):
                    raise ConfigError(f"throttle.rate_limits.{action}.&can-bypass: expected true or false")
            elif (not isinstance(cond, list) or len(cond) != 2
                  or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in cond)):
                raise ConfigError(f"throttle.rate_limits.{action}.{entity}: expected [hits, seconds] "
                                  "(non-negative integers)")
    levels = settings.protection.levels
    if "" not in levels:
        raise ConfigError("protection.levels: must contain the empty level \"\"")
    for lv in settings.protection.cascading_levels + settings.protection.semiprotected_levels:
        if lv not in levels:
            raise ConfigError(f"protection: level {lv!r} is not listed in protection.levels")
    for group, rights in settings.rights.group_permissions.items():
        if not all(isinstance(r, str) for r in rights):
            raise ConfigError(f"rights.group_permissions.{group}: must be a list of right names")
    if settings.site.server and not settings.site.server.startswith(("http://", "https://", "//")):
        raise ConfigError("site.server: must be an absolute URL such as https://wiki.example.org")
    for route in settings.auth.password_reset_routes:
        if route not in ("username", "email"):
            raise ConfigError(f"auth.password_reset_routes: unknown route {route!r}")
    _validate_captcha_oath(settings)


def _validate_captcha_oath(settings: Settings) -> None:
    c = settings.captcha
    for t in c.triggers:
        if t not in CAPTCHA_TRIGGERS:
            raise ConfigError(f"captcha.triggers: unknown trigger {t!r} (known: {', '.join(CAPTCHA_TRIGGERS)})")
    if c.kind == "question":
        if not c.questions:
            raise ConfigError("captcha.questions: the question captcha needs at least one question")
        for q, a in c.questions.items():
            answers = a if isinstance(a, list) else [a]
            if not q.strip() or not answers or not all(isinstance(x, str) and x for x in answers):
                raise ConfigError(f"captcha.questions: {q!r} needs a non-empty answer or list of answers")
    if c.kind == "image":
        try:
            import captcha.image  # noqa: F401
        except ImportError:
            raise ConfigError('captcha.kind: "image" needs the captcha library '
                              "(pip install 'wikigate[image-captcha]')") from None
    for name in ("expiry_seconds", "bad_login_attempts", "bad_login_expiry",
                 "bad_login_per_user_attempts", "bad_login_per_user_expiry", "bad_captcha_limit",
                 "bad_captcha_seconds"):
        if getattr(c, name) < 1:
            raise ConfigError(f"captcha.{name}: must be at least 1")
    o = settings.oath
    if o.throttle_count < 1 or o.throttle_seconds < 1:
        raise ConfigError("oath.throttle_count and oath.throttle_seconds: must be at least 1")
    if not 1 <= o.scratch_codes <= 50:
        raise ConfigError("oath.scratch_codes: must be 1..50")
    if o.setup_on_create != "off" and not o.enabled:
        raise ConfigError("oath.setup_on_create: needs oath.enabled = true")
    d = settings.oidc
    if not 0 < d.timeout_seconds <= 60:
        raise ConfigError("oidc.timeout_seconds: must be more than 0 and at most 60")
    if d.flow_seconds < 60 or d.cache_seconds < 0:
        raise ConfigError("oidc.flow_seconds: must be at least 60; oidc.cache_seconds: not negative")
    try:
        provider_configs(d)
    except ValueError as e:
        raise ConfigError(str(e)) from None


def load_settings(path: str | os.PathLike[str] | None = None,
                  environ: dict[str, str] | None = None) -> Settings:
    """Read ``path`` (or ``$WIKIGATE_CONFIG``; none = defaults), apply env overrides, validate."""
    env = dict(os.environ if environ is None else environ)
    settings = Settings()
    path = path or env.get("WIKIGATE_CONFIG") or None
    if path:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"configuration file {p} does not exist") from None
        except tomllib.TOMLDecodeError as e:
            raise ConfigError(f"{p}: not valid TOML: {e}") from None
        settings = replace(_apply(settings, data, ""), source=str(p))
    overrides = _env_overrides(env)
    if overrides:
        settings = _apply(settings, overrides, "")
    validate(settings)
    return settings
