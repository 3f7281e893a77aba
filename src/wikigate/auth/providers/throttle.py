"""Login and account-creation throttles (ThrottlePreAuthenticationProvider).

Semantics are MediaWiki's (login.md §2) with the changes described in
:mod:`wikigate.auth.throttle`: counters keyed by the *canonical* user name (the same
:func:`~wikigate.auth.usernames.login_username` the password check uses) and client IP,
taken atomically before the password is looked at, given back when no password was
verified, plus a per-account and a per-IP limit of our own. Once a counter is full the
attempt is refused even with the right password; the message gives the whole window
("5 minutes") as MediaWiki's does, and the response carries the seconds actually left.
A successful login clears MediaWiki's counters of that name and IP.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wikigate.auth.providers.base import PreAuthenticationProvider
from wikigate.auth.requests import AuthenticationRequest, AuthResponse, username_from_requests
from wikigate.auth.throttle import (
    Reservation,
    ThrottleHit,
    Throttler,
    account_creation_throttle,
    login_throttle,
)
from wikigate.auth.usernames import login_username
from wikigate.i18n import Duration, Message

if TYPE_CHECKING:
    from wikigate.auth.flow.engine import AuthManager
    from wikigate.auth.flow.records import NewAccount
    from wikigate.users.model import User


def throttle_name(raw: str | None) -> str | None:
    """The name a login attempt is counted under: the canonical name, or the raw text when
    it is not a usable name at all (then no password is checked, and the slot is given back)."""
    if raw is None:
        return None
    return login_username(raw) or raw


def hit_detail(kind: str, hit: ThrottleHit) -> str:
    """Audit detail of a refused attempt (no secrets; the user is the entry's user)."""
    return f"{kind} {hit.scope} {hit.count}/{hit.seconds}s wait={hit.wait}s"


class ThrottlePreAuthenticationProvider(PreAuthenticationProvider):
    sort = 0

    def __init__(self, manager: AuthManager) -> None:
        super().__init__(manager)
        self._reservation = Reservation()

    def _password_throttle(self) -> Throttler:
        svc = self.manager.services
        return login_throttle(svc.kv, svc.settings)

    async def test_for_authentication(self, reqs: list[AuthenticationRequest]) -> Message | None:
        name = throttle_name(username_from_requests(reqs))
        ip = self.manager.ip
        self._reservation, hit = await self._password_throttle().reserve(name, ip)
        if hit is not None:
            self.manager.note_throttled(hit.wait, hit_detail("password", hit))
            return Message("login-throttled", (Duration(hit.seconds),))
        # Kept with the flow: a login that passes in a later step clears the same counters.
        self.manager.set_flow_data("throttle", {"user": name, "ip": ip})
        return None

    async def end_attempt(self, verified: bool) -> None:
        if not verified:
            await self._password_throttle().release(self._reservation)
        self._reservation = Reservation()

    async def post_authentication(self, username: str | None, response: AuthResponse) -> None:
        if response.status != AuthResponse.PASS or not username:
            return
        data = self.manager.get_flow_data("throttle") or {}
        ip = data.get("ip") or self.manager.ip
        throttle = self._password_throttle()
        names = {username, data.get("user") or username}
        for name in names:
            await throttle.succeeded(name, ip, refund=False)
        if self._reservation.keys:
            # The attempt that succeeded gives its slot in the per-account and per-IP
            # limits back (they count failures only); MediaWiki's counters were cleared.
            await throttle.release(self._reservation)

    async def test_for_account_creation(self, account: NewAccount, creator: User,
                                        reqs: list[AuthenticationRequest]) -> list[Message]:
        svc = self.manager.services
        rights = svc.rights.rights_for_groups(self.manager.effective_groups(creator))
        if "noratelimit" in rights:
            return []
        _, hit = await account_creation_throttle(svc.kv, svc.settings).reserve(None, self.manager.ip)
        if hit is not None:
            return [Message("acct_creation_throttle_hit", (hit.count, Duration(hit.seconds)))]
        return []
