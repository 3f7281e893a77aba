"""Backend probes shared by ``/readyz`` and the operator commands.

Each probe answers ``None`` when the backend answered in time, else one short reason
("connection refused", "no answer within 2 s" …) that a caller puts into a line naming
the setting. Probes never raise for a backend fault: a health check that crashes is
worse than one that says what is wrong.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Coroutine
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

from wikigate.storage.kv import KeyValueStore
from wikigate.storage.sql.database import Database


def safe_url(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages and logs)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a SQLAlchemy URL (redis://…): hide what sits before '@'
        scheme, sep, rest = url.partition("://")
        if sep and "@" in rest:
            cred, _, host = rest.rpartition("@")
            user = cred.split(":", 1)[0]
            return f"{scheme}://{user}{':***' if ':' in cred else ''}@{host}"
        return url


def describe_error(exc: BaseException, timeout: float | None = None) -> str:
    """One line for a backend failure, without a traceback and without secrets."""
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return f"no answer within {timeout:g} s" if timeout else "timed out"
    cause: BaseException | None = exc
    while cause is not None:  # redis-py wraps the socket error in its own ConnectionError
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, socket.gaierror):
        return f"host name not found ({exc.strerror})"
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's exception
    if orig is not None:
        exc = orig
    args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
    # PyMySQL: (2003, "Can't connect to MySQL server on '127.0.0.1'")
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        msg = args[1]
    elif isinstance(exc, OSError) and exc.strerror:
        msg = exc.strerror
    else:
        msg = str(exc)
    msg = " ".join(msg.split())  # one line
    if len(msg) > 200:
        msg = msg[:197] + "..."
    return msg or type(exc).__name__


async def _bounded(work: Coroutine[Any, Any, Any], timeout: float) -> str | None:
    """Run ``work``; its failure reason, or a timeout after ``timeout`` seconds.

    Not ``asyncio.wait_for``: that waits for the cancelled work to wind down, and a
    driver cancelling a query on a frozen server (asyncpg sends a cancel request over a
    new connection) can take seconds more, so the probe would overrun its timeout."""
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        task.add_done_callback(_consume)
        return describe_error(TimeoutError(), timeout)
    exc = task.exception()
    return None if exc is None else describe_error(exc, timeout)


def _consume(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log "exception never retrieved"


async def probe_database(db: Database, timeout: float, *, schema: bool = False) -> str | None:
    """``SELECT 1`` on the database within ``timeout`` seconds; with ``schema``, also that
    the schema is one this version can run on (see :func:`migrate.schema_problem`)."""
    if not schema:
        return await _bounded(db.run(lambda c: c.execute(text("SELECT 1"))), timeout)
    from wikigate.storage.sql import migrate

    box: dict[str, str | None] = {}

    async def check() -> None:
        box["current"] = await migrate.current_revision(db)

    problem = await _bounded(check(), timeout)
    return problem if problem is not None else migrate.schema_problem(box["current"])


async def probe_kv(kv: KeyValueStore, timeout: float) -> str | None:
    """A read from the key-value store within ``timeout`` seconds."""
    return await _bounded(kv.get("readyz-probe"), timeout)


async def probe_all(services: Any, timeout: float) -> dict[str, str | None]:
    """Both probes at once (so a slow database does not delay the key-value answer)."""
    db, kv = await asyncio.gather(probe_database(services.db, timeout, schema=True),
                                  probe_kv(services.kv, timeout))
    return {"database": db, "kv": kv}
