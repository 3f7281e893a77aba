"""Bot-password logins (BotPassword::login) and the validity of the sessions they
open (BotPasswordSessionProvider::refreshSessionInfo).

A successful login opens a separate, immutable bot-password session (cookie
``<prefix>_BPsession``, api.php only); the cookie session of the client is left alone,
as MediaWiki does. This module never imports HTTP code: the API context is only used
through the small :class:`LoginContext` protocol.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from wikigate.auth.botpasswords.model import BotPassword
from wikigate.auth.botpasswords.store import BotPasswordStore
from wikigate.auth.providers.throttle import hit_detail
from wikigate.auth.sessions import Session
from wikigate.auth.throttle import login_throttle
from wikigate.auth.usernames import login_username
from wikigate.i18n import Duration, Message

if TYPE_CHECKING:
    from wikigate.auth.hashpool import HashingService
    from wikigate.services import Services
    from wikigate.users.model import User

log = logging.getLogger("wikigate.auth.botpasswords")

LoginOutcome = tuple[Literal["success", "failed", "skip"], Any]


@dataclass(frozen=True)
class ThrottleFailure:
    """A throttled bot-password login: the message, and the seconds left to wait."""

    message: Message
    wait: int



class _State(Protocol):
    session: Session
    provider: str


class _Request(Protocol):
    client_ip: str

    def header(self, name: str) -> str | None: ...


class LoginContext(Protocol):
    """What :meth:`BotPasswords.login` needs from the API request context."""

    state: Any
    request: Any
    now: float

    def set_user(self, user: User) -> None: ...



class BotPasswordSessions:
    """Login with a bot password, and the per-request check of the session it opened."""

    def __init__(self, services: Services, store: BotPasswordStore) -> None:
        self.services = services
        self.store = store

    @property
    def enabled(self) -> bool:
        return bool(self.services.settings.auth.enable_bot_passwords)

    @property
    def _hashing(self) -> HashingService:
        return self.services.hashing

    # -- login (action=login) ------------------------------------------------------------------

    async def login(self, ctx: LoginContext, username: str, app_id: str, password: str) -> LoginOutcome:
        """Try a bot-password login (BotPassword::login).

        Returns ("success", user) after switching the request to a new bot-password
        session; ("failed", Message) for the failures action=login reports as such
        (password needs reset), ("failed", ThrottleFailure) when throttled; ("skip", None)
        for everything else — unknown user or app, restriction failed, wrong secret — so
        the caller falls through to the main-account login, exactly as ApiLogin does.

        The throttle (Throttler type "botpassword", plus the per-account and per-IP limits
        shared with every login) counts under the same canonical name as the login itself,
        takes its slot atomically, and gives it back if no secret was verified.
        """
        if not self.enabled:
            return "skip", None
        ip = ctx.request.client_ip
        canonical = login_username(username)
        user = await self.services.users.get_by_name(canonical) if canonical else None
        if user is None:
            # No such account: spend a verification anyway so timing does not tell.
            await self._hashing.dummy_verify(password)
            return "skip", None
        throttle = login_throttle(self.services.kv, self.services.settings, "botpassword")
        reservation, hit = await throttle.reserve(user.name, ip)
        if hit is not None:
            log.info("bot password login throttled for user %d", user.id)
            await self._audit("login-throttled", user, ip, hit_detail("botpassword", hit))
            return "failed", ThrottleFailure(Message("login-throttled", (Duration(hit.seconds),)), hit.wait)
        verified = False
        try:
            bp = await self.store.get(user.id, app_id)
            if bp is None or not bp.restrictions.check(ip, ctx.request.header("referer")):
                await self._hashing.dummy_verify(password)
                verified = True
                return "skip", None
            if bp.needs_reset:
                await self._audit("login-failure", user, ip, f"botpassword app={bp.app_id} reason=needs-reset")
                return "failed", Message("botpasswords-needs-reset", (username, app_id))
            ok = await self._hashing.verify(bp.password_hash, password)
            verified = True
            if not ok:
                await self._audit("login-failure", user, ip, f"botpassword app={bp.app_id} reason=wrong-secret")
                return "skip", None
        finally:
            if not verified:  # nothing was checked (store down, hashing busy): not an attempt
                await throttle.release(reservation)
        await throttle.succeeded(user.name, ip)
        await self._open_session(ctx, user, bp)
        log.info("bot password login for user %d app %r", user.id, bp.app_id)
        await self._audit("login-success", user, ip,
                          f"botpassword app={bp.app_id} grants={','.join(bp.grants)}")
        return "success", user

    async def _audit(self, event: str, user: User, ip: str, detail: str) -> None:
        audit = self.services.audit
        try:
            await audit.record(event, user, ip, detail)
        except Exception:  # the audit trail must never break a login
            log.exception("audit record %s failed", event)

    async def _open_session(self, ctx: LoginContext, user: User, bp: BotPassword) -> None:
        state = ctx.state
        # The cookie session is kept (saved now, with whatever this request changed) and
        # not re-sent: MediaWiki answers a bot-password login with the BPsession cookie
        # only, and the client's earlier session — its login token included — stays valid.
        await self.services.sessions.save(state.session, now=ctx.now)
        session = Session()
        session.persist()  # a fresh random id: never reuse an id the client chose
        session.set_user(user.id, user.name, user.token, remember=False, now=ctx.now)
        session.bot = {"app_id": bp.app_id, "grants": list(bp.grants), "bp_token": bp.token}
        state.session = session
        state.provider = "botpassword"
        ctx.set_user(user)

    # -- session refresh (BotPasswordSessionProvider::refreshSessionInfo) --------------------

    async def session_valid(self, session: Session, user: User, ip: str) -> bool:
        """Whether a stored bot-password session may still be used: bot passwords still
        enabled, the row still exists with the same token (any save or delete ends the
        session), and the client IP is still allowed. The grants are re-read, so the
        rights follow the current row (MediaWiki refreshes them the same way)."""
        if not self.enabled or not session.bot:
            return False
        # A changed user_token ("log out everywhere", password change) ends every session
        # of the user, bot-password sessions included.
        if not user.token or not secrets.compare_digest(user.token, session.user_token):
            return False
        app_id = session.bot.get("app_id")
        token = session.bot.get("bp_token")
        if not isinstance(app_id, str) or not isinstance(token, str):
            return False
        bp = await self.store.get(user.id, app_id)
        if bp is None or not secrets.compare_digest(bp.token, token):
            return False
        if not bp.restrictions.check_ip(ip):
            return False
        if session.bot.get("grants") != bp.grants:
            session.bot = {**session.bot, "grants": list(bp.grants)}
            session.dirty = True
        return True

