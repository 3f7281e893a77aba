"""Fault-injection fixtures: private Redis servers, TCP proxies in front of the shared
databases, in-process apps wired through them, and the after-the-fault checks.

Nothing here stops or reconfigures the shared services: a "database stop" is the proxy
refusing connections, a "Redis restart" is a private ``redis-server`` killed and started
again on the same port, a "freeze" is the proxy holding bytes or SIGSTOP of the private
Redis.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from tests.conftest import make_settings
from tests.faults.proxy import TcpProxy
from tests.storage.conftest import external_database_url, in_ci, reset_schema  # noqa: F401
from wikigate.app import WikigateApp, build_services
from wikigate.config import Settings
from wikigate.storage.sql import migrate
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import audit_log, logging, user

PASSWORD = "Fault-Test-Passw0rd!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateRedis:
    """A throw-away ``redis-server`` (no persistence) that a test may kill and restart."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        exe = shutil.which("redis-server")
        assert exe is not None
        self.proc = subprocess.Popen(
            [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def freeze(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        if in_ci():
            pytest.fail("CI is set and redis-server (for private Redis instances) is not installed", pytrace=False)
        pytest.skip("redis-server is not installed")
    r = PrivateRedis(tmp_path)
    r.start()
    yield r
    if r.proc is not None and r.proc.poll() is None:
        r.thaw()
        r.kill()


@pytest.fixture
def proxy_factory() -> Iterator[Callable[[str, int], TcpProxy]]:
    made: list[TcpProxy] = []

    def make(host: str, port: int) -> TcpProxy:
        p = TcpProxy(host, port).start()
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


def via_proxy(url: str, proxy: TcpProxy) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


def fault_settings(tmp_path: Path, *, database_url: str = "", redis_url: str = "") -> Settings:
    # Short, explicit limits: the tests assert that no request waits longer.
    return make_settings(tmp_path, storage__database_url=database_url, storage__redis_url=redis_url,
                         storage__database_connect_timeout=1.0, storage__database_statement_timeout=2.0,
                         storage__pool_size=4)


@pytest.fixture
async def make_app() -> AsyncIterator[Callable[[Settings], Any]]:
    apps: list[WikigateApp] = []

    async def make(settings: Settings) -> WikigateApp:
        services = build_services(settings)
        await migrate.upgrade(services.db)
        app = WikigateApp(settings, services)
        await app.startup()
        apps.append(app)
        return app

    yield make
    for a in apps:
        await a.shutdown()


async def fresh_external_db(url: str) -> None:
    db = Database(url, pool_size=1)
    try:
        await reset_schema(db)
    finally:
        await db.close()


def client_for(app: WikigateApp, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 12345))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=transport, base_url="http://wiki.test", timeout=60)


# -- workload and checks ------------------------------------------------------------------

@dataclass
class Outcomes:
    """What each request answered, by account name / title."""

    created: set[str] = field(default_factory=set)     # createaccount answered PASS
    failed: dict[str, str] = field(default_factory=dict)  # name -> error code or status
    protected: set[str] = field(default_factory=set)   # protect answered success
    slowest: float = 0.0
    codes: dict[str, int] = field(default_factory=dict)

    def note(self, code: str, elapsed: float) -> None:
        self.codes[code] = self.codes.get(code, 0) + 1
        self.slowest = max(self.slowest, elapsed)


async def create_account(http: httpx.AsyncClient, name: str, out: Outcomes) -> None:
    """One anonymous createaccount from a fresh session; records the outcome."""
    t0 = time.monotonic()
    code = "?"
    try:
        r = await http.get("/api.php", params={"action": "query", "meta": "tokens", "type": "createaccount",
                                               "format": "json"})
        data = r.json()
        if "error" in data:
            code = data["error"]["code"]
            out.failed[name] = code
            return
        token = data["query"]["tokens"]["createaccounttoken"]
        r = await http.post("/api.php", data={
            "action": "createaccount", "format": "json", "username": name, "password": PASSWORD,
            "retype": PASSWORD, "createreturnurl": "http://c.example/", "createtoken": token})
        data = r.json()
        if "error" in data:
            code = data["error"]["code"]
            assert r.status_code == 503, (r.status_code, data)
            assert r.headers.get("Retry-After"), r.headers
            out.failed[name] = code
        else:
            code = data["createaccount"]["status"]
            if code == "PASS":
                out.created.add(name)
            else:
                out.failed[name] = data["createaccount"].get("messagecode", code)
    finally:
        out.note(code, time.monotonic() - t0)


async def check_accounts(db_url: str, out: Outcomes,
                         app: WikigateApp | Callable[[], httpx.AsyncClient]) -> dict[str, int]:
    """After the faults: every PASS account is whole and logs in; nothing is half made."""
    db = Database(db_url, pool_size=1)

    def q(conn: Any) -> tuple[dict[str, tuple[int, str]], set[str], set[int]]:
        users = {r.user_name: (r.user_id, r.user_password or "")
                 for r in conn.execute(select(user.c.user_id, user.c.user_name, user.c.user_password))}
        logged = {r.log_title.replace("_", " ") for r in conn.execute(
            select(logging.c.log_title).where(logging.c.log_type == "newusers"))}
        audited = {r.al_user for r in conn.execute(
            select(audit_log.c.al_user).where(audit_log.c.al_event == "account-created"))}
        return users, logged, audited

    try:
        users, logged, audited = await db.run(q)
    finally:
        await db.close()
    # (The test's sysop is made directly, without the API; it is not a created account.)
    partial = [n for n, (uid, pw) in users.items()
               if n != "Fault Admin" and (not pw or n not in logged or uid not in audited)]
    assert partial == [], f"partial accounts: {partial}"
    missing = sorted(n for n in out.created if n not in users)
    assert missing == [], f"accounts that answered PASS but do not exist: {missing}"
    factory = (lambda: client_for(app, "10.9.9.9")) if isinstance(app, WikigateApp) else app
    async with factory() as http:
        # Accounts whose COMMIT reached the server although the answer was an error
        # (in doubt) must be whole too: they log in like the others.
        for name in sorted(out.created | {n for n in out.failed if n in users}):
            r = await http.get("/api.php", params={"action": "query", "meta": "tokens", "type": "login",
                                                   "format": "json"})
            lt = r.json()["query"]["tokens"]["logintoken"]
            r = await http.post("/api.php", data={
                "action": "clientlogin", "format": "json", "username": name, "password": PASSWORD,
                "loginreturnurl": "http://c.example/", "logintoken": lt})
            assert r.json()["clientlogin"]["status"] == "PASS", (name, r.json())
            http.cookies.clear()
    # An error answered although the account was committed: only possible when the
    # connection broke while COMMIT was acknowledged; the account is then whole.
    errored_but_whole = sum(1 for n in out.failed if n in users)
    return {"accounts": len(users) - ("Fault Admin" in users), "answered_pass": len(out.created),
            "answered_error": len(out.failed), "errored_but_whole": errored_but_whole}


async def burst(app: WikigateApp, names: list[str], out: Outcomes) -> None:
    """Every request from its own client (session) and IP, all at once."""
    clients = [client_for(app, f"10.1.{i // 250}.{i % 250 + 1}") for i in range(len(names))]
    try:
        await asyncio.gather(*(create_account(c, n, out) for c, n in zip(clients, names, strict=True)))
    finally:
        for c in clients:
            await c.aclose()


async def make_admin(app: WikigateApp, name: str = "Fault Admin") -> httpx.AsyncClient:
    """A logged-in sysop client with its csrf token fetched (before any fault)."""
    svc = app.services
    pw_hash = await svc.hashing.hash(PASSWORD)
    admin = await svc.users.create(name, password_hash=pw_hash)
    await svc.users.set_group(admin.id, "sysop", None)
    http = client_for(app, "10.7.7.7")
    r = await http.get("/api.php", params={"action": "query", "meta": "tokens", "type": "login", "format": "json"})
    lt = r.json()["query"]["tokens"]["logintoken"]
    r = await http.post("/api.php", data={"action": "clientlogin", "format": "json", "username": name,
                                          "password": PASSWORD, "loginreturnurl": "http://c.example/",
                                          "logintoken": lt})
    assert r.json()["clientlogin"]["status"] == "PASS", r.json()
    r = await http.get("/api.php", params={"action": "query", "meta": "tokens", "format": "json"})
    http.headers["X-Csrf"] = r.json()["query"]["tokens"]["csrftoken"]
    return http


async def protect_title(http: httpx.AsyncClient, title: str, out: Outcomes) -> None:
    t0 = time.monotonic()
    code = "?"
    try:
        r = await http.post("/api.php", data={"action": "protect", "format": "json", "title": title,
                                              "protections": "create=sysop", "reason": "fault test",
                                              "token": http.headers["X-Csrf"]})
        data = r.json()
        if "error" in data:
            code = data["error"]["code"]
            assert r.status_code == 503, (r.status_code, data)
        else:
            code = "success"
            out.protected.add(title)
    finally:
        out.note("protect-" + code, time.monotonic() - t0)


async def check_protections(db_url: str, out: Outcomes) -> None:
    """Every protection that answered success exists with its log entry; none without."""
    from wikigate.storage.sql.schema import protected_titles

    db = Database(db_url, pool_size=1)

    def q(conn: Any) -> tuple[set[str], set[str]]:
        rows = {r.pt_title.replace("_", " ") for r in conn.execute(select(protected_titles.c.pt_title))}
        logged = {r.log_title.replace("_", " ") for r in conn.execute(
            select(logging.c.log_title).where(logging.c.log_type == "protect"))}
        return rows, logged

    try:
        rows, logged = await db.run(q)
    finally:
        await db.close()
    assert sorted(out.protected - rows) == [], "protections answered success but missing"
    assert sorted(rows - logged) == [], "protections without their log entry"
