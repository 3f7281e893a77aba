"""Pages, revisions, restrictions, title protections, transclusions and watchlist rows.

All writes of one user action (a revision, its log entry, the editcount, templatelinks)
run in one :meth:`Database.run` transaction. Methods named ``*_in`` take an open
connection so the services (``pages.service``, ``pages.protect``) can combine them in
one transaction; front ends never call them (tests/unit/architecture). The async
wrappers run one transaction each.

Expired restrictions and title protections are ignored when read and deleted lazily
in the same transaction, as MediaWiki's ``Title::purgeExpiredRestrictions`` does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.engine import Connection

from wikigate.logs.store import LogStore
from wikigate.pages.links import transclusions
from wikigate.pages.namespaces import Namespaces
from wikigate.pages.protection import CascadeSource, Restriction, is_live
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import page as page_t
from wikigate.storage.sql.schema import page_restrictions as pr_t
from wikigate.storage.sql.schema import protected_titles as pt_t
from wikigate.storage.sql.schema import revision as rev_t
from wikigate.storage.sql.schema import templatelinks as tl_t
from wikigate.storage.sql.schema import watchlist as wl_t
from wikigate.users.store import increment_editcount
from wikigate.util.clock import Clock, mw_timestamp

T = TypeVar("T")

#: Longest dbkey a page can have (MediaWiki's page_title is VARBINARY(255)).
MAX_TITLE_BYTES = 255
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def sha1_base36(text: str) -> str:
    """rev_sha1 as MediaWiki stores it: SHA-1 in base 36, zero-padded to 31 digits."""
    n = int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16)
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = _B36[r] + out
    return out.rjust(31, "0")


def sha1_hex(base36: str) -> str:
    """The API prints rev_sha1 converted back to 40 hex digits."""
    return format(int(base36, 36), "040x") if base36 else ""


def text_len(text: str) -> int:
    """Sizes are bytes of UTF-8, as rev_len/page_len."""
    return len(text.encode("utf-8"))


# Statements on the edit and protect paths, built once: building a SQLAlchemy statement
# and its cache key costs several times what SQLite needs to run it (about 150 µs against
# 30 µs per statement here), and these run inside the one-writer-at-a-time transactions.
_PAGE_BY_TITLE = select(page_t).where(and_(page_t.c.page_namespace == bindparam("ns"),
                                           page_t.c.page_title == bindparam("title")))
_PAGE_BY_ID = select(page_t).where(page_t.c.page_id == bindparam("id"))
_REVISION_BY_ID = select(rev_t).where(rev_t.c.rev_id == bindparam("id"))
_INSERT_PAGE = insert(page_t)
_INSERT_REVISION = insert(rev_t)
_SET_LATEST = (update(page_t).where(page_t.c.page_id == bindparam("id"))
               .values(page_latest=bindparam("latest"), page_len=bindparam("len"),
                       page_touched=bindparam("touched"), page_is_redirect=bindparam("redirect")))
_RESTRICTIONS = select(pr_t).where(pr_t.c.pr_page == bindparam("page")).order_by(pr_t.c.pr_id)
_DELETE_RESTRICTIONS = delete(pr_t).where(pr_t.c.pr_page == bindparam("page"))
_INSERT_RESTRICTION = insert(pr_t)
_TITLE_PROTECTION = select(pt_t).where(and_(pt_t.c.pt_namespace == bindparam("ns"),
                                            pt_t.c.pt_title == bindparam("title")))
_CASCADE_SOURCES = (select(page_t.c.page_namespace, page_t.c.page_title, pr_t.c.pr_level, pr_t.c.pr_expiry)
                    .select_from(tl_t.join(pr_t, pr_t.c.pr_page == tl_t.c.tl_from)
                                 .join(page_t, page_t.c.page_id == tl_t.c.tl_from))
                    .where(and_(tl_t.c.tl_namespace == bindparam("ns"), tl_t.c.tl_title == bindparam("title"),
                                pr_t.c.pr_cascade.is_(True)))
                    .order_by(page_t.c.page_namespace, page_t.c.page_title))
_DELETE_LINKS = delete(tl_t).where(tl_t.c.tl_from == bindparam("page"))
_INSERT_LINK = insert(tl_t)
_WATCHED = select(wl_t.c.wl_user).where(and_(wl_t.c.wl_user == bindparam("user"),
                                             wl_t.c.wl_namespace == bindparam("ns"),
                                             wl_t.c.wl_title == bindparam("title")))
_WATCH_ROWS = select(wl_t.c.wl_namespace, wl_t.c.wl_expiry).where(and_(
    wl_t.c.wl_user == bindparam("user"), wl_t.c.wl_namespace.in_(bindparam("nss", expanding=True)),
    wl_t.c.wl_title == bindparam("title")))
_UNWATCH = delete(wl_t).where(and_(wl_t.c.wl_user == bindparam("user"), wl_t.c.wl_namespace == bindparam("ns"),
                                   wl_t.c.wl_title == bindparam("title")))
_INSERT_WATCH = insert(wl_t)


class Expired(Exception):
    """A read-only reader met an expired protection row that should be purged first."""


@dataclass(frozen=True)
class Page:
    id: int
    namespace: int
    dbkey: str
    is_redirect: bool
    touched: str
    latest: int
    length: int
    content_model: str


@dataclass(frozen=True)
class Revision:
    id: int
    page: int
    text: str
    comment: str
    actor: int
    actor_name: str
    timestamp: str
    minor: bool
    length: int
    parent: int
    sha1: str
    tags: list[str]


@dataclass(frozen=True)
class TitleProtection:
    namespace: int
    dbkey: str
    user: int
    reason: str
    timestamp: str
    expiry: str
    level: str


def _page(row: Any) -> Page:
    m = row._mapping
    return Page(m["page_id"], m["page_namespace"], m["page_title"], bool(m["page_is_redirect"]),
                m["page_touched"], m["page_latest"], m["page_len"], m["page_content_model"])


def _rev(row: Any) -> Revision:
    m = row._mapping
    tags = [t for t in (m["rev_tags"] or "").split("\n") if t]
    return Revision(m["rev_id"], m["rev_page"], m["rev_text"], m["rev_comment"], m["rev_actor"],
                    m["rev_actor_name"], m["rev_timestamp"], bool(m["rev_minor_edit"]), m["rev_len"],
                    m["rev_parent_id"], m["rev_sha1"], tags)


def _tp(row: Any) -> TitleProtection:
    m = row._mapping
    return TitleProtection(m["pt_namespace"], m["pt_title"], m["pt_user"], m["pt_reason"], m["pt_timestamp"],
                           m["pt_expiry"] or "infinity", m["pt_create_perm"])


def redirect_target(text: str) -> str | None:
    """The target of ``#REDIRECT [[Target]]`` (case-insensitive magic word, first line)."""
    stripped = text.lstrip()
    if stripped[:9].upper() != "#REDIRECT":
        return None
    rest = stripped[9:].lstrip(" :\t")
    if not rest.startswith("[["):
        return None
    end = rest.find("]]")
    if end < 0:
        return None
    target = rest[2:end].split("|", 1)[0].strip()
    return target or None


