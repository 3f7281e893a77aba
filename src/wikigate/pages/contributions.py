"""User contributions (``list=usercontribs``): the revisions of a set of authors, with
what their page, parent revision and recent-changes row say about them.

One query per request: revisions of the named authors joined to their page (title,
latest revision), their parent revision (for ``sizediff``) and, for the patrol flags,
their recent-changes row. Several authors are listed author by author (by name), each
newest first (or oldest first), as MediaWiki lists them in its multi-user modes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select, true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from wikigate.logs.recentchanges import patrol_conditions
from wikigate.storage.sql.ranges import time_range
from wikigate.storage.sql.schema import page as page_t
from wikigate.storage.sql.schema import recentchanges as rc_t
from wikigate.storage.sql.schema import revision as rev_t


@dataclass(frozen=True)
class Contribution:
    rev_id: int
    page_id: int
    parent_id: int
    namespace: int
    dbkey: str
    actor_id: int
    actor_name: str
    timestamp: str
    minor: bool
    length: int
    comment: str
    tags: list[str]
    top: bool
    parent_length: int | None
    patrolled: int | None  # None: no recent-changes row (older than its maximum age)


@dataclass(frozen=True)
class ContributionQuery:
    """``names``: the authors; ``multi``: list author by author (continuation names the
    author); ``cont``: (author name or "", timestamp, revision id) to continue from."""

    names: Sequence[str]
    multi: bool = False
    newer: bool = False
    start: str | None = None
    end: str | None = None
    namespaces: Sequence[int] | None = None
    minor: bool | None = None
    top: bool | None = None
    new: bool | None = None
    patrolled: bool | None = None
    autopatrolled: bool | None = None
    need_patrol: bool = False
    tag: str | None = None
    cont: tuple[str, str, int] | None = None
    limit: int = 10


def _flag_conditions(q: ContributionQuery) -> list[Any]:
    r, p = rev_t.c, page_t.c
    conds: list[Any] = []
    if q.minor is not None:
        conds.append(r.rev_minor_edit == q.minor)
    if q.top is not None:
        conds.append(r.rev_id == p.page_latest if q.top else r.rev_id != p.page_latest)
    if q.new is not None:
        conds.append(r.rev_parent_id == 0 if q.new else r.rev_parent_id != 0)
    return conds + patrol_conditions(q.patrolled, q.autopatrolled)


def _range_conditions(q: ContributionQuery) -> list[Any]:
    r = rev_t.c
    if q.cont is None or not q.multi:
        cont = (q.cont[1], q.cont[2]) if q.cont is not None else None
        return time_range(r.rev_timestamp, r.rev_id, newer=q.newer, start=q.start, end=q.end, cont=cont)
    # Author by author: later authors whole, the continued author from (timestamp, id) on.
    name, ts, rid = q.cont
    conds = time_range(r.rev_timestamp, r.rev_id, newer=q.newer, start=q.start, end=q.end, cont=None)
    later = r.rev_actor_name > name if q.newer else r.rev_actor_name < name
    within = and_(*time_range(r.rev_timestamp, r.rev_id, newer=q.newer, start=None, end=None, cont=(ts, rid)))
    conds.append(or_(later, and_(r.rev_actor_name == name, within)))
    return conds


def search_in(conn: Connection, q: ContributionQuery) -> list[Contribution]:
    """Up to ``q.limit + 1`` contributions (the extra one signals continuation)."""
    if not q.names:
        return []
    r, p, rc = rev_t.c, page_t.c, rc_t.c
    parent = aliased(rev_t)
    conds: list[Any] = [r.rev_actor_name.in_(list(q.names))]
    conds += _range_conditions(q) + _flag_conditions(q)
    if q.namespaces is not None:
        conds.append(p.page_namespace.in_(list(q.namespaces)))
    if q.tag is not None:
        conds.append(or_(r.rev_tags == q.tag, r.rev_tags.startswith(q.tag + "\n", autoescape=True),
                         r.rev_tags.endswith("\n" + q.tag, autoescape=True),
                         r.rev_tags.contains("\n" + q.tag + "\n", autoescape=True)))
    joined = (rev_t.join(page_t, p.page_id == r.rev_page)
              .outerjoin(parent, and_(r.rev_parent_id != 0, parent.c.rev_id == r.rev_parent_id)))
    patrol_wanted = q.need_patrol or q.patrolled is not None or q.autopatrolled is not None
    columns: list[Any] = [r.rev_id, r.rev_page, r.rev_parent_id, p.page_namespace, p.page_title, r.rev_actor,
                          r.rev_actor_name, r.rev_timestamp, r.rev_minor_edit, r.rev_len, r.rev_comment,
                          r.rev_tags, p.page_latest, parent.c.rev_len.label("parent_len")]
    if patrol_wanted:
        # An inner join when filtering by the flags, as MediaWiki does.
        joined = (joined.join(rc_t, rc.rc_this_oldid == r.rev_id)
                  if q.patrolled is not None or q.autopatrolled is not None
                  else joined.outerjoin(rc_t, rc.rc_this_oldid == r.rev_id))
        columns.append(rc.rc_patrolled)
    desc = not q.newer
    order: list[Any] = []
    if q.multi:
        order.append(r.rev_actor_name.desc() if desc else r.rev_actor_name.asc())
    order += [r.rev_timestamp.desc(), r.rev_id.desc()] if desc else [r.rev_timestamp.asc(), r.rev_id.asc()]
    stmt = select(*columns).select_from(joined).where(and_(true(), *conds)).order_by(*order).limit(q.limit + 1)
    out = []
    for row in conn.execute(stmt):
        m = row._mapping
        out.append(Contribution(
            rev_id=m["rev_id"], page_id=m["rev_page"], parent_id=m["rev_parent_id"], namespace=m["page_namespace"],
            dbkey=m["page_title"], actor_id=m["rev_actor"], actor_name=m["rev_actor_name"],
            timestamp=m["rev_timestamp"], minor=bool(m["rev_minor_edit"]), length=m["rev_len"],
            comment=m["rev_comment"], tags=[t for t in (m["rev_tags"] or "").split("\n") if t],
            top=m["page_latest"] == m["rev_id"], parent_length=m["parent_len"],
            patrolled=m["rc_patrolled"] if patrol_wanted else None))
    return out


def author_names_in(conn: Connection, *, prefix: str | None = None, anonymous: bool = False) -> list[str]:
    """Distinct revision authors: those whose name starts with ``prefix``, or, with
    ``anonymous``, every IP address that edited (for an IP range)."""
    r = rev_t.c
    stmt = select(r.rev_actor_name).distinct()
    if prefix is not None:
        stmt = stmt.where(r.rev_actor_name.startswith(prefix, autoescape=True))
    if anonymous:
        stmt = stmt.where(r.rev_actor == 0)
    return sorted(row[0] for row in conn.execute(stmt))
