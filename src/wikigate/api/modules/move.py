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

from sqlalchemy.engine import Connection

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.page_checks import (
    PAGE_WRITE_RIGHTS,
    check_tags,
    combine,
    pages_of,
    permission_errors,
    var_list,
    want_watch,
)
from wikigate.api.params import Param
from wikigate.api.query.pageset import namespaces_of
from wikigate.i18n import Num
from wikigate.pages.store import Page, redirect_target
from wikigate.pages.titles import InvalidTitle, Title, make_title, parse_title
from wikigate.pages.wikitext import escape_wikitext


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
        store = pages_of(ctx)
        namespaces = namespaces_of(ctx)
        if (p["from"] is None) == (p["fromid"] is None):
            key = "apierror-invalidparammix" if p["from"] is not None else "apierror-missingparam-one-of"
            raise ApiError(key, [var_list("from", "fromid"), Num(2)],
                           code="invalidparammix" if p["from"] is not None else "missingparam")
        if p["from"] is not None:
            try:
                src = parse_title(p["from"], namespaces)
                if src.interwiki or not src.dbkey:
                    raise InvalidTitle("title-invalid", p["from"])
            except InvalidTitle:
                raise ApiError("apierror-invalidtitle", [escape_wikitext(p["from"])]) from None
            page = await store.page(src.namespace, src.dbkey) if src.namespace >= 0 else None
        else:
            page = await store.page_by_id(p["fromid"])
            if page is None:
                raise ApiError("apierror-nosuchpageid", [p["fromid"]])
            src = make_title(page.namespace, page.dbkey, namespaces)
        if page is None:
            raise ApiError("apierror-missingtitle")
        try:
            dst = parse_title(p["to"], namespaces)
            if dst.interwiki or not dst.dbkey:
                raise InvalidTitle("title-invalid", p["to"])
        except InvalidTitle:
            raise ApiError("apierror-invalidtitle", [escape_wikitext(p["to"])]) from None
        await check_tags(ctx, p["tags"])

        target_exists = (await store.page(dst.namespace, dst.dbkey)) is not None if dst.namespace >= 0 else False
        redirect_created = await self._move(src, page, dst, p["reason"], p["noredirect"], list(p["tags"] or []))
        r: dict[str, Any] = {"from": src.prefixed_text, "to": dst.prefixed_text, "reason": p["reason"],
                             "redirectcreated": redirect_created, "moveoverredirect": target_exists}
        if p["movetalk"] and not src.is_talk_page() and dst.namespace >= 0:
            from_talk, to_talk = src.talk_page(), dst.talk_page()
            talk_page = await store.page(from_talk.namespace, from_talk.dbkey)
            if talk_page is not None:
                to_talk_exists = (await store.page(to_talk.namespace, to_talk.dbkey)) is not None
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
            r["subpages"] = []
        for t in (src, dst):
            watch = await want_watch(ctx, p["watchlist"], t, True, option="watchmoves")
            if not ctx.is_anon:
                await self._set_watch(t, watch)
        self.add_result(self.name, r)

    async def _set_watch(self, title: Title, watch: bool) -> None:
        store = pages_of(self.ctx)
        user_id = self.ctx.user.id
        await store.run(lambda conn: store.set_watch_in(conn, user_id, title.namespace, title.dbkey, watch))

    async def _errors(self, src: Title, page: Page, dst: Title, dst_page: Page | None) -> list[ApiError]:
        """MovePage::moveIfAllowed: authorizeInternal (move+edit on the source, move-target+edit
        on the target) merged with isValidMove (selfmove, immobile namespace, articleexists)."""
        ctx = self.ctx
        errors: list[ApiError] = []
        for title, pg, action in ((src, page, "move"), (src, page, "edit"), (dst, dst_page, "move-target"),
                                  (dst, dst_page, "edit")):
            if title.namespace >= 0:
                errors += await permission_errors(ctx, title, pg, action)
        if src == dst:
            errors.append(ApiError("selfmove", code="selfmove"))
        if dst.namespace < 0:
            ns_name = namespaces_of(ctx).by_id(dst.namespace).name
            errors.append(ApiError("immobile-target-namespace", [ns_name]))
        elif dst_page is not None and src != dst:
            store = pages_of(ctx)
            if not await store.run(lambda conn: self._is_valid_move_target(conn, dst_page, src)):
                errors.append(ApiError("articleexists", [dst.prefixed_text], code="articleexists"))
        return errors

    async def _move(self, src: Title, page: Page, dst: Title, reason: str, noredirect: bool,
                    tags: list[str]) -> bool:
        """Move one page; returns whether a redirect was left behind."""
        ctx = self.ctx
        store = pages_of(ctx)
        dst_page = await store.page(dst.namespace, dst.dbkey) if dst.namespace >= 0 else None
        err = combine(await self._errors(src, page, dst, dst_page))
        if err is not None:
            raise err
        make_redirect = not (noredirect and ctx.has_right("suppressredirect"))
        user = ctx.user
        logs = ctx.services.logs

        def run(conn: Connection) -> bool:
            over_redirect = dst_page is not None
            if dst_page is not None:
                logs.add_in(conn, type="delete", action="delete_redir", actor_id=user.id, actor_name=user.name,
                            namespace=dst.namespace, title=dst.dbkey, page_id=dst_page.id,
                            comment=f'Deleted to make way for move from "[[{src.prefixed_text}]]"')
                store.delete_page_in(conn, dst_page.id)
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
            store.insert_revision_in(conn, namespace=dst.namespace, dbkey=dst.dbkey, text=text, comment=comment,
                                     user_id=user.id, user_name=user.name, minor=True, tags=tags, null=True)
            params: dict[str, Any] = {"target_ns": dst.namespace, "target_title": dst.prefixed_text,
                                      "suppressredirect": not make_redirect}
            logs.add_in(conn, type="move", action="move_redir" if over_redirect else "move", actor_id=user.id,
                        actor_name=user.name, namespace=src.namespace, title=src.dbkey, page_id=page.id,
                        comment=reason, params=params)
            if make_redirect:
                redirect, _rev, _old = store.insert_revision_in(
                    conn, namespace=src.namespace, dbkey=src.dbkey, text=f"#REDIRECT [[{dst.prefixed_text}]]",
                    comment=comment, user_id=user.id, user_name=user.name, tags=tags)
                if restrictions:
                    store.set_restrictions_in(conn, redirect.id, restrictions)
            if restrictions:
                prot_comment = f"[[{src.prefixed_text}]] moved to [[{dst.prefixed_text}]]"
                if reason:
                    prot_comment += f": {reason}"
                logs.add_in(conn, type="protect", action="move_prot", actor_id=user.id, actor_name=user.name,
                            namespace=dst.namespace, title=dst.dbkey, page_id=page.id, comment=prot_comment,
                            params={"oldtitle_ns": src.namespace, "oldtitle_title": src.prefixed_text})
            return make_redirect

        return await store.run(run)

    def _is_valid_move_target(self, conn: Connection, target: Page, src: Title) -> bool:
        """``MovePage::isValidMoveTarget``: a redirect to the source with a single revision."""
        store = pages_of(self.ctx)
        if not target.is_redirect or store.revision_count_in(conn, target.id) != 1:
            return False
        text = store.latest_text_in(conn, target)
        dest = redirect_target(text)
        if dest is None:
            return False
        try:
            t = parse_title(dest, namespaces_of(self.ctx))
        except InvalidTitle:
            return False
        return t == src
