"""Site-wide counts for meta=siteinfo (statistics, group sizes) and the database server's
version: read-only queries, one transaction each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.engine import Connection

from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import page, revision, user, user_groups


async def server_version(db: Database) -> str:
    """The server's version as the driver reports it (``3.45.1``), or ""."""

    def q(conn: Connection) -> str:
        info = conn.dialect.server_version_info
        if info is None:
            return ""
        return ".".join(str(x) for x in info)

    return await db.run(q)


async def group_member_counts(db: Database, now: str) -> dict[str, int]:
    """Members per explicit group ("" = all registered users), expired memberships excluded."""

    def q(conn: Connection) -> dict[str, int]:
        rows = conn.execute(
            select(user_groups.c.ug_group, func.count())
            .where(or_(user_groups.c.ug_expiry.is_(None), user_groups.c.ug_expiry > now))
            .group_by(user_groups.c.ug_group))
        out = {g: int(n) for g, n in rows}
        out[""] = int(conn.execute(select(func.count()).select_from(user)).scalar_one())
        return out

    return await db.run(q)


async def site_statistics(db: Database, *, active_since: str, now: str) -> dict[str, int]:
    """meta=siteinfo&siprop=statistics: pages, articles (main namespace, no redirects),
    edits, users, active users (edited since ``active_since``), current admins."""

    def q(conn: Connection) -> dict[str, int]:
        def scalar(stmt: Any) -> int:
            return int(conn.execute(stmt).scalar_one() or 0)

        pages = scalar(select(func.count()).select_from(page))
        articles = scalar(select(func.count()).select_from(page).where(
            and_(page.c.page_namespace == 0, page.c.page_is_redirect.is_(False))))
        edits = scalar(select(func.count()).select_from(revision))
        users = scalar(select(func.count()).select_from(user))
        active = scalar(select(func.count(distinct(revision.c.rev_actor_name)))
                        .where(and_(revision.c.rev_timestamp >= active_since, revision.c.rev_actor > 0)))
        admins = scalar(select(func.count()).select_from(user_groups).where(and_(
            user_groups.c.ug_group == "sysop",
            or_(user_groups.c.ug_expiry.is_(None), user_groups.c.ug_expiry > now))))
        return {"pages": pages, "articles": articles, "edits": edits, "images": 0,
                "users": users, "activeusers": active, "admins": admins, "jobs": 0}

    return await db.run(q)
