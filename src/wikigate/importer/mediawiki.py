"""Import accounts from a MediaWiki database (``wikigate import mediawiki SOURCE``).

Reads ``user``, ``user_groups``, ``bot_passwords`` and the ``language`` preference from
``user_properties`` of a MediaWiki 1.35+ database (SQLite file, MySQL/MariaDB or
PostgreSQL, optional table prefix) and writes the matching ``wg_*`` rows:

* password hashes are copied byte for byte (wikigate verifies every MediaWiki format),
  except bare 32-hex MD5 values of very old wikis, which MediaWiki itself reads as
  ``:B:<user id>:<hash>``: they are rewritten with the *MediaWiki* user id as salt,
  because the account gets a new id here;
* accounts are matched by name, so a re-run updates what changed and reports the rest as
  unchanged (ids are not kept: wikigate assigns its own, bot passwords follow the name);
* groups mirror the source, expiry included; a changed password hash also rotates
  ``user_token``, which ends the sessions opened with the old password.

The source is only read. A SQLite file is opened read-only through ``sqlite3`` (a
SQLAlchemy engine would switch it to WAL mode, which changes the file).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, insert, select, text, update
from sqlalchemy.engine import Connection

from wikigate.auth.usernames import canonical_username
from wikigate.storage.sql.schema import bot_passwords, user, user_groups, user_properties
from wikigate.users.store import new_user_token
from wikigate.util.clock import mw_timestamp, to_mw_timestamp

__all__ = [
    "Importer",
    "MediaWikiSource",
    "SourceBotPassword",
    "SourceError",
    "SourceUser",
    "Summary",
    "open_source",
]

_LEGACY_MD5 = re.compile(r"^[0-9a-f]{32}$")
_PREFIX = re.compile(r"^[A-Za-z0-9_]*$")


class SourceError(Exception):
    """The source cannot be read as a MediaWiki database; the message says why."""


@dataclass
class SourceUser:
    id: int
    name: str
    real_name: str = ""
    password: str = ""
    newpassword: str = ""
    newpass_time: str | None = None
    email: str = ""
    email_authenticated: str | None = None
    touched: str | None = None
    token: str = ""
    registration: str | None = None
    editcount: int = 0
    password_expires: str | None = None
    groups: dict[str, str | None] = field(default_factory=dict)
    language: str | None = None


@dataclass
class SourceBotPassword:
    user_id: int
    app_id: str
    password: str
    token: str
    restrictions: str
    grants: str


@dataclass
class Summary:
    users: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0,
                                                          "skipped": 0})
    bot_passwords: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0,
                                                                  "unchanged": 0, "skipped": 0})
    problems: list[str] = field(default_factory=list)


# -- reading the source ------------------------------------------------------------------


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8")
    return str(value)


def _ts(value: Any) -> str | None:
    """MediaWiki timestamps: 14-digit strings (SQLite/MySQL) or TIMESTAMPTZ (PostgreSQL)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return to_mw_timestamp(value)
    s = _str(value)
    return s or None


