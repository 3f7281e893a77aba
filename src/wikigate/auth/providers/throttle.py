"""Login and account-creation throttles (ThrottlePreAuthenticationProvider, Throttler).

Semantics are MediaWiki's (login.md §2): for each condition ``{count, seconds[, allIPs]}``
a counter keyed by (normalised user name, client IP) — or the name alone for ``allIPs`` —
lives in the key-value store with a fixed window starting at the first attempt. Every
attempt is counted *before* the password is looked at; once a counter has reached
``count`` the attempt is refused even with the right password, and the message gives the
whole window ("5 minutes"), not the time left. A successful login clears the counters of
that name and IP. Counters live in the shared store, so all workers and hosts agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wikigate.auth.providers.base import PreAuthenticationProvider
from wikigate.auth.requests import AuthenticationRequest, AuthResponse, username_from_requests
from wikigate.auth.usernames import canonical_username
from wikigate.i18n import Duration, Message

if TYPE_CHECKING:
    from wikigate.auth.manager import NewAccount
    from wikigate.storage.kv import KeyValueStore
    from wikigate.users.model import User


@dataclass(frozen=True)
class ThrottleHit:
    index: int
    count: int
    wait: int


def normalise_throttle_name(name: str) -> str:
    """Spelling variants of one account share a counter (``specProbe_x`` = ``SpecProbe x``)."""
    return canonical_username(name, rigor="none") or name


class Throttler:
    def __init__(self, kv: KeyValueStore, kind: str, conditions: list[dict[str, Any]]) -> None:
        self.kv = kv
        self.kind = kind
        self.conditions = conditions

    def _key(self, index: int, username: str | None, ip: str | None) -> str:
        # Names are hashed: keys stay short and no user name appears in the store.
        user_part = hashlib.sha256(username.encode()).hexdigest()[:32] if username else "-"
        return f"throttle:{self.kind}:{index}:{ip or '-'}:{user_part}"

    async def increase(self, username: str | None, ip: str) -> ThrottleHit | None:
        """Count one attempt; return the tripped condition if the attempt must be refused."""
        for index, cond in enumerate(self.conditions):
            count = int(cond.get("count") or 0)
            seconds = int(cond.get("seconds") or 0)
            ip_key = None if cond.get("allIPs") else ip
            # A count of 0 disables the condition (MediaWiki's convention).
            if not count or (username is None and ip_key is None):
                continue
            key = self._key(index, username, ip_key)
            if await self.kv.get_int(key) >= count:
                return ThrottleHit(index, count, seconds)
            await self.kv.incr(key, seconds)
        return None

    async def clear(self, username: str | None, ip: str) -> None:
        for index, cond in enumerate(self.conditions):
            ip_key = None if cond.get("allIPs") else ip
            await self.kv.delete(self._key(index, username, ip_key))


def password_attempt_conditions(settings: Any) -> list[dict[str, Any]]:
    conds = [dict(c) for c in settings.throttle.password_attempts]
    extra = settings.auth.account_attempt_limit
    if extra and extra.get("count") and extra.get("seconds"):
        # An optional per-account limit across all addresses (slows distributed guessing).
        conds.append({"count": int(extra["count"]), "seconds": int(extra["seconds"]), "allIPs": True})
    return conds


class ThrottlePreAuthenticationProvider(PreAuthenticationProvider):
    sort = 0

    def _password_throttle(self) -> Throttler:
        svc = self.manager.services
        return Throttler(svc.kv, "password", password_attempt_conditions(svc.settings))

    async def test_for_authentication(self, reqs: list[AuthenticationRequest]) -> Message | None:
        name = username_from_requests(reqs)
        hit = await self._password_throttle().increase(
            normalise_throttle_name(name) if name else None, self.manager.ip)
        if hit is not None:
            return Message("login-throttled", (Duration(hit.wait),))
        return None

    async def post_authentication(self, username: str | None, response: AuthResponse) -> None:
        if response.status == AuthResponse.PASS and username:
            await self._password_throttle().clear(normalise_throttle_name(username), self.manager.ip)

    async def test_for_account_creation(self, account: NewAccount, creator: User,
                                        reqs: list[AuthenticationRequest]) -> list[Message]:
        svc = self.manager.services
        rights = svc.rights.rights_for_groups(self.manager.effective_groups(creator))
        if "noratelimit" in rights:
            return []
        throttle = Throttler(svc.kv, "acctcreate", [dict(c) for c in svc.settings.throttle.account_creation])
        hit = await throttle.increase(None, self.manager.ip)
        if hit is not None:
            return [Message("acct_creation_throttle_hit", (hit.count, Duration(hit.wait)))]
        return []
