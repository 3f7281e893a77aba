"""SIGKILL of a worker in the middle of createaccount under load (issue 15, finding 1).

A real ``wikigate serve --workers 2`` (schema made first with ``wikigate migrate``, so
this works whether or not workers migrate at start-up) takes createaccount requests from
8 concurrent clients, each request on a new connection so both workers get work; one
worker is killed with SIGKILL three times during the run. Requests on the killed worker
get no answer. Afterwards every account that answered PASS exists whole and logs in, and
no user row lacks its password, log entry or audit entry — on the SQLite default, and on
PostgreSQL/MariaDB with Redis when configured.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.conftest import Outcomes, PrivateRedis, check_accounts, create_account, fresh_external_db
from tests.multi.conftest import Server
from tests.procs import worker_pids
from tests.storage.conftest import EXTERNAL_DIALECT

pytestmark = pytest.mark.faults


def _backends() -> list[Any]:
    out = [pytest.param("sqlite", id="sqlite")]
    if EXTERNAL_DIALECT == "postgresql":
        out.append(pytest.param("postgresql", id="postgresql+redis", marks=pytest.mark.postgres))
    elif EXTERNAL_DIALECT == "mysql":
        out.append(pytest.param("mysql", id="mariadb+redis", marks=pytest.mark.mariadb))
    return out


def _configure(srv: Server, database_url: str, redis_url: str) -> None:
    srv.config.write_text(
        "[site]\nsitename = \"RefWiki\"\nsecret_key = \"fault-test-secret\"\n"
        f"[storage]\ndata_dir = \"{srv.dir / 'data'}\"\ndatabase_url = \"{database_url}\"\n"
        f"redis_url = \"{redis_url}\"\n"
        "[server]\nlog_level = \"warning\"\n"
        "[passwords]\npbkdf2_iterations = 1000\n"
        "[mail]\nbackend = \"memory\"\n", encoding="utf-8")


async def _client_loop(base: str, prefix: str, stop_at: float, out: Outcomes, lost: list[str]) -> None:
    i = 0
    while time.monotonic() < stop_at:
        name = f"{prefix} {i}"
        i += 1
        # No keep-alive: each request opens a connection, which the kernel gives to either worker.
        async with httpx.AsyncClient(base_url=base, timeout=30,
                                     limits=httpx.Limits(max_keepalive_connections=0)) as http:
            try:
                await create_account(http, name, out)
            except (httpx.TransportError, ValueError):
                lost.append(name)  # the worker died under this request: no answer


@pytest.mark.slow
@pytest.mark.parametrize("backend", _backends())
async def test_sigkill_worker_during_createaccount(backend: str, request: pytest.FixtureRequest,
                                                  tmp_path: Path) -> None:
    redis_url = ""
    if backend == "sqlite":
        db_url = f"sqlite:///{tmp_path / 'kill' / 'data' / 'wikigate.db'}"
    else:
        db_url = request.getfixturevalue("external_database_url")
        await fresh_external_db(db_url)
        redis: PrivateRedis = request.getfixturevalue("private_redis")
        redis_url = redis.url
    srv = Server(tmp_path, "kill", workers=2)
    _configure(srv, db_url, redis_url)
    await asyncio.to_thread(srv.cli, "migrate")
    await asyncio.to_thread(srv.start)
    assert srv.proc is not None
    base = f"http://127.0.0.1:{srv.port}"
    out = Outcomes()
    lost: list[str] = []
    kills = 0
    try:
        stop_at = time.monotonic() + 9.0
        load = asyncio.gather(*(_client_loop(base, f"Kill {c}", stop_at, out, lost) for c in range(8)))
        task = asyncio.ensure_future(load)
        for _ in range(3):
            await asyncio.sleep(2.5)
            pids = worker_pids(srv.proc.pid)
            if pids:
                os.kill(pids[kills % len(pids)], signal.SIGKILL)
                kills += 1
        await task
        # Recovered (uvicorn restarts the killed worker): every new request succeeds.
        deadline = time.monotonic() + 30
        while len(worker_pids(srv.proc.pid)) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        after = Outcomes()
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for i in range(5):
                await create_account(http, f"After kill {i}", after)
                http.cookies.clear()
        assert len(after.created) == 5, after
        out.created |= after.created
        stats = await check_accounts(db_url, out, lambda: httpx.AsyncClient(base_url=base, timeout=30))
    finally:
        await asyncio.to_thread(srv.stop)
    assert kills == 3
    assert out.created, "no account was created at all"
    print(f"\n{backend}: SIGKILL x{kills}: {stats}, no answer {len(lost)}, answers {out.codes}, "
          f"slowest {out.slowest:.2f}s")
