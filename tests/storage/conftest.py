"""Backends for the storage contract suite (tests/storage/test_contract.py).

Every contract test runs once per backend:

* SQL stores: SQLite (a file in ``tmp_path``, always) and the server named by
  ``WIKIGATE_TEST_DATABASE_URL`` (``postgresql://…`` or ``mysql://…``) when it is set;
* key-value stores: memory, SQL on each of the above, and Redis when
  ``WIKIGATE_TEST_REDIS_URL`` is set.

Isolation: the suite never touches the database named in the URL beyond creating (and at
the end dropping) a private database ``wgtest_<pid>_<random>`` next to it, so two runs —
or a developer's data — cannot collide. Inside it every test starts from an empty schema:
all ``wg_*`` tables and ``alembic_version`` are dropped and the Alembic migrations run
from scratch, so each dialect's migrations are exercised on every test. Redis tests use a
fresh key prefix and delete their keys afterwards.

Unreachable servers are skipped locally but FAIL under ``CI`` (any non-empty value but
``0``/``false``): a CI run whose service is down must not pass by testing nothing.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from wikigate.storage.kv import KeyValueStore, MemoryKeyValueStore
from wikigate.storage.sql import migrate
from wikigate.storage.sql.database import Database, normalize_url
from wikigate.storage.sql.kv import SqlKeyValueStore
from wikigate.util.clock import FakeClock

DATABASE_URL = os.environ.get("WIKIGATE_TEST_DATABASE_URL", "").strip()
REDIS_URL = os.environ.get("WIKIGATE_TEST_REDIS_URL", "").strip()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(what: str) -> None:
    """Skip locally; under CI a configured but unreachable service is a failure."""
    if in_ci():
        pytest.fail(f"CI is set and {what}", pytrace=False)
    pytest.skip(what)


def _dialect(url: str) -> str:
    return normalize_url(url)[0] if url else ""


EXTERNAL_DIALECT = _dialect(DATABASE_URL)
_MARKS = {"postgresql": pytest.mark.postgres, "mysql": pytest.mark.mariadb}

SQL_BACKENDS = [pytest.param("sqlite", id="sqlite")]
if EXTERNAL_DIALECT:
    SQL_BACKENDS.append(pytest.param(EXTERNAL_DIALECT, id=EXTERNAL_DIALECT, marks=_MARKS[EXTERNAL_DIALECT]))

KV_BACKENDS = [pytest.param("memory", id="kv-memory")] + [
    pytest.param(f"sql-{p.values[0]}", id=f"kv-sql-{p.values[0]}", marks=p.marks) for p in SQL_BACKENDS
]
if REDIS_URL:
    KV_BACKENDS.append(pytest.param("redis", id="kv-redis", marks=pytest.mark.redis))


# -- a private database on the external server ------------------------------------------


async def _admin(url: str, statements: list[str]) -> None:
    """Run statements outside a transaction (CREATE/DROP DATABASE) on ``url``."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(normalize_url(url)[1], isolation_level="AUTOCOMMIT",
                                 connect_args=_connect_timeout(url))
    try:
        async with engine.connect() as conn:
            for stmt in statements:
                await conn.execute(text(stmt))
    finally:
        await engine.dispose()


