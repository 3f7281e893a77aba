"""Login throttles through api.php (issues 9, 15, 16): one counter per account whatever
the spelling, atomic under concurrency, only real verifications count, and the limits
of our own (per account over all IPs, per IP over all accounts)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD, ApiClient
from wikigate.app import WikigateApp

RETURN = "http://client.example/"
MakeUser = Callable[..., Awaitable[Any]]


async def _cl(c: ApiClient, username: str, password: str, **kw: Any) -> Any:
    lt = await c.token("login")
    r = await c.jpost(action="clientlogin", logintoken=lt, loginreturnurl=RETURN,
                      username=username, password=password, **kw)
    return r["clientlogin"]


@pytest.mark.parametrize("variants", [
    ["Carol_", "Carol__", " Carol", "Carol\u200e", "Carol\u200f"],
    ["carol", "User:Carol", "Carol\u00a0", "\u200eCarol", "Carol___"],
])
async def test_spellings_of_one_name_share_one_counter(new_client: Callable[..., ApiClient],
                                                       make_user: MakeUser, variants: list[str]) -> None:
    """Issue 9 finding 3: each spelling used to get its own five guesses."""
    await make_user("Carol")
    c = new_client(ip="10.9.0.1")
    for v in variants:
        assert (await _cl(c, v, "wrong"))["messagecode"] == "wrongpassword", v
    r = await _cl(c, "Carol", ADMIN_PASSWORD)
    assert r["messagecode"] == "login-throttled"
    r = await _cl(c, "Carol _\u200f", "wrong")
    assert r["messagecode"] == "login-throttled"


async def test_action_login_counts_under_the_same_name(new_client: Callable[..., ApiClient],
                                                       make_user: MakeUser) -> None:
    await make_user("Dora")
    c = new_client(ip="10.9.0.2")
    lt = await c.token("login")
    for v in ["Dora_", " dora", "Dora\u200e"]:
        r = await c.jpost(action="login", lgname=v, lgpassword="bad", lgtoken=lt)
        assert r["login"]["result"] == "Failed"
    for v in ["User:Dora", "Dora__"]:
        assert (await _cl(c, v, "wrong"))["messagecode"] == "wrongpassword"
    r = await c.jpost(action="login", lgname="Dora", lgpassword=ADMIN_PASSWORD, lgtoken=await c.token("login"))
    assert r["login"]["result"] == "Failed" and r["login"]["wait"] > 0


async def test_concurrent_wrong_passwords_evaluate_at_most_the_limit(
        app: WikigateApp, new_client: Callable[..., ApiClient], make_user: MakeUser,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: 200 concurrent guesses evaluated 9 passwords against a limit of 5.

    Every store call is given a few milliseconds of latency, as a network round trip to
    PostgreSQL, MariaDB or Redis has: then a check and a later increment interleave."""
    kv = app.services.kv
    for name in ("get", "get_int", "incr", "decr", "ttl", "delete"):
        real = getattr(kv, name, None)
        if real is None:
            continue

        async def slow(*a: Any, _real: Any = real, **kw: Any) -> Any:
            await asyncio.sleep(0.003)
            return await _real(*a, **kw)

        monkeypatch.setattr(kv, name, slow)
    await make_user("Eve")
    clients = [new_client(ip="10.9.0.3") for _ in range(60)]
    tokens = [await c.token("login") for c in clients]
    results = await asyncio.gather(*(
        c.jpost(action="clientlogin", logintoken=t, loginreturnurl=RETURN, username="Eve", password=f"w{i}")
        for i, (c, t) in enumerate(zip(clients, tokens, strict=True))))
    codes = [r["clientlogin"]["messagecode"] for r in results]
    assert codes.count("wrongpassword") == 5, codes
    assert codes.count("login-throttled") == 55


