"""outage_kind: which exceptions mean "a backend is unavailable" (503) and which are bugs."""

from __future__ import annotations

import sqlite3

import pymysql.err
import redis.exceptions
import sqlalchemy.exc

from wikigate.storage.errors import DATABASE, KV, READONLY, is_backend_outage, outage_kind


def _wrapped(orig: BaseException, cls: type[sqlalchemy.exc.DBAPIError] = sqlalchemy.exc.OperationalError
             ) -> sqlalchemy.exc.DBAPIError:
    return cls("SELECT 1", {}, orig)  # type: ignore[arg-type]


def test_database_unreachable() -> None:
    assert outage_kind(ConnectionRefusedError(111, "Connect call failed")) == DATABASE
    assert outage_kind(OSError("Multiple exceptions: [Errno 111] Connect call failed")) == DATABASE
    assert outage_kind(TimeoutError()) == DATABASE
    assert outage_kind(_wrapped(pymysql.err.OperationalError(2003, "Can't connect"))) == DATABASE
    assert outage_kind(_wrapped(pymysql.err.OperationalError(2013, "Lost connection"))) == DATABASE
    assert outage_kind(sqlalchemy.exc.TimeoutError("QueuePool limit reached")) == DATABASE
    assert outage_kind(_wrapped(sqlite3.OperationalError("database is locked"))) == DATABASE


def test_database_refuses_writes() -> None:
    assert outage_kind(_wrapped(sqlite3.OperationalError("database or disk is full"))) == READONLY
    assert outage_kind(sqlite3.OperationalError("attempt to write a readonly database")) == READONLY
    assert outage_kind(_wrapped(pymysql.err.OperationalError(1290, "--read-only option"))) == READONLY


def test_redis_unreachable_or_frozen() -> None:
    assert outage_kind(redis.exceptions.ConnectionError("Connection refused")) == KV
    assert outage_kind(redis.exceptions.TimeoutError("Timeout reading from socket")) == KV
    # A socket error raised while talking to Redis is Redis's, not the database's.
    try:
        try:
            raise ConnectionResetError(104, "reset")
        except ConnectionResetError as e:
            raise redis.exceptions.ConnectionError("Error while reading") from e
    except redis.exceptions.ConnectionError as outer:
        assert outage_kind(outer) == KV


def test_bugs_are_not_outages() -> None:
    assert not is_backend_outage(ValueError("bad"))
    assert not is_backend_outage(KeyError("x"))
    assert not is_backend_outage(_wrapped(sqlite3.OperationalError("no such table: wg_x")))
    assert not is_backend_outage(_wrapped(pymysql.err.IntegrityError(1062, "Duplicate"), sqlalchemy.exc.IntegrityError))
    assert not is_backend_outage(FileNotFoundError(2, "No such file"))
    assert not is_backend_outage(redis.exceptions.ResponseError("WRONGTYPE"))