class PageStore:
    """``services.pages``."""

    def __init__(self, db: Database, clock: Clock, logs: LogStore, namespaces: Namespaces) -> None:
        self.db = db
        self.clock = clock
        self.logs = logs
        self.namespaces = namespaces

    async def run(self, fn: Callable[[Connection], T]) -> T:
        return await self.db.run(fn)

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """A transaction that only reads (``Database.read``: no write lock on SQLite)."""
        return await self.db.read(fn)

    # -- pages and revisions ---------------------------------------------------------------

    def page_in(self, conn: Connection, namespace: int, dbkey: str) -> Page | None:
        row = conn.execute(_PAGE_BY_TITLE, {"ns": namespace, "title": dbkey}).first()
        return _page(row) if row is not None else None

    def page_by_id_in(self, conn: Connection, page_id: int) -> Page | None:
        row = conn.execute(_PAGE_BY_ID, {"id": page_id}).first()
        return _page(row) if row is not None else None

    async def page(self, namespace: int, dbkey: str) -> Page | None:
        return await self.db.read(lambda conn: self.page_in(conn, namespace, dbkey))

    async def page_by_id(self, page_id: int) -> Page | None:
        return await self.db.read(lambda conn: self.page_by_id_in(conn, page_id))

    def pages_in(self, conn: Connection, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], Page]:
        out: dict[tuple[int, str], Page] = {}
        keys = list(keys)
        for i in range(0, len(keys), 200):
            chunk = keys[i:i + 200]
            cond = or_(*[and_(page_t.c.page_namespace == ns, page_t.c.page_title == k) for ns, k in chunk])
            for row in conn.execute(select(page_t).where(cond)):
                p = _page(row)
                out[(p.namespace, p.dbkey)] = p
        return out

    def revision_in(self, conn: Connection, rev_id: int) -> Revision | None:
        row = conn.execute(_REVISION_BY_ID, {"id": rev_id}).first()
        return _rev(row) if row is not None else None

    def revisions_in(self, conn: Connection, page_id: int, *, limit: int, newer: bool = False,
                     start_id: int | None = None) -> list[Revision]:
        """Up to ``limit + 1`` revisions (the extra one signals continuation)."""
        c = rev_t.c
        conds: list[Any] = [c.rev_page == page_id]
        if start_id is not None:
            conds.append(c.rev_id >= start_id if newer else c.rev_id <= start_id)
        order = c.rev_id.asc() if newer else c.rev_id.desc()
        rows = conn.execute(select(rev_t).where(and_(*conds)).order_by(order).limit(limit + 1))
        return [_rev(r) for r in rows]

    def revision_at_in(self, conn: Connection, page_id: int, timestamp: str) -> Revision | None:
        """``RevisionStore::getRevisionByTimestamp``: the page's revision saved at ``timestamp``."""
        row = conn.execute(select(rev_t).where(and_(rev_t.c.rev_page == page_id, rev_t.c.rev_timestamp == timestamp))
                           .order_by(rev_t.c.rev_id.desc()).limit(1)).first()
        return _rev(row) if row is not None else None

    def latest_text_in(self, conn: Connection, page: Page) -> str:
        rev = self.revision_in(conn, page.latest)
        return rev.text if rev is not None else ""

    def insert_revision_in(self, conn: Connection, *, namespace: int, dbkey: str, text: str,
                           comment: str, user_id: int, user_name: str, minor: bool = False,
                           tags: Sequence[str] = (), null: bool = False,
                           timestamp: str | None = None,
                           current: Page | Literal["lookup"] | None = "lookup") -> tuple[Page, Revision, Page | None]:
        """Append a revision, creating the page if needed; returns (page, revision, old page).

        A *null* revision (protect, move) repeats the text, does not count as an edit and
        does not touch the links. Real edits update templatelinks and the user's editcount
        (so ``$wgAutoConfirmCount`` can be honoured). ``current``: the page row as this
        transaction already read it (None: no page yet), to save reading it again.
        """
        ts = timestamp or mw_timestamp(self.clock.time())
        old = self.page_in(conn, namespace, dbkey) if current == "lookup" else current
        length = text_len(text)
        is_redirect = redirect_target(text) is not None
        if old is None:
            res = conn.execute(_INSERT_PAGE, {
                "page_namespace": namespace, "page_title": dbkey, "page_is_redirect": is_redirect,
                "page_touched": ts, "page_latest": 0, "page_len": length, "page_content_model": "wikitext"})
            page_id = int(res.inserted_primary_key[0]) if res.inserted_primary_key else 0
            parent = 0
        else:
            page_id = old.id
            parent = old.latest
        sha1 = sha1_base36(text)
        res = conn.execute(_INSERT_REVISION, {
            "rev_page": page_id, "rev_text": text, "rev_comment": comment, "rev_actor": user_id,
            "rev_actor_name": user_name, "rev_timestamp": ts, "rev_minor_edit": minor, "rev_len": length,
            "rev_parent_id": parent, "rev_sha1": sha1, "rev_tags": "\n".join(tags)})
        rev_id = int(res.inserted_primary_key[0]) if res.inserted_primary_key else 0
        conn.execute(_SET_LATEST, {"id": page_id, "latest": rev_id, "len": length, "touched": ts,
                                   "redirect": is_redirect})
        if not null:
            self.update_links_in(conn, page_id, text)
            if user_id:
                increment_editcount(conn, user_id)
        # What was just written, without reading it back.
        page = Page(page_id, namespace, dbkey, is_redirect, ts, rev_id, length,
                    old.content_model if old is not None else "wikitext")
        rev = Revision(rev_id, page_id, text, comment, user_id, user_name, ts, bool(minor), length, parent,
                       sha1, [t for t in tags if t])
        return page, rev, old

    def touch_in(self, conn: Connection, page_id: int) -> None:
        conn.execute(update(page_t).where(page_t.c.page_id == page_id)
                     .values(page_touched=mw_timestamp(self.clock.time())))

    # -- transclusions ------------------------------------------------------------------------

    def update_links_in(self, conn: Connection, page_id: int, text: str) -> None:
        conn.execute(_DELETE_LINKS, {"page": page_id})
        rows = [{"tl_from": page_id, "tl_namespace": t.namespace, "tl_title": t.dbkey}
                for t in transclusions(text, self.namespaces)]
        if rows:
            conn.execute(_INSERT_LINK, rows)

    def cascade_sources_in(self, conn: Connection, namespace: int, dbkey: str) -> list[CascadeSource]:
        """Live cascading ``edit`` restrictions of pages transcluding this title, by source title."""
        now = mw_timestamp(self.clock.time())
        out = []
        for ns, title, level, expiry in conn.execute(_CASCADE_SOURCES, {"ns": namespace, "title": dbkey}):
            if is_live(expiry or "infinity", now):
                out.append(CascadeSource(ns, title, level, expiry or "infinity"))
        return out

    # -- restrictions -------------------------------------------------------------------------

    def restrictions_in(self, conn: Connection, page_id: int, *, purge: bool = True) -> list[Restriction]:
        """Live restrictions of a page in configuration order of types; purges expired rows
        (unless ``purge`` is false: then :class:`Expired` is raised, for read-only callers)."""
        now = mw_timestamp(self.clock.time())
        rows = list(conn.execute(_RESTRICTIONS, {"page": page_id}))
        live: list[Restriction] = []
        expired: list[int] = []
        for row in rows:
            m = row._mapping
            expiry = m["pr_expiry"] or "infinity"
            if is_live(expiry, now):
                live.append(Restriction(m["pr_type"], m["pr_level"], expiry, bool(m["pr_cascade"])))
            else:
                expired.append(m["pr_id"])
        if expired:
            if not purge:
                raise Expired
            conn.execute(delete(pr_t).where(pr_t.c.pr_id.in_(expired)))
        return live

    def set_restrictions_in(self, conn: Connection, page_id: int, restrictions: Iterable[Restriction]) -> None:
        """Replace every restriction row of the page (empty levels are simply not stored)."""
        conn.execute(_DELETE_RESTRICTIONS, {"page": page_id})
        rows = [{"pr_page": page_id, "pr_type": r.type, "pr_level": r.level, "pr_cascade": r.cascade,
                 "pr_expiry": r.expiry} for r in restrictions if r.level]
        if rows:
            conn.execute(_INSERT_RESTRICTION, rows)

    def protected_pages_in(self, conn: Connection, *, types: Sequence[str] | None, levels: Sequence[str] | None,
                           before_id: int | None, limit: int) -> list[tuple[int, int, str, Restriction]]:
        """Live page restrictions for Special:ProtectedPages, newest first (by restriction
        id): ``(restriction id, namespace, dbkey, restriction)``, ``limit + 1`` rows."""
        c = pr_t.c
        now = mw_timestamp(self.clock.time())
        conds: list[Any] = [c.pr_page == page_t.c.page_id, or_(c.pr_expiry.is_(None), c.pr_expiry == "infinity",
                                                                 c.pr_expiry >= now)]
        if types:
            conds.append(c.pr_type.in_(list(types)))
        if levels:
            conds.append(c.pr_level.in_(list(levels)))
        if before_id is not None:
            conds.append(c.pr_id < before_id)
        stmt = (select(c.pr_id, page_t.c.page_namespace, page_t.c.page_title, c.pr_type, c.pr_level,
                       c.pr_expiry, c.pr_cascade)
                .where(and_(*conds)).order_by(c.pr_id.desc()).limit(limit + 1))
        return [(pid, ns, key, Restriction(ptype, level, expiry or "infinity", bool(cascade)))
                for pid, ns, key, ptype, level, expiry, cascade in conn.execute(stmt)]

    async def protected_pages(self, *, types: Sequence[str] | None, levels: Sequence[str] | None,
                              before_id: int | None, limit: int) -> list[tuple[int, int, str, Restriction]]:
        """:meth:`protected_pages_in` in its own transaction (Special:ProtectedPages)."""
        return await self.run(lambda conn: self.protected_pages_in(conn, types=types, levels=levels,
                                                                   before_id=before_id, limit=limit))

    def title_protection_in(self, conn: Connection, namespace: int, dbkey: str, *,
                            purge: bool = True) -> TitleProtection | None:
        """The live create protection of a title; an expired one is deleted (unless
        ``purge`` is false: then :class:`Expired` is raised, for read-only callers)."""
        row = conn.execute(_TITLE_PROTECTION, {"ns": namespace, "title": dbkey}).first()
        if row is None:
            return None
        tp = _tp(row)
        if not is_live(tp.expiry, mw_timestamp(self.clock.time())):
            if not purge:
                raise Expired
            conn.execute(delete(pt_t).where(and_(pt_t.c.pt_namespace == namespace, pt_t.c.pt_title == dbkey)))
            return None
        return tp

    def set_title_protection_in(self, conn: Connection, namespace: int, dbkey: str, *, level: str,
                                expiry: str, user_id: int, reason: str) -> None:
        conn.execute(delete(pt_t).where(and_(pt_t.c.pt_namespace == namespace, pt_t.c.pt_title == dbkey)))
        if level:
            conn.execute(insert(pt_t).values(
                pt_namespace=namespace, pt_title=dbkey, pt_user=user_id, pt_reason=reason,
                pt_timestamp=mw_timestamp(self.clock.time()), pt_expiry=expiry, pt_create_perm=level))

    def protected_titles_in(self, conn: Connection, *, namespaces: Sequence[int] | None, levels: Sequence[str] | None,
                            newer: bool, start: str | None, end: str | None,
                            cont: tuple[str, int, str] | None, limit: int) -> list[TitleProtection]:
        c = pt_t.c
        now = mw_timestamp(self.clock.time())
        conds: list[Any] = [or_(c.pt_expiry == "infinity", c.pt_expiry >= now)]
        if namespaces is not None:
            conds.append(c.pt_namespace.in_(list(namespaces)))
        if levels is not None:
            conds.append(c.pt_create_perm.in_(list(levels)))
        if start:
            conds.append(c.pt_timestamp >= start if newer else c.pt_timestamp <= start)
        if end:
            conds.append(c.pt_timestamp <= end if newer else c.pt_timestamp >= end)
        if cont:
            ts, ns, key = cont
            tup = c.pt_timestamp
            if newer:
                conds.append(or_(tup > ts, and_(tup == ts, or_(c.pt_namespace > ns,
                                                                and_(c.pt_namespace == ns, c.pt_title >= key)))))
            else:
                conds.append(or_(tup < ts, and_(tup == ts, or_(c.pt_namespace < ns,
                                                                and_(c.pt_namespace == ns, c.pt_title <= key)))))
        if newer:
            order = [c.pt_timestamp.asc(), c.pt_namespace.asc(), c.pt_title.asc()]
        else:
            order = [c.pt_timestamp.desc(), c.pt_namespace.desc(), c.pt_title.desc()]
        rows = conn.execute(select(pt_t).where(and_(*conds)).order_by(*order).limit(limit + 1))
        return [_tp(r) for r in rows]

    # -- contributions --------------------------------------------------------------------------

    def latest_contribution_in(self, conn: Connection, user_id: int) -> str | None:
        """Timestamp of the user's newest revision (UserEditTracker::getLatestEditTimestamp),
        or None if they never edited; served by the (rev_actor, rev_timestamp) index."""
        if user_id <= 0:
            return None
        c = rev_t.c
        ts = conn.execute(select(c.rev_timestamp).where(c.rev_actor == user_id)
                          .order_by(c.rev_timestamp.desc()).limit(1)).scalar()
        return str(ts) if ts else None

    async def latest_contribution(self, user_id: int) -> str | None:
        return await self.run(lambda conn: self.latest_contribution_in(conn, user_id))

    # -- listing ------------------------------------------------------------------------------

    def all_pages_in(self, conn: Connection, *, namespace: int, start: str | None, end: str | None = None,
                     prefix: str | None, redirects: str, newer: bool, limit: int,
                     min_size: int | None = None, max_size: int | None = None) -> list[Page]:
        """list=allpages: titles from ``start`` towards ``end`` (inclusive), ``limit + 1`` rows."""
        c = page_t.c
        conds: list[Any] = [c.page_namespace == namespace]
        if start:
            conds.append(c.page_title >= start if newer else c.page_title <= start)
        if end:
            conds.append(c.page_title <= end if newer else c.page_title >= end)
        if prefix:
            if len(prefix.encode("utf-8")) > MAX_TITLE_BYTES:
                return []  # no title is longer; and SQLite refuses LIKE patterns past 50 000 bytes
            conds.append(c.page_title.startswith(prefix, autoescape=True))
        if redirects == "redirects":
            conds.append(c.page_is_redirect.is_(True))
        elif redirects == "nonredirects":
            conds.append(c.page_is_redirect.is_(False))
        if min_size is not None:
            conds.append(c.page_len >= min_size)
        if max_size is not None:
            conds.append(c.page_len <= max_size)
        order = c.page_title.asc() if newer else c.page_title.desc()
        return [_page(r) for r in conn.execute(select(page_t).where(and_(*conds)).order_by(order).limit(limit + 1))]

    # -- moves ----------------------------------------------------------------------------------

    def rename_in(self, conn: Connection, page_id: int, namespace: int, dbkey: str) -> None:
        conn.execute(update(page_t).where(page_t.c.page_id == page_id)
                     .values(page_namespace=namespace, page_title=dbkey))

    def delete_page_in(self, conn: Connection, page_id: int) -> None:
        """Remove a page and its revisions (only used to replace a redirect by a move)."""
        conn.execute(delete(rev_t).where(rev_t.c.rev_page == page_id))
        conn.execute(delete(tl_t).where(tl_t.c.tl_from == page_id))
        conn.execute(delete(pr_t).where(pr_t.c.pr_page == page_id))
        conn.execute(delete(page_t).where(page_t.c.page_id == page_id))

    def revision_count_in(self, conn: Connection, page_id: int) -> int:
        return int(conn.execute(select(func.count()).select_from(rev_t).where(rev_t.c.rev_page == page_id))
                   .scalar_one())

    # -- watchlist ----------------------------------------------------------------------------

    def watched_in(self, conn: Connection, user_id: int, namespace: int, dbkey: str) -> bool:
        if not user_id:
            return False
        row = conn.execute(_WATCHED, {"user": user_id, "ns": namespace, "title": dbkey}).first()
        return row is not None

    def set_watch_in(self, conn: Connection, user_id: int, namespace: int, dbkey: str, watch: bool) -> None:
        """Watch or unwatch a page together with its talk page, as MediaWiki does (a
        watched page keeps no expiry). Rows already as wanted are left alone, so the
        common case (nothing changes) is one read."""
        if not user_id or namespace < 0:
            return
        subject = namespace - 1 if namespace % 2 == 1 else namespace
        rows = conn.execute(_WATCH_ROWS, {"user": user_id, "nss": [subject, subject + 1], "title": dbkey}).all()
        have = {ns: expiry for ns, expiry in rows}
        for ns in (subject, subject + 1):
            if (watch and ns in have and have[ns] is None) or (not watch and ns not in have):
                continue
            if ns in have:
                conn.execute(_UNWATCH, {"user": user_id, "ns": ns, "title": dbkey})
            if watch:
                conn.execute(_INSERT_WATCH, {"wl_user": user_id, "wl_namespace": ns, "wl_title": dbkey,
                                             "wl_expiry": None})
