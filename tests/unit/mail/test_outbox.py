"""The outbox: queue first, deliver once, retry temporary failures, give up on permanent ones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from wikigate.mail import BadAddress, PermanentMailError, TemporaryMailError
from wikigate.mail.maildir import MaildirMailer
from wikigate.mail.memory import MemoryMailer
from wikigate.mail.outbox import Outbox, backoff
from wikigate.storage.sql import migrate
from wikigate.storage.sql.database import Database
from wikigate.util.clock import FakeClock


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'q.db'}")
    await migrate.upgrade(database)
    yield database
    await database.close()


def outbox(db: Database, transport: object, clock: FakeClock, retries: int = 3) -> Outbox:
    return Outbox(db, clock, transport, sitename="RefWiki", sender="wiki@refwiki.test",  # type: ignore[arg-type]
                  retries=retries)


async def test_queued_then_delivered_once(db: Database) -> None:
    clock, mem = FakeClock(), MemoryMailer()
    box = outbox(db, mem, clock)
    mid = await box.send("Alice", "a@x.test", "Subject", "Body with a77ht42458\n", "en")
    assert [e.status for e in await box.entries()] == ["pending"]
    assert mem.outbox == []  # nothing sent inside the request
    assert await box.flush() == 1
    assert await box.flush() == 0
    assert len(mem.outbox) == 1 and mem.outbox[0].recipient == "a@x.test"
    assert "a77ht42458" in mem.outbox[0].body
    (entry,) = await box.entries("sent")
    assert entry.id == mid and entry.subject == "Subject"
    # The temporary password does not stay in the database after delivery.
    raw = await db.run(lambda c: c.exec_driver_sql("SELECT mq_message FROM wg_mail_queue").scalar_one())
    assert b"a77ht42458" not in bytes(raw)


async def test_two_workers_never_send_twice(db: Database) -> None:
    clock, mem = FakeClock(), MemoryMailer()
    a, b = outbox(db, mem, clock), outbox(db, mem, clock)
    for i in range(20):
        await a.send("U", f"u{i}@x.test", "S", "B", "en")
    await asyncio.gather(a.process_due(limit=3), b.process_due(limit=3), a.process_due(limit=5))
    assert sorted(m.recipient for m in mem.outbox) == sorted(f"u{i}@x.test" for i in range(20))


async def test_temporary_failure_retried_with_backoff_then_failed(db: Database) -> None:
    clock, mem = FakeClock(), MemoryMailer()
    box = outbox(db, mem, clock, retries=3)
    mem.fail_next = [TemporaryMailError("SMTP 451 try later")] * 3
    await box.send("A", "a@x.test", "S", "B", "en")
    await box.flush()
    (e,) = await box.entries()
    assert (e.status, e.attempts, e.last_error) == ("pending", 1, "SMTP 451 try later")
    assert await box.flush() == 0  # not due yet
    clock.advance(backoff(1))
    await box.flush()
    clock.advance(backoff(2))
    await box.flush()
    (e,) = await box.entries()
    assert (e.status, e.attempts) == ("failed", 3)
    assert mem.outbox == []
    assert await box.retry() == 1
    await box.flush()
    assert (await box.entries())[0].status == "sent" and len(mem.outbox) == 1


async def test_permanent_failure_not_retried(db: Database) -> None:
    clock, mem = FakeClock(), MemoryMailer()
    box = outbox(db, mem, clock)
    mem.fail_next = [PermanentMailError("SMTP 550 no such user")]
    await box.send("A", "a@x.test", "S", "B", "en")
    await box.flush()
    (e,) = await box.entries()
    assert (e.status, e.attempts, e.last_error) == ("failed", 1, "SMTP 550 no such user")


async def test_expired_lease_is_retried(db: Database) -> None:
    """A worker that died while sending leaves a 'sending' row; it is sent again later."""
    clock, mem = FakeClock(), MemoryMailer()
    box = outbox(db, mem, clock)
    await box.send("A", "a@x.test", "S", "B", "en")
    claimed = await box._claim(10)  # claim, then "crash" before delivering
    assert len(claimed) == 1 and await box.flush() == 0
    clock.advance(301)
    assert await box.flush() == 1 and len(mem.outbox) == 1


async def test_bad_address_never_queued(db: Database) -> None:
    box = outbox(db, MemoryMailer(), FakeClock())
    with pytest.raises(BadAddress):
        await box.send("A", "a@x.test\r\nBcc: b@evil.test", "S", "B", "en")
    with pytest.raises(BadAddress):
        await box.send("A\r\nBcc: b@evil.test", "a@x.test", "S", "B", "en")
    assert await box.entries() == []


async def test_background_task_delivers(db: Database) -> None:
    mem = MemoryMailer()
    box = outbox(db, mem, FakeClock())
    await box.start()
    try:
        await box.send("A", "a@x.test", "S", "B", "en")
        for _ in range(100):
            if mem.outbox:
                break
            await asyncio.sleep(0.02)
        assert len(mem.outbox) == 1
    finally:
        await box.stop()


async def test_maildir_transport(tmp_path: Path, db: Database) -> None:
    md = tmp_path / "spool"
    md.mkdir()  # an existing empty directory still gets tmp/new/cur
    box = outbox(db, MaildirMailer(str(md)), FakeClock())
    await box.send("Alice", "a@x.test", "Account details on RefWiki", "Temporary password:\nabc\n", "en")
    await box.flush()
    (path,) = list((md / "new").iterdir())
    text = path.read_text()
    assert "Delivered-To: a@x.test" in text and '"Alice" <a@x.test>' in text
    assert (path.stat().st_mode & 0o077) == 0
