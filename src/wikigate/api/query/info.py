"""prop=info (ApiQueryInfo): basic page data, protection, talk/subject ids, URLs, watch state.

``inprop=protection`` lists the page's own live restrictions (for a missing page: its
title protection), then one entry per live cascading restriction of every page that
transcludes it, with ``source`` (spec protect.md §9). Expiries print as ``infinity``
here, unlike action=protect's ``infinite``.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import quote

from wikigate.api.output import Indexed
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.api.query.pageset import PageEntry, PageSet, namespaces_of
from wikigate.pages import protection as prot
from wikigate.pages.service import PageDetails, PageService
from wikigate.pages.titles import Title, make_title

INPROP = ["protection", "talkid", "watched", "watchers", "visitingwatchers", "notificationtimestamp",
          "subjectid", "associatedpage", "url", "readable", "preload", "displaytitle", "varianttitles",
          "linkclasses"]


def wf_urlencode(text: str) -> str:
    """``wfUrlencode``: percent-encode but keep the characters MediaWiki leaves readable."""
    return quote(text, safe=";@$!*(),/~:")


class ApiQueryInfo(QueryModule):
    """prop=info (seed: API:Info)."""

    name = "info"
    prefix = "in"
    group = "prop"
    classname = "ApiQueryInfo"
    uses_pageset: ClassVar[bool] = True

    def params(self) -> dict[str, Param]:
        return {
            "prop": Param("enum", multi=True, choices=INPROP, deprecated_values=("readable",)),
            "linkcontext": Param("title", default="Main Page"),
            "testactions": Param("string", multi=True),
            "testactionsdetail": Param("enum", default="boolean", choices=("boolean", "full", "quick")),
            "continue": Param("string"),
        }

    async def execute(self, p: dict[str, Any]) -> None:  # pragma: no cover - runs via the pageset
        return None

    def _urls(self, title: Title) -> dict[str, str]:
        site = self.services.settings.site
        base = (site.server or self.ctx.request.server) + site.script_path
        key = wf_urlencode(title.prefixed_dbkey)
        return {"fullurl": f"{base}/index.php/{key}",
                "editurl": f"{base}/index.php?title={key}&action=edit",
                "canonicalurl": f"{base}/index.php/{key}"}

    async def execute_pages(self, p: dict[str, Any], ps: PageSet) -> None:
        service: PageService = self.services.page_service
        namespaces = namespaces_of(self.ctx)
        props = set(p["prop"] or [])
        settings = self.services.settings.protection
        user_id = self.ctx.user.id
        entries = [e for e in ps.entries if e.kind in ("good", "missing") and e.title is not None]

        details = await service.page_details(
            [(e.title, e.page) for e in entries if e.title is not None], protection="protection" in props,
            associated=bool(props & {"talkid", "subjectid", "associatedpage"}),
            watched_by=user_id if props & {"watched", "notificationtimestamp"} else None,
            watchers=bool(props & {"watchers", "visitingwatchers"}))
        loaded = {id(e): _info(d) for e, d in zip(entries, details, strict=True)}
        can_watchers = self.ctx.has_right("unwatchedpages")
        for e in entries:
            self._fill(e, loaded[id(e)], props, settings, namespaces, can_watchers)

    def _fill(self, e: PageEntry, info: dict[str, Any], props: set[str], settings: Any, namespaces: Any,
              can_watchers: bool) -> None:
        t = e.title
        assert t is not None
        d = e.data
        d["contentmodel"] = e.page.content_model if e.page else "wikitext"
        lang = self.services.settings.site.language
        d["pagelanguage"] = lang
        d["pagelanguagehtmlcode"] = lang
        d["pagelanguagedir"] = "ltr"
        if e.page is not None:
            from wikigate.util.clock import mw_to_iso

            d["touched"] = mw_to_iso(e.page.touched)
            d["lastrevid"] = e.page.latest
            d["length"] = e.page.length
            if e.page.is_redirect:
                d["redirect"] = True
            if info.get("revcount") == 1:
                d["new"] = True
        if "protection" in props:
            items = list(info["own"])
            for src in info["sources"]:
                items.append({"type": "edit", "level": src.level, "expiry": prot.expiry_info(src.expiry),
                              "source": make_title(src.namespace, src.dbkey, namespaces).prefixed_text})
            d["protection"] = Indexed(items, "pr")
            d["restrictiontypes"] = Indexed(
                prot.applicable_types(settings, t.namespace, e.page is not None, for_info=True), "rt")
        if "watched" in props:
            # Always present: false (shown in formatversion 2) unless watched.
            d["watched"] = bool(info.get("watched"))
        if can_watchers:
            if "watchers" in props:
                d["watchers"] = info["watchers"]
            if "visitingwatchers" in props:
                d["visitingwatchers"] = info["watchers"]
        if "notificationtimestamp" in props and not self.ctx.is_anon:
            d["notificationtimestamp"] = ""
        if "other" in info:
            if t.is_talk_page():
                if "subjectid" in props and info["other"] is not None:
                    d["subjectid"] = info["other"]
            elif "talkid" in props and info["other"] is not None:
                d["talkid"] = info["other"]
            if "associatedpage" in props:
                other = t.subject_page() if t.is_talk_page() else t.talk_page()
                d["associatedpage"] = other.prefixed_text
        if "url" in props:
            d.update(self._urls(t))
        if "readable" in props:
            d["readable"] = True
        if "preload" in props:
            d["preload"] = "" if e.page is not None else None
        if "displaytitle" in props:
            d["displaytitle"] = t.prefixed_text
        if "varianttitles" in props and e.page is not None:
            d["varianttitles"] = {self.services.settings.site.language: t.prefixed_text}
        if "linkclasses" in props and e.page is not None:
            d["linkclasses"] = Indexed([], "lc")


def _info(d: PageDetails) -> dict[str, Any]:
    """The reads of one title as :meth:`ApiQueryInfo._fill` uses them."""
    info: dict[str, Any] = {}
    if d.restrictions is not None:
        # An existing page's restrictions, or a missing title's create protection.
        tp = d.title_protection
        info["own"] = [{"type": r.type, "level": r.level, "expiry": prot.expiry_info(r.expiry),
                        **({"cascade": True} if r.cascade else {})} for r in d.restrictions] + (
            [] if tp is None else [{"type": "create", "level": tp.level, "expiry": prot.expiry_info(tp.expiry)}])
        info["sources"] = d.cascade_sources
    if d.revision_count is not None:
        info["revcount"] = d.revision_count
    if d.has_associated:
        info["other"] = d.associated_id
    if d.watched is not None:
        info["watched"] = d.watched
    if d.watchers is not None:
        info["watchers"] = d.watchers
    return info
