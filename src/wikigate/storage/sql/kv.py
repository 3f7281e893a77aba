"""Key-value store in the ``wg_kv`` table (the default when no Redis is configured).

Expired rows are ignored on read and deleted in small batches by :meth:`purge`, which
the application calls periodically, so the table stays as large as the live sessions.

On a SQLite file (the embedded default) every operation runs fixed SQL strings on one
private ``sqlite3`` connection in autocommit mode (:attr:`Database.lite`, see
:class:`~wikigate.storage.sql.database.SqliteFastPath`). The store is on the hot path of
nearly every request (session load, and a session write for every anonymous token
request); building and compiling a SQLAlchemy statement cost ~5x more CPU than the query
itself, which capped the anonymous ``meta=tokens`` benchmark. The SQL below has the same
upsert semantics as the SQLAlchemy version used for PostgreSQL and MariaDB, and the
contract suite runs both.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import and_, case, delete, insert, select, update
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import counter, kv

_LITE_GET = "SELECT kv_value FROM wg_kv WHERE kv_key = ? AND kv_expires > ?"
_LITE_SET = ("INSERT INTO wg_kv (kv_key, kv_value, kv_expires) VALUES (?, ?, ?) "
             "ON CONFLICT (kv_key) DO UPDATE SET kv_value = excluded.kv_value, kv_expires = excluded.kv_expires")
# Inserts, or replaces an expired row; a live row is left alone (rowcount 0).
_LITE_ADD = ("INSERT INTO wg_kv (kv_key, kv_value, kv_expires) VALUES (?, ?, ?) "
             "ON CONFLICT (kv_key) DO UPDATE SET kv_value = excluded.kv_value, kv_expires = excluded.kv_expires "
             "WHERE wg_kv.kv_expires <= ?")
# SET expressions see the old row, so both CASEs test the old expiry (fixed window).
_LITE_INCR = ("INSERT INTO wg_counter (c_key, c_value, c_expires) VALUES (?, 1, ?) "
              "ON CONFLICT (c_key) DO UPDATE SET "
              "c_value = CASE WHEN c_expires > ? THEN c_value + 1 ELSE 1 END, "
              "c_expires = CASE WHEN c_expires > ? THEN c_expires ELSE excluded.c_expires END "
              "RETURNING c_value")
_LITE_GET_INT = "SELECT c_value FROM wg_counter WHERE c_key = ? AND c_expires > ?"
_LITE_TTL = "SELECT c_expires FROM wg_counter WHERE c_key = ? AND c_expires > ?"
# One statement, so concurrent give-backs cannot take a counter below zero.
_LITE_DECR = ("UPDATE wg_counter SET c_value = c_value - 1 "
              "WHERE c_key = ? AND c_expires > ? AND c_value > 0 RETURNING c_value")


class SqlKeyValueStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock
        self._lite = db.lite

    def _upsert(self, key: str, value: bytes, expires: float) -> object:
        values = {"kv_key": key, "kv_value": value, "kv_expires": expires}
        if self._db.dialect == "postgresql":
            stmt = pg_insert(kv).values(**values)
            return stmt.on_conflict_do_update(
                index_elements=[kv.c.kv_key],
                set_={"kv_value": stmt.excluded.kv_value, "kv_expires": stmt.excluded.kv_expires},
            )
        if self._db.dialect == "mysql":
            mstmt = mysql_insert(kv).values(**values)
            return mstmt.on_duplicate_key_update(
                kv_value=mstmt.inserted.kv_value, kv_expires=mstmt.inserted.kv_expires
            )
        sstmt = sqlite_insert(kv).values(**values)
        return sstmt.on_conflict_do_update(
            index_elements=[kv.c.kv_key],
            set_={"kv_value": sstmt.excluded.kv_value, "kv_expires": sstmt.excluded.kv_expires},
        )

    async def get(self, key: str) -> bytes | None:
        now = self._clock()
        if self._lite is not None:
            value = self._lite.one(_LITE_GET, (key, now))
            return bytes(value) if value is not None else None

        def q(conn: Connection) -> bytes | None:
            row = conn.execute(
                select(kv.c.kv_value).where(and_(kv.c.kv_key == key, kv.c.kv_expires > now))
            ).first()
            return bytes(row[0]) if row else None

        return await self._db.run(q)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        if self._lite is not None:
            await self._lite.submit(_LITE_SET, (key, value, self._clock() + ttl))
            return
        stmt = self._upsert(key, value, self._clock() + ttl)
        await self._db.run(lambda conn: conn.execute(stmt))  # type: ignore[call-overload]

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        now = self._clock()
        if self._lite is not None:
            return bool(await self._lite.submit(_LITE_ADD, (key, value, now + ttl, now)) == 1)

        dialect = self._db.dialect
        row = {"kv_key": key, "kv_value": value, "kv_expires": now + ttl}

        def q(conn: Connection) -> bool:
            if dialect != "mysql":
                # One statement: inserts, or replaces an expired row; a live row is left
                # alone and the rowcount is 0 (as _LITE_ADD).
                ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(kv)
                stmt: Any = ins.values(**row)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[kv.c.kv_key],
                    set_={"kv_value": stmt.excluded.kv_value, "kv_expires": stmt.excluded.kv_expires},
                    where=kv.c.kv_expires <= now,
                )
                return bool(conn.execute(stmt).rowcount == 1)
            # MariaDB has no conditional upsert with an exact rowcount (with CLIENT_FOUND_ROWS,
            # which the driver sets, "unchanged" and "inserted" both count 1). A duplicate
            # key rolls back only the statement in InnoDB, so no savepoint is needed, and
            # none is wanted: a deadlock rolls back the whole transaction, savepoint
            # included, and the ROLLBACK TO SAVEPOINT error then hid the deadlock from
            # Database.run's retry (CI failure of 2026-12-03, 40 concurrent adds).
            try:
                conn.execute(insert(kv).values(**row))
                return True
            except IntegrityError:
                pass
            # The key exists. A plain read first: replacing takes an exclusive row lock,
            # which only an expired row is worth (concurrent replacers may deadlock; the
            # server then rolls back and Database.run retries the whole transaction).
            expires = conn.execute(select(kv.c.kv_expires).where(kv.c.kv_key == key)).scalar()
            if expires is not None and expires > now:
                return False
            res = conn.execute(update(kv).where(and_(kv.c.kv_key == key, kv.c.kv_expires <= now))
                               .values(kv_value=value, kv_expires=now + ttl))
            if res.rowcount == 1:
                return True
            if expires is None:
                # Deleted between our insert and read (purge or delete): insert again,
                # a concurrent adder may win that race, which is a correct "no".
                try:
                    conn.execute(insert(kv).values(**row))
                    return True
                except IntegrityError:
                    return False
            return False

        return await self._db.run(q)

    async def delete(self, key: str) -> None:
        if self._lite is not None:
            # Most deletes find nothing (a successful login clears every throttle key it
            # could have set, and a key is a session *or* a counter): a login made ten
            # write transactions here, ~3 ms of CPU, more than the rest of the request.
            # A delete that finds no row is the same as a delete done at the moment of
            # this read (reads see every committed write), so only rows that exist are
            # deleted, each through the writer thread as before.
            if self._lite.one("SELECT 1 FROM wg_kv WHERE kv_key = ?", (key,)):
                await self._lite.submit("DELETE FROM wg_kv WHERE kv_key = ?", (key,))
            if self._lite.one("SELECT 1 FROM wg_counter WHERE c_key = ?", (key,)):
                await self._lite.submit("DELETE FROM wg_counter WHERE c_key = ?", (key,))
            return

        def q(conn: Connection) -> None:
            conn.execute(delete(kv).where(kv.c.kv_key == key))
            conn.execute(delete(counter).where(counter.c.c_key == key))

        await self._db.run(q)

    async def incr(self, key: str, ttl: float) -> int:
        now = self._clock()
        c = counter.c
        live = c.c_expires > now
        dialect = self._db.dialect
        if self._lite is not None:
            return int(await self._lite.submit(_LITE_INCR, (key, now + ttl, now, now), returning=True))

        def q(conn: Connection) -> int:
            # One upsert: atomic on every backend (row lock on PostgreSQL/MariaDB,
            # database write lock on SQLite), so concurrent workers never lose a count.
            if dialect == "mysql":
                m = mysql_insert(counter).values(c_key=key, c_value=1, c_expires=now + ttl)
                conn.execute(m.on_duplicate_key_update(
                    c_value=case((live, c.c_value + 1), else_=1),
                    c_expires=case((live, c.c_expires), else_=m.inserted.c_expires),
                ))
                return int(conn.execute(select(c.c_value).where(c.c_key == key)).scalar_one())
            ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(counter)
            stmt: Any = ins.values(c_key=key, c_value=1, c_expires=now + ttl)
            stmt = stmt.on_conflict_do_update(
                index_elements=[c.c_key],
                set_={
                    "c_value": case((live, c.c_value + 1), else_=1),
                    "c_expires": case((live, c.c_expires), else_=stmt.excluded.c_expires),
                },
            ).returning(c.c_value)
            return int(conn.execute(stmt).scalar_one())

        return await self._db.run(q)

    async def decr(self, key: str) -> int:
        now = self._clock()
        if self._lite is not None:
            value = await self._lite.submit(_LITE_DECR, (key, now), returning=True)
            return int(value) if value is not None else 0
        c = counter.c

        def q(conn: Connection) -> int:
            # A guarded UPDATE is atomic on every backend (row lock); the read that follows
            # runs in the same transaction, so it sees this write and no later one.
            conn.execute(update(counter)
                         .where(and_(c.c_key == key, c.c_expires > now, c.c_value > 0))
                         .values(c_value=c.c_value - 1))
            v = conn.execute(select(c.c_value).where(and_(c.c_key == key, c.c_expires > now))).scalar()
            return int(v) if v is not None else 0

        return await self._db.run(q)

    async def ttl(self, key: str) -> float:
        now = self._clock()
        if self._lite is not None:
            expires = self._lite.one(_LITE_TTL, (key, now))
            return max(0.0, float(expires) - now) if expires is not None else 0.0

        def q(conn: Connection) -> float:
            v = conn.execute(select(counter.c.c_expires).where(
                and_(counter.c.c_key == key, counter.c.c_expires > now))).scalar()
            return max(0.0, float(v) - now) if v is not None else 0.0

        return await self._db.run(q)

    async def get_int(self, key: str) -> int:
        now = self._clock()
        if self._lite is not None:
            value = self._lite.one(_LITE_GET_INT, (key, now))
            return int(value) if value is not None else 0

        def q(conn: Connection) -> int:
            v = conn.execute(select(counter.c.c_value).where(
                and_(counter.c.c_key == key, counter.c.c_expires > now))).scalar()
            return int(v) if v is not None else 0

        return await self._db.run(q)

    async def purge(self, limit: int = 1000) -> int:
        now = self._clock()

        def q(conn: Connection) -> int:
            keys = [r[0] for r in conn.execute(
                select(kv.c.kv_key).where(kv.c.kv_expires <= now).limit(limit)
            )]
            if keys:
                conn.execute(delete(kv).where(kv.c.kv_key.in_(keys)))
            conn.execute(delete(counter).where(counter.c.c_expires <= now))
            return len(keys)

        return await self._db.run(q)

    async def close(self) -> None:
        return None  # the fast-path connection belongs to the Database
