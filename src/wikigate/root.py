"""The composition root: :func:`build_services` wires every part from the settings.

This is the only place that decides which implementation backs each service: the
Redis or SQL key-value store, the captcha kind or none, two-factor on or off. The
order of the rights grants matches the reference wiki's extension load order.
"""

from __future__ import annotations

from wikigate.api.base import Registry
from wikigate.auth.audit import AuditLog
from wikigate.auth.botpasswords.service import BotPasswords
from wikigate.auth.flow import AuthService
from wikigate.auth.hashpool import HashingService
from wikigate.auth.oath import NullOath, OathService, grant_oath_rights
from wikigate.auth.oidc import ExternalIdentityStore, OidcService
from wikigate.auth.passwords.common import is_common_password
from wikigate.auth.providers.captcha import grant_captcha_rights, make_captcha
from wikigate.auth.sessions import SessionStore
from wikigate.config import Settings
from wikigate.i18n import Catalog
from wikigate.logs.recentchanges import RecentChangesStore
from wikigate.logs.store import LogStore
from wikigate.mail.outbox import Outbox
from wikigate.mail.render import all_templates
from wikigate.pages.namespaces import Namespaces
from wikigate.pages.protect import ProtectionService
from wikigate.pages.service import PageService
from wikigate.pages.store import PageStore
from wikigate.services import Services, SiteSecret
from wikigate.storage.kv import KeyValueStore
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.kv import SqlKeyValueStore
from wikigate.users.groups import UserRightsService
from wikigate.users.newtalk import NewTalkStore
from wikigate.users.rights import Rights
from wikigate.users.store import UserStore
from wikigate.util.clock import Clock
from wikigate.web.ui import preload_templates


def make_kv(settings: Settings, db: Database, clock: Clock) -> KeyValueStore:
    """Redis when ``storage.redis_url`` is set, else the SQL-backed store."""
    if settings.storage.redis_url:
        from wikigate.storage.redis import RedisKeyValueStore

        return RedisKeyValueStore.from_settings(settings.storage)
    return SqlKeyValueStore(db, clock.time)


def build_services(settings: Settings, *, clock: Clock | None = None, db: Database | None = None,
                   kv: KeyValueStore | None = None) -> Services:
    """Every service for ``settings``. ``clock``, ``db`` and ``kv`` replace the configured
    ones (tests pass a fake clock or an in-memory store)."""
    clock = clock or Clock()
    st = settings.storage
    db = db or Database(settings.database_url, pool_size=st.pool_size,
                        connect_timeout=st.database_connect_timeout,
                        statement_timeout=st.database_statement_timeout)
    kv = kv or make_kv(settings, db, clock)
    captcha = make_captcha(settings, kv)
    # Extension rights in the reference's load order: OATHAuth before ConfirmEdit
    # (meta=userinfo lists a group's rights in the order they were granted).
    rights = Rights(settings.rights)
    if settings.oath.enabled:
        grant_oath_rights(rights.group_permissions)
    if captcha.enabled:
        grant_captcha_rights(rights.group_permissions, settings.captcha.skip_groups)
    recent = RecentChangesStore(db, clock, settings.site.rc_max_age_days)
    logs = LogStore(db, clock, recent)
    namespaces = Namespaces(settings.site.sitename)
    users = UserStore(db, clock)
    audit = AuditLog(db, clock)
    pages = PageStore(db, clock, logs, namespaces)
    newtalk = NewTalkStore(db)
    services = Services(
        settings=settings,
        clock=clock,
        db=db,
        kv=kv,
        sessions=SessionStore(kv, settings.sessions.ttl_seconds),
        users=users,
        rights=rights,
        catalog=Catalog(sitename=settings.site.sitename, server=settings.site.server + settings.site.script_path),
        # Empty until start-up loads the database's shared secret (unless configured).
        site_secret=SiteSecret(settings.site.secret_key.encode()),
        hashing=HashingService(settings.passwords),
        logs=logs,
        recent_changes=recent,
        audit=audit,
        namespaces=namespaces,
        pages=pages,
        newtalk=newtalk,
        page_service=PageService(pages, logs, newtalk, settings.site.sitename),
        protection=ProtectionService(pages, logs, settings.protection),
        userrights=UserRightsService(db, users, logs, rights, clock, audit),
        captcha=captcha,
        mailer=Outbox.from_settings(settings, db, clock),
        identities=ExternalIdentityStore(db, clock),
        api_registry=Registry(settings),
    )
    # The parts that keep a reference to the services object, attached before anyone
    # else sees it. (A frozen dataclass's fields can only be set this way.)
    object.__setattr__(services, "oath", OathService(services) if settings.oath.enabled else NullOath())
    object.__setattr__(services, "botpasswords", BotPasswords(services))
    object.__setattr__(services, "oidc", OidcService(settings.oidc, kv))
    object.__setattr__(services, "auth", AuthService(services))
    return services


def preload_package_data() -> None:
    """Read everything a request may need from the package into memory (idempotent);
    the composition root knows every user of package data."""
    is_common_password("")  # decodes the common-password filter once
    all_templates()
    preload_templates()
