"""index.php?title=Special:ProtectedPages — pages with live restrictions, newest first,
filtered by action (``type``) and level; read through ``PageStore.protected_pages``
(the rows list=allpages' ``apprtype`` filter reads), nothing written."""

from __future__ import annotations

from wikigate.http.response import Response
from wikigate.pages.store import PageStore
from wikigate.pages.titles import make_title
from wikigate.web.listing import expiry_text, level_text, limit_of, select_field
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext

PAGE = "Special:ProtectedPages"


class SpecialProtectedPages(HtmlPage):
    title = PAGE
    texts = "protectedpages"
    authentication = "none (a public list)"

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        pt = texts_for(ctx.lang, "protect")
        settings = self.services.settings.protection
        types = [x for x in settings.types if x != "create"]
        levels = [lv for lv in settings.levels if lv]
        params = ctx.request.params
        ptype = params.get("type", "")
        ptype = ptype if ptype in types else ""
        level = params.get("level", "")
        level = level if level in levels else ""
        offset = params.get("offset", "")
        before = int(offset) if offset.isdigit() and len(offset) < 19 else None
        limit = limit_of(ctx)
        store: PageStore = self.services.pages
        rows = await store.protected_pages(types=[ptype] if ptype else None, levels=[level] if level else None,
                                           before_id=before, limit=limit)
        more = ""
        if len(rows) > limit:
            rows = rows[:limit]
            more = ctx.url(PAGE, type=ptype, level=level, limit=params.get("limit", ""), offset=str(rows[-1][0]))
        namespaces = self.namespaces()
        table = []
        for _, ns, key, r in rows:
            name = make_title(ns, key, namespaces).prefixed_text
            cascade = f" {pt['cascading']}" if r.cascade else ""
            table.append([(name, ctx.url(name, action="protect")), pt.get(f"type_{r.type}", r.type),
                          level_text(r.level, pt) + cascade, expiry_text(ctx, r.expiry, pt)])
        filters = [
            select_field("type", t["type"], [("", t["any"])] + [(x, pt.get(f"type_{x}", x)) for x in types], ptype),
            select_field("level", t["level"], [("", t["any"])] + [(lv, level_text(lv, pt)) for lv in levels], level),
        ]
        return ctx.render("list.html", t["title"], intro=t["intro"], errors=[], form_id="mw-protectedpages-form",
                          action=ctx.base, page_title=PAGE, filters=filters, show=t["show"],
                          headers=[t["page"], t["type"], t["level"], t["expiry"]], rows=table, empty=t["none"],
                          more=more, more_label=t["more"])
