"""One access path to the relational database for every dialect.

Store code is written as plain synchronous functions taking a SQLAlchemy ``Connection``
(``def q(conn): …``) and handed to :meth:`Database.run`, which executes it in one
transaction:

* SQLite (the embedded default) runs it on a small thread pool, inside ``BEGIN
  IMMEDIATE``: WAL mode lets several worker processes read while one writes, and a
  transaction waiting for another process's write lock waits in its thread, never on the
  event loop. The hottest reads and writes (sessions, the current user) bypass SQLAlchemy
  through :class:`SqliteFastPath`.
* PostgreSQL (asyncpg) and MariaDB (aiomysql) run it through SQLAlchemy's asyncio bridge
  (``AsyncConnection.run_sync``), so the event loop never blocks on network I/O.

So there is a single implementation of every query, whatever the backend.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import queue
import random
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from wikigate.util.files import ensure_private_dir

T = TypeVar("T")


def normalize_url(url: str) -> tuple[str, str]:
    """Return (dialect, SQLAlchemy URL with the async driver we ship)."""
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        return "sqlite", str(u.set(drivername="sqlite"))
    if backend in ("postgresql", "postgres"):
        return "postgresql", u.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    if backend in ("mysql", "mariadb"):
        u = u.set(drivername="mysql+aiomysql")
        if "charset" not in u.query:
            u = u.update_query_dict({"charset": "utf8mb4"})
        return "mysql", u.render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL scheme {backend!r}")


def sqlite_file(url: str) -> str | None:
    """The file of a ``sqlite:`` URL (None for other databases; ``:memory:`` as is)."""
    if not url.startswith("sqlite:"):
        return None
    from sqlalchemy.engine import make_url

    return make_url(url).database


def _repair_aiomysql_bytes() -> None:
    """aiomysql (≤ 0.3) escapes ``bytes`` parameters with PyMySQL's
    ``escape_bytes_prefixed``, which PyMySQL ≥ 1.1.1 replaced by a placeholder string
    (PyMySQL issue #1274), so every BLOB write (sessions in ``wg_kv``) raised
    ``TypeError: 'str' object is not callable``. Put back an equivalent escaper: a hex
    literal, which is how PyMySQL itself now escapes bytes, so no quoting rules apply."""
    import aiomysql.connection as conn_mod

    if not callable(getattr(conn_mod, "escape_bytes_prefixed", None)):
        conn_mod.escape_bytes_prefixed = lambda value: f"_binary X'{bytes(value).hex()}'"


def _sqlite_manual_transactions(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN instead of the driver (SQLAlchemy recipe).
    dbapi_conn.isolation_level = None


def _sqlite_begin_immediate(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin_deferred(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


def _sqlite_query_only(dbapi_conn: Any, _record: Any) -> None:
    # Read connections refuse every write: a read transaction that wrote would need the
    # write lock it never took (and could fail with SQLITE_BUSY_SNAPSHOT).
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    # Checkpoints are run by the writer thread's checkpointer, not by whichever commit
    # happens to cross the WAL size limit (that commit would wait for the copy and fsync).
    cur.execute("PRAGMA wal_autocheckpoint=0")
    # Deleted and overwritten rows (a scrubbed mail body holding a temporary password,
    # an ended session) are zeroed in the file instead of left in free space.
    cur.execute("PRAGMA secure_delete=ON")
    cur.close()


_WRITE_LOCKS: weakref.WeakSet[SqliteWriteLock] = weakref.WeakSet()


def _reset_write_locks_after_fork() -> None:
    for lock in list(_WRITE_LOCKS):
        lock._after_fork()


os.register_at_fork(after_in_child=_reset_write_locks_after_fork)


class SqliteWriteLock:
    """The one writer of a SQLite file at a time, among this process's threads and every
    other process using the file: a thread lock, then ``flock`` on ``<file>.writelock``,
    held for a whole write transaction.

    Why: SQLite's own lock is polled. A transaction that finds it taken waits in the busy
    handler, which sleeps 1, 2, 5 … 100 ms between tries, so under concurrent writes
    (protect, edits, account creation from several workers and threads) a few
    transactions waited hundreds of milliseconds while the lock was free most of that
    time: the p99 of ``protect``. ``flock`` wakes the next waiter the moment the holder
    lets go. SQLite's lock stays underneath (with its busy timeout) for anything that does
    not take this one, such as the ``sqlite3`` shell.

    The descriptor is opened lazily and again after a fork: a descriptor inherited from the
    parent would share its lock with the parent instead of excluding it.
    """

    def __init__(self, db_path: str) -> None:
        self.path = db_path + ".writelock"
        self._thread_lock = threading.Lock()
        self._fd = -1
        self._pid = 0
        _WRITE_LOCKS.add(self)

    def _after_fork(self) -> None:
        # The child has its own threads: a thread lock held by a parent's thread at the
        # fork would never be released here, and the descriptor is the parent's.
        self._thread_lock = threading.Lock()
        self._fd, self._pid = -1, 0

    def _descriptor(self) -> int:
        if self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock:
            fd = self._descriptor()
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._thread_lock:
            if self._fd >= 0 and self._pid == os.getpid():
                os.close(self._fd)
            self._fd, self._pid = -1, 0


class SqliteFastPath:
    """Raw ``sqlite3`` access for the few queries on every request's path (session
    key-value rows, the user row, preferences), used only on a SQLite file.

    Why: building, caching and executing a SQLAlchemy statement costs several times the
    query itself (tens of microseconds for a primary-key lookup in SQLite), and these
    queries run on nearly every request. The SQL is written once, next to the
    SQLAlchemy version that PostgreSQL and MariaDB use, and the storage contract suite
    runs both.

    One private connection per process in autocommit mode (``isolation_level=None``):
    every statement is its own transaction, so a write holds SQLite's lock only for that
    statement. Same pragmas as the pool (WAL, synchronous=NORMAL, busy_timeout); calls are
    synchronous like :meth:`Database.run` on SQLite, where a local query is cheaper than
    a thread hop.
    """

    def __init__(self, path: str, write_lock: SqliteWriteLock | None = None) -> None:
        self.path = path
        self.write_lock = write_lock or SqliteWriteLock(path)
        self._writer: _SqliteWriter | None = None
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA busy_timeout=10000")
        self.conn.execute("PRAGMA wal_autocheckpoint=0")
        self.conn.execute("PRAGMA secure_delete=ON")

    def one(self, sql: str, args: tuple[Any, ...]) -> Any:
        """First column of the first row, or None."""
        row = self.conn.execute(sql, args).fetchone()
        return row[0] if row else None

    def rows(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, args).fetchall()

    def mapping(self, sql: str, args: tuple[Any, ...]) -> dict[str, Any] | None:
        """The first row as a column-name dict, or None."""
        cur = self.conn.execute(sql, args)
        row = cur.fetchone()
        if row is None:
            return None
        return {d[0]: v for d, v in zip(cur.description, row, strict=True)}

    def write(self, sql: str, args: tuple[Any, ...]) -> int:
        return self.conn.execute(sql, args).rowcount

    async def submit(self, sql: str, args: tuple[Any, ...], *, returning: bool = False) -> Any:
        """Run a write on the writer thread; the row count, or the first column of the
        first returned row with ``returning``. See :class:`_SqliteWriter`."""
        if self._writer is None:
            self._writer = _SqliteWriter(self.path, self.write_lock)
        return await self._writer.submit(sql, args, returning)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.conn.close()


def begin_immediate(conn: sqlite3.Connection, timeout: float = 10.0) -> None:
    """Take SQLite's write lock, retrying every fraction of a millisecond (with jitter, so
    two processes do not retry in lockstep) until ``timeout``; the holder's transactions
    are short, so the wait is short too."""
    deadline = time.monotonic() + timeout
    delay = 0.0002
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) and "busy" not in str(e):
                raise
            if time.monotonic() >= deadline:
                raise
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 1.5, 0.002)


class _SqliteWriter:
    """One thread per process that performs the fast-path writes, in group commits.

    Why a thread: several worker processes share one SQLite file, and only one can write
    at a time. A writer that finds the lock taken waits in SQLite's busy handler, which
    *sleeps* (1, 2, 5, 10 … 100 ms). Inline on the event loop that sleep would stall every
    request of the worker and showed up as a 100+ ms p99 under load. On this thread only
    the writing requests wait, and ``sqlite3`` releases the GIL while it waits.

    Why batches: every write waiting in the queue when the thread gets to it goes into
    one ``BEGIN IMMEDIATE … COMMIT``, so under load the number of lock hand-overs between
    processes (and of WAL commits) is a fraction of the number of writes. A failing
    statement fails only its own caller: SQLite rolls back just that statement.
    The caller's future resolves after COMMIT, so a response never leaves before its
    session is durable and visible to every other worker.
    """

    _BATCH = 256

    def __init__(self, path: str, write_lock: SqliteWriteLock) -> None:
        self._path = path
        self._write_lock = write_lock
        self._queue: queue.SimpleQueue[tuple[str, tuple[Any, ...], bool, asyncio.Future[Any]] | None] = (
            queue.SimpleQueue())
        self._thread = threading.Thread(target=self._run, name="wikigate-sqlite-writer", daemon=True)
        self._thread.start()
        self._stop = threading.Event()
        self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="wikigate-sqlite-checkpoint",
                                              daemon=True)
        self._checkpointer.start()

    def _checkpoint_loop(self) -> None:
        """Copy the WAL back into the database once a second (PASSIVE: never waits for or
        blocks writers), so that no request's commit pays for a checkpoint."""
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout=0")
        # Once a checkpoint lets SQLite restart the WAL, truncate the file to 64 MiB so a
        # burst of session writes does not leave a huge file behind.
        conn.execute("PRAGMA journal_size_limit=67108864")
        while not self._stop.wait(1.0):
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                continue  # another process is checkpointing; try again next second
        conn.close()

    async def submit(self, sql: str, args: tuple[Any, ...], returning: bool) -> Any:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put((sql, args, returning, fut))
        return await fut

    def close(self) -> None:
        self._stop.set()
        self._queue.put(None)
        self._thread.join(timeout=10)

    @staticmethod
    def _resolve(fut: asyncio.Future[Any], ok: bool, value: Any) -> None:
        if fut.done():  # the caller was cancelled
            return
        if ok:
            fut.set_result(value)
        else:
            fut.set_exception(value)

    def _run(self) -> None:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA synchronous=NORMAL")
        # No SQLite busy handler here: its sleeps grow to 100 ms, which showed up as a
        # p99 of up to a second when two worker processes write at once. begin_immediate()
        # retries with sub-millisecond sleeps instead.
        conn.execute("PRAGMA busy_timeout=0")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("PRAGMA journal_size_limit=67108864")
        conn.execute("PRAGMA secure_delete=ON")
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                break
            batch = [first]
            while len(batch) < self._BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            results: list[tuple[bool, Any]] = []
            with self._write_lock.held():
                try:
                    begin_immediate(conn)
                    for sql, args, returning, _fut in batch:
                        try:
                            cur = conn.execute(sql, args)
                            if returning:
                                row = cur.fetchone()
                                results.append((True, row[0] if row else None))
                            else:
                                results.append((True, cur.rowcount))
                        except sqlite3.Error as e:
                            results.append((False, e))
                    conn.execute("COMMIT")
                except sqlite3.Error as e:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    results = [(False, e)] * len(batch)
            for (_sql, _args, _ret, fut), (ok, value) in zip(batch, results, strict=True):
                fut.get_loop().call_soon_threadsafe(self._resolve, fut, ok, value)
            # Fairness: leave the lock free for a moment before the next batch, or another
            # process's writer (retrying every ~1 ms) could miss it again and again while
            # this one re-takes it at once. The pause also lets the next batch grow.
            time.sleep(0.0003)
        conn.close()


