"""Rate limits (``$wgRateLimits``): which limit keys apply to whom, and counting them.

The rules are MediaWiki's ``RateLimiter::limit`` (``User::pingLimiter``) of 1.39:

* ``anon``: one shared counter for all anonymous users; ``user-global`` (kept local
  here: no central ids) for registered users;
* ``ip`` and ``subnet`` (IPv4 /24, IPv6 /64) only for *newbies*: anonymous users and
  registered users without ``autoconfirmed``. An autoconfirmed user is never limited
  by the address it shares with others (issue 9: the ``mailpassword`` ``ip`` limit was
  applied to everyone);
* ``user`` for registered users, replaced by ``newbie`` for registered newbies, and by
  the most generous limit of a group the user is in, if that is more generous;
* ``ip-all`` / ``subnet-all`` for everyone, unless the user's own limit is more
  generous;
* users with ``noratelimit`` are exempt (unless an action sets ``&can-bypass`` false).

Counting is atomic per key (increment, then compare, as the login throttle does); an
attempt over any of its limits gives its increments back, so refused attempts do not
extend the limit (MediaWiki's ``tryIncr`` is all-or-nothing in the same way).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wikigate.storage.kv import KeyValueStore

log = logging.getLogger("wikigate.auth.ratelimit")

#: action -> entity type -> [hits, seconds] (plus "&can-bypass": bool).
Limits = Mapping[str, Mapping[str, Any]]

#: Entity types a ``$wgRateLimits`` entry may use besides group names.
ENTITY_TYPES = ("anon", "user", "newbie", "ip", "subnet", "ip-all", "subnet-all", "user-global")


@dataclass(frozen=True)
class RateLimitSubject:
    """Who is acting (MediaWiki's RateLimitSubject)."""

    user_id: int
    ip: str
    #: Explicit groups of the user (not the implicit ``*``/``user``/``autoconfirmed``).
    groups: tuple[str, ...] = ()
    #: Anonymous, or registered without the ``autoconfirmed`` right.
    newbie: bool = True
    #: Holds ``noratelimit``.
    exempt: bool = False

    @classmethod
    def from_rights(cls, user_id: int, ip: str, groups: Iterable[str], rights: Iterable[str]) -> RateLimitSubject:
        r = set(rights)
        return cls(user_id, ip, tuple(groups), "autoconfirmed" not in r, "noratelimit" in r)


def effective_rate_limits(throttle: Any) -> dict[str, dict[str, Any]]:
    """``throttle.rate_limits`` with ``throttle.mailpassword_ip`` as the ``ip`` key of
    ``mailpassword`` (the older setting wins, so existing configurations keep working)."""
    limits: dict[str, dict[str, Any]] = {k: dict(v) for k, v in throttle.rate_limits.items()}
    limits.setdefault("mailpassword", {})["ip"] = list(throttle.mailpassword_ip)
    return limits


def subnet(ip: str) -> str | None:
    """``IPUtils::getSubnet``: the /24 of an IPv4 address, the /64 of an IPv6 one."""
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return None
    prefix = 24 if addr.version == 4 else 64
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def _per_second(cond: Sequence[int]) -> float:
    hits, seconds = int(cond[0]), int(cond[1])
    return hits / seconds if seconds > 0 else float("inf")


def limit_categories(is_anon: bool, newbie: bool, groups: Iterable[str]) -> list[str]:
    """The entity types that can apply to a user, in MediaWiki's order (what
    ``meta=userinfo&uiprop=ratelimits`` lists for each action)."""
    cats = ["anon" if is_anon else "user"]
    if newbie:
        cats += ["ip", "subnet"] + ([] if is_anon else ["newbie"])
    return cats + list(groups)


def applicable_keys(subject: RateLimitSubject, conds: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(entity type, key)`` pairs the subject is counted under for one action."""
    out: list[tuple[str, str]] = []
    uid, ip = subject.user_id, subject.ip
    if uid == 0:
        if "anon" in conds:
            out.append(("anon", "anon"))
    elif "user-global" in conds:
        out.append(("user-global", f"local:{uid}"))
    if subject.newbie and ip:
        if "ip" in conds:
            out.append(("ip", ip))
        net = subnet(ip)
        if "subnet" in conds and net is not None:
            out.append(("subnet", net))
    user_type: str | None = None
    if uid != 0 and "user" in conds:
        user_type = "user"
    if uid != 0 and subject.newbie and "newbie" in conds:
        user_type = "newbie"
    else:
        for group in subject.groups:
            if group in conds and (user_type is None or _per_second(conds[group]) > _per_second(conds[user_type])):
                user_type = group
    if user_type is not None:
        out.append((user_type, str(uid)))
    more_generous = user_type is not None and not subject.newbie
    if "ip-all" in conds and ip and (
            not more_generous or _per_second(conds["ip-all"]) > _per_second(conds[user_type or "ip-all"])):
        out.append(("ip-all", ip))
    if "subnet-all" in conds and ip:
        net = subnet(ip)
        # MediaWiki compares with the ip-all rate here (a quirk kept on purpose).
        ref = conds.get("ip-all", conds["subnet-all"])
        if net is not None and (not more_generous or _per_second(ref) > _per_second(conds[user_type or "subnet-all"])):
            out.append(("subnet-all", net))
    return out


class RateLimiter:
    def __init__(self, kv: KeyValueStore, limits: Limits) -> None:
        self.kv = kv
        self.limits = limits

    async def limit(self, subject: RateLimitSubject, action: str, incr: int = 1) -> bool:
        """Count ``incr`` times ``action`` by ``subject``; True if it is over a limit (then
        nothing stays counted). ``incr`` 0 only looks: would one more be over a limit?
        (MediaWiki's peek mode, ``pingLimiter( 'linkpurge', 0 )``)."""
        conds = self.limits.get(action)
        if not conds:
            return False
        if subject.exempt and conds.get("&can-bypass", True):
            return False
        taken: list[str] = []
        over = False
        try:
            for entity, value in applicable_keys(subject, conds):
                hits, seconds = int(conds[entity][0]), int(conds[entity][1])
                if hits <= 0 or seconds <= 0:
                    continue
                key = f"ratelimit:{action}:{entity}:{value}"
                if incr <= 0:
                    if await self.kv.get_int(key) + 1 > hits:
                        over = True
                        break
                    continue
                n = 0
                for _ in range(incr):
                    n = await self.kv.incr(key, float(seconds))
                    taken.append(key)
                if n > hits:
                    log.info("rate limit %s/%s tripped (%d per %ds)", action, entity, hits, seconds)
                    over = True
                    break
        finally:
            if over:
                for key in taken:
                    await self.kv.decr(key)
        return over
