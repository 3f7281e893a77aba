"""SQLite on a file: writers take turns on one lock shared by threads and processes (a
forked child gets its own descriptor, so it is excluded too), and read transactions run on
read-only connections that neither take that lock nor may write."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import OperationalError

from wikigate.storage.sql import migrate
from wikigate.storage.sql.database import Database, SqliteWriteLock
from wikigate.storage.sql.schema import logging as log_table


def _child(path: str, lock: SqliteWriteLock, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    start = time.monotonic()
    with lock.held():
        out.put(time.monotonic() - start)


def test_write_lock_excludes_a_forked_process(tmp_path: Path) -> None:
    lock = SqliteWriteLock(str(tmp_path / "w.db"))
    ctx = multiprocessing.get_context("fork")
    out: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    with lock.held():
        child = ctx.Process(target=_child, args=(str(tmp_path / "w.db"), lock, out))
        child.start()
        time.sleep(0.5)
    child.join(10)
    waited = out.get(timeout=5)
    assert waited >= 0.4, f"the child took the lock while the parent held it (waited {waited:.3f}s)"
    assert (tmp_path / "w.db.writelock").stat().st_mode & 0o077 == 0
    lock.close()


def test_write_lock_serialises_threads(tmp_path: Path) -> None:
    lock = SqliteWriteLock(str(tmp_path / "w.db"))
    inside = 0
    most = 0
    guard = threading.Lock()

    def work() -> None:
        nonlocal inside, most
        for _ in range(50):
            with lock.held():
                with guard:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.0002)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1
    lock.close()


async def test_reads_do_not_wait_for_a_writer_and_cannot_write(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    await migrate.upgrade(db)
    assert db.write_lock is not None
    with db.write_lock.held():  # another writer is busy
        start = time.monotonic()
        assert await db.read(lambda c: c.execute(select(text("1"))).scalar_one()) == 1
        assert time.monotonic() - start < 1.0
    with pytest.raises(OperationalError, match=r"readonly|read-only|read only"):
        await db.read(lambda c: c.execute(insert(log_table).values(
            log_type="t", log_action="a", log_timestamp="20260101000000", log_title="X")))
    await db.run(lambda c: c.execute(insert(log_table).values(
        log_type="t", log_action="a", log_timestamp="20260101000000", log_title="X")))
    assert await db.read(lambda c: c.execute(select(log_table.c.log_title)).scalar_one()) == "X"
    await db.close()