_DEADLOCK_RETRIES = 3

_BOUNDED: ContextVar[bool] = ContextVar("wikigate_bounded_transactions", default=False)


@contextmanager
def bounded_transactions() -> Iterator[None]:
    """Within this block (one request), :meth:`Database.run` gives up on a transaction
    after ``connect_timeout + statement_timeout`` seconds. Outside it — migrations, the
    CLI, imports, background work — transactions may take as long as they need."""
    token = _BOUNDED.set(True)
    try:
        yield
    finally:
        _BOUNDED.reset(token)


def _is_deadlock(e: BaseException) -> bool:
    """MariaDB 1213 deadlock / 1205 lock wait timeout; PostgreSQL 40P01 deadlock /
    40001 serialization failure: the server gave up on the transaction, a retry may pass.

    The causes are searched too: on MariaDB a deadlock inside a savepoint rolls back the
    whole transaction, so SQLAlchemy's ROLLBACK TO SAVEPOINT then fails with 1305 and
    the deadlock is only the context of that error."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [e]
    while todo and len(seen) < 10:
        cur = todo.pop()
        if cur is None or any(cur is x for x in seen):
            continue
        seen.append(cur)
        orig = getattr(cur, "orig", None)
        for err in (cur, orig):
            if err is None:
                continue
            args = getattr(err, "args", ())
            if args and args[0] in (1213, 1205):
                return True
            if getattr(err, "sqlstate", None) in ("40P01", "40001"):
                return True
        if isinstance(orig, BaseException):
            todo.append(orig)
        todo += [cur.__cause__, cur.__context__]
    return False


class Database:
    """A connection pool plus the dialect name; see the module docstring."""

    def __init__(self, url: str, *, pool_size: int = 10, connect_timeout: float = 3.0,
                 statement_timeout: float = 10.0) -> None:
        self.dialect, self.url = normalize_url(url)
        #: Inside :func:`bounded_transactions` (request handling), a transaction on
        #: PostgreSQL/MariaDB that has not finished after this many seconds fails with
        #: TimeoutError: a frozen server must not hold a request for ever.
        self.run_timeout = connect_timeout + statement_timeout
        self.sync_engine: Engine | None = None
        self.async_engine: AsyncEngine | None = None
        self._pool: ThreadPoolExecutor | None = None
        #: Raw fast path on a SQLite file, else None (see :class:`SqliteFastPath`).
        self.lite: SqliteFastPath | None = None
        #: Writers of a SQLite file take turns here (see :class:`SqliteWriteLock`).
        self.write_lock: SqliteWriteLock | None = None
        #: Read-only connections to a SQLite file (:meth:`read`), else None.
        self.read_engine: Engine | None = None
        self._read_pool: ThreadPoolExecutor | None = None
        if self.dialect == "sqlite":
            memory = self.url in ("sqlite://", "sqlite:///:memory:")
            path: str | None = None
            if memory:
                engine = create_engine(
                    "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
                )
            else:
                path = make_url(self.url).database
                if path:
                    # Private: the file holds password hashes, sessions and the site secret.
                    ensure_private_dir(Path(path).parent)
                engine = create_engine(
                    self.url, pool_size=pool_size, connect_args={"check_same_thread": False}
                )
                event.listen(engine, "connect", _sqlite_pragmas)
                # Transactions take the write lock up front (BEGIN IMMEDIATE): a deferred
                # transaction that reads and then writes would fail at once with
                # SQLITE_BUSY_SNAPSHOT when another process wrote in between.
                event.listen(engine, "connect", _sqlite_manual_transactions)
                event.listen(engine, "begin", _sqlite_begin_immediate)
                # ... and they run on a small thread pool, so waiting for another process's
                # lock never stalls this worker's event loop.
                self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wikigate-sql")
            self.sync_engine = engine
            if not memory and path:
                self.write_lock = SqliteWriteLock(path)
                self.lite = SqliteFastPath(path, self.write_lock)
                # Reads on their own connections and threads: a deferred transaction in WAL
                # mode reads a snapshot without SQLite's write lock or ours, so reads never
                # queue behind writers (or behind pool threads waiting for them).
                reader = create_engine(self.url, pool_size=pool_size, connect_args={"check_same_thread": False})
                event.listen(reader, "connect", _sqlite_pragmas)
                event.listen(reader, "connect", _sqlite_manual_transactions)
                event.listen(reader, "connect", _sqlite_query_only)
                event.listen(reader, "begin", _sqlite_begin_deferred)
                self.read_engine = reader
                self._read_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="wikigate-sql-read")
        else:
            if self.dialect == "mysql":
                _repair_aiomysql_bytes()
            # Timeouts so that an unreachable or frozen server fails a request within a
            # bounded time instead of hanging it (issue 15): connect and pool checkout
            # wait connect_timeout; run() limits a request's transaction (see
            # bounded_transactions) — not a connection-wide statement timeout, which
            # would also cut off long migrations and imports.
            connect_args: dict[str, Any]
            if self.dialect == "postgresql":
                connect_args = {"timeout": connect_timeout}
            else:
                connect_args = {"connect_timeout": max(1, round(connect_timeout))}
            self.async_engine = create_async_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                pool_recycle=3600, pool_timeout=connect_timeout, connect_args=connect_args,
            )

    async def run(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(conn)`` inside one transaction and return its result."""
        if self.sync_engine is not None:
            if self._pool is not None:
                return await asyncio.get_running_loop().run_in_executor(self._pool, self._run_sync, fn)
            return self._run_sync(fn)
        assert self.async_engine is not None
        async with asyncio.timeout(self.run_timeout if _BOUNDED.get() else None):
            for attempt in range(_DEADLOCK_RETRIES + 1):
                try:
                    async with self.async_engine.begin() as aconn:
                        return await aconn.run_sync(fn)
                except DBAPIError as e:
                    # The server rolled the whole transaction back, so running ``fn``
                    # again from the start is safe; concurrent protects on MariaDB meet
                    # this under load (InnoDB gap locks), found by tests/faults.
                    if attempt == _DEADLOCK_RETRIES or not _is_deadlock(e):
                        raise
                    await asyncio.sleep(0.01 * (attempt + 1) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """Run ``fn(conn)``, which only reads, in one transaction (a consistent snapshot).

        On a SQLite file it runs on a read-only connection without taking the write lock,
        so it does not wait for writers; elsewhere it is :meth:`run`. ``fn`` must not
        write: on SQLite a write fails (``attempt to write a readonly database``)."""
        if self.read_engine is None or self._read_pool is None:
            return await self.run(fn)
        return await asyncio.get_running_loop().run_in_executor(self._read_pool, self._read_sync, fn)

    def _read_sync(self, fn: Callable[[Connection], T]) -> T:
        assert self.read_engine is not None
        with self.read_engine.begin() as conn:
            return fn(conn)

    def _run_sync(self, fn: Callable[[Connection], T]) -> T:
        assert self.sync_engine is not None
        if self.write_lock is None:
            with self.sync_engine.begin() as conn:
                return fn(conn)
        # Every transaction here is BEGIN IMMEDIATE (a writer): take turns first.
        with self.write_lock.held(), self.sync_engine.begin() as conn:
            return fn(conn)

    async def forget_deleted(self) -> None:
        """Make deleted content unrecoverable from the SQLite WAL: checkpoint it into the
        database file (where ``secure_delete`` has zeroed it) and truncate the WAL, so the
        old page images (e.g. a mail body before it was scrubbed) are gone from disk too.
        Best effort: a reader that holds an old snapshot makes SQLite skip the truncation;
        the next call catches up. No-op on PostgreSQL and MariaDB (their own storage)."""
        if self.sync_engine is None or self.lite is None:
            return

        path = self.lite.path

        def go() -> None:
            # Own short-lived connection: the fast path's connection belongs to the loop.
            conn = sqlite3.connect(path, isolation_level=None)
            try:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("PRAGMA busy_timeout=2000")
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()

        if self._pool is not None:
            await asyncio.get_running_loop().run_in_executor(self._pool, go)
        else:
            go()

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._read_pool is not None:
            self._read_pool.shutdown(wait=True)
            self._read_pool = None
        if self.read_engine is not None:
            self.read_engine.dispose()
            self.read_engine = None
        if self.lite is not None:
            self.lite.close()
            self.lite = None
        if self.write_lock is not None:
            self.write_lock.close()
        if self.sync_engine is not None:
            self.sync_engine.dispose()
        if self.async_engine is not None:
            await self.async_engine.dispose()
