"""SQL access to ``wg_bot_passwords`` (one implementation for every dialect)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from wikigate.auth.botpasswords.model import BotPassword, Restrictions, grants_json
from wikigate.auth.passwords import INVALID_HASH
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import bot_passwords as bp_table


def _row_to_bp(m: Any) -> BotPassword:
    try:
        grants = json.loads(m["bp_grants"] or "[]")
    except ValueError:
        grants = []
    if not isinstance(grants, list):
        grants = []
    return BotPassword(
        user_id=int(m["bp_user"]), app_id=m["bp_app_id"], token=m["bp_token"],
        restrictions=Restrictions.from_json(m["bp_restrictions"] or ""),
        grants=[str(g) for g in grants], password_hash=m["bp_password"] or INVALID_HASH,
    )



class BotPasswordStore:
    """The table ``wg_bot_passwords``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _key(user_id: int, app_id: str) -> Any:
        return and_(bp_table.c.bp_user == user_id, bp_table.c.bp_app_id == app_id)

    async def get(self, user_id: int, app_id: str) -> BotPassword | None:
        def q(conn: Connection) -> BotPassword | None:
            row = conn.execute(select(bp_table).where(self._key(user_id, app_id))).first()
            # The comparison in SQL may be case- or pad-insensitive on some collations;
            # app ids are exact, as in MediaWiki's binary columns.
            return _row_to_bp(row._mapping) if row is not None and row._mapping["bp_app_id"] == app_id else None

        return await self.db.run(q)

    async def list_for_user(self, user_id: int) -> list[BotPassword]:
        def q(conn: Connection) -> list[BotPassword]:
            rows = conn.execute(select(bp_table).where(bp_table.c.bp_user == user_id)
                                .order_by(bp_table.c.bp_app_id))
            return [_row_to_bp(r._mapping) for r in rows]

        return await self.db.run(q)

    async def insert(self, bp: BotPassword, password_hash: str) -> bool:
        """Add the row with a fresh token (stored into ``bp.token``); False if it exists."""
        token = secrets.token_hex(16)

        def q(conn: Connection) -> bool:
            if conn.execute(select(bp_table.c.bp_user).where(self._key(bp.user_id, bp.app_id))).first():
                return False
            conn.execute(insert(bp_table).values(
                bp_user=bp.user_id, bp_app_id=bp.app_id, bp_password=password_hash, bp_token=token,
                bp_restrictions=bp.restrictions.to_json(), bp_grants=grants_json(bp.grants)))
            return True

        try:
            ok = await self.db.run(q)
        except IntegrityError:  # a concurrent insert of the same (user, app id) won
            ok = False
        if ok:
            bp.token, bp.password_hash = token, password_hash
        return ok

    async def update(self, bp: BotPassword, password_hash: str | None) -> bool:
        """Save grants and restrictions (and the hash if given) with a NEW token, which
        ends the sessions opened with the old settings; False if the row is gone."""
        token = secrets.token_hex(16)
        values: dict[str, Any] = {"bp_token": token, "bp_restrictions": bp.restrictions.to_json(),
                                  "bp_grants": grants_json(bp.grants)}
        if password_hash is not None:
            values["bp_password"] = password_hash

        def q(conn: Connection) -> bool:
            res = conn.execute(update(bp_table).where(self._key(bp.user_id, bp.app_id)).values(**values))
            return bool(res.rowcount)

        ok = await self.db.run(q)
        if ok:
            bp.token = token
            if password_hash is not None:
                bp.password_hash = password_hash
        return ok

    async def delete(self, user_id: int, app_id: str) -> bool:
        def q(conn: Connection) -> bool:
            return bool(conn.execute(delete(bp_table).where(self._key(user_id, app_id))).rowcount)

        return await self.db.run(q)

    async def invalidate_all(self, user_id: int) -> int:
        """Empty every password of the user (the rows, grants and tokens stay)."""
        def q(conn: Connection) -> int:
            res = conn.execute(update(bp_table).where(bp_table.c.bp_user == user_id)
                               .values(bp_password=INVALID_HASH))
            return int(res.rowcount or 0)

        return await self.db.run(q)

    async def remove_all(self, user_id: int) -> int:
        def q(conn: Connection) -> int:
            return int(conn.execute(delete(bp_table).where(bp_table.c.bp_user == user_id)).rowcount or 0)

        return await self.db.run(q)

