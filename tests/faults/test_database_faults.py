"""Database stop and freeze during bursts of createaccount and protect (issue 15).

The app runs in-process against a private database on the shared PostgreSQL or MariaDB,
reached through a :class:`~tests.faults.proxy.TcpProxy`, with sessions in a private
Redis. Each round fires 24 createaccount requests (each from its own session) and 6
protect requests at once, and cuts the database off part-way through. Afterwards:
every account that answered PASS exists whole and logs in, no user row lacks its
password, ``newusers`` log entry or audit entry, every protection that answered success
has its log entry, every error was a 503 with Retry-After, and no request waited longer
than the configured limits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from tests.faults.conftest import (
    Outcomes,
    PrivateRedis,
    burst,
    check_accounts,
    check_protections,
    fault_settings,
    fresh_external_db,
    make_admin,
    protect_title,
    via_proxy,
)
from tests.faults.proxy import TcpProxy
from tests.storage.conftest import EXTERNAL_DIALECT

_PORTS = {"postgresql": 5432, "mysql": 3306}

pytestmark = pytest.mark.faults


def _backends() -> list[Any]:
    if EXTERNAL_DIALECT == "postgresql":
        return [pytest.param("postgresql", id="postgresql+redis", marks=pytest.mark.postgres)]
    if EXTERNAL_DIALECT == "mysql":
        return [pytest.param("mysql", id="mariadb+redis", marks=pytest.mark.mariadb)]
    return [pytest.param("none", id="no-database-server")]


async def _round(app: Any, admin: Any, proxy: TcpProxy, rnd: int, out: Outcomes, *, fault: str,
                 after: float, hold: float) -> None:
    names = [f"Burst {rnd} {i}" for i in range(24)]
    work = asyncio.gather(burst(app, names, out),
                          *(protect_title(admin, f"Fault page {rnd} {i}", out) for i in range(6)))
    task = asyncio.ensure_future(work)
    await asyncio.sleep(after)
    await asyncio.to_thread(proxy.refuse if fault == "stop" else proxy.freeze)
    await asyncio.sleep(hold)
    await asyncio.to_thread(proxy.restore)
    await task


@pytest.mark.parametrize("dialect", _backends())
async def test_database_stop_and_freeze_during_bursts(
        dialect: str, request: pytest.FixtureRequest, private_redis: PrivateRedis,
        proxy_factory: Callable[[str, int], TcpProxy], make_app: Any, tmp_path: Path) -> None:
    if dialect == "none":
        pytest.skip("WIKIGATE_TEST_DATABASE_URL is not set (PostgreSQL or MariaDB)")
    url = request.getfixturevalue("external_database_url")
    await fresh_external_db(url)
    u = make_url(url)
    proxy = proxy_factory(u.host or "127.0.0.1", u.port or _PORTS[dialect])
    settings = fault_settings(tmp_path, database_url=via_proxy(url, proxy), redis_url=private_redis.url)
    app = await make_app(settings)
    admin = await make_admin(app)
    out = Outcomes()
    limit = settings.storage.database_connect_timeout + settings.storage.database_statement_timeout
    t0 = time.monotonic()
    try:
        # Four stops 0.1-0.55 s into a burst, held 1 s; then two freezes held 3 s
        # (longer than the statement limit, so requests must give up, not hang).
        for rnd in range(4):
            await _round(app, admin, proxy, rnd, out, fault="stop", after=0.1 + 0.15 * rnd, hold=1.0)
        for rnd in range(4, 6):
            await _round(app, admin, proxy, rnd, out, fault="freeze", after=0.2, hold=3.0)
        # Recovered: a new burst succeeds completely.
        recovered = Outcomes()
        await asyncio.gather(burst(app, [f"After {i}" for i in range(12)], recovered),
                             *(protect_title(admin, f"After page {i}", recovered) for i in range(6)))
        assert len(recovered.created) == 12 and len(recovered.protected) == 6, recovered
        out.created |= recovered.created
        out.protected |= recovered.protected
        stats = await check_accounts(url, out, app)
        await check_protections(url, out)
    finally:
        await admin.aclose()
    # Hashing and queueing add to the database limit; 2 s margin on a loaded 2-core host.
    assert out.slowest < limit + 2.0, out
    print(f"\n{dialect}: {stats}, protects answered success {len(out.protected)}/42, answers {out.codes}, "
          f"slowest {out.slowest:.2f}s (limit {limit:.0f}s), total {time.monotonic() - t0:.1f}s")


@pytest.mark.parametrize("dialect", _backends())
async def test_transaction_limit_applies_to_requests_only(dialect: str, request: pytest.FixtureRequest) -> None:
    """A request's transaction gives up after connect + statement timeout; a migration,
    CLI command or import (outside bounded_transactions) may run longer."""
    if dialect == "none":
        pytest.skip("WIKIGATE_TEST_DATABASE_URL is not set (PostgreSQL or MariaDB)")
    from sqlalchemy import text

    from wikigate.storage.sql.database import Database, bounded_transactions

    url = request.getfixturevalue("external_database_url")
    sleep = text("SELECT pg_sleep(1.5)" if dialect == "postgresql" else "SELECT SLEEP(1.5)")
    db = Database(url, pool_size=1, connect_timeout=0.5, statement_timeout=0.5)
    try:
        await db.run(lambda c: c.execute(sleep))  # unbounded: completes
        t0 = time.monotonic()
        with pytest.raises(TimeoutError), bounded_transactions():
            await db.run(lambda c: c.execute(sleep))
        assert time.monotonic() - t0 < 1.4
        await db.run(lambda c: c.execute(text("SELECT 1")))  # the pool is still usable
    finally:
        await db.close()
