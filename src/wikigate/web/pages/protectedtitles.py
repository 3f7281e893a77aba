"""index.php?title=Special:ProtectedTitles — titles protected against creation (live
ones), newest first, filtered by level; read through ``PageService.protected_titles``,
the same query list=protectedtitles uses."""

from __future__ import annotations

from wikigate.http.response import Response
from wikigate.pages.service import PageService
from wikigate.pages.titles import make_title
from wikigate.web.listing import expiry_text, level_text, limit_of, select_field, when
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext

PAGE = "Special:ProtectedTitles"


class SpecialProtectedTitles(HtmlPage):
    title = PAGE
    texts = "protectedtitles"
    authentication = "none (a public list)"

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        pt = texts_for(ctx.lang, "protect")
        levels = [lv for lv in self.services.settings.protection.levels if lv]
        params = ctx.request.params
        level = params.get("level", "")
        level = level if level in levels else ""
        cont: tuple[str, int, str] | None = None
        parts = params.get("offset", "").split("|", 2)
        if len(parts) == 3 and parts[0].isdigit() and len(parts[0]) == 14 and parts[1].lstrip("-").isdigit() \
                and len(parts[1]) < 10:
            cont = (parts[0], int(parts[1]), parts[2])
        limit = limit_of(ctx)
        pages: PageService = self.services.page_service
        rows = await pages.protected_titles(
            namespaces=None, levels=[level] if level else None, newer=False, start=None, end=None,
            cont=cont, limit=limit)
        more = ""
        if len(rows) > limit:
            nxt = rows[limit]
            rows = rows[:limit]
            more = ctx.url(PAGE, level=level, limit=params.get("limit", ""),
                           offset=f"{nxt.timestamp}|{nxt.namespace}|{nxt.dbkey}")
        namespaces = self.namespaces()
        users = self.services.users
        names: dict[int, str] = {}
        table = []
        for r in rows:
            if r.user not in names:
                u = await users.get_by_id(r.user) if r.user else None
                names[r.user] = u.name if u is not None else ""
            name = make_title(r.namespace, r.dbkey, namespaces).prefixed_text
            table.append([(name, ctx.url(name, action="protect")), level_text(r.level, pt),
                          expiry_text(ctx, r.expiry, pt), names[r.user], when(r.timestamp), r.reason])
        filters = [select_field("level", t["level"], [("", t["any"])] + [(lv, level_text(lv, pt)) for lv in levels],
                                level)]
        return ctx.render("list.html", t["title"], intro=t["intro"], errors=[], form_id="mw-protectedtitles-form",
                          action=ctx.base, page_title=PAGE, filters=filters, show=t["show"],
                          headers=[t["page"], t["level"], t["expiry"], t["user"], t["timestamp"], t["reason"]],
                          rows=table, empty=t["none"], more=more, more_label=t["more"])