async def test_backend_failures_do_not_count(app: WikigateApp, new_client: Callable[..., ApiClient],
                                             make_user: MakeUser, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15 finding 5: logins that failed only because the database was down counted
    toward the throttle, so users were locked out after the outage."""
    await make_user("Fay")
    c = new_client(ip="10.9.0.4")
    users = app.services.users
    real = users.get_by_name

    async def down(name: str) -> Any:
        raise ConnectionRefusedError("database down")

    tokens = [await c.token("login") for _ in range(8)]
    monkeypatch.setattr(users, "get_by_name", down)
    for lt in tokens:
        r = await c.jpost(action="clientlogin", logintoken=lt, loginreturnurl=RETURN,
                          username="Fay", password=ADMIN_PASSWORD)
        assert r["error"]["code"].startswith("internal_api_error"), r
    monkeypatch.setattr(users, "get_by_name", real)
    for _ in range(4):
        assert (await _cl(c, "Fay", "wrong"))["messagecode"] == "wrongpassword"
    assert (await _cl(c, "Fay", ADMIN_PASSWORD))["status"] == "PASS"


async def test_busy_hashing_does_not_count(app: WikigateApp, new_client: Callable[..., ApiClient],
                                           make_user: MakeUser, monkeypatch: pytest.MonkeyPatch) -> None:
    from wikigate.auth.hashpool import HashQueueFull

    await make_user("Gus")
    c = new_client(ip="10.9.0.5")
    hashing = app.services.hashing

    async def full(*a: Any, **kw: Any) -> Any:
        raise HashQueueFull()

    monkeypatch.setattr(hashing, "verify", full)
    for _ in range(7):
        assert (await _cl(c, "Gus", ADMIN_PASSWORD))["messagecode"] == "ratelimited"
    monkeypatch.undo()
    assert (await _cl(c, "Gus", ADMIN_PASSWORD))["status"] == "PASS"


@pytest.mark.settings(throttle__account_attempts=[3, 3600])
async def test_per_account_limit_over_all_ips(app: WikigateApp, new_client: Callable[..., ApiClient],
                                              make_user: MakeUser) -> None:
    await make_user("Hal")
    for i in range(3):
        assert (await _cl(new_client(ip=f"10.9.1.{i}"), "hal_", "wrong"))["messagecode"] == "wrongpassword"
    c = new_client(ip="10.9.1.99")
    r = await _cl(c, "Hal", ADMIN_PASSWORD)
    assert r["messagecode"] == "login-throttled"
    assert 3590 <= r["wait"] <= 3600
    # The message keeps MediaWiki's form: the whole window, in words.
    assert r["message"] == "You have made too many recent login attempts.\nPlease wait 1 hour before trying again."
    entries = await app.services.audit.list(user="Hal", event="login-throttled")
    assert [(e.ip, e.detail.split()[:3]) for e in entries] == [("10.9.1.99", ["password", "account", "3/3600s"])]


@pytest.mark.settings(throttle__ip_attempts=[3, 3600])
async def test_per_ip_limit_over_all_accounts(app: WikigateApp, new_client: Callable[..., ApiClient],
                                              make_user: MakeUser) -> None:
    for n in ("Ida", "Jon", "Kim", "Lou"):
        await make_user(n)
    sprayer = new_client(ip="10.9.2.1")
    # A success gives its slot back: only failures count against the IP.
    assert (await _cl(sprayer, "Lou", ADMIN_PASSWORD))["status"] == "PASS"
    sprayer = new_client(ip="10.9.2.1")
    for n in ("Ida", "Jon", "Kim"):
        assert (await _cl(sprayer, n, "Summer2026!"))["messagecode"] == "wrongpassword"
    r = await _cl(sprayer, "Lou", ADMIN_PASSWORD)
    assert r["messagecode"] == "login-throttled" and r["wait"] > 3500
    assert (await _cl(new_client(ip="10.9.2.2"), "Lou", ADMIN_PASSWORD))["status"] == "PASS"


async def test_throttled_answer_carries_the_wait(app: WikigateApp, new_client: Callable[..., ApiClient],
                                                 make_user: MakeUser) -> None:
    await make_user("Max")
    c = new_client(ip="10.9.3.1")
    for _ in range(5):
        await _cl(c, "Max", "wrong")
    lt = await c.token("login")
    resp = await c.post(action="clientlogin", logintoken=lt, loginreturnurl=RETURN,
                        username="Max", password="wrong")
    body = resp.json()["clientlogin"]
    assert body["messagecode"] == "login-throttled" and 0 < body["wait"] <= 300
    assert resp.headers["retry-after"] == str(body["wait"])
    entries = await app.services.audit.list(user="Max")
    assert [e.event for e in entries][:1] == ["login-throttled"]
    assert entries[0].detail.startswith("password user-ip 5/300s")
