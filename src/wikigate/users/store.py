"""SQL storage of users, their groups and preferences (tables wg_user, wg_user_groups,
wg_user_properties)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import user, user_groups, user_properties
from wikigate.users.model import GroupMembership, User
from wikigate.util.clock import Clock, mw_timestamp


class UserExists(Exception):
    """A user of that name exists already (unique constraint)."""


def _user(row: Row[Any], groups: list[GroupMembership]) -> User:
    return _user_from(row._mapping, groups)


def _user_from(m: Any, groups: list[GroupMembership]) -> User:
    return User(
        id=m["user_id"], name=m["user_name"], real_name=m["user_real_name"] or "",
        password=m["user_password"] or "", newpassword=m["user_newpassword"] or "",
        newpass_time=m["user_newpass_time"], email=m["user_email"] or "",
        email_authenticated=m["user_email_authenticated"], touched=m["user_touched"],
        token=m["user_token"] or "", registration=m["user_registration"],
        editcount=m["user_editcount"] or 0, password_expires=m["user_password_expires"],
        groups=groups,
    )


def new_user_token() -> str:
    return secrets.token_hex(16)


# Raw SQL for the SQLite fast path (Database.lite): the user row, groups and options are
# read on every logged-in request. Same queries as the SQLAlchemy versions below.
_LITE_BY_ID = "SELECT * FROM wg_user WHERE user_id = ?"
_LITE_BY_NAME = "SELECT * FROM wg_user WHERE user_name = ?"
_LITE_GROUPS = ("SELECT ug_group, ug_expiry FROM wg_user_groups WHERE ug_user = ? "
                "AND (ug_expiry IS NULL OR ug_expiry > ?) ORDER BY ug_group")
_LITE_OPTIONS = "SELECT up_property, up_value FROM wg_user_properties WHERE up_user = ?"


class UserStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _lite_get(self, sql: str, key: Any) -> User | None:
        lite = self.db.lite
        assert lite is not None
        m = lite.mapping(sql, (key,))
        if m is None:
            return None
        rows = lite.rows(_LITE_GROUPS, (m["user_id"], mw_timestamp(self.clock.time())))
        return _user_from(m, [GroupMembership(g, e) for g, e in rows])

    # -- reads ---------------------------------------------------------------------------

    def _groups(self, conn: Connection, user_id: int) -> list[GroupMembership]:
        now = mw_timestamp(self.clock.time())
        rows = conn.execute(
            select(user_groups.c.ug_group, user_groups.c.ug_expiry)
            .where(and_(user_groups.c.ug_user == user_id,
                        or_(user_groups.c.ug_expiry.is_(None), user_groups.c.ug_expiry > now)))
            .order_by(user_groups.c.ug_group)
        )
        return [GroupMembership(g, e) for g, e in rows]

    def _get(self, conn: Connection, where: Any) -> User | None:
        row = conn.execute(select(user).where(where)).first()
        if row is None:
            return None
        return _user(row, self._groups(conn, row._mapping["user_id"]))

    async def get_by_id(self, user_id: int) -> User | None:
        if self.db.lite is not None:
            return self._lite_get(_LITE_BY_ID, user_id)
        return await self.db.run(lambda c: self._get(c, user.c.user_id == user_id))

    async def get_by_name(self, name: str) -> User | None:
        if self.db.lite is not None:
            return self._lite_get(_LITE_BY_NAME, name)
        return await self.db.run(lambda c: self._get(c, user.c.user_name == name))

    async def get_many_by_name(self, names: Iterable[str]) -> dict[str, User]:
        wanted = list(names)

        def q(conn: Connection) -> dict[str, User]:
            out: dict[str, User] = {}
            for row in conn.execute(select(user).where(user.c.user_name.in_(wanted))):
                out[row._mapping["user_name"]] = _user(row, self._groups(conn, row._mapping["user_id"]))
            return out

        return await self.db.run(q) if wanted else {}

    async def find_by_email(self, email: str) -> list[User]:
        def q(conn: Connection) -> list[User]:
            rows = conn.execute(select(user).where(user.c.user_email == email).order_by(user.c.user_id))
            return [_user(r, self._groups(conn, r._mapping["user_id"])) for r in rows]

        return await self.db.run(q)

    async def count(self) -> int:
        stmt = select(func.count()).select_from(user)
        return await self.db.run(lambda c: int(c.execute(stmt).scalar_one()))

    async def list_users(self, offset: int = 0, limit: int = 100) -> list[User]:
        def q(conn: Connection) -> list[User]:
            rows = conn.execute(select(user).order_by(user.c.user_id).offset(offset).limit(limit))
            return [_user(r, self._groups(conn, r._mapping["user_id"])) for r in rows]

        return await self.db.run(q)

    # -- writes --------------------------------------------------------------------------

    def create_in(self, conn: Connection, name: str, *, password_hash: str = "", email: str = "",
                  real_name: str = "", newpassword: str = "", newpass_time: str | None = None,
                  registration: str | None = None) -> User:
        """Insert the user row inside an open transaction (see :class:`UnitOfWork`).

        Raises :class:`UserExists` if the name is taken; the caller's transaction stays
        usable. PostgreSQL aborts a transaction on an error, so the insert runs in a
        savepoint there; InnoDB rolls back only the failed statement, and a savepoint
        there would hide a deadlock from Database.run's retry (a deadlock rolls back the
        whole transaction, and ROLLBACK TO SAVEPOINT then fails with its own error).
        """
        now = mw_timestamp(self.clock.time())
        guard = contextlib.nullcontext() if conn.dialect.name == "mysql" else conn.begin_nested()
        try:
            with guard:
                res = conn.execute(insert(user).values(
                    user_name=name, user_real_name=real_name, user_password=password_hash,
                    user_newpassword=newpassword, user_newpass_time=newpass_time,
                    user_email=email, user_touched=now, user_token=new_user_token(),
                    user_registration=registration or now, user_editcount=0,
                ))
        except IntegrityError:
            raise UserExists(name) from None
        uid = res.inserted_primary_key[0] if res.inserted_primary_key else None
        got = self._get(conn, user.c.user_id == uid)
        assert got is not None
        return got

    def get_by_id_in(self, conn: Connection, user_id: int) -> User | None:
        return self._get(conn, user.c.user_id == user_id)

    async def create(self, name: str, *, password_hash: str = "", email: str = "",
                     real_name: str = "", newpassword: str = "", newpass_time: str | None = None,
                     registration: str | None = None) -> User:
        return await self.db.run(lambda c: self.create_in(
            c, name, password_hash=password_hash, email=email, real_name=real_name,
            newpassword=newpassword, newpass_time=newpass_time, registration=registration))

    def update_in(self, conn: Connection, user_id: int, **fields: Any) -> None:
        """:meth:`update` inside an open transaction."""
        values = {f"user_{k}": v for k, v in fields.items()}
        values["user_touched"] = mw_timestamp(self.clock.time())
        conn.execute(update(user).where(user.c.user_id == user_id).values(**values))

    async def update(self, user_id: int, **fields: Any) -> None:
        """Update columns by their short names (``password``, ``email`` …); bumps touched."""
        await self.db.run(lambda c: self.update_in(c, user_id, **fields))

    async def set_password(self, user_id: int, password_hash: str, *, clear_temporary: bool = True,
                           invalidate_sessions: bool = True) -> None:
        fields: dict[str, Any] = {"password": password_hash}
        if clear_temporary:
            fields.update(newpassword="", newpass_time=None)
        if invalidate_sessions:
            fields["token"] = new_user_token()
        await self.update(user_id, **fields)

    async def invalidate_sessions(self, user_id: int) -> None:
        await self.update(user_id, token=new_user_token())

    # -- groups --------------------------------------------------------------------------

    def set_group_in(self, conn: Connection, user_id: int, group: str, expiry: str | None) -> None:
        conn.execute(delete(user_groups).where(and_(user_groups.c.ug_user == user_id,
                                                    user_groups.c.ug_group == group)))
        conn.execute(insert(user_groups).values(ug_user=user_id, ug_group=group, ug_expiry=expiry))
        conn.execute(update(user).where(user.c.user_id == user_id)
                     .values(user_touched=mw_timestamp(self.clock.time())))

    async def set_group(self, user_id: int, group: str, expiry: str | None) -> None:
        await self.db.run(lambda c: self.set_group_in(c, user_id, group, expiry))

    def remove_group_in(self, conn: Connection, user_id: int, group: str) -> None:
        conn.execute(delete(user_groups).where(and_(user_groups.c.ug_user == user_id,
                                                    user_groups.c.ug_group == group)))
        conn.execute(update(user).where(user.c.user_id == user_id)
                     .values(user_touched=mw_timestamp(self.clock.time())))

    async def remove_group(self, user_id: int, group: str) -> None:
        await self.db.run(lambda c: self.remove_group_in(c, user_id, group))

    # -- preferences ---------------------------------------------------------------------

    async def get_options(self, user_id: int) -> dict[str, str]:
        if self.db.lite is not None:
            return {k: v or "" for k, v in self.db.lite.rows(_LITE_OPTIONS, (user_id,))}

        def q(conn: Connection) -> dict[str, str]:
            rows = conn.execute(select(user_properties.c.up_property, user_properties.c.up_value)
                                .where(user_properties.c.up_user == user_id))
            return {k: v or "" for k, v in rows}

        return await self.db.run(q)

    async def set_options(self, user_id: int, changes: dict[str, str | None]) -> None:
        def q(conn: Connection) -> None:
            for key, value in changes.items():
                conn.execute(delete(user_properties).where(and_(
                    user_properties.c.up_user == user_id, user_properties.c.up_property == key)))
                if value is not None:
                    conn.execute(insert(user_properties).values(up_user=user_id, up_property=key,
                                                                up_value=value))

        await self.db.run(q)


_INCREMENT_EDITCOUNT = (update(user).where(user.c.user_id == bindparam("id"))
                        .values(user_editcount=user.c.user_editcount + 1))


def increment_editcount(conn: Connection, user_id: int) -> None:
    """For use inside another transaction (an edit counts toward autoconfirmed)."""
    conn.execute(_INCREMENT_EDITCOUNT, {"id": user_id})