def run_detached(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine on its own loop in a thread: session fixtures are first requested
    from inside a test's running event loop, where ``asyncio.run`` is not allowed."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = asyncio.run(coro_fn())  # type: ignore[arg-type]
        except BaseException as e:
            box["error"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("result")


def _connect_timeout(url: str) -> dict[str, Any]:
    return {"timeout": 5} if _dialect(url) == "postgresql" else {"connect_timeout": 5}


@pytest.fixture(scope="session")
def external_database_url() -> Iterator[str]:
    """URL of a fresh private database on the WIKIGATE_TEST_DATABASE_URL server."""
    if not DATABASE_URL:
        pytest.skip("WIKIGATE_TEST_DATABASE_URL is not set")
    name = f"wgtest_{os.getpid()}_{secrets.token_hex(3)}"
    quote = '"' if EXTERNAL_DIALECT == "postgresql" else "`"
    try:
        run_detached(lambda: _admin(DATABASE_URL, [f"CREATE DATABASE {quote}{name}{quote}"]))
    except Exception as e:  # any driver error means "not reachable/usable"
        unavailable(f"WIKIGATE_TEST_DATABASE_URL is unreachable or cannot create a database: "
                    f"{type(e).__name__}: {e}")
    url = make_url(DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    drop = [f"DROP DATABASE IF EXISTS {quote}{name}{quote}"]
    if EXTERNAL_DIALECT == "postgresql":
        drop = [f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' "
                "AND pid <> pg_backend_pid()", *drop]
    run_detached(lambda: _admin(DATABASE_URL, drop))


async def reset_schema(db: Database) -> None:
    """Drop every wg_* table and the Alembic version table: an empty database."""

    def q(conn: Any) -> None:
        from sqlalchemy import inspect

        names = [n for n in inspect(conn).get_table_names() if n.startswith("wg_") or n == "alembic_version"]
        for n in names:
            conn.execute(text(f"DROP TABLE IF EXISTS {conn.dialect.identifier_preparer.quote(n)}"))

    await db.run(q)


@dataclass
class SqlBackend:
    name: str
    url: str

    async def open(self, *, migrated: bool = True) -> Database:
        db = Database(self.url, pool_size=5)
        if migrated:
            await migrate.upgrade(db)
        return db


@pytest.fixture(params=SQL_BACKENDS)
async def sql_backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlBackend]:
    """An empty database of each backend (no schema yet)."""
    name: str = request.param
    if name == "sqlite":
        yield SqlBackend(name, f"sqlite:///{tmp_path / 'contract.db'}")
        return
    url: str = request.getfixturevalue("external_database_url")
    db = Database(url, pool_size=1)
    try:
        await reset_schema(db)
    finally:
        await db.close()
    yield SqlBackend(name, url)


@pytest.fixture
async def db(sql_backend: SqlBackend) -> AsyncIterator[Database]:
    """A migrated database of each backend."""
    database = await sql_backend.open()
    yield database
    await database.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# -- key-value stores ---------------------------------------------------------------------


@dataclass
class KvBackend:
    name: str
    store: KeyValueStore
    #: Move time forward: the fake clock for memory/SQL, real sleeping for Redis (whose
    #: expiry runs on the server's own clock), so tests keep TTLs short.
    advance: Callable[[float], Awaitable[None]]
    #: Another store instance on the same data (a second worker process or host), or None.
    twin: Callable[[], Awaitable[KeyValueStore]] | None = None


async def _redis_reachable(url: str) -> None:
    from redis.asyncio import Redis

    r = Redis.from_url(url, socket_connect_timeout=3)
    try:
        await r.ping()
    finally:
        await r.aclose()


@pytest.fixture
def redis_prefix() -> str:
    return f"wgtest:{os.getpid()}:{secrets.token_hex(4)}:"


async def flush_redis_prefix(url: str, prefix: str) -> None:
    from redis.asyncio import Redis

    r = Redis.from_url(url)
    try:
        keys = [k async for k in r.scan_iter(match=prefix + "*", count=500)]
        if keys:
            await r.delete(*keys)
    finally:
        await r.aclose()


@pytest.fixture(params=KV_BACKENDS)
async def kv_backend(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock,
                     redis_prefix: str) -> AsyncIterator[KvBackend]:
    name: str = request.param

    async def fake_advance(seconds: float) -> None:
        clock.advance(seconds)

    if name == "memory":
        yield KvBackend(name, MemoryKeyValueStore(clock.time), fake_advance)
        return
    if name == "redis":
        from wikigate.storage.redis import RedisKeyValueStore

        try:
            await _redis_reachable(REDIS_URL)
        except Exception as e:
            unavailable(f"WIKIGATE_TEST_REDIS_URL is unreachable: {type(e).__name__}: {e}")
        opened: list[RedisKeyValueStore] = []

        async def redis_twin() -> KeyValueStore:
            s = RedisKeyValueStore(REDIS_URL, prefix=redis_prefix)
            opened.append(s)
            return s

        store = await redis_twin()

        async def sleep(seconds: float) -> None:
            await asyncio.sleep(seconds)

        try:
            yield KvBackend(name, store, sleep, redis_twin)
        finally:
            for s in opened:
                await s.close()
            await flush_redis_prefix(REDIS_URL, redis_prefix)
        return
    sql_name = name.removeprefix("sql-")
    backend: SqlBackend = await _sql_backend_for(request, sql_name, tmp_path)
    databases: list[Database] = []

    async def sql_twin() -> KeyValueStore:
        d = await backend.open(migrated=not databases)
        databases.append(d)
        return SqlKeyValueStore(d, clock.time)

    store = await sql_twin()
    try:
        yield KvBackend(name, store, fake_advance, sql_twin)
    finally:
        for d in databases:
            await d.close()


async def _sql_backend_for(request: pytest.FixtureRequest, name: str, tmp_path: Path) -> SqlBackend:
    if name == "sqlite":
        return SqlBackend(name, f"sqlite:///{tmp_path / 'kv.db'}")
    url: str = request.getfixturevalue("external_database_url")
    db = Database(url, pool_size=1)
    try:
        await reset_schema(db)
    finally:
        await db.close()
    return SqlBackend(name, url)

