"""The services object handed to every component (no module-level singletons).

``app.build_services`` creates it from :class:`~wikigate.config.Settings`; tests build
one with in-memory parts. Components that later issues add (authentication manager,
pages, mail …) hang off the same object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wikigate.config import Settings
from wikigate.storage.kv import KeyValueStore
from wikigate.storage.sql.database import Database
from wikigate.users.rights import Rights
from wikigate.users.store import UserStore
from wikigate.util.clock import Clock

if TYPE_CHECKING:
    from wikigate.auth.sessions import Session, SessionStore
    from wikigate.i18n import Catalog
    from wikigate.users.model import User


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    kv: KeyValueStore
    sessions: SessionStore
    users: UserStore
    rights: Rights
    catalog: Catalog
    #: Secret for server-side MACs (bot-password sessions, mail ids …).
    secret_key: bytes
    #: Other components by name ("auth", "pages", "mailer", "botpasswords", "audit" …).
    components: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.components[name]

    async def bot_session_valid(self, session: Session, user: User, ip: str) -> bool:
        """Whether a bot-password session is still valid (app exists, token unchanged, IP allowed)."""
        checker = self.components.get("botpasswords")
        if checker is None:
            return False
        return bool(await checker.session_valid(session, user, ip))
