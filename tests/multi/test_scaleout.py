"""Correctness with several worker processes and several hosts (real servers).

* ``--workers 2`` on SQLite: a session, its login and its tokens made by one worker are
  honoured by the other. Requests go over fresh connections, which the kernel hands to
  either worker; the test checks from /proc that both workers did work.
* Two hosts (two ``wikigate serve`` processes with their own data directories) sharing
  PostgreSQL or MariaDB and one Redis: a login token from host A is accepted on host B,
  and the login throttle (5 failures per user+IP in 5 minutes) counts attempts on both
  hosts together.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.multi.conftest import Server
from tests.procs import worker_pids
from tests.storage.conftest import EXTERNAL_DIALECT, REDIS_URL

PASSWORD = "Scale-out-Passw0rd!"
pytestmark = pytest.mark.slow


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _fresh(url: str, method: str, cookies: dict[str, str], *, ip: str | None = None, **params: Any) -> Any:
    """One API call on a new connection (so a multi-worker server spreads them), carrying
    and updating the cookie jar; ``ip`` is sent as X-Forwarded-For."""
    params["format"] = "json"
    headers = {"Connection": "close"}
    if ip is not None:
        headers["X-Forwarded-For"] = ip
    with requests.Session() as s:
        s.cookies.update(cookies)
        if method == "GET":
            r = s.get(url, params=params, timeout=30, headers=headers)
        else:
            r = s.post(url, data=params, timeout=30, headers=headers)
        cookies.update(s.cookies.get_dict())
    r.raise_for_status()
    return r.json()


def _login_token(url: str, jar: dict[str, str], *, ip: str | None = None) -> str:
    return str(_fresh(url, "GET", jar, ip=ip, action="query", meta="tokens", type="login")
               ["query"]["tokens"]["logintoken"])


def _clientlogin(url: str, jar: dict[str, str], token: str, user: str, password: str, *,
                 ip: str | None = None) -> dict[str, Any]:
    d = _fresh(url, "POST", jar, ip=ip, action="clientlogin", username=user, password=password,
               loginreturnurl="http://wiki.test/", logintoken=token)
    return dict(d["clientlogin"])


def test_sessions_and_tokens_across_two_workers(servers: Callable[..., Server]) -> None:
    srv = servers("sqlite2", workers=2)
    srv.cli("user", "create", "Scale User", "--password-stdin", stdin=PASSWORD)
    srv.start()
    assert srv.proc is not None
    workers = worker_pids(srv.proc.pid)
    assert len(workers) == 2, workers
    before = {pid: _cpu_ticks(pid) for pid in workers}

    jar: dict[str, str] = {}
    token = _login_token(srv.url, jar)
    assert _clientlogin(srv.url, jar, token, "Scale User", PASSWORD)["status"] == "PASS"
    # The first csrf token creates the session's token secret; fetch it once before the
    # parallel phase. (Parallel first requests would each create a secret and the last
    # session write would win: a known lost-update race in the session store.)
    first = _fresh(srv.url, "GET", jar, action="query", meta="tokens")["query"]["tokens"]["csrftoken"]

    def check(i: int) -> str:
        own = dict(jar)
        info = _fresh(srv.url, "GET", own, action="query", meta="userinfo|tokens")
        assert info["query"]["userinfo"]["name"] == "Scale User", info
        csrf = info["query"]["tokens"]["csrftoken"]
        assert csrf != "+\\"
        # Check the token on another fresh connection (possibly the other worker).
        res = _fresh(srv.url, "POST", own, action="checktoken", type="csrf", token=csrf)
        assert res["checktoken"]["result"] == "valid", res
        return str(csrf)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(check, range(120)))
    assert len(results) == 120
    # The secret never changed during the parallel phase: the first token is still valid.
    assert _fresh(srv.url, "POST", dict(jar), action="checktoken", type="csrf",
                  token=first)["checktoken"]["result"] == "valid"
    # A new anonymous session from one worker, its login token checked by any worker.
    anon: dict[str, str] = {}
    lt = _login_token(srv.url, anon)
    for _ in range(10):
        assert _fresh(srv.url, "POST", anon, action="checktoken", type="login",
                      token=lt)["checktoken"]["result"] == "valid"
    after = {pid: _cpu_ticks(pid) for pid in workers}
    busy = [pid for pid in workers if after[pid] > before[pid]]
    assert len(busy) == 2, f"requests did not reach both workers: {before} -> {after}"


def _two_host_backends() -> list[Any]:
    if not EXTERNAL_DIALECT:
        # Unmarked: not selected by the backend runs of .ci/run, skipped in plain runs.
        return [pytest.param("none", id="nodb+redis")]
    marks: list[Any] = [pytest.mark.redis]
    if EXTERNAL_DIALECT == "postgresql":
        marks.append(pytest.mark.postgres)
    elif EXTERNAL_DIALECT == "mysql":
        marks.append(pytest.mark.mariadb)
    return [pytest.param(EXTERNAL_DIALECT, id=f"{EXTERNAL_DIALECT}+redis", marks=marks)]


@pytest.mark.parametrize("dialect", _two_host_backends())
def test_throttle_and_sessions_across_two_hosts(dialect: str, servers: Callable[..., Server],
                                                request: pytest.FixtureRequest) -> None:
    if dialect == "none" or not REDIS_URL:
        pytest.skip("needs WIKIGATE_TEST_DATABASE_URL (PostgreSQL or MariaDB) and WIKIGATE_TEST_REDIS_URL")
    db_url: str = request.getfixturevalue("external_database_url")
    from tests.storage.conftest import reset_schema

    def _reset() -> None:
        import asyncio

        from wikigate.storage.sql.database import Database

        async def go() -> None:
            db = Database(db_url, pool_size=1)
            try:
                await reset_schema(db)
            finally:
                await db.close()

        asyncio.run(go())

    _reset()
    shared = f'database_url = "{db_url}"\nredis_url = "{REDIS_URL}"\n'
    # Both hosts get the same [storage] backends; their data directories differ.
    hosts = []
    for name in ("hostA", "hostB"):
        s = servers(name, workers=1)
        s.config.write_text(s.config.read_text().replace("[storage]\n", "[storage]\n" + shared),
                            encoding="utf-8")
        hosts.append(s)
    a, b = hosts
    user = f"Throttled {secrets.token_hex(4)}"
    a.cli("user", "create", user, "--password-stdin", stdin=PASSWORD)
    a.start()
    b.start()

    # A session started on host A is used on host B.
    jar: dict[str, str] = {}
    token = _login_token(a.url, jar)
    assert _fresh(b.url, "POST", jar, action="checktoken", type="login",
                  token=token)["checktoken"]["result"] == "valid"

    # Failed attempts alternate between the hosts; the sixth is throttled wherever it lands.
    codes = []
    for i in range(6):
        host_token, host_post = (a, b) if i % 2 == 0 else (b, a)
        t = _login_token(host_token.url, jar)
        codes.append(_clientlogin(host_post.url, jar, t, user, "wrong password").get("messagecode"))
    assert codes == ["wrongpassword"] * 5 + ["login-throttled"], codes
    # Even the right password is refused now, on either host.
    for host in (a, b):
        t = _login_token(host.url, jar)
        res = _clientlogin(host.url, jar, t, user, PASSWORD)
        assert (res["status"], res.get("messagecode")) == ("FAIL", "login-throttled"), res