class MediaWikiSource:
    """Read access to one MediaWiki database; subclasses run the SQL."""

    #: Name of the user table (PostgreSQL installs call it ``mwuser``).
    user_table = "user"

    def __init__(self, prefix: str = "") -> None:
        if not _PREFIX.match(prefix):
            raise SourceError(f"invalid table prefix {prefix!r} (letters, digits and _ only)")
        self.prefix = prefix

    def table(self, name: str) -> str:
        return self.quote(self.prefix + (self.user_table if name == "user" else name))

    def quote(self, name: str) -> str:
        return f'"{name}"'

    def as_text(self, column: str) -> str:
        """SQLite compares a BLOB with a text literal as unequal; MediaWiki's columns are BLOBs."""
        return f"CAST({column} AS TEXT)"

    async def fetch(self, sql: str) -> list[Sequence[Any]]:
        raise NotImplementedError

    async def close(self) -> None:
        return None

    async def users(self) -> list[SourceUser]:
        try:
            rows = await self.fetch(
                "SELECT user_id, user_name, user_real_name, user_password, user_newpassword, "
                "user_newpass_time, user_email, user_email_authenticated, user_touched, user_token, "
                f"user_registration, user_editcount, user_password_expires FROM {self.table('user')} "
                "ORDER BY user_id")
        except Exception as e:
            reason = getattr(e, "orig", None) or e
            raise SourceError(f"no readable MediaWiki user table '{self.prefix}{self.user_table}': {reason}") from None
        out: dict[int, SourceUser] = {}
        for r in rows:
            u = SourceUser(
                id=int(r[0]), name=_str(r[1]), real_name=_str(r[2]), password=_str(r[3]),
                newpassword=_str(r[4]), newpass_time=_ts(r[5]), email=_str(r[6]),
                email_authenticated=_ts(r[7]), touched=_ts(r[8]), token=_str(r[9]),
                registration=_ts(r[10]), editcount=int(r[11] or 0), password_expires=_ts(r[12]))
            out[u.id] = u
        for uid, group, expiry in await self._optional(
                f"SELECT ug_user, ug_group, ug_expiry FROM {self.table('user_groups')}"):
            if int(uid) in out:
                out[int(uid)].groups[_str(group)] = _ts(expiry)
        for uid, value in await self._optional(
                f"SELECT up_user, up_value FROM {self.table('user_properties')} "
                f"WHERE {self.as_text('up_property')} = 'language'"):
            if int(uid) in out and _str(value):
                out[int(uid)].language = _str(value)
        return list(out.values())

    async def bot_passwords(self) -> list[SourceBotPassword]:
        rows = await self._optional(
            "SELECT bp_user, bp_app_id, bp_password, bp_token, bp_restrictions, bp_grants "
            f"FROM {self.table('bot_passwords')} ORDER BY bp_user, bp_app_id")
        return [SourceBotPassword(int(r[0]), _str(r[1]), _str(r[2]), _str(r[3]), _str(r[4]), _str(r[5]))
                for r in rows]

    async def _optional(self, sql: str) -> list[Sequence[Any]]:
        """Tables a wiki may lack (bot passwords disabled …) read as empty."""
        try:
            return await self.fetch(sql)
        except Exception:
            return []


class SqliteSource(MediaWikiSource):
    def __init__(self, path: Path, prefix: str = "") -> None:
        super().__init__(prefix)
        if not path.is_file():
            raise SourceError(f"{path}: no such file")
        with path.open("rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise SourceError(f"{path}: not an SQLite database")
        self.conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)

    async def fetch(self, sql: str) -> list[Sequence[Any]]:
        def run() -> list[Sequence[Any]]:
            return list(self.conn.execute(sql).fetchall())

        try:
            return await asyncio.to_thread(run)
        except sqlite3.DatabaseError as e:
            raise SourceError(str(e)) from None

    async def close(self) -> None:
        self.conn.close()


class ServerSource(MediaWikiSource):
    """MySQL/MariaDB or PostgreSQL through wikigate's own database layer (read only)."""

    def __init__(self, url: str, prefix: str = "") -> None:
        super().__init__(prefix)
        from wikigate.storage.sql.database import Database

        try:
            self.db = Database(url, pool_size=2)
        except Exception as e:
            raise SourceError(f"cannot use {url.split('@')[-1]!r}: {e}") from None
        self.dialect = self.db.dialect
        if self.dialect == "postgresql":
            self.user_table = "mwuser"

    def quote(self, name: str) -> str:
        return f"`{name}`" if self.dialect == "mysql" else f'"{name}"'

    def as_text(self, column: str) -> str:
        return column  # VARBINARY (MySQL) and TEXT (PostgreSQL) compare with literals

    async def fetch(self, sql: str) -> list[Sequence[Any]]:
        try:
            return await self.db.run(lambda c: list(c.execute(text(sql)).all()))
        except (OSError, ConnectionError) as e:
            raise SourceError(f"cannot connect: {e}") from None

    async def close(self) -> None:
        await self.db.close()


def open_source(source: str, prefix: str = "") -> MediaWikiSource:
    """A path (SQLite file) or a ``mysql://`` / ``postgresql://`` URL."""
    scheme = source.split("://", 1)[0].split("+", 1)[0].lower() if "://" in source else ""
    if scheme in ("mysql", "mariadb", "postgresql", "postgres"):
        return ServerSource(source, prefix)
    if scheme == "sqlite":
        return SqliteSource(Path(source.split(":///", 1)[-1]), prefix)
    if scheme:
        raise SourceError(f"unsupported source {scheme}:// (use a SQLite file path, mysql://… or postgresql://…)")
    return SqliteSource(Path(source).expanduser(), prefix)


# -- writing wikigate rows ---------------------------------------------------------------


def _hash(value: str, mw_id: int) -> str:
    """Hashes stay byte for byte; a bare legacy MD5 gets MediaWiki's implied ``:B:<id>:`` salt."""
    return f":B:{mw_id}:{value}" if _LEGACY_MD5.match(value) else value


