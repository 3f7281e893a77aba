"""Site secrets kept in the database: generated once, then read by every process."""

from __future__ import annotations

import contextlib
import secrets

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import site_secret


async def load_or_create_secret(db: Database, name: str) -> str:
    """The secret called ``name``; the first process to ask creates it (others then read it)."""

    def q(conn: Connection) -> str | None:
        return conn.execute(select(site_secret.c.ss_value).where(site_secret.c.ss_name == name)).scalar()

    found = await db.run(q)
    if found:
        return str(found)
    value = secrets.token_hex(32)
    # Another worker may create it between our read and insert; then we read theirs.
    with contextlib.suppress(IntegrityError):
        await db.run(lambda conn: conn.execute(insert(site_secret).values(ss_name=name, ss_value=value)))
    found = await db.run(q)
    assert found
    return str(found)
