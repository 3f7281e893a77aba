"""The services object handed to every component (no module-level singletons).

:func:`wikigate.root.build_services` creates it, in one place, from
:class:`~wikigate.config.Settings`; tests build the same root with in-memory parts.
Every part is a typed attribute and always present: a subsystem that is switched off
is its null implementation (``captcha`` is a :class:`NullCaptcha` without ``[captcha]``,
``oath`` a :class:`NullOath` without ``[oath]``, ``kv`` the SQL store without Redis).
The object is frozen: nothing is added or replaced after :func:`build_services` returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from wikigate.config import Settings
from wikigate.storage.kv import KeyValueStore
from wikigate.storage.sql.database import Database
from wikigate.users.rights import Rights
from wikigate.users.store import UserStore
from wikigate.util.clock import Clock

if TYPE_CHECKING:
    from wikigate.api.base import ApiModule, Registry
    from wikigate.api.params import Param
    from wikigate.auth.audit import AuditLog
    from wikigate.auth.botpasswords.service import BotPasswords
    from wikigate.auth.flow import AuthService
    from wikigate.auth.hashpool import HashingService
    from wikigate.auth.oath import NullOath, OathService
    from wikigate.auth.oidc import ExternalIdentityStore, OidcService
    from wikigate.auth.providers.captcha import Captcha
    from wikigate.auth.sessions import Session, SessionStore
    from wikigate.i18n import Catalog
    from wikigate.logs.recentchanges import RecentChangesStore
    from wikigate.logs.store import LogStore
    from wikigate.mail.outbox import Outbox
    from wikigate.pages.namespaces import Namespaces
    from wikigate.pages.protect import ProtectionService
    from wikigate.pages.service import PageService
    from wikigate.pages.store import PageStore
    from wikigate.users.groups import UserRightsService
    from wikigate.users.model import User
    from wikigate.users.newtalk import NewTalkStore


class Startable(Protocol):
    async def start(self) -> None: ...


class Stoppable(Protocol):
    async def stop(self) -> None: ...


class SiteSecret:
    """The secret for server-side MACs (bot-password sessions, mail ids, 2FA cipher …).

    Empty until start-up reads the database's shared secret (unless ``site.secret_key``
    is configured); :meth:`set` is called once then, by the app or a CLI command."""

    def __init__(self, value: bytes = b"") -> None:
        self._value = value

    @property
    def value(self) -> bytes:
        return self._value

    def set(self, value: bytes) -> None:
        self._value = value


@dataclass(frozen=True, eq=False)
class Services:
    settings: Settings
    clock: Clock
    db: Database
    kv: KeyValueStore
    sessions: SessionStore
    users: UserStore
    rights: Rights
    catalog: Catalog
    site_secret: SiteSecret
    hashing: HashingService
    logs: LogStore
    recent_changes: RecentChangesStore
    audit: AuditLog
    namespaces: Namespaces
    pages: PageStore
    #: New-talk-page messages (``uiprop=hasmsg``, ``action=clearhasmsg``).
    newtalk: NewTalkStore
    #: Page writes (edit, move) and the reads front ends need, one transaction each.
    page_service: PageService
    #: action=protect's checks and its one-transaction update.
    protection: ProtectionService
    #: Group changes (action=userrights, ``wikigate user``), with their log entries.
    userrights: UserRightsService
    #: A :class:`~wikigate.auth.providers.captcha.NullCaptcha` (never asks) without ``[captcha]``.
    captcha: Captcha
    mailer: Outbox
    #: External (OpenID Connect) identities linked to accounts.
    identities: ExternalIdentityStore
    #: The API modules (api.php's actions and query submodules).
    api_registry: Registry
    # These three hold the services object themselves; build_services attaches them.
    #: A :class:`~wikigate.auth.oath.NullOath` (nobody enrolled) when ``oath.enabled`` is off.
    oath: OathService | NullOath = field(init=False)
    botpasswords: BotPasswords = field(init=False)
    #: The OpenID Connect relying party (``enabled`` false without ``[oidc.providers]``).
    oidc: OidcService = field(init=False)
    auth: AuthService = field(init=False)
    #: ``ApiModule.final_params`` tables of modules whose parameters depend only on the settings.
    param_cache: dict[type[ApiModule], dict[str, Param]] = field(default_factory=dict, init=False)

    @property
    def secret_key(self) -> bytes:
        """Secret for server-side MACs; empty until start-up has loaded it (see :class:`SiteSecret`)."""
        return self.site_secret.value

    def startables(self) -> tuple[Startable, ...]:
        """Components with ``async start()``, in start order (the app calls them at start-up)."""
        return (self.mailer,)

    def stoppables(self) -> tuple[Stoppable, ...]:
        """Components with ``async stop()``, in stop order (the app calls them at shut-down)."""
        return (self.hashing, self.mailer, self.oidc)

    async def bot_session_valid(self, session: Session, user: User, ip: str) -> bool:
        """Whether a bot-password session is still valid (app exists, token unchanged, IP allowed)."""
        return await self.botpasswords.session_valid(session, user, ip)
