"""Which rate-limit keys apply to whom (MediaWiki's RateLimiter::limit), and counting."""

from __future__ import annotations

from typing import Any

import pytest

from wikigate.auth.ratelimit import (
    RateLimiter,
    RateLimitSubject,
    applicable_keys,
    effective_rate_limits,
    limit_categories,
    subnet,
)
from wikigate.storage.kv import MemoryKeyValueStore

EDIT: dict[str, Any] = {"ip": [8, 60], "subnet": [20, 60], "newbie": [8, 60], "user": [90, 60],
                        "anon": [100, 60], "bot": [900, 60], "sysop": [10, 60], "ip-all": [50, 60]}


def _types(subject: RateLimitSubject, conds: dict[str, Any] = EDIT) -> list[str]:
    return [t for t, _ in applicable_keys(subject, conds)]


def test_anonymous_users_get_anon_ip_subnet_and_ip_all() -> None:
    s = RateLimitSubject(0, "192.0.2.7")
    assert applicable_keys(s, EDIT) == [("anon", "anon"), ("ip", "192.0.2.7"), ("subnet", "192.0.2.0/24"),
                                        ("ip-all", "192.0.2.7")]


def test_autoconfirmed_users_are_not_limited_by_address() -> None:
    s = RateLimitSubject(5, "192.0.2.7", newbie=False)
    # user (90/min) is more generous than ip-all (50/min): ip-all does not apply.
    assert applicable_keys(s, EDIT) == [("user", "5")]
    assert _types(s, {"ip": [5, 3600]}) == []  # mailpassword: only the ip key exists


def test_new_users_get_newbie_ip_and_subnet() -> None:
    s = RateLimitSubject(5, "2001:db8::1", newbie=True, groups=("bot",))
    assert applicable_keys(s, EDIT) == [("ip", "2001:db8::1"), ("subnet", "2001:db8::/64"), ("newbie", "5"),
                                        ("ip-all", "2001:db8::1")]


def test_the_most_generous_group_limit_wins() -> None:
    assert _types(RateLimitSubject(5, "192.0.2.7", ("sysop", "bot"), newbie=False)) == ["bot"]
    # sysop (10/min) is stricter than user (90/min): user stays, and ip-all (50) does not apply.
    assert _types(RateLimitSubject(5, "192.0.2.7", ("sysop",), newbie=False)) == ["user"]


def test_ip_all_applies_when_the_user_limit_is_stricter() -> None:
    conds = {"user": [4, 86400], "ip-all": [10, 3600]}
    assert _types(RateLimitSubject(5, "192.0.2.7", newbie=False), conds) == ["user", "ip-all"]


@pytest.mark.parametrize(("ip", "net"), [("10.1.2.3", "10.1.2.0/24"), ("2001:db8:1:2:3::4", "2001:db8:1:2::/64"),
                                         ("not an ip", None)])
def test_subnet(ip: str, net: str | None) -> None:
    assert subnet(ip) == net


def test_categories_for_userinfo() -> None:
    assert limit_categories(True, True, []) == ["anon", "ip", "subnet"]
    assert limit_categories(False, True, ["bot"]) == ["user", "ip", "subnet", "newbie", "bot"]
    assert limit_categories(False, False, ["sysop"]) == ["user", "sysop"]


async def test_limiter_counts_and_gives_back_refused_attempts() -> None:
    kv = MemoryKeyValueStore()
    limiter = RateLimiter(kv, {"mailpassword": {"ip": [2, 3600], "anon": [3, 3600]}})
    anon = RateLimitSubject(0, "192.0.2.1")
    assert [await limiter.limit(anon, "mailpassword") for _ in range(3)] == [False, False, True]
    # The refused call did not count against the shared anon key: a third address still passes.
    assert await kv.get_int("ratelimit:mailpassword:anon:anon") == 2
    assert await limiter.limit(RateLimitSubject(0, "192.0.2.2"), "mailpassword") is False
    assert await limiter.limit(RateLimitSubject(0, "192.0.2.3"), "mailpassword") is True
    exempt = RateLimitSubject(0, "192.0.2.1", exempt=True)
    assert await limiter.limit(exempt, "mailpassword") is False
    assert await limiter.limit(anon, "unknown-action") is False


async def test_peek_mode_counts_nothing() -> None:
    """``pingLimiter( 'linkpurge', 0 )``: would one more be over the limit? Nothing is counted."""
    kv = MemoryKeyValueStore()
    limiter = RateLimiter(kv, {"linkpurge": {"ip": [2, 60]}})
    anon = RateLimitSubject(0, "192.0.2.1")
    assert await limiter.limit(anon, "linkpurge", 0) is False
    assert await kv.get_int("ratelimit:linkpurge:ip:192.0.2.1") == 0
    assert [await limiter.limit(anon, "linkpurge") for _ in range(2)] == [False, False]
    assert await limiter.limit(anon, "linkpurge", 0) is True


async def test_an_increment_of_several_is_all_or_nothing() -> None:
    kv = MemoryKeyValueStore()
    limiter = RateLimiter(kv, {"edit": {"ip": [3, 60]}})
    anon = RateLimitSubject(0, "192.0.2.1")
    assert await limiter.limit(anon, "edit", 2) is False
    assert await limiter.limit(anon, "edit", 2) is True
    assert await kv.get_int("ratelimit:edit:ip:192.0.2.1") == 2


def test_mailpassword_ip_setting_overrides_the_table() -> None:
    from dataclasses import replace

    from wikigate.config import ThrottleSettings

    t = ThrottleSettings()
    assert effective_rate_limits(t)["mailpassword"] == {"ip": [5, 3600]}
    assert effective_rate_limits(t)["edit"] == {"ip": [8, 60], "newbie": [8, 60], "user": [90, 60]}
    t = replace(t, mailpassword_ip=[1, 60])
    assert effective_rate_limits(t)["mailpassword"] == {"ip": [1, 60]}
    assert t.rate_limits["mailpassword"] == {"ip": [5, 3600]}  # the setting is not changed
