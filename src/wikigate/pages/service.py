"""Page reads and writes for the front ends (api.php modules, CLI, HTML pages), each
method one transaction: saving an edit, moving a page, and the reads behind permission
checks, prop=info, list=allpages, prop=templates and list=protectedtitles.

Front ends never hold a database connection: they call these methods and turn a
:class:`PageWriteError` into their own error. Protection changes are
:class:`wikigate.pages.protect.ProtectionService`'s.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from wikigate.logs.recentchanges import PRC_AUTOPATROLLED, PRC_UNPATROLLED
from wikigate.logs.store import LogStore
from wikigate.pages import contributions, edit_rules
from wikigate.pages.contributions import Contribution, ContributionQuery
from wikigate.pages.merge import merge_texts
from wikigate.pages.protection import CascadeSource, Restriction
from wikigate.pages.pst import PstContext, normalize_line_endings, pre_save_transform
from wikigate.pages.store import Expired, Page, PageStore, Revision, TitleProtection, redirect_target
from wikigate.pages.titles import InvalidTitle, Title, parse_title
from wikigate.storage.sql.schema import change_tag_def
from wikigate.storage.sql.schema import templatelinks as tl_t
from wikigate.storage.sql.schema import watchlist as wl_t
from wikigate.users.model import User
from wikigate.users.newtalk import NewTalkStore
from wikigate.util.clock import from_mw_timestamp, mw_timestamp


def _is_ip(name: str) -> bool:
    """A user talk page's owner is an IP address (``IPUtils::isIPAddress``)."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


#: $wgMaxArticleSize, in KiB: larger texts are refused (``contenttoobig``), before and after
#: a section is merged into the page.
MAX_ARTICLE_SIZE = 2048


