"""list=protectedtitles (ApiQueryProtectedTitles; seed: API:Protectedtitles).

Live title protections (``create``), newest first by default, continued with
``ptcontinue=<TS14>|<ns>|<dbkey>``; usable as a generator (the titles are missing pages).
"""

from __future__ import annotations

from typing import Any

from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.page_checks import parse_timestamp_param
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.api.query.logevents import namespace_choices
from wikigate.api.query.pageset import namespaces_of
from wikigate.pages import protection as prot
from wikigate.pages.service import PageService
from wikigate.pages.store import TitleProtection
from wikigate.pages.titles import Title, make_title
from wikigate.pages.wikitext import comment_html
from wikigate.util.clock import mw_to_iso
from wikigate.util.ints import is_int_string, parse_int64

PTPROP = ["comment", "expiry", "level", "parsedcomment", "timestamp", "user", "userid"]


class ApiQueryProtectedTitles(QueryModule):
    """list=protectedtitles."""

    name = "protectedtitles"
    prefix = "pt"
    group = "list"
    classname = "ApiQueryProtectedTitles"
    generator_mode = False

    def params(self) -> dict[str, Param]:
        levels = [lv for lv in self.services.settings.protection.levels if lv]
        return {
            "namespace": Param("namespace", multi=True, choices=namespace_choices),
            "level": Param("enum", multi=True, choices=levels),
            "limit": Param("limit", default=10, min=1, max=500, max2=5000),
            "dir": Param("enum", default="older", choices=("newer", "older")),
            "start": Param("timestamp"),
            "end": Param("timestamp"),
            "prop": Param("enum", multi=True, choices=PTPROP, default="timestamp|level"),
            "continue": Param("string"),
        }

    async def _rows(self, p: dict[str, Any]) -> list[TitleProtection]:
        service: PageService = self.services.page_service
        cont: tuple[str, int, str] | None = None
        if p["continue"]:
            parts = p["continue"].split("|", 2)
            ns = parse_int64(parts[1]) if len(parts) == 3 else None
            if ns is None or not is_int_string(parts[0], signed=False):
                raise ApiError("apierror-badcontinue", code="badcontinue")
            cont = (parts[0], ns, parts[2])
        limit = p["limit"] or 10
        start = parse_timestamp_param(self.ctx, self.prefix + "start", p["start"])
        end = parse_timestamp_param(self.ctx, self.prefix + "end", p["end"])

        rows = await service.protected_titles(namespaces=p["namespace"], levels=p["level"] or None,
                                              newer=p["dir"] == "newer", start=start, end=end, cont=cont,
                                              limit=limit)
        if len(rows) > limit:
            nxt = rows[limit]
            self.set_continue({self.prefix + "continue": f"{nxt.timestamp}|{nxt.namespace}|{nxt.dbkey}"})
            rows = rows[:limit]
        return rows

    async def generate(self, p: dict[str, Any]) -> list[Title]:
        namespaces = namespaces_of(self.ctx)
        return [make_title(r.namespace, r.dbkey, namespaces) for r in await self._rows(p)]

    async def execute(self, p: dict[str, Any]) -> None:
        namespaces = namespaces_of(self.ctx)
        props = set(p["prop"] or [])
        rows = await self._rows(p)
        users = await self.services.users.get_many_by_id([r.user for r in rows]) \
            if "user" in props and hasattr(self.services.users, "get_many_by_id") else {}
        out = []
        for r in rows:
            d: dict[str, Any] = {"ns": r.namespace, "title": make_title(r.namespace, r.dbkey, namespaces).prefixed_text}
            if "timestamp" in props:
                d["timestamp"] = mw_to_iso(r.timestamp)
            if "user" in props:
                u = users.get(r.user) if users else await self.services.users.get_by_id(r.user)
                if u is not None:
                    d["user"] = u.name
            if "userid" in props or "user" in props:  # ApiQueryProtectedTitles: user implies userid (B/C)
                d["userid"] = r.user
            if "comment" in props:
                d["comment"] = r.reason
            if "parsedcomment" in props:
                d["parsedcomment"] = comment_html(r.reason)
            if "expiry" in props:
                d["expiry"] = prot.expiry_info(r.expiry)
            if "level" in props:
                d["level"] = r.level
            out.append(d)
        self.query_result()["protectedtitles"] = Indexed(out, "pt")