class Importer:
    def __init__(self, services: Any) -> None:
        self.services = services
        self.db = services.db
        #: MediaWiki user id -> wikigate user id (filled by import_user).
        self.id_map: dict[int, int] = {}

    async def import_user(self, u: SourceUser, summary: Summary) -> str:
        canonical = canonical_username(u.name)
        if canonical != u.name:
            summary.users["skipped"] += 1
            summary.problems.append(f"user {u.id} {u.name!r}: not a valid user name here, skipped")
            return "skipped"
        values = {
            "user_real_name": u.real_name, "user_password": _hash(u.password, u.id),
            "user_newpassword": _hash(u.newpassword, u.id), "user_newpass_time": u.newpass_time,
            "user_email": u.email, "user_email_authenticated": u.email_authenticated,
            "user_registration": u.registration, "user_editcount": u.editcount,
            "user_password_expires": u.password_expires,
        }
        now = mw_timestamp(self.services.clock.time())

        def q(conn: Connection) -> tuple[str, int]:
            row = conn.execute(select(user).where(user.c.user_name == u.name)).first()
            if row is None:
                res = conn.execute(insert(user).values(
                    user_name=u.name, user_touched=u.touched or now,
                    user_token=u.token or new_user_token(), **values))
                uid = int(res.inserted_primary_key[0])  # type: ignore[index]
                self._sync_groups(conn, uid, u.groups)
                self._sync_language(conn, uid, u.language)
                return "created", uid
            m = row._mapping
            uid = int(m["user_id"])
            changed = {k: v for k, v in values.items()
                       if ((m[k] or 0) if k == "user_editcount" else m[k]) != v}
            groups_changed = self._sync_groups(conn, uid, u.groups)
            lang_changed = self._sync_language(conn, uid, u.language)
            if changed:
                if "user_password" in changed:
                    changed["user_token"] = new_user_token()  # old-password sessions end
                changed["user_touched"] = now
                conn.execute(update(user).where(user.c.user_id == uid).values(**changed))
            return ("updated" if changed or groups_changed or lang_changed else "unchanged"), uid

        status: str
        status, uid = await self.db.run(q)
        self.id_map[u.id] = uid
        summary.users[status] += 1
        return status

    @staticmethod
    def _sync_groups(conn: Connection, uid: int, groups: dict[str, str | None]) -> bool:
        have = {g: e for g, e in conn.execute(
            select(user_groups.c.ug_group, user_groups.c.ug_expiry).where(user_groups.c.ug_user == uid))}
        if have == groups:
            return False
        conn.execute(delete(user_groups).where(user_groups.c.ug_user == uid))
        for g, e in groups.items():
            conn.execute(insert(user_groups).values(ug_user=uid, ug_group=g, ug_expiry=e))
        return True

    @staticmethod
    def _sync_language(conn: Connection, uid: int, language: str | None) -> bool:
        if language is None:
            return False
        cond = and_(user_properties.c.up_user == uid, user_properties.c.up_property == "language")
        current = conn.execute(select(user_properties.c.up_value).where(cond)).scalar_one_or_none()
        if current == language:
            return False
        conn.execute(delete(user_properties).where(cond))
        conn.execute(insert(user_properties).values(up_user=uid, up_property="language", up_value=language))
        return True

    async def import_bot_password(self, bp: SourceBotPassword, summary: Summary) -> str:
        uid = self.id_map.get(bp.user_id)
        if uid is None:
            summary.bot_passwords["skipped"] += 1
            summary.problems.append(f"bot password {bp.app_id!r} of user id {bp.user_id}: no such imported user")
            return "skipped"
        values = {"bp_password": bp.password, "bp_token": bp.token, "bp_restrictions": bp.restrictions,
                  "bp_grants": bp.grants}

        def q(conn: Connection) -> str:
            cond = and_(bot_passwords.c.bp_user == uid, bot_passwords.c.bp_app_id == bp.app_id)
            row = conn.execute(select(bot_passwords).where(cond)).first()
            if row is None:
                conn.execute(insert(bot_passwords).values(bp_user=uid, bp_app_id=bp.app_id, **values))
                return "created"
            if all(row._mapping[k] == v for k, v in values.items()):
                return "unchanged"
            conn.execute(update(bot_passwords).where(cond).values(**values))
            return "updated"

        status: str = await self.db.run(q)
        summary.bot_passwords[status] += 1
        return status
