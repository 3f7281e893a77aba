"""action=move (ApiMove + MovePage; seed: API:Move).

Permission order is MovePage::authorizeInternal's: ``move`` then ``edit`` on the source,
then the target (whose title protection shows up as ``protectedpage``), then
isValidMove (``selfmove``, ``articleexists`` …). The moved page keeps its id and its
restrictions; a null revision records "<user> moved page [[A]] to [[B]]: reason"; a
redirect is left behind unless ``noredirect`` is given by a user with
``suppressredirect``. A protected page's redirect inherits the protection and a
``protect/move_prot`` entry is logged at the new title. A target that is a redirect to
the source with a single revision is deleted first (``delete/delete_redir``).
"""

from __future__ import annotations

from typing import Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.page_checks import (
    PAGE_WRITE_RIGHTS,
    check_tags,
    combine,
    page_service,
    permission_errors,
    var_list,
    want_watch,
)
from wikigate.api.params import Param
from wikigate.api.query.pageset import namespaces_of
from wikigate.pages.protection import user_can_level
from wikigate.pages.store import Page
from wikigate.pages.titles import InvalidTitle, Title, make_title, parse_title
from wikigate.pages.wikitext import escape_wikitext

#: $wgMaximumMovedPages
MAX_MOVED_PAGES = 100


def _error_array(e: ApiError) -> dict[str, Any]:
    """One error of ``ApiErrorFormatter_BackCompat::arrayFromStatus``."""
    return {"message": e.message.key, "params": [str(x) for x in e.message.params],
            "code": e.code, "type": "error"}


def _errors_array(e: ApiError) -> list[dict[str, Any]]:
    return [_error_array(x) for x in [e, *getattr(e, "also", [])]]


