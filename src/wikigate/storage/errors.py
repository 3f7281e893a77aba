"""Recognising backend outages among exceptions.

Why: a database or Redis that is down, restarting, frozen or full raises a zoo of driver
exceptions (``ConnectionRefusedError``, SQLAlchemy ``OperationalError``/``InterfaceError``/
``InternalError`` wrapping asyncpg or PyMySQL errors, ``redis.exceptions.ConnectionError``,
``sqlite3.OperationalError: database or disk is full`` …). Front ends must answer all of
them the same way — "the service is unavailable, retry later" — and never with the
driver's class name as if it were a bug. :func:`outage_kind` names the failing backend.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3

import sqlalchemy.exc

#: The SQL layer's driver-error base class, for callers outside storage/ that report a
#: database that went away (with OSError) without importing the driver stack themselves.
DatabaseError = sqlalchemy.exc.DBAPIError

#: Seconds a client should wait before retrying after a backend outage (``Retry-After``).
#: Five, like MediaWiki's minimum for a lagged database (ApiMain, maxlag).
OUTAGE_RETRY_AFTER = 5

#: The database refuses writes (disk full, read-only file or server): MediaWiki's "readonly".
READONLY = "readonly"
#: The relational database cannot be reached or lost the connection.
DATABASE = "database"
#: The key-value store (Redis) cannot be reached or does not answer in time.
KV = "kv"

# Phrases of SQLite, PostgreSQL and MariaDB errors meaning "writes are refused now".
_READONLY_TEXT = ("database or disk is full", "attempt to write a readonly database",
                  "read-only transaction", "read_only", "read-only", "disk i/o error",
                  "no space left on device")
# SQLite errors that mean the file is busy or unreachable (not a programming error).
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database file", "database is busy")


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, its causes/contexts and the DBAPI error SQLAlchemy wraps."""
    out: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(out) < 12:
        e = todo.pop(0)
        if e is None or any(e is seen for seen in out):
            continue
        out.append(e)
        orig = getattr(e, "orig", None)
        if isinstance(orig, BaseException):
            todo.append(orig)
        todo += [e.__cause__, e.__context__]
    return out


def _is_redis(e: BaseException) -> bool:
    try:
        import redis.exceptions as rex
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(e, rex.ConnectionError | rex.TimeoutError | rex.ReadOnlyError | rex.BusyLoadingError)


def _is_asyncpg_outage(e: BaseException) -> bool:
    try:
        import asyncpg.exceptions as pex
    except ImportError:  # pragma: no cover - optional driver
        return False
    return isinstance(e, pex.PostgresConnectionError | pex.InterfaceError | pex.InternalClientError
                      | pex.OperatorInterventionError | pex.InsufficientResourcesError)


def _is_pymysql_outage(e: BaseException) -> bool:
    try:
        import pymysql.err as mex
    except ImportError:  # pragma: no cover - optional driver
        return False
    # 1040 too many connections, 1053 shutdown in progress, 2002/2003 cannot connect,
    # 2006 gone away, 2013 lost connection during query, 2014 commands out of sync.
    if isinstance(e, mex.OperationalError | mex.InterfaceError | mex.InternalError):
        code = e.args[0] if e.args and isinstance(e.args[0], int) else 0
        return code in (0, 1040, 1053, 2002, 2003, 2006, 2013, 2014, 2055) or isinstance(e, mex.InterfaceError)
    return False


def outage_kind(exc: BaseException) -> str | None:
    """``READONLY``, ``DATABASE``, ``KV`` or None (not a backend outage: a bug)."""
    chain = _chain(exc)
    for e in chain:
        if _is_redis(e):
            return KV
    for e in chain:
        text = str(e).lower()
        if isinstance(e, sqlite3.OperationalError | sqlalchemy.exc.OperationalError | sqlalchemy.exc.InternalError
                      ) and any(t in text for t in _READONLY_TEXT):
            return READONLY
        try:
            import pymysql.err as mex
            if isinstance(e, mex.Error) and e.args and e.args[0] in (1290, 1836, 1792, 1021):
                return READONLY  # --read-only, read-only mode, read-only transaction, disk full
        except ImportError:  # pragma: no cover
            pass
    for e in chain:
        if isinstance(e, sqlalchemy.exc.DBAPIError) and e.connection_invalidated:
            return DATABASE
        if isinstance(e, sqlalchemy.exc.TimeoutError | sqlalchemy.exc.DisconnectionError):
            return DATABASE  # pool exhausted waiting for a connection; or lost one
        if isinstance(e, sqlite3.OperationalError) and any(t in str(e).lower() for t in _SQLITE_UNAVAILABLE):
            return DATABASE
        if _is_asyncpg_outage(e) or _is_pymysql_outage(e):
            return DATABASE
        if isinstance(e, ConnectionError | TimeoutError | asyncio.TimeoutError):
            return DATABASE
        # asyncpg reports "Multiple exceptions: [Errno 111] …" as a plain OSError; local
        # file errors (a mail spool, say) are not a database outage.
        if type(e) is OSError or isinstance(e, socket.gaierror):
            return DATABASE
    return None


def is_backend_outage(exc: BaseException) -> bool:
    return outage_kind(exc) is not None
