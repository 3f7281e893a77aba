"""action=edit (ApiEditPage; seed: API:Edit).

Check order follows ApiEditPage::execute: at least one of text/appendtext/prependtext/
undo; title or pageid; createonly/nocreate; permissions for ``edit`` (plus ``create`` on
a missing page, where title protection shows up as ``protectedpage``); the text to save;
md5; section; tags; then the edit-conflict check of EditPage (a conflict only when
*someone else* saved after ``basetimestamp``). An unchanged text makes no revision and
answers ``nochange``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.page_checks import (
    PAGE_WRITE_RIGHTS,
    check_tags,
    page_service,
    parse_timestamp_param,
    permission_error,
    title_or_pageid,
    var_list,
    want_watch,
)
from wikigate.api.params import Param
from wikigate.pages import edit_rules
from wikigate.pages.merge import undo_text
from wikigate.pages.service import MAX_ARTICLE_SIZE, PageWriteError
from wikigate.pages.store import Page, Revision, redirect_target
from wikigate.pages.titles import Title
from wikigate.util.clock import mw_to_iso
from wikigate.util.ints import parse_int64


class ApiEditPage(ApiModule):
    name = "edit"
    must_be_posted = True
    is_write = True
    needs_token = "csrf"
    rights_needed = ("edit",)
    rights_conditional = (
        ("createpage", "the page does not exist (createtalk in talk namespaces)"),
        ("createtalk", "the page does not exist and is a talk page"),
        *PAGE_WRITE_RIGHTS,
        ("minoredit", "minor=1 (without it the edit is silently not minor)"),
    )
    classname = "ApiEditPage"

    def params(self) -> dict[str, Param]:
        return {
            "title": Param("string"),
            "pageid": Param("integer"),
            "section": Param("string"),
            "sectiontitle": Param("string"),
            "text": Param("text"),
            "summary": Param("string"),
            "tags": Param("tags", multi=True),
            "minor": Param("boolean"),
            "notminor": Param("boolean"),
            "bot": Param("boolean"),
            "baserevid": Param("integer"),
            "basetimestamp": Param("timestamp"),
            "starttimestamp": Param("timestamp"),
            "recreate": Param("boolean"),
            "createonly": Param("boolean"),
            "nocreate": Param("boolean"),
            "watch": Param("boolean", deprecated=True),
            "unwatch": Param("boolean", deprecated=True),
            "watchlist": Param("enum", default="preferences",
                               choices=("nochange", "preferences", "unwatch", "watch")),
            "md5": Param("string"),
            "prependtext": Param("text"),
            "appendtext": Param("text"),
            "undo": Param("integer", min=0, enforce_range=True),
            "undoafter": Param("integer", min=0, enforce_range=True),
            "redirect": Param("boolean"),
            "contentformat": Param("enum", choices=("text/x-wiki",)),
            "contentmodel": Param("enum", choices=("wikitext",)),
        }

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        for name in ("watch", "unwatch"):
            if p[name]:
                from wikigate.i18n import Message

                ctx.add_deprecation(self.path, Message("paramvalidator-param-deprecated", (name,)),
                                    f"action=edit&{name}")
        if all(p[k] is None for k in ("text", "appendtext", "prependtext", "undo")):
            raise ApiError("apierror-missingparam-at-least-one-of",
                           [var_list("text", "appendtext", "prependtext", "undo"), 4],
                           code="missingparam")
        title, page = await title_or_pageid(ctx, p)
        if p["redirect"] and page is not None and page.is_redirect:
            if p["text"] is not None and p["section"] != "new":
                raise ApiError("apierror-redirect-appendonly")
            old_title = title
            title, page = await self._follow_redirect(title, page)
            if title != old_title:
                self.add_result("redirects", {"from": old_title.prefixed_text, "to": title.prefixed_text})
        if p["createonly"] and page is not None:
            raise ApiError("apierror-articleexists")
        if p["nocreate"] and page is None:
            raise ApiError("apierror-missingtitle")
        err = await permission_error(ctx, title, page, "edit")
        if err is not None:
            raise err

        current_rev: Revision | None = None
        if page is not None:
            current_rev = await page_service(ctx).revision(page.latest)
        current = current_rev.text if current_rev is not None else None

        text: str | None = p["text"]
        to_md5 = text
        summary: str | None = p["summary"]
        if p["appendtext"] is not None or p["prependtext"] is not None:
            base = current or ""
            pre, app = p["prependtext"] or "", p["appendtext"] or ""
            if p["section"] == "new":
                base = ""  # ApiEditPage: appending to a new section starts from nothing
            elif p["section"] is not None:
                num = self._section_number(p["section"])
                sec = edit_rules.get_section(base, num) if num is not None else None
                if sec is None:
                    raise ApiError("apierror-nosuchsection", [p["section"]])
                base = sec
            text = pre + base + app
            to_md5 = pre + app
        if p["undo"] is not None:
            text, undo_summary = await self._undo(page, current_rev, p["undo"], p["undoafter"])
            if summary is None:
                summary = undo_summary
        assert text is not None
        if len(text.encode("utf-8")) > MAX_ARTICLE_SIZE * 1024:  # PageSizeConstraint, before the merge
            raise ApiError("apierror-contenttoobig", [MAX_ARTICLE_SIZE])
        if p["md5"] is not None and hashlib.md5((to_md5 or "").encode("utf-8")).hexdigest() != p["md5"]:
            raise ApiError("apierror-badmd5")

        section = p["section"]
        compose: Callable[[str | None], str | None]
        if section is None:
            whole = text

            def compose(_: str | None) -> str | None:
                return whole
        else:
            if section != "new" and self._section_number(section) is None:
                raise ApiError("apierror-invalidsection")
            if section == "new":
                # EditPage::importFormData: without sectiontitle the summary is the heading
                # and the summary is made from it; with one, an empty summary is. "== x =="
                # loses its equals signs in both.
                if p["sectiontitle"] is not None:
                    heading = _strip_heading(p["sectiontitle"])
                    summary = _strip_heading(summary) if summary is not None else None
                else:
                    heading, summary = _strip_heading(summary or ""), None
                if not summary and heading:
                    summary = f"/* {heading} */ new section"
                added = text

                def compose(cur: str | None) -> str | None:
                    return edit_rules.new_section(cur or "", heading, added)
            else:
                num = self._section_number(section)
                assert num is not None
                if num != 0 and (current is None or edit_rules.get_section(current, num) is None):
                    raise ApiError("apierror-nosuchsection", [section])
                replacement = text

                def compose(cur: str | None) -> str | None:
                    if cur is None:  # a missing page: section 0 is the whole text
                        return replacement if num == 0 else None
                    return edit_rules.replace_section(cur, num, replacement)

        # EditPage's UserRateLimitConstraint: after the permission checks, before tags.
        if await ctx.ping_limiter("edit"):
            raise ApiError("actionthrottledtext", code="ratelimited")
        await check_tags(ctx, p["tags"])
        base_ts = parse_timestamp_param(ctx, "basetimestamp", p["basetimestamp"] or None)
        parse_timestamp_param(ctx, "starttimestamp", p["starttimestamp"])

        watch = await want_watch(ctx, p["watchlist"], title, page is not None)
        if p["watch"]:
            watch = True
        elif p["unwatch"]:
            watch = False

        minor = bool(p["minor"]) and not p["notminor"] and page is not None and ctx.has_right("minoredit")
        user = ctx.user
        signature = await self._signature() if self._needs_signature(text) else ""

        service = page_service(ctx)
        try:
            outcome = await service.save_edit(
                title, user, compose=compose, section=section, summary=summary, minor=minor,
                tags=list(p["tags"] or []), watch=watch, expected=page, create_only=bool(p["createonly"]),
                base_timestamp=base_ts, base_revid=p["baserevid"] or None, signature=signature,
                notify_talk=not (minor and ctx.has_right("nominornewtalk")),
                # EditPage: bot=1 counts only with the bot right (a bot-password session
                # has it only through its grants); autopatrol as $wgUseRCPatrol has it.
                bot=bool(p["bot"]) and ctx.has_right("bot"), autopatrol=ctx.has_right("autopatrol"))
        except PageWriteError as e:
            raise _write_error(e) from None
        saved, rev, old_id, created = outcome.page, outcome.revision, outcome.old_revid, outcome.created
        r: dict[str, Any] = {}
        if created:
            r["new"] = True
        r["result"] = "Success"
        r["pageid"] = saved.id
        r["title"] = title.prefixed_text
        r["contentmodel"] = saved.content_model
        if rev is None:
            r["nochange"] = True
        else:
            r["oldrevid"] = old_id
            r["newrevid"] = rev.id
            r["newtimestamp"] = mw_to_iso(rev.timestamp)
        if watch:
            r["watched"] = True
        self.add_result(self.name, r)

    @staticmethod
    def _section_number(section: str) -> int | None:
        s = section[2:] if section.startswith("T-") else section
        return parse_int64(s, signed=False)

    async def _follow_redirect(self, title: Title, page: Page) -> tuple[Title, Page | None]:
        from wikigate.api.page_checks import parse_user_title

        service = page_service(self.ctx)
        target = redirect_target(await service.latest_text(page))
        if not target:
            return title, page
        t = parse_user_title(self.ctx, target)
        return t, await service.page(t.namespace, t.dbkey)

    async def _undo(self, page: Page | None, current: Revision | None, undo: int,
                    undoafter: int | None) -> tuple[str, str | None]:
        """Undo the latest revisions: restore the text before ``undo`` (or of ``undoafter``)."""
        service = page_service(self.ctx)
        undo_rev = await service.revision(undo)
        if undo_rev is None:
            raise ApiError("apierror-nosuchrevid", [undo])
        after_id = undoafter if undoafter is not None else undo_rev.parent
        after_rev = await service.revision(after_id) if after_id else None
        if undoafter is not None and after_rev is None:
            raise ApiError("apierror-nosuchrevid", [undoafter])
        if page is None or undo_rev.page != page.id:
            raise ApiError("apierror-revwrongpage", [undo_rev.id, self._title_text(page)])
        if after_rev is not None and after_rev.page != page.id:
            raise ApiError("apierror-revwrongpage", [after_rev.id, self._title_text(page)])
        if current is None:
            raise ApiError("undo-failure", code="undofailure")
        # ContentHandler::getUndoContent: a plain revert of the latest revision, else a
        # three-way merge of the undone change into the latest text.
        merged = undo_text(current.text, undo_rev.text, after_rev.text if after_rev is not None else "")
        if merged is None:
            raise ApiError("undo-failure", code="undofailure")
        text = merged
        summary = None
        if after_rev is not None and undo_rev.parent == after_rev.id:  # exactly one revision undone
            summary = (f"Undo revision {undo} by [[Special:Contributions/{undo_rev.actor_name}|"
                       f"{undo_rev.actor_name}]] ([[User talk:{undo_rev.actor_name}|talk]])")
        return text, summary

    @staticmethod
    def _needs_signature(text: str) -> bool:
        return "~~~" in text or "{{" in text  # a substituted template can bring tildes

    async def _signature(self) -> str:
        """The user's signature for ``~~~`` (their ``nickname``/``fancysig`` preferences)."""
        from wikigate.pages.pst import user_signature
        from wikigate.users.options import effective_options

        ctx = self.ctx
        user = ctx.user
        if ctx.is_anon:
            return user_signature(user.name, registered=False)
        opts = effective_options(self.services.settings, await self.services.users.get_options(user.id))
        return user_signature(user.name, registered=True, nickname=str(opts.get("nickname") or ""),
                              fancysig=bool(opts.get("fancysig")))

    def _title_text(self, page: Page | None) -> str:
        from wikigate.api.query.pageset import namespaces_of
        from wikigate.pages.titles import make_title

        if page is None:
            return ""
        return make_title(page.namespace, page.dbkey, namespaces_of(self.ctx)).prefixed_text


def _strip_heading(text: str) -> str:
    """``==Foobar==`` → ``Foobar`` (EditPage, T3600)."""
    return re.sub(r"^\s*=+\s*(.*?)\s*=+\s*$", r"\1", text, flags=re.S)


def _write_error(e: PageWriteError) -> ApiError:
    """The API error for an edit refused inside its transaction."""
    if e.code == "editconflict":
        return ApiError("edit-conflict", code="editconflict")
    if e.code == "contenttoobig":
        return ApiError("apierror-contenttoobig", [MAX_ARTICLE_SIZE])
    return ApiError(f"apierror-{e.code}")
