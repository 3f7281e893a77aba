"""``services.botpasswords``: creating, changing, resetting and deleting
bot passwords (Special:BotPasswords and ``wikigate botpassword`` call the same methods),
plus the login and session checks of :mod:`.sessions`."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from wikigate.auth.botpasswords.model import (
    BotPassword,
    BotPasswordError,
    Restrictions,
    normalize_app_id,
    normalize_grants,
    validate_new_app_id,
    validate_sizes,
)
from wikigate.auth.botpasswords.sessions import BotPasswordSessions, LoginContext, LoginOutcome
from wikigate.auth.botpasswords.store import BotPasswordStore
from wikigate.auth.passwords import bot_password_secret
from wikigate.auth.sessions import Session
from wikigate.auth.usernames import canonical_username
from wikigate.i18n import Message

if TYPE_CHECKING:
    from wikigate.auth.hashpool import HashingService
    from wikigate.services import Services
    from wikigate.users.model import User

log = logging.getLogger("wikigate.auth.botpasswords")


class BotPasswords:
    """``services.botpasswords``: management, login and session checks."""

    def __init__(self, services: Services, store: BotPasswordStore | None = None) -> None:
        self.services = services
        self.store = store or BotPasswordStore(services.db)
        self.sessions = BotPasswordSessions(services, self.store)

    @property
    def enabled(self) -> bool:
        return bool(self.services.settings.auth.enable_bot_passwords)

    @property
    def _hashing(self) -> HashingService:
        return self.services.hashing

    # -- management (Special:BotPasswords, CLI) --------------------------------------------

    async def get(self, user_id: int, app_id: str) -> BotPassword | None:
        return await self.store.get(user_id, app_id)

    async def list_for_user(self, user_id: int) -> list[BotPassword]:
        return await self.store.list_for_user(user_id)

    def _prepare(self, user_id: int, app_id: str, grants: Iterable[str],
                 restrictions: Restrictions | None) -> BotPassword:
        norm = normalize_app_id(app_id)
        if norm is None:
            raise BotPasswordError(Message("botpasswords-bad-appid", (app_id,)))
        try:
            grant_list = normalize_grants(grants)
        except ValueError as e:
            raise BotPasswordError(Message("botpasswords-unknown-grant", (str(e),))) from None
        restr = restrictions or Restrictions()
        validate_sizes(restr, grant_list)
        return BotPassword(user_id=user_id, app_id=norm, token="", restrictions=restr, grants=grant_list)

    async def create(self, user_id: int, app_id: str, grants: Iterable[str] = (),
                     restrictions: Restrictions | None = None) -> tuple[BotPassword, str]:
        """Create a bot password; returns it and the generated secret (shown once)."""
        validate_new_app_id(app_id)
        bp = self._prepare(user_id, app_id, grants, restrictions)
        secret = bot_password_secret()
        if not await self.store.insert(bp, await self._hashing.hash(secret)):
            raise BotPasswordError(Message("botpasswords-insert-failed", (bp.app_id,)))
        log.info("bot password created for user %d app %r", user_id, bp.app_id)
        return bp, secret

    async def update(self, user_id: int, app_id: str, grants: Iterable[str] = (),
                     restrictions: Restrictions | None = None, *,
                     reset_password: bool = False) -> tuple[BotPassword, str | None]:
        """Change grants/restrictions (and optionally draw a new secret)."""
        bp = self._prepare(user_id, app_id, grants, restrictions)
        secret = bot_password_secret() if reset_password else None
        password_hash = await self._hashing.hash(secret) if secret is not None else None
        if not await self.store.update(bp, password_hash):
            raise BotPasswordError(Message("botpasswords-update-failed", (bp.app_id,)))
        log.info("bot password updated for user %d app %r (reset=%s)", user_id, bp.app_id, reset_password)
        return bp, secret

    async def reset(self, user_id: int, app_id: str) -> str:
        """A new secret for an existing bot password, grants and restrictions kept."""
        current = await self.store.get(user_id, app_id.strip())
        if current is None:
            raise BotPasswordError(Message("botpasswords-update-failed", (app_id.strip(),)))
        _, secret = await self.update(user_id, current.app_id, current.grants, current.restrictions,
                                      reset_password=True)
        assert secret is not None
        return secret

    async def delete(self, user_id: int, app_id: str) -> bool:
        ok = await self.store.delete(user_id, app_id.strip())
        if ok:
            log.info("bot password deleted for user %d app %r", user_id, app_id.strip())
        return ok

    async def invalidate_all(self, user_id: int) -> int:
        """Called when the main account's password changes: every bot password of the
        user must then be reset before it works again (``botpasswords-needs-reset``)."""
        return await self.store.invalidate_all(user_id)

    async def invalidate_user_passwords(self, username: str) -> int:
        """BotPasswordStore::invalidateUserPasswords, by name (what AuthManager holds when a
        password change goes through); 0 if there is no such user."""
        canonical = canonical_username(username)
        user = await self.services.users.get_by_name(canonical) if canonical else None
        return await self.invalidate_all(user.id) if user is not None else 0

    async def remove_all(self, user_id: int) -> int:
        return await self.store.remove_all(user_id)

    # -- login and session checks (wikigate.auth.botpasswords.sessions) ----------------------

    async def login(self, ctx: LoginContext, username: str, app_id: str, password: str) -> LoginOutcome:
        """:meth:`BotPasswordSessions.login`."""
        return await self.sessions.login(ctx, username, app_id, password)

    async def session_valid(self, session: Session, user: User, ip: str) -> bool:
        """:meth:`BotPasswordSessions.session_valid`."""
        return await self.sessions.session_valid(session, user, ip)
