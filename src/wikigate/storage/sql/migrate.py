"""Run Alembic migrations programmatically on a :class:`Database` (any dialect).

Only ``wikigate migrate`` and the ``wikigate serve`` parent (before it starts its
workers) migrate; workers never touch the schema, so a worker restarted while the
database is down does not fail its start-up (and with it the whole server).

Several hosts may start at once: the upgrade runs under a database-wide lock
(PostgreSQL advisory lock, MariaDB ``GET_LOCK``, SQLite's write lock), and the revision
is read again inside it, so the second host finds the work done instead of racing the
first one's ``CREATE TABLE``.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from wikigate.storage.sql.database import Database

#: Advisory lock key (PostgreSQL, any 64-bit number) and lock name (MariaDB).
LOCK_KEY = 0x77696B6967617465  # "wikigate"
LOCK_NAME = "wikigate-migrate"
#: Seconds one starting host waits for another's migration.
LOCK_TIMEOUT = 300


@contextlib.contextmanager
def _script_location() -> Iterator[Path]:
    # Through importlib.resources, not __file__: works from a wheel, an editable install
    # and a zip alike (as_file extracts to a temporary directory when it must).
    with resources.as_file(resources.files("wikigate.storage.sql") / "migrations") as path:
        yield Path(path)


def alembic_config(location: Path) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    return cfg


@contextlib.contextmanager
def _migration_lock(conn: Any) -> Iterator[None]:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        # Transaction-scoped: released by the commit (or rollback) of this transaction.
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
        yield
    elif dialect in ("mysql", "mariadb"):
        # GET_LOCK names are server-wide: qualify by database, so wikis sharing a server
        # do not wait for each other.
        name = f"{LOCK_NAME}:{conn.execute(text('SELECT DATABASE()')).scalar()}"[:64]
        got = conn.execute(text("SELECT GET_LOCK(:n, :t)"), {"n": name, "t": LOCK_TIMEOUT}).scalar()
        if got != 1:
            raise TimeoutError(f"another process held the migration lock for {LOCK_TIMEOUT} s")
        try:
            yield
        finally:
            conn.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": name})
    else:
        # SQLite: the transaction began with BEGIN IMMEDIATE, i.e. it holds the write lock.
        yield


def _upgrade(conn: Any) -> None:
    with _migration_lock(conn), _script_location() as location:
        cfg = alembic_config(location)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")  # reads the revision again, now under the lock


def _current(conn: Any) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    with _script_location() as location:
        return ScriptDirectory.from_config(alembic_config(location)).get_current_head()


@functools.cache
def known_revisions() -> frozenset[str]:
    """Every revision this version ships (the scripts do not change while it runs)."""
    with _script_location() as location:
        return frozenset(r.revision for r in ScriptDirectory.from_config(alembic_config(location)).walk_revisions())


@functools.cache
def _head() -> str | None:
    return head_revision()


def schema_problem(current: str | None) -> str | None:
    """Why this version cannot run on a schema at ``current``, or None.

    A revision this version does not know is newer (a rolling upgrade migrated the
    database first); revisions only add, so that is fine. An older known one is not."""
    head = _head()
    if current == head:
        return None
    if current is None:
        return "no schema; run `wikigate migrate`"
    if current in known_revisions():
        return f"schema at revision {current}, this version needs {head}; run `wikigate migrate`"
    return None


async def schema_exists(db: Database) -> bool:
    """Whether the database has a schema (the migration bookkeeping table) — creates nothing."""
    from sqlalchemy import inspect

    return bool(await db.run(lambda c: inspect(c).has_table("alembic_version")))


async def current_revision(db: Database) -> str | None:
    return await db.run(_current)


async def upgrade(db: Database) -> tuple[str | None, str | None]:
    """Bring the schema to the newest revision; returns (before, after)."""
    try:
        before = await db.run(_current)
    except DBAPIError:
        # Read outside the lock, so it can race another host's DDL (MariaDB commits DDL
        # statement by statement); the locked upgrade below reads again and decides.
        before = None
    head = head_revision()
    if before != head:
        await db.run(_upgrade)
    return before, head
