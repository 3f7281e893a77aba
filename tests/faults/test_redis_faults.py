"""Redis restart, freeze and loss with the app in-process (SQLite) and a private
``redis-server`` that the test kills, restarts and stops with SIGSTOP (issue 15, finding 3).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.conftest import PrivateRedis, client_for, fault_settings

pytestmark = pytest.mark.faults


async def _tokens(http: httpx.AsyncClient) -> tuple[int, dict[str, Any], float]:
    t0 = time.monotonic()
    # A login token needs a saved session (an anonymous csrf token is the constant "+\\").
    r = await http.get("/api.php", params={"action": "query", "meta": "tokens", "type": "login", "format": "json"})
    return r.status_code, r.json(), time.monotonic() - t0


async def _fresh_tokens(app: Any, n: int) -> list[tuple[int, dict[str, Any], float]]:
    """n new sessions at once (each answer needs its session saved)."""
    clients = [client_for(app, f"10.2.0.{i + 1}") for i in range(n)]
    try:
        return list(await asyncio.gather(*(_tokens(c) for c in clients)))
    finally:
        for c in clients:
            await c.aclose()


async def _token_works(app: Any) -> None:
    """A login token handed out is accepted by the next request of its session."""
    async with client_for(app, "10.3.0.1") as http:
        status, data, _ = await _tokens(http)
        assert status == 200, data
        token = data["query"]["tokens"]["logintoken"]
        r = await http.post("/api.php", data={"action": "checktoken", "type": "login", "token": token,
                                              "format": "json"})
        assert r.json()["checktoken"]["result"] == "valid", r.json()


async def test_redis_restart_costs_no_request(private_redis: PrivateRedis, make_app: Any, tmp_path: Path) -> None:
    app = await make_app(fault_settings(tmp_path, redis_url=private_redis.url))
    # Fill the connection pool with connections that the restart will leave stale.
    assert all(s == 200 for s, _, _ in await _fresh_tokens(app, 10))
    private_redis.kill()
    private_redis.start()
    # Before the fix each stale pooled connection failed one request with
    # internal_api_error_ConnectionError after Redis was back.
    answers = await _fresh_tokens(app, 20)
    bad = [d for s, d, _ in answers if s != 200 or "error" in d]
    assert bad == [], bad[:3]
    slowest = max(e for _, _, e in answers)
    print(f"\nRedis restart: 20/20 new sessions saved, slowest {slowest:.3f}s")
    await _token_works(app)


async def test_redis_frozen_fails_fast_and_recovers(private_redis: PrivateRedis, make_app: Any,
                                                    tmp_path: Path) -> None:
    settings = fault_settings(tmp_path, redis_url=private_redis.url)
    app = await make_app(settings)
    assert all(s == 200 for s, _, _ in await _fresh_tokens(app, 4))
    private_redis.freeze()
    try:
        # Bounded here so that a client without timeouts fails the test instead of hanging it.
        answers = await asyncio.wait_for(_fresh_tokens(app, 12), 10)
    finally:
        private_redis.thaw()
    st = settings.storage
    limit = getattr(st, "redis_socket_timeout", 0.5) + getattr(st, "redis_connect_timeout", 0.5)
    for status, data, elapsed in answers:
        # Before: no socket timeout, a call waited as long as Redis stayed frozen.
        assert status == 503 and data["error"]["code"] == "internal_api_error_DBConnectionError", data
        assert "tokens" not in str(data.get("query", ""))
        assert elapsed < limit + 1.0, elapsed
    slowest = max(e for _, _, e in answers)
    # Thawed: at most the breaker's second of fast refusals, then everything works.
    await asyncio.sleep(1.1)
    assert all(s == 200 for s, _, _ in await _fresh_tokens(app, 8))
    await _token_works(app)
    print(f"\nfrozen Redis: 12/12 answered 503, slowest {slowest:.2f}s (timeouts {limit:.1f}s)")


async def test_redis_down_hands_out_no_token(private_redis: PrivateRedis, make_app: Any, tmp_path: Path) -> None:
    app = await make_app(fault_settings(tmp_path, redis_url=private_redis.url))
    async with client_for(app) as with_session:
        assert (await _tokens(with_session))[0] == 200  # a session cookie, for index.php below
        private_redis.kill()
        # index.php: a plain 503 page (before: HTTP 500 "Internal error").
        r = await with_session.get("/index.php", params={"title": "Special:BotPasswords"})
        assert r.status_code == 503 and r.headers["Retry-After"] == "5", (r.status_code, r.text[:300])
        assert "technical difficulties" in r.text
    async with client_for(app) as http:
        r = await http.get("/api.php", params={"action": "query", "meta": "tokens", "type": "csrf|login",
                                               "format": "json"})
        data = r.json()
        # Before: HTTP 200 with tokens whose session was never saved (the next write
        # answered badtoken), the failure only in the log.
        assert r.status_code == 503 and r.headers["Retry-After"] == "5", (r.status_code, data)
        assert "query" not in data and data["error"]["code"] == "internal_api_error_DBConnectionError"
        assert r.headers["MediaWiki-API-Error"] == "internal_api_error_DBConnectionError"
        assert not [c for c in r.headers.get_list("set-cookie") if "session" in c.lower()]
        t0 = time.monotonic()
    private_redis.start()
    await asyncio.sleep(1.1)  # the breaker's pause
    await _token_works(app)
    assert time.monotonic() - t0 < 10
