"""index.php?title=Special:Log — the public logs (protection, user rights, new users,
page creation, moves), newest first, filtered by ``type``, performer (``user``) and
target (``page``); read through ``LogStore.list``, the store list=logevents reads.

Log types that are not public (the two-factor ``oath`` log) are never shown."""

from __future__ import annotations

from typing import Any

from wikigate.http.response import Response
from wikigate.logs.store import LogEntry, LogStore
from wikigate.pages.titles import InvalidTitle, make_title, parse_title
from wikigate.web.listing import limit_of, select_field, text_field, when
from wikigate.web.ui import HtmlPage, PageContext

PAGE = "Special:Log"
#: The filters offered, in menu order (MediaWiki's log type names).
FILTER_TYPES = ("protect", "rights", "newusers", "create")
#: Every type shown in the unfiltered view.
PUBLIC_TYPES = frozenset((*FILTER_TYPES, "move", "delete"))


class SpecialLog(HtmlPage):
    title = PAGE
    texts = "log"
    authentication = "none (public logs)"

    def current_title(self, subpage: str | None) -> str:
        return self.title

    def _details(self, ctx: PageContext, e: LogEntry) -> str:
        t = ctx.t
        p: dict[str, Any] = e.params
        if e.type == "protect" and isinstance(p.get("description"), str):
            return str(p["description"]) + (" [cascading]" if p.get("cascade") else "")
        if e.type == "rights":
            def groups(key: str) -> str:
                names = p.get(key)
                return ", ".join(str(g) for g in names) if isinstance(names, list) and names else t["nogroups"]
            return t["groups_change"].format(old=groups("oldgroups"), new=groups("newgroups"))
        if e.type == "move" and isinstance(p.get("target_title"), str):
            return f"→ {p['target_title']}"
        return ""

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        params = ctx.request.params
        ltype = params.get("type", "") or (subpage or "")
        ltype = ltype if ltype in FILTER_TYPES else ""
        user = params.get("user", "").strip()[:255]
        page = params.get("page", "").strip()[:512]
        errors: list[str] = []
        namespaces = self.namespaces()
        target: tuple[int, str] | None = None
        page_error = ""
        if page:
            try:
                parsed = parse_title(page, namespaces)
                if not parsed.dbkey or parsed.interwiki:
                    raise InvalidTitle("title-invalid-empty", page)
                target = (parsed.namespace, parsed.dbkey)
            except InvalidTitle:
                page_error = t["badtitle"]
                errors.append(page_error)
        cont: tuple[str, int] | None = None
        parts = params.get("offset", "").split("|")
        if len(parts) == 2 and parts[0].isdigit() and len(parts[0]) == 14 and parts[1].isdigit() \
                and len(parts[1]) < 19:
            cont = (parts[0], int(parts[1]))
        limit = limit_of(ctx)
        logs: LogStore = self.services.logs
        entries: list[LogEntry] = []
        if not errors:
            entries = await logs.list(type=ltype or None, actor_name=user.replace("_", " ") or None,
                                      namespace=target[0] if target else None, title=target[1] if target else None,
                                      limit=limit, cont=cont)
        more = ""
        if len(entries) > limit:
            nxt = entries[limit]
            entries = entries[:limit]
            more = ctx.url(PAGE, type=ltype, user=user, page=page, limit=params.get("limit", ""),
                           offset=f"{nxt.timestamp}|{nxt.id}")
        rows = []
        for e in entries:
            if e.type not in PUBLIC_TYPES:
                continue
            name = make_title(e.namespace, e.title, namespaces).prefixed_text
            rows.append([when(e.timestamp), f"{e.type}/{e.action}", e.actor_name, (name, ctx.url(name)),
                         self._details(ctx, e), e.comment])
        filters = [
            select_field("type", t["type"], [("", t["all"])] + [(x, t[f"type_{x}"]) for x in FILTER_TYPES], ltype),
            text_field("user", t["user"], user, autocomplete="username"),
            text_field("page", t["page"], page, error=page_error),
        ]
        heading = t[f"type_{ltype}"] if ltype else t["title"]
        return ctx.render("list.html", heading, status=400 if errors else 200, intro=t["intro"], errors=errors,
                          form_id="mw-log-form", action=ctx.base, page_title=PAGE, filters=filters, show=t["show"],
                          headers=[t["time"], t["action"], t["user"], t["target"], t["details"], t["reason"]],
                          rows=rows, empty=t["none"], more=more, more_label=t["more"])
