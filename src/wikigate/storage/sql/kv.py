"""Key-value store in the ``wg_kv`` table (the default when no Redis is configured).

Expired rows are ignored on read and deleted in small batches by :meth:`purge`, which
the application calls periodically, so the table stays as large as the live sessions.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import and_, case, delete, insert, select
from sqlalchemy.dialects.mysql import insert as mysql_insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import counter, kv


class SqlKeyValueStore:
    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

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

        def q(conn: Connection) -> bytes | None:
            row = conn.execute(
                select(kv.c.kv_value).where(and_(kv.c.kv_key == key, kv.c.kv_expires > now))
            ).first()
            return bytes(row[0]) if row else None

        return await self._db.run(q)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        stmt = self._upsert(key, value, self._clock() + ttl)
        await self._db.run(lambda conn: conn.execute(stmt))  # type: ignore[call-overload]

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        now = self._clock()

        def q(conn: Connection) -> bool:
            conn.execute(delete(kv).where(and_(kv.c.kv_key == key, kv.c.kv_expires <= now)))
            try:
                with conn.begin_nested():
                    conn.execute(insert(kv).values(kv_key=key, kv_value=value, kv_expires=now + ttl))
            except IntegrityError:
                return False
            return True

        return await self._db.run(q)

    async def delete(self, key: str) -> None:
        def q(conn: Connection) -> None:
            conn.execute(delete(kv).where(kv.c.kv_key == key))
            conn.execute(delete(counter).where(counter.c.c_key == key))

        await self._db.run(q)

    async def incr(self, key: str, ttl: float) -> int:
        now = self._clock()
        c = counter.c
        live = c.c_expires > now
        dialect = self._db.dialect

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
            stmt = ins.values(c_key=key, c_value=1, c_expires=now + ttl)
            stmt = stmt.on_conflict_do_update(
                index_elements=[c.c_key],
                set_={
                    "c_value": case((live, c.c_value + 1), else_=1),
                    "c_expires": case((live, c.c_expires), else_=stmt.excluded.c_expires),
                },
            ).returning(c.c_value)
            return int(conn.execute(stmt).scalar_one())

        return await self._db.run(q)

    async def get_int(self, key: str) -> int:
        now = self._clock()

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
        return None