class ApiMove(ApiModule):
    name = "move"
    must_be_posted = True
    is_write = True
    needs_token = "csrf"
    # MediaWiki checks move on both titles and edit on the source page.
    rights_needed = ("move", "edit")
    rights_conditional = (
        *PAGE_WRITE_RIGHTS,
        ("suppressredirect", "noredirect=1 (without it a redirect is left behind)"),
    )
    classname = "ApiMove"

    def params(self) -> dict[str, Param]:
        return {
            "from": Param("string"),
            "fromid": Param("integer"),
            "to": Param("string", required=True),
            "reason": Param("string", default=""),
            "movetalk": Param("boolean"),
            "movesubpages": Param("boolean"),
            "noredirect": Param("boolean"),
            "watchlist": Param("enum", default="preferences",
                               choices=("nochange", "preferences", "unwatch", "watch")),
            "ignorewarnings": Param("boolean"),
            "tags": Param("tags", multi=True),
        }

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        service = page_service(ctx)
        namespaces = namespaces_of(ctx)
        src, page = await self._source(p)
        if page is None:
            raise ApiError("apierror-missingtitle")
        try:
            dst = parse_title(p["to"], namespaces)
            if dst.interwiki or not dst.dbkey:
                raise InvalidTitle("title-invalid", p["to"])
        except InvalidTitle:
            raise ApiError("apierror-invalidtitle", [escape_wikitext(p["to"])]) from None
        # ApiMove counts the move before MovePage checks rights and the target.
        if await ctx.ping_limiter("move"):
            raise ApiError("apierror-ratelimited")
        await check_tags(ctx, p["tags"])

        target_exists = (await service.page(dst.namespace, dst.dbkey)) is not None if dst.namespace >= 0 else False
        redirect_created = await self._move(src, page, dst, p["reason"], p["noredirect"], list(p["tags"] or []))
        r: dict[str, Any] = {"from": src.prefixed_text, "to": dst.prefixed_text, "reason": p["reason"],
                             "redirectcreated": redirect_created, "moveoverredirect": target_exists}
        if p["movetalk"] and not src.is_talk_page() and dst.namespace >= 0:
            from_talk, to_talk = src.talk_page(), dst.talk_page()
            talk_page = await service.page(from_talk.namespace, from_talk.dbkey)
            if talk_page is not None:
                to_talk_exists = (await service.page(to_talk.namespace, to_talk.dbkey)) is not None
                try:
                    await self._move(from_talk, talk_page, to_talk, p["reason"], p["noredirect"],
                                     list(p["tags"] or []))
                    r["talkfrom"] = from_talk.prefixed_text
                    r["talkto"] = to_talk.prefixed_text
                    r["talkmoveoverredirect"] = to_talk_exists
                except ApiError as e:
                    r["talkmove-errors"] = [{"message": e.message.key, "params": [str(x) for x in e.message.params],
                                             "code": e.code, "type": "error"}]
        if p["movesubpages"]:
            tags = list(p["tags"] or [])
            r["subpages"] = await self._move_subpages(src, page, dst, p["reason"], p["noredirect"], tags)
            if p["movetalk"] and not src.is_talk_page() and dst.namespace >= 0:
                r["subpages-talk"] = await self._move_subpages(src.talk_page(), None, dst.talk_page(), p["reason"],
                                                               p["noredirect"], tags)
        for t in (src, dst):
            watch = await want_watch(ctx, p["watchlist"], t, True, option="watchmoves")
            if not ctx.is_anon:
                await service.set_watch(ctx.user.id, t, watch)
        self.add_result(self.name, r)

    async def _move_subpages(self, src: Title, root: Page | None, dst: Title, reason: str, noredirect: bool,
                             tags: list[str]) -> Any:
        """ApiMove::moveSubpages with MovePage::moveSubpagesIfAllowed: the subpages of
        ``src`` (at most $wgMaximumMovedPages) moved to the same names under ``dst``, each
        reported with its target or its errors; ``{"errors": …}`` when a namespace has no
        subpages."""
        ctx = self.ctx
        service = page_service(ctx)
        namespaces = namespaces_of(ctx)
        for t in (src, dst):
            if t.namespace < 0 or not namespaces.by_id(t.namespace).subpages:
                return {"errors": [_error_array(ApiError("namespace-nosubpages", [t.ns_text],
                                                         code="namespace-nosubpages"))]}
        subpages = await service.all_pages(namespace=src.namespace, start=None, end=None, prefix=src.dbkey + "/",
                                           redirects="all", newer=True, limit=MAX_MOVED_PAGES + 1,
                                           min_size=None, max_size=None)
        dst_root = await service.page(dst.namespace, dst.dbkey)
        out: list[dict[str, Any]] = []
        for count, sub in enumerate(subpages, 1):
            old = make_title(sub.namespace, sub.dbkey, namespaces)
            if count > MAX_MOVED_PAGES:
                out.append({"from": old.prefixed_text, "errors": [_error_array(ApiError(
                    "movepage-max-pages", [MAX_MOVED_PAGES], code="movepage-max-pages"))]})
                break
            if (root is not None and sub.id == root.id) or (dst_root is not None and sub.id == dst_root.id):
                continue  # moving a page to a subpage of itself: not twice
            new_ns = dst.talk_page().namespace if old.is_talk_page() else dst.subject_page().namespace
            try:
                new = parse_title(dst.dbkey + sub.dbkey[len(src.dbkey):], namespaces, new_ns)
                if new.namespace != new_ns or new.interwiki:
                    raise InvalidTitle("title-invalid", new.prefixed_text)
            except InvalidTitle:
                out.append({"from": old.prefixed_text, "errors": [_error_array(ApiError(
                    "apierror-invalidtitle", [escape_wikitext(dst.dbkey + sub.dbkey[len(src.dbkey):])],
                    code="invalidtitle"))]})
                continue
            try:
                await self._move(old, sub, new, reason, noredirect, tags)
            except ApiError as e:
                out.append({"from": old.prefixed_text, "errors": _errors_array(e)})
                continue
            out.append({"from": old.prefixed_text, "to": new.prefixed_text})
        return Indexed(out, "subpage")

    async def _source(self, p: Values) -> tuple[Title, Page | None]:
        """The page to move, from ``from`` or ``fromid`` (exactly one of them)."""
        ctx = self.ctx
        service = page_service(ctx)
        namespaces = namespaces_of(ctx)
        if (p["from"] is None) == (p["fromid"] is None):
            key = "apierror-invalidparammix" if p["from"] is not None else "apierror-missingparam-one-of"
            raise ApiError(key, [var_list("from", "fromid"), 2],
                           code="invalidparammix" if p["from"] is not None else "missingparam")
        if p["from"] is not None:
            try:
                src = parse_title(p["from"], namespaces)
                if src.interwiki or not src.dbkey:
                    raise InvalidTitle("title-invalid", p["from"])
            except InvalidTitle:
                raise ApiError("apierror-invalidtitle", [escape_wikitext(p["from"])]) from None
            page = await service.page(src.namespace, src.dbkey) if src.namespace >= 0 else None
        else:
            page = await service.page_by_id(p["fromid"])
            if page is None:
                raise ApiError("apierror-nosuchpageid", [p["fromid"]])
            src = make_title(page.namespace, page.dbkey, namespaces)
        return src, page

    async def _errors(self, src: Title, page: Page, dst: Title, dst_page: Page | None) -> list[ApiError]:
        """MovePage::moveIfAllowed: isValidMove (selfmove, articleexists, immobile
        namespace), then authorizeInternal (move+edit on the source, move-target+edit on
        the target), in that order."""
        ctx = self.ctx
        errors: list[ApiError] = []
        if src == dst:
            errors.append(ApiError("selfmove", code="selfmove"))
        elif dst_page is not None and not await page_service(ctx).is_valid_move_target(dst_page, src):
            errors.append(ApiError("articleexists", [dst.prefixed_text], code="articleexists"))
        if dst.namespace < 0:
            ns_name = namespaces_of(ctx).by_id(dst.namespace).name
            errors.append(ApiError("immobile-target-namespace", [ns_name]))
        for title, pg, action in ((src, page, "move"), (src, page, "edit"), (dst, dst_page, "move-target"),
                                  (dst, dst_page, "edit")):
            errors += await permission_errors(ctx, title, pg, action)
        if dst_page is None and dst.namespace >= 0:
            state = await page_service(ctx).protection_state(dst, None, title_protection=True,
                                                             cascade_sources=False)
            tp = state.title_protection
            if tp is not None and not user_can_level(tp.level, ctx.rights):
                errors.append(ApiError("cantmove-titleprotected"))
        return errors

    async def _move(self, src: Title, page: Page, dst: Title, reason: str, noredirect: bool,
                    tags: list[str]) -> bool:
        """Move one page; returns whether a redirect was left behind."""
        ctx = self.ctx
        dst_page = await page_service(ctx).page(dst.namespace, dst.dbkey) if dst.namespace >= 0 else None
        err = combine(await self._errors(src, page, dst, dst_page))
        if err is not None:
            raise err
        make_redirect = not (noredirect and ctx.has_right("suppressredirect"))
        return await page_service(ctx).move(src, page, dst, ctx.user, reason=reason, make_redirect=make_redirect,
                                            replace=dst_page, tags=tags, bot=ctx.flags_as_bot())
