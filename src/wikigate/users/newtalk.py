"""New-talk-page messages (``TalkPageNotificationManager``; table wg_user_newtalk).

An edit by someone else to ``User talk:NAME`` sets the flag of NAME (a registered user or
an IP address); ``meta=userinfo&uiprop=hasmsg`` reports it as ``messages`` and
``action=clearhasmsg`` clears it, as does deleting the talk page (MediaWiki also clears it
when the user views the page; wikigate serves no page views).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import user, user_newtalk


def wants_notification(*, namespace: int, talk_owner: str, editor: str, minor: bool,
                       editor_has_nominornewtalk: bool, changed: bool) -> bool:
    """``DerivedPageDataUpdater::doUpdates``: another user's talk page, a real change, and
    not a minor edit by someone with ``nominornewtalk``."""
    return (changed and namespace == 3 and talk_owner != editor
            and not (minor and editor_has_nominornewtalk))


class NewTalkStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def notify_in(self, conn: Connection, name: str, timestamp: str, *, is_ip: bool) -> bool:
        """Set the flag of ``name`` (an IP, or an existing user; else nothing happens)."""
        if not is_ip and conn.execute(select(user.c.user_id).where(user.c.user_name == name)).first() is None:
            return False
        # One upsert: two edits to the same talk page at once must not collide on the key.
        dialect = conn.dialect.name
        if dialect in ("mysql", "mariadb"):
            from sqlalchemy.dialects.mysql import insert as my_insert

            stmt = my_insert(user_newtalk).values(nt_name=name, nt_timestamp=timestamp)
            conn.execute(stmt.on_duplicate_key_update(nt_timestamp=stmt.inserted.nt_timestamp))
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            pg = pg_insert(user_newtalk).values(nt_name=name, nt_timestamp=timestamp)
            conn.execute(pg.on_conflict_do_update(index_elements=[user_newtalk.c.nt_name],
                                                  set_={"nt_timestamp": pg.excluded.nt_timestamp}))
        else:
            from sqlalchemy.dialects.sqlite import insert as lite_insert

            lite = lite_insert(user_newtalk).values(nt_name=name, nt_timestamp=timestamp)
            conn.execute(lite.on_conflict_do_update(index_elements=[user_newtalk.c.nt_name],
                                                    set_={"nt_timestamp": lite.excluded.nt_timestamp}))
        return True

    def clear_in(self, conn: Connection, name: str) -> None:
        conn.execute(delete(user_newtalk).where(user_newtalk.c.nt_name == name))

    async def has(self, name: str) -> bool:
        def q(conn: Connection) -> bool:
            return conn.execute(select(user_newtalk.c.nt_name).where(user_newtalk.c.nt_name == name)).first() \
                is not None

        # A read (every page for people asks it): no write lock on SQLite.
        return await self.db.read(q)

    async def clear(self, name: str) -> None:
        await self.db.run(lambda conn: self.clear_in(conn, name))
