"""Login throttles: MediaWiki's Throttler, made race-free, plus two limits of our own.

Conditions
----------
* ``throttle.password_attempts`` is ``$wgPasswordAttemptThrottle``: per (canonical user
  name, client IP), or per name alone with ``allIPs``; a successful login clears these
  counters, as in MediaWiki.
* ``throttle.account_attempts`` (beyond MediaWiki): per account over *all* IPs, against
  guessing distributed over many addresses.
* ``throttle.ip_attempts`` (beyond MediaWiki): per IP over *all* accounts, against
  password spraying (one common password tried on many accounts).
  These two are not cleared by a success (that would let an attacker who owns one
  account, or a victim who logs in, reset them); instead the successful attempt gives
  its own slot back, so they count failed attempts only. They are shared by main-account
  and bot-password logins.

Atomicity (issue 16)
--------------------
MediaWiki reads a counter and increments it later, so concurrent attempts all pass the
read: 200 parallel guesses evaluated 9 passwords against a limit of 5. Here every counter
is *incremented first* (one atomic operation on every backend, see
:meth:`~wikigate.storage.kv.KeyValueStore.incr`) and the returned value decides: the
attempt that got slot ``n <= count`` holds it; any other gives its increment back at once
(:meth:`~wikigate.storage.kv.KeyValueStore.decr`) and is refused. At every moment a counter
is at least the number of slots held, so no more than ``count`` attempts ever hold one,
however many run at once, on however many workers and hosts.

Only verifications count (issue 15)
-----------------------------------
A reservation is given back (:meth:`Throttler.release`) when the attempt never reached a
password verification — the database was down, the hashing queue was full, a captcha
refused it — so an outage does not lock users out. A released slot was held, so giving
it back cannot let more than ``count`` verifications through.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wikigate.config import Settings
    from wikigate.storage.kv import KeyValueStore

log = logging.getLogger("wikigate.auth.throttle")

#: What a condition is keyed by; also the ``scope`` reported in audit entries.
SCOPE_USER_IP = "user-ip"
SCOPE_USER = "user"
SCOPE_ACCOUNT = "account"
SCOPE_IP = "ip"


@dataclass(frozen=True)
class Condition:
    index: int
    count: int
    seconds: int
    scope: str
    #: Cleared on a successful login (MediaWiki's conditions); otherwise refunded.
    clear_on_success: bool


@dataclass(frozen=True)
class ThrottleHit:
    """A refused attempt: the tripped condition and the seconds until it resets."""

    scope: str
    count: int
    #: The condition's whole window (MediaWiki's message shows this, not the time left).
    seconds: int
    #: Seconds until this counter's window ends (at least 1): what a client should wait.
    wait: int


@dataclass
class Reservation:
    """The counter keys one attempt holds a slot in."""

    keys: list[str] = field(default_factory=list)


def _user_hash(username: str) -> str:
    # Names are hashed: keys stay short and no user name is written to the store.
    return hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def login_conditions(settings: Settings) -> list[Condition]:
    """Every condition of a password login, MediaWiki's first, in configuration order."""
    out: list[Condition] = []
    for i, cond in enumerate(settings.throttle.password_attempts):
        out.append(Condition(i, int(cond.get("count") or 0), int(cond.get("seconds") or 0),
                             SCOPE_USER if cond.get("allIPs") else SCOPE_USER_IP, True))
    account = _pair(settings.throttle.account_attempts)
    legacy = settings.auth.account_attempt_limit
    if legacy and legacy.get("count") and legacy.get("seconds"):
        # The older spelling of the same setting (auth.account_attempt_limit) still works.
        account = (int(legacy["count"]), int(legacy["seconds"]))
    out.append(Condition(0, account[0], account[1], SCOPE_ACCOUNT, False))
    ip = _pair(settings.throttle.ip_attempts)
    out.append(Condition(0, ip[0], ip[1], SCOPE_IP, False))
    return out


def _pair(value: Any) -> tuple[int, int]:
    count, seconds = value
    return int(count), int(seconds)


class Throttler:
    """One throttle type (``password``, ``botpassword``, ``acctcreate``) over a set of
    conditions; counters live in the shared key-value store."""

    def __init__(self, kv: KeyValueStore, kind: str, conditions: list[Condition]) -> None:
        self.kv = kv
        self.kind = kind
        self.conditions = conditions

    def _key(self, cond: Condition, username: str | None, ip: str | None) -> str | None:
        """The counter of ``cond`` for this attempt; None when the condition does not apply."""
        if cond.count <= 0 or cond.seconds <= 0:
            return None  # a count of 0 disables a condition (MediaWiki's convention)
        if cond.scope == SCOPE_USER_IP:
            if username is None and not ip:
                return None  # throttling the whole world is never meant
            user = _user_hash(username) if username is not None else "-"
            return f"throttle:{self.kind}:{cond.index}:{ip or '-'}:{user}"
        if cond.scope == SCOPE_USER:
            return f"throttle:{self.kind}:{cond.index}:-:{_user_hash(username)}" if username is not None else None
        # The limits of our own are shared by every kind of password login.
        if cond.scope == SCOPE_ACCOUNT:
            return f"throttle:login-account:{_user_hash(username)}" if username is not None else None
        return f"throttle:login-ip:{ip}" if ip else None

    async def reserve(self, username: str | None, ip: str) -> tuple[Reservation, ThrottleHit | None]:
        """Take a slot in every condition, or none at all.

        Returns the reservation (empty when refused) and the tripped condition, if any."""
        held = Reservation()
        try:
            for cond in self.conditions:
                key = self._key(cond, username, ip)
                if key is None:
                    continue
                n = await self.kv.incr(key, float(cond.seconds))
                held.keys.append(key)
                if n > cond.count:
                    wait = await self.kv.ttl(key)
                    await self.release(held)
                    return Reservation(), ThrottleHit(cond.scope, cond.count, cond.seconds,
                                                      max(1, int(wait + 0.999)))
        except BaseException:
            # The store failed half-way: give back what was taken (best effort).
            await self.release(held)
            raise
        return held, None

    async def release(self, reservation: Reservation) -> None:
        """Give back the slots of an attempt that did not verify a password."""
        keys, reservation.keys = reservation.keys, []
        for key in keys:
            try:
                await self.kv.decr(key)
            except Exception:  # the store is down: the slot stays used until its window ends
                log.warning("could not release throttle slot %s", key.split(":", 2)[1], exc_info=True)

    async def succeeded(self, username: str, ip: str, *, refund: bool = True) -> None:
        """A successful login: clear MediaWiki's counters of this name and IP; with
        ``refund``, also give the attempt's slot in ours back (the caller did not keep
        the :class:`Reservation`, e.g. the bot-password path)."""
        for cond in self.conditions:
            key = self._key(cond, username, ip)
            if key is None:
                continue
            if cond.clear_on_success:
                await self.kv.delete(key)
            elif refund:
                await self.kv.decr(key)


def login_throttle(kv: KeyValueStore, settings: Settings, kind: str = "password") -> Throttler:
    return Throttler(kv, kind, login_conditions(settings))


def account_creation_throttle(kv: KeyValueStore, settings: Settings) -> Throttler:
    """$wgAccountCreationThrottle: per IP only."""
    conds = [Condition(i, int(c.get("count") or 0), int(c.get("seconds") or 0), SCOPE_USER_IP, True)
             for i, c in enumerate(settings.throttle.account_creation)]
    return Throttler(kv, "acctcreate", conds)
