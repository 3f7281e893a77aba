"""The durable outbox: every message goes into ``wg_mail_queue`` first, then out.

Why a queue: a request must not wait for (or fail because of) an SMTP server, and a
crash between "password reset stored" and "mail sent" must not lose the mail. So
:meth:`Outbox.send` only inserts a row and wakes the background task of *this*
worker; every worker's task also polls, so rows left behind by a crashed worker are
picked up too.

Claiming is a compare-and-set ``UPDATE … WHERE mq_id = ? AND mq_status = ? AND
mq_attempts = ?`` (the attempt counter doubles as a row version; floats are not compared
because MariaDB's FLOAT is single precision) that moves the row to ``sending`` with a lease; only the worker
whose update hit one row sends it, so two workers never send one mail twice. A worker
that dies while sending leaves a ``sending`` row whose lease runs out, and the row is
retried (at-least-once: the alternative, at-most-once, would lose reset mails).

Temporary failures (SMTP 4xx, connection errors) are retried with exponential backoff
up to ``mail.retries`` attempts, then the row is marked ``failed`` and logged;
``wikigate mail retry`` puts failed rows back. After delivery the body is scrubbed
from the row (it can hold a temporary password); the headers stay for the operator.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Connection

from wikigate.config import Settings
from wikigate.mail import BadAddress, Mailer, MailError, PermanentMailError, build_message
from wikigate.mail.transports import make_transport
from wikigate.storage.errors import is_backend_outage
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import mail_queue
from wikigate.util.clock import Clock, mw_timestamp

log = logging.getLogger("wikigate.mail")

#: Seconds a claimed row stays ours; after that another worker may retry it.
LEASE_SECONDS = 300.0
#: Background poll interval (rows queued by other workers, retries that came due).
POLL_SECONDS = 5.0
BACKOFF_BASE = 30.0
BACKOFF_MAX = 3600.0
SCRUBBED = b"[message body removed after delivery]\n"


@dataclass(frozen=True)
class QueuedMail:
    id: int
    created: str
    recipient: str
    subject: str
    status: str
    attempts: int
    next_attempt: float
    last_error: str


def backoff(attempts: int) -> float:
    """Delay before attempt ``attempts + 1``: 30 s, 60 s, 120 s … capped at one hour."""
    return float(min(BACKOFF_MAX, BACKOFF_BASE * 2 ** max(0, attempts - 1)))


def _subject(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return str(msg.get("Subject", ""))


def _headers_only(raw: bytes) -> bytes:
    head, sep, _ = raw.partition(b"\n\n")
    if not sep:
        head, sep, _ = raw.partition(b"\r\n\r\n")
    return head + b"\n\n" + SCRUBBED


class Outbox:
    """``services.mailer``: queue + background delivery."""

    def __init__(self, db: Database, clock: Clock, transport: Mailer, *, sitename: str, sender: str,
                 retries: int, enabled: bool = True, msgid_domain: str = "") -> None:
        self.db = db
        self.clock = clock
        self.transport = transport
        self.sitename = sitename
        self.sender = sender
        self.retries = max(1, retries)
        self.enabled = enabled
        self.msgid_domain = msgid_domain or sender.rpartition("@")[2] or "localhost"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._running = False
        self._deferred: set[asyncio.Task[None]] = set()
        # One delivery pass at a time per worker, so drain() also waits for a pass the
        # background task has in flight (other workers are kept apart by the claims).
        self._pass_lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, s: Settings, db: Database, clock: Clock) -> Outbox:
        return cls(db, clock, make_transport(s), sitename=s.site.sitename,
                   sender=s.mail.sender, retries=s.mail.retries, enabled=s.mail.enabled,
                   msgid_domain=s.site.server_name)

    # -- queueing ------------------------------------------------------------------------

    def prepare(self, to_name: str, to_addr: str, subject: str, body: str,
                lang: str = "en") -> Callable[[Connection], int]:
        """Build one message now and return the step that queues it, for a
        :class:`~wikigate.storage.sql.unit.UnitOfWork`: the mail is queued if and only if
        the change it reports commits. Call :meth:`wake` after the commit.
        Raises :class:`BadAddress` for unsafe input.
        """
        if not self.enabled:  # $wgEnableEmail = false: callers check first; this is the backstop
            raise MailError("mail is disabled (mail.enabled = false)")
        msg = build_message(from_name=self.sitename, from_addr=self.sender, to_name=to_name,
                            to_addr=to_addr, subject=subject, body=body, date=self.clock.time(),
                            msgid_domain=self.msgid_domain, lang=lang)
        raw = msg.as_bytes(policy=email.policy.SMTP)
        now = self.clock.time()

        def q(conn: Connection) -> int:
            res = conn.execute(insert(mail_queue).values(
                mq_created=mw_timestamp(now), mq_recipient=to_addr, mq_message=raw, mq_attempts=0,
                mq_next_attempt=now, mq_status="pending", mq_last_error=""))
            return int(res.inserted_primary_key[0])  # type: ignore[index]

        return q

    def wake(self) -> None:
        """Start a delivery pass soon (a message was queued)."""
        self._wake.set()

    async def send(self, to_name: str, to_addr: str, subject: str, body: str, lang: str = "en") -> int:
        """Queue one message; returns the queue id. Raises :class:`BadAddress` for unsafe input.

        The message is built (and checked) here, so a bad address fails the caller now
        rather than a background task later.
        """
        mid = await self.db.run(self.prepare(to_name, to_addr, subject, body, lang))
        self.wake()
        return mid

    def after_response(self, work: Awaitable[None]) -> None:
        """Run ``work`` (which usually ends in :meth:`send`) without making the client wait.

        MediaWiki's POSTSEND deferred updates: the caller answers at once, so the time a
        request takes does not reveal whether there was anything to do.
        """
        task = asyncio.ensure_future(self._guard(work))
        self._deferred.add(task)
        task.add_done_callback(self._deferred.discard)

    @staticmethod
    async def _guard(work: Awaitable[None]) -> None:
        try:
            await work
        except Exception:
            log.exception("deferred mail work failed")

    async def drain(self) -> None:
        """Wait for deferred work, then deliver everything due (tests, shutdown)."""
        while self._deferred:
            await asyncio.gather(*list(self._deferred), return_exceptions=True)
        await self.process_due()

    # -- delivery ------------------------------------------------------------------------

    async def _claim(self, limit: int) -> list[tuple[int, str, bytes, int]]:
        now = self.clock.time()

        def q(conn: Connection) -> list[tuple[int, str, bytes, int]]:
            due = conn.execute(
                select(mail_queue.c.mq_id, mail_queue.c.mq_status, mail_queue.c.mq_attempts)
                .where(and_(mail_queue.c.mq_status.in_(("pending", "sending")),
                            mail_queue.c.mq_next_attempt <= now))
                .order_by(mail_queue.c.mq_next_attempt, mail_queue.c.mq_id).limit(limit)
            ).all()
            claimed: list[tuple[int, str, bytes, int]] = []
            for mid, status, attempts in due:
                res = conn.execute(
                    update(mail_queue)
                    .where(and_(mail_queue.c.mq_id == mid, mail_queue.c.mq_status == status,
                                mail_queue.c.mq_attempts == attempts))
                    .values(mq_status="sending", mq_next_attempt=now + LEASE_SECONDS,
                            mq_attempts=attempts + 1))
                if res.rowcount == 1:
                    row = conn.execute(select(mail_queue.c.mq_recipient, mail_queue.c.mq_message)
                                       .where(mail_queue.c.mq_id == mid)).one()
                    claimed.append((mid, row[0], bytes(row[1]), attempts + 1))
            return claimed

        return await self.db.run(q)

    async def _finish(self, mid: int, attempts: int, values: dict[str, Any]) -> None:
        # Only if the row is still our claim (a lease that ran out may have been re-claimed).
        await self.db.run(lambda c: c.execute(
            update(mail_queue).where(and_(mail_queue.c.mq_id == mid, mail_queue.c.mq_status == "sending",
                                          mail_queue.c.mq_attempts == attempts))
            .values(**values)))

    async def _deliver_one(self, mid: int, recipient: str, raw: bytes, attempts: int) -> None:
        try:
            await self.transport.deliver(self.sender, recipient, raw)
        except Exception as e:  # every transport error ends up in the row, never in a 500
            reason = str(e)[:500] or type(e).__name__
            permanent = isinstance(e, PermanentMailError)
            if permanent or attempts >= self.retries:
                log.warning("mail %d to %s failed after %d attempt(s): %s", mid, recipient, attempts, reason)
                await self._finish(mid, attempts, {"mq_status": "failed", "mq_last_error": reason})
            else:
                delay = backoff(attempts)
                log.info("mail %d to %s: temporary failure (%s); retry in %.0f s", mid, recipient, reason, delay)
                await self._finish(mid, attempts, {"mq_status": "pending", "mq_last_error": reason,
                                         "mq_next_attempt": self.clock.time() + delay})
            return
        await self._finish(mid, attempts, {"mq_status": "sent", "mq_last_error": "", "mq_message": _headers_only(raw)})
        # The scrubbed body must not survive in SQLite's WAL or free pages either.
        await self.db.forget_deleted()
        log.info("mail %d delivered to %s", mid, recipient)

    async def process_due(self, limit: int = 50) -> int:
        """Deliver every due message (claimed batch by batch); returns how many were tried."""
        total = 0
        async with self._pass_lock:
            while True:
                batch = await self._claim(limit)
                for mid, recipient, raw, attempts in batch:
                    await self._deliver_one(mid, recipient, raw, attempts)
                total += len(batch)
                if len(batch) < limit:
                    return total

    async def flush(self) -> int:
        """Deliver what is due now (tests, CLI)."""
        return await self.process_due()

    # -- background task -----------------------------------------------------------------

    async def start(self) -> None:
        if self._task is None:
            self._running = True
            self._task = asyncio.create_task(self._loop(), name="wikigate-mail-outbox")

    async def stop(self) -> None:
        self._running = False
        if self._deferred:  # let post-response work queue its mail before we go
            await asyncio.wait(list(self._deferred), timeout=10)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _loop(self) -> None:
        while self._running:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
            self._wake.clear()
            try:
                await self.process_due()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                if is_backend_outage(e):  # expected while the database is down: one line
                    log.warning("mail queue processing skipped, database unavailable: %s: %s",
                                type(e).__name__, e)
                else:
                    log.exception("mail queue processing failed")
                await asyncio.sleep(POLL_SECONDS)

    # -- operator views ------------------------------------------------------------------

    async def entries(self, status: str | None = None, limit: int = 100) -> list[QueuedMail]:
        def q(conn: Connection) -> list[QueuedMail]:
            stmt = select(mail_queue).order_by(mail_queue.c.mq_id.desc()).limit(limit)
            if status is not None:
                stmt = stmt.where(mail_queue.c.mq_status == status)
            out = []
            for r in conn.execute(stmt):
                m = r._mapping
                out.append(QueuedMail(m["mq_id"], m["mq_created"], m["mq_recipient"],
                                      _subject(bytes(m["mq_message"])), m["mq_status"], m["mq_attempts"],
                                      m["mq_next_attempt"], m["mq_last_error"]))
            return out

        return await self.db.run(q)

    async def retry(self, ids: list[int] | None = None) -> int:
        """Put failed messages (``ids``, or all failed when None) back into the queue."""
        now = self.clock.time()
        cond = mail_queue.c.mq_status == "failed"
        if ids is not None:
            cond = and_(cond, mail_queue.c.mq_id.in_(ids))

        def q(conn: Connection) -> int:
            res = conn.execute(update(mail_queue).where(cond).values(
                mq_status="pending", mq_attempts=0, mq_next_attempt=now))
            return int(res.rowcount)

        n = await self.db.run(q)
        self._wake.set()
        return n

    async def pending_count(self) -> int:
        def q(conn: Connection) -> int:
            return len(conn.execute(select(mail_queue.c.mq_id).where(
                or_(mail_queue.c.mq_status == "pending", mail_queue.c.mq_status == "sending"))).all())

        return await self.db.run(q)


__all__ = ["BadAddress", "Outbox", "QueuedMail", "backoff"]

