"""Password reset by e-mail (MediaWiki's PasswordReset service; spec resetpassword.md §2–3).

The rules that matter are about *not telling*: an unknown user, a user without e-mail,
an unknown or malformed address, a second request within ``reminder_resend_hours`` and
a caller over the per-IP ``mailpassword`` limit all get the same success answer and
no mail, so the API cannot be used to find out who has an account or an address.

The work that differs between "someone" and "no one" (hashing the temporary password,
storing it, queueing the mail) runs after the response, as MediaWiki's deferred
``SendPasswordResetEmailUpdate`` does, so response times do not tell either.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wikigate.auth.passwords import merge_policy_overrides, random_password, random_password_min_length
from wikigate.auth.ratelimit import RateLimiter, RateLimitSubject, effective_rate_limits
from wikigate.auth.usernames import canonical_username
from wikigate.i18n import format_duration
from wikigate.mail import BadAddress, is_valid_email
from wikigate.mail.render import render
from wikigate.storage.sql.unit import UnitOfWork
from wikigate.users.model import User
from wikigate.util.clock import mw_timestamp, parse_mw_timestamp

if TYPE_CHECKING:
    from wikigate.services import Services

log = logging.getLogger("wikigate.auth.reset")


class ResetError(Exception):
    """A reset the caller must be told about: ``key`` is MediaWiki's message key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Caller:
    """Who asked: the name of a logged-in user (None when anonymous) and the client IP."""

    name: str | None
    ip: str
    rights: frozenset[str]
    #: The caller's user id (0 when anonymous) and explicit groups, for rate limits.
    user_id: int = 0
    groups: tuple[str, ...] = ()


class PasswordReset:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings

    @property
    def routes(self) -> list[str]:
        return list(self.settings.auth.password_reset_routes)

    def check_allowed(self, caller: Caller) -> None:
        """PasswordReset::isAllowed (no blocks exist in wikigate, so no ``blocked-mailpassword``)."""
        if not self.routes:
            raise ResetError("passwordreset-disabled")
        if not self.settings.mail.enabled:
            raise ResetError("passwordreset-emaildisabled")
        if "editmyprivateinfo" not in caller.rights:
            raise ResetError("badaccess")

    async def _over_rate_limit(self, caller: Caller) -> bool:
        """$wgRateLimits['mailpassword']: every call counts, limited ones pass silently.

        The ``ip`` key applies to anonymous and new (not autoconfirmed) users only, as
        MediaWiki's pingLimiter does (wikigate.auth.ratelimit)."""
        subject = RateLimitSubject.from_rights(caller.user_id, caller.ip, caller.groups, caller.rights)
        limiter = RateLimiter(self.services.kv, effective_rate_limits(self.settings.throttle))
        return await limiter.limit(subject, "mailpassword")

    async def request(self, caller: Caller, username: str | None, email: str | None,
                      *, main_page_url: str, defer: Callable[[Awaitable[None]], None]) -> None:
        """Validate and schedule a reset; returns normally for every silent-success case."""
        self.check_allowed(caller)
        if await self._over_rate_limit(caller):
            log.info("password reset by %s from %s ignored: mailpassword rate limit", caller.name, caller.ip)
            return
        username = username or ""
        email = email or ""
        users: list[User]
        if "username" in self.routes and username:
            method = "username"
            if canonical_username(username) is None:
                raise ResetError("noname")
            found = await self.services.users.get_by_name(username)
            users = [found] if found is not None else []
        elif "email" in self.routes and email:
            method = "email"
            if not is_valid_email(email):
                return  # malformed: pretend success
            users = await self.services.users.find_by_email(email)
        else:
            raise ResetError("passwordreset-nodata")
        # Unknown user, no address, unknown address: pretend success (T238961).
        if not users or not users[0].email:
            return
        now = self.services.clock.time()
        resend = self.settings.passwords.reminder_resend_hours * 3600
        for u in users:
            if u.newpass_time and now < parse_mw_timestamp(u.newpass_time) + resend:
                # One throttled account stops the whole request, as in MediaWiki, so the
                # answer never reveals how many accounts share an address.
                log.info("password reset for user %d throttled (resend time)", u.id)
                return
        log.info("password reset by %s from %s for %d account(s) via %s",
                 caller.name or "anonymous", caller.ip, len(users), method)
        defer(self._send_all([u.id for u in users], caller, main_page_url))

    async def _send_all(self, user_ids: list[int], caller: Caller, main_page_url: str) -> None:
        for uid in user_ids:
            try:
                await self.send_temporary_password(uid, caller, main_page_url)
            except BadAddress:
                # A stored address that cannot be mailed safely (imported data …): skip it.
                log.warning("password reset for user %d skipped: unusable e-mail address", uid)

    async def send_temporary_password(self, user_id: int, caller: Caller, main_page_url: str,
                                      *, template: str | None = None) -> None:
        """Store a new temporary password for the user and mail it (old password untouched).

        Used by the reset and by account creation with ``mailpassword``.
        """
        svc = self.services
        user = await svc.users.get_by_id(user_id)
        if user is None or not user.email:
            return
        if not is_valid_email(user.email):
            # Checked before anything is stored: an address that cannot be mailed safely
            # must not leave behind a temporary password nobody received.
            raise BadAddress("stored e-mail address is not usable")
        policies = merge_policy_overrides(self.settings.passwords.policies)
        password = random_password(random_password_min_length(policies))
        hashed = await svc.hashing.hash(password)
        now = svc.clock.time()
        options = await svc.users.get_options(user.id)
        lang = options.get("language") or self.settings.site.language
        if template is None:
            template = "password-reset-user" if caller.name else "password-reset-ip"
        expiry = self.settings.passwords.temporary_password_expiry
        # MediaWiki states the lifetime in whole days (round(expiry / 86400)).
        shown = round(expiry / 86400) * 86400 if expiry >= 43200 else expiry
        subject, body, used_lang = render(
            template, lang, sitename=self.settings.site.sitename, url=main_page_url, ip=caller.ip,
            requester=caller.name or caller.ip, username=user.name, password=password,
            expiry=format_duration(shown, lang))
        mailer = svc.mailer
        # The temporary password and the mail carrying it commit together: never a
        # stored password nobody was sent, never a mail with a password that was not saved.
        uow = UnitOfWork(svc.db)
        users = svc.users
        uow.add(lambda conn: users.update_in(conn, user.id, newpassword=hashed, newpass_time=mw_timestamp(now)))
        uow.add(mailer.prepare(user.name, user.email, subject, body, used_lang))
        uow.after_commit(mailer.wake)
        await uow.commit()