class PageWriteError(Exception):
    """A write refused inside its transaction: ``code`` ``pagedeleted`` (the page went
    away since it was read), ``articleexists`` (created meanwhile, create-only edit) or
    ``editconflict`` (someone else saved after the base timestamp, and the changes
    overlap) or ``contenttoobig`` (the page's new text exceeds :data:`MAX_ARTICLE_SIZE`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ProtectionState:
    """What permission checks read about a title: its page's restrictions (page exists),
    its create protection (missing page, when asked for) and the cascading restrictions
    reaching it (when asked for)."""

    restrictions: list[Restriction]
    title_protection: TitleProtection | None
    cascade_sources: list[CascadeSource]


@dataclass(frozen=True)
class PageDetails:
    """prop=info's per-title reads; None where not asked for (``associated_id`` None also
    when the associated page does not exist: see ``has_associated``)."""

    restrictions: list[Restriction] | None = None
    title_protection: TitleProtection | None = None
    cascade_sources: list[CascadeSource] | None = None
    revision_count: int | None = None
    has_associated: bool = False
    associated_id: int | None = None
    watched: bool | None = None
    watchers: int | None = None


@dataclass(frozen=True)
class EditOutcome:
    """A saved edit: the page, the new revision (None: same text, nothing saved), the
    previous latest revision id (0 for a new page) and whether the page was created."""

    page: Page
    revision: Revision | None
    old_revid: int
    created: bool


class PageService:
    """``services.page_service``."""

    def __init__(self, store: PageStore, logs: LogStore, newtalk: NewTalkStore, sitename: str = "wikigate") -> None:
        self.store = store
        self.logs = logs
        self.newtalk = newtalk
        self.sitename = sitename
        #: The recent-changes rows go with the log entries' (one store, one transaction).
        self.recent = logs.recent

    # -- reads ------------------------------------------------------------------------------

    async def page(self, namespace: int, dbkey: str) -> Page | None:
        return await self.store.page(namespace, dbkey)

    async def page_by_id(self, page_id: int) -> Page | None:
        return await self.store.page_by_id(page_id)

    async def pages_by_ids(self, ids: Sequence[int]) -> list[tuple[int, Page | None]]:
        store = self.store
        return await store.read(lambda conn: [(i, store.page_by_id_in(conn, i)) for i in ids])

    async def pages(self, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], Page]:
        """Existing pages among (namespace, dbkey) keys."""
        store = self.store
        return await store.read(lambda conn: store.pages_in(conn, keys))

    async def revisions_with_pages(self, rev_ids: Sequence[int]) -> list[tuple[int, Revision | None, Page | None]]:
        """Each revision id with its revision and that revision's page (None if unknown)."""
        store = self.store

        def q(conn: Connection) -> list[tuple[int, Revision | None, Page | None]]:
            out: list[tuple[int, Revision | None, Page | None]] = []
            for rid in rev_ids:
                rev = store.revision_in(conn, rid)
                out.append((rid, rev, store.page_by_id_in(conn, rev.page) if rev else None))
            return out

        return await store.read(q)

    async def revisions_of(self, page_id: int, *, limit: int, newer: bool = False,
                           start_id: int | None = None) -> list[Revision]:
        """Up to ``limit + 1`` revisions of a page (the extra one signals continuation)."""
        store = self.store
        return await store.read(lambda conn: store.revisions_in(conn, page_id, limit=limit, newer=newer,
                                                               start_id=start_id))

    async def latest_revisions(self, pages: dict[int, Page]) -> dict[int, Revision | None]:
        """The latest revision of each page, by the caller's keys."""
        store = self.store
        return await store.read(lambda conn: {k: store.revision_in(conn, pg.latest) for k, pg in pages.items()})

    async def latest_texts(self, pages: dict[int, Page]) -> dict[int, str]:
        """The text of each page's latest revision, by the caller's keys."""
        store = self.store
        return await store.read(lambda conn: {k: store.latest_text_in(conn, pg) for k, pg in pages.items()})

    async def revision(self, rev_id: int) -> Revision | None:
        store = self.store
        return await store.read(lambda conn: store.revision_in(conn, rev_id))

    async def latest_text(self, page: Page) -> str:
        store = self.store
        return await store.read(lambda conn: store.latest_text_in(conn, page))

    async def watched(self, user_id: int, title: Title) -> bool:
        store = self.store
        return await store.read(lambda conn: store.watched_in(conn, user_id, title.namespace, title.dbkey))

    async def set_watch(self, user_id: int, title: Title, watch: bool) -> None:
        """Watch or unwatch ``title`` and its talk page (nothing for anonymous users)."""
        store = self.store
        await store.run(lambda conn: store.set_watch_in(conn, user_id, title.namespace, title.dbkey, watch))

    async def contributions(self, q: ContributionQuery) -> list[Contribution]:
        """list=usercontribs: ``limit + 1`` revisions of the authors ``q`` names."""
        return await self.store.read(lambda conn: contributions.search_in(conn, q))

    async def author_names(self, *, prefix: str | None = None, anonymous: bool = False) -> list[str]:
        """Distinct authors by name prefix, or every IP address that edited."""
        return await self.store.read(lambda conn: contributions.author_names_in(conn, prefix=prefix,
                                                                                 anonymous=anonymous))

    async def user_defined_tags(self, tags: Sequence[str]) -> set[str]:
        """Which of ``tags`` are defined and manually applicable."""
        wanted = list(tags)

        def q(conn: Connection) -> set[str]:
            rows = conn.execute(select(change_tag_def.c.ctd_name).where(
                change_tag_def.c.ctd_name.in_(wanted), change_tag_def.c.ctd_user_defined.is_(True)))
            return {r[0] for r in rows}

        return await self.store.read(q)

    async def protection_state(self, title: Title, page: Page | None, *, title_protection: bool,
                               cascade_sources: bool) -> ProtectionState:
        store = self.store

        def q(conn: Connection, purge: bool) -> ProtectionState:
            restrictions = store.restrictions_in(conn, page.id, purge=purge) if page is not None else []
            tp = (store.title_protection_in(conn, title.namespace, title.dbkey, purge=purge)
                  if page is None and title_protection else None)
            sources = store.cascade_sources_in(conn, title.namespace, title.dbkey) if cascade_sources else []
            return ProtectionState(restrictions, tp, sources)

        # Read without the write lock; only when an expired row must go, again as a writer.
        try:
            return await store.read(lambda conn: q(conn, False))
        except Expired:
            return await store.run(lambda conn: q(conn, True))

    async def page_details(self, items: Sequence[tuple[Title, Page | None]], *, protection: bool,
                           associated: bool, watched_by: int | None, watchers: bool) -> list[PageDetails]:
        """prop=info's reads for every title, in one transaction."""
        store = self.store

        def load(conn: Connection) -> list[PageDetails]:
            out: list[PageDetails] = []
            for t, page in items:
                info: dict[str, Any] = {}
                if protection:
                    if page is not None:
                        info["restrictions"] = store.restrictions_in(conn, page.id)
                    else:
                        info["restrictions"] = []
                        info["title_protection"] = store.title_protection_in(conn, t.namespace, t.dbkey)
                    info["cascade_sources"] = store.cascade_sources_in(conn, t.namespace, t.dbkey)
                if page is not None:
                    info["revision_count"] = store.revision_count_in(conn, page.id)
                if associated and t.namespace >= 0:
                    other = t.subject_page() if t.is_talk_page() else t.talk_page()
                    op = store.page_in(conn, other.namespace, other.dbkey)
                    info["has_associated"] = True
                    info["associated_id"] = op.id if op is not None else None
                if watched_by is not None:
                    info["watched"] = store.watched_in(conn, watched_by, t.namespace, t.dbkey)
                if watchers:
                    info["watchers"] = int(conn.execute(
                        select(func.count()).select_from(wl_t).where(and_(
                            wl_t.c.wl_namespace == t.namespace, wl_t.c.wl_title == t.dbkey))).scalar_one())
                out.append(PageDetails(**info))
            return out

        return await store.run(load)

    async def all_pages(self, *, namespace: int, start: str | None, end: str | None, prefix: str | None,
                        redirects: str, newer: bool, limit: int, min_size: int | None, max_size: int | None,
                        protection_types: Sequence[str] | None = None, protection_levels: Sequence[str] | None = None,
                        cascade_filter: str = "all", expiry_filter: str = "all") -> list[Page]:
        """list=allpages: up to ``limit + 1`` pages; with ``protection_types``, only pages
        holding a restriction of those types (and levels, cascading ``cascading`` /
        ``noncascading``); with an expiry filter (``indefinite`` / ``definite``), only
        pages holding a restriction with such an expiry (of any type without types)."""
        store = self.store
        types = list(protection_types or [])
        levels = list(protection_levels or [])
        filtering = bool(types) or expiry_filter != "all"

        def q(conn: Connection) -> list[Page]:
            fetch = limit if not filtering else limit * 10 + 100
            rows = store.all_pages_in(conn, namespace=namespace, start=start, end=end, prefix=prefix,
                                      redirects=redirects, newer=newer, limit=fetch,
                                      min_size=min_size, max_size=max_size)
            if filtering:
                kept = []
                for pg in rows:
                    rs = [r for r in store.restrictions_in(conn, pg.id) if (not types or (
                          r.type in types
                          and (not levels or r.level in levels)
                          and (cascade_filter == "all" or r.cascade == (cascade_filter == "cascading"))))
                          and (expiry_filter == "all" or (r.expiry == "infinity") == (expiry_filter == "indefinite"))]
                    if rs:
                        kept.append(pg)
                rows = kept
            return rows

        return await store.run(q)

    async def protected_titles(self, *, namespaces: Sequence[int] | None, levels: Sequence[str] | None,
                               newer: bool, start: str | None, end: str | None,
                               cont: tuple[str, int, str] | None, limit: int) -> list[TitleProtection]:
        store = self.store
        return await store.run(lambda conn: store.protected_titles_in(
            conn, namespaces=namespaces, levels=levels, newer=newer, start=start, end=end, cont=cont, limit=limit))

    async def template_links(self, page_ids: Iterable[int], *, namespaces: Sequence[int] | None,
                             templates: Sequence[tuple[int, str]] | None, cont: tuple[int, int, str] | None,
                             ascending: bool, limit: int) -> list[tuple[int, int, str]]:
        """(page id, namespace, dbkey) transclusions of ``page_ids``, ``limit + 1`` rows;
        ``templates`` keeps only those targets (an empty list matches nothing)."""
        c = tl_t.c
        conds: list[Any] = [c.tl_from.in_(list(page_ids))]
        if namespaces is not None:
            conds.append(c.tl_namespace.in_(list(namespaces)))
        if templates is not None:
            wanted = [and_(c.tl_namespace == ns, c.tl_title == key) for ns, key in templates]
            conds.append(or_(*wanted) if wanted else c.tl_from < 0)
        if cont is not None:
            pid, ns, key = cont
            if ascending:
                conds.append(or_(c.tl_from > pid, and_(c.tl_from == pid, or_(
                    c.tl_namespace > ns, and_(c.tl_namespace == ns, c.tl_title >= key)))))
            else:
                conds.append(or_(c.tl_from < pid, and_(c.tl_from == pid, or_(
                    c.tl_namespace < ns, and_(c.tl_namespace == ns, c.tl_title <= key)))))
        order = [c.tl_from, c.tl_namespace, c.tl_title] if ascending else [
            c.tl_from.desc(), c.tl_namespace.desc(), c.tl_title.desc()]
        stmt = select(tl_t).where(and_(*conds)).order_by(*order).limit(limit + 1)

        def q(conn: Connection) -> list[tuple[int, int, str]]:
            return [(r.tl_from, r.tl_namespace, r.tl_title) for r in conn.execute(stmt)]

        return await self.store.read(q)

    # -- edits ------------------------------------------------------------------------------

    async def save_edit(self, title: Title, performer: User, *, compose: Callable[[str | None], str | None],
                        section: str | None, summary: str | None, minor: bool, tags: Sequence[str],
                        watch: bool | None, expected: Page | None, create_only: bool,
                        base_timestamp: str | None, base_revid: int | None = None,
                        signature: str = "", notify_talk: bool = True, bot: bool = False,
                        autopatrol: bool = False) -> EditOutcome:
        """Save an edit of ``title`` in one transaction, as EditPage::internalAttemptSave.

        ``compose(text)`` applies the edit to a revision's text (the whole new text, or the
        section replaced in it; None: no such section). Without a conflict it is applied to
        the latest text. A conflict — the latest revision is not ``base_revid`` or not of
        ``base_timestamp`` — is suppressed for a new section and for a whole-page edit when
        only the performer saved since ``base_timestamp``; otherwise the edit applied to the
        base revision is merged three-way into the latest text (``editconflict`` when the
        changes overlap). Then the pre-save transform (``signature`` for ``~~~``), the
        automatic summary when ``summary`` is empty, the software tags; the same text as
        the latest revision saves nothing. Creating a page removes its create protection and
        logs ``create/create``; a change to another user's talk page sets their new-message
        flag (unless ``notify_talk`` is false). A saved edit gets its recent-changes row
        with ``bot`` (the caller checked the ``bot`` right) and, with ``autopatrol``, marked
        autopatrolled. Raises :class:`PageWriteError`.
        """
        store = self.store
        newtalk = self.newtalk
        recent = self.recent

        def save(conn: Connection) -> EditOutcome:
            fresh = store.page_in(conn, title.namespace, title.dbkey)
            if expected is not None and fresh is None:
                raise PageWriteError("pagedeleted")
            if expected is None and fresh is not None and create_only:
                raise PageWriteError("articleexists")
            old_rev = store.revision_in(conn, fresh.latest) if fresh is not None else None
            current = old_rev.text if old_rev is not None else None
            text = self._edit_text(conn, fresh, old_rev, performer, compose=compose, section=section,
                                   summary=summary, base_timestamp=base_timestamp, base_revid=base_revid)
            if len(text.encode("utf-8")) > MAX_ARTICLE_SIZE * 1024:  # PageSizeConstraint, after the merge
                raise PageWriteError("contenttoobig")
            # The automatic summary and change tags see the text before the transform, as in
            # MediaWiki ("Created page with "Hi ~~~~"").
            typed = normalize_line_endings(text)
            comment = summary if summary else edit_rules.autosummary(current, typed)
            software_tag = edit_rules.auto_tag(current, typed)
            ts = mw_timestamp(store.clock.time())
            text = pre_save_transform(text, PstContext(
                title.ns_text, title.text, signature, from_mw_timestamp(ts),
                sitename=self.sitename, lookup=lambda name: self._template_text(conn, name)))
            if watch is not None and performer.is_registered:
                store.set_watch_in(conn, performer.id, title.namespace, title.dbkey, watch)
            if old_rev is not None and fresh is not None and old_rev.text == text:
                return EditOutcome(fresh, None, fresh.latest, False)
            tag_list = list(tags)
            if software_tag is not None:
                tag_list.append(software_tag)
            new_page, rev, old = store.insert_revision_in(
                conn, namespace=title.namespace, dbkey=title.dbkey, text=text, comment=comment,
                user_id=performer.id, user_name=performer.name, minor=minor, tags=tag_list, timestamp=ts,
                current=fresh)
            recent.add_edit_in(conn, timestamp=rev.timestamp, namespace=title.namespace, title=title.dbkey,
                               page_id=new_page.id, actor_id=performer.id, actor_name=performer.name,
                               comment=comment, minor=rev.minor, bot=bot,
                               patrolled=PRC_AUTOPATROLLED if autopatrol else PRC_UNPATROLLED,
                               rev_id=rev.id, old_rev_id=old_rev.id if old_rev is not None else 0,
                               old_len=old_rev.length if old_rev is not None else 0, new_len=rev.length,
                               tags=tag_list)
            if old is None:
                # PageUpdater: a created page no longer needs its create protection (no log entry)
                store.set_title_protection_in(conn, title.namespace, title.dbkey, level="", expiry="infinity",
                                              user_id=performer.id, reason="")
                self.logs.add_in(conn, type="create", action="create", actor_id=performer.id,
                                 actor_name=performer.name, namespace=title.namespace, title=title.dbkey,
                                 page_id=new_page.id, comment=comment, timestamp=rev.timestamp,
                                 rev_id=rev.id, publish=False)
            if notify_talk and title.namespace == 3 and title.text != performer.name and "/" not in title.text:
                newtalk.notify_in(conn, title.text, rev.timestamp, is_ip=_is_ip(title.text))
            return EditOutcome(new_page, rev, old.latest if old is not None else 0, old is None)

        return await store.run(save)

    def _edit_text(self, conn: Connection, fresh: Page | None, old_rev: Revision | None, performer: User, *,
                   compose: Callable[[str | None], str | None], section: str | None, summary: str | None,
                   base_timestamp: str | None, base_revid: int | None) -> str:
        """The page's new text: the edit applied to the latest text, or, on a conflict
        (EditPage::internalAttemptSave's rules), applied to the base revision and merged."""
        store = self.store
        current = old_rev.text if old_rev is not None else None
        conflict = False
        if fresh is not None and old_rev is not None and (
                (base_timestamp is not None and base_timestamp != old_rev.timestamp)
                or (base_revid is not None and base_revid != fresh.latest)):
            conflict = True
            if section == "new":
                # a repeated submission of the same new section stays a conflict
                conflict = old_rev.actor_name == performer.name and old_rev.comment == (summary or "")
            elif section is None and base_timestamp is not None and performer.id:
                # RevisionStore::userWasLastToEdit (registered users only)
                since = store.revisions_in(conn, fresh.id, limit=50)
                conflict = any(r.timestamp > base_timestamp and r.actor != performer.id for r in since)
        if not conflict:
            composed = compose(current)
            if composed is None:  # the section went away since the request read the page
                raise PageWriteError("editconflict")
            return composed
        assert fresh is not None and current is not None
        base = (store.revision_in(conn, base_revid) if base_revid is not None
                else store.revision_at_in(conn, fresh.id, base_timestamp or ""))
        if base is None or base.page != fresh.id:
            raise PageWriteError("editconflict")
        mine = compose(base.text)
        merged = merge_texts(base.text, mine, current) if mine is not None else None
        if merged is None:
            raise PageWriteError("editconflict")
        return merged

    def _template_text(self, conn: Connection, name: str) -> str | None:
        """The latest text of the page ``{{subst:name}}`` names (Template: unless it says
        otherwise; ``:Name`` is in the main namespace)."""
        default = 10
        if name.startswith(":"):
            name, default = name[1:], 0
        try:
            t = parse_title(name, self.store.namespaces, default)
        except InvalidTitle:
            return None
        if t.interwiki or not t.can_exist():
            return None
        page = self.store.page_in(conn, t.namespace, t.dbkey)
        return self.store.latest_text_in(conn, page) if page is not None else None

    # -- moves ------------------------------------------------------------------------------

    async def is_valid_move_target(self, target: Page, src: Title) -> bool:
        """``MovePage::isValidMoveTarget``: a redirect to the source with a single revision."""
        store = self.store

        def q(conn: Connection) -> bool:
            if not target.is_redirect or store.revision_count_in(conn, target.id) != 1:
                return False
            dest = redirect_target(store.latest_text_in(conn, target))
            if dest is None:
                return False
            try:
                t = parse_title(dest, store.namespaces)
            except InvalidTitle:
                return False
            return t == src

        return await store.run(q)

    async def move(self, src: Title, page: Page, dst: Title, performer: User, *, reason: str,
                   make_redirect: bool, replace: Page | None, tags: Sequence[str], bot: bool = False) -> bool:
        """Move ``page`` from ``src`` to ``dst`` in one transaction: ``replace`` (the
        redirect at the target) deleted first, the page renamed with its restrictions, a
        null revision and the move log entry, the redirect left behind (inheriting the
        restrictions) and a ``protect/move_prot`` entry for a protected page; the log
        entries reach recent changes with ``bot``, the redirect does not. Returns
        ``make_redirect``. Permission and validity checks are the caller's."""
        store = self.store
        logs = self.logs
        recent = self.recent
        user = performer
        tag_list = list(tags)

        def run(conn: Connection) -> bool:
            over_redirect = replace is not None
            if replace is not None:
                log_ts = mw_timestamp(store.clock.time())
                recent.remove_page_in(conn, replace.id, dst.namespace, dst.dbkey, log_ts)
                logs.add_in(conn, type="delete", action="delete_redir", actor_id=user.id, actor_name=user.name,
                            namespace=dst.namespace, title=dst.dbkey, page_id=replace.id,
                            comment=f'Deleted to make way for move from "[[{src.prefixed_text}]]"', bot=bot,
                            timestamp=log_ts)
                store.delete_page_in(conn, replace.id)
            restrictions = store.restrictions_in(conn, page.id)
            store.rename_in(conn, page.id, dst.namespace, dst.dbkey)
            store.set_title_protection_in(conn, dst.namespace, dst.dbkey, level="", expiry="infinity",
                                          user_id=user.id, reason="")
            # The log entry's plain action text (logentry-move-move[_redir][-noredirect]).
            action_text = f"{user.name} moved page [[{src.prefixed_text}]] to [[{dst.prefixed_text}]]"
            if over_redirect:
                action_text += " over a redirect" if not make_redirect else " over redirect"
            if not make_redirect:
                action_text += " without leaving a redirect"
            comment = action_text + (f": {reason}" if reason else "")
            text = store.latest_text_in(conn, page)
            _moved, null_rev, _before = store.insert_revision_in(
                conn, namespace=dst.namespace, dbkey=dst.dbkey, text=text, comment=comment, user_id=user.id,
                user_name=user.name, minor=True, tags=tag_list, null=True)
            params: dict[str, Any] = {"target_ns": dst.namespace, "target_title": dst.prefixed_text,
                                      "suppressredirect": not make_redirect}
            logs.add_in(conn, type="move", action="move_redir" if over_redirect else "move", actor_id=user.id,
                        actor_name=user.name, namespace=src.namespace, title=src.dbkey, page_id=page.id,
                        comment=reason, params=params, bot=bot, rev_id=null_rev.id, tags=tag_list)
            if make_redirect:
                redirect, _rev, _old = store.insert_revision_in(
                    conn, namespace=src.namespace, dbkey=src.dbkey, text=f"#REDIRECT [[{dst.prefixed_text}]]",
                    comment=comment, user_id=user.id, user_name=user.name, tags=tag_list)
                if restrictions:
                    store.set_restrictions_in(conn, redirect.id, restrictions)
            if restrictions:
                prot_comment = f"[[{src.prefixed_text}]] moved to [[{dst.prefixed_text}]]"
                if reason:
                    prot_comment += f": {reason}"
                logs.add_in(conn, type="protect", action="move_prot", actor_id=user.id, actor_name=user.name,
                            namespace=dst.namespace, title=dst.dbkey, page_id=page.id, comment=prot_comment,
                            params={"oldtitle_ns": src.namespace, "oldtitle_title": src.prefixed_text},
                            bot=bot, tags=tag_list)
            return make_redirect

        return await store.run(run)
