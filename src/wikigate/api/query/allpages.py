"""list=allpages (ApiQueryAllPages; seed: API:Allpages) — enough for pywikibot and mwclient.

Titles of one namespace in dbkey order from ``apfrom``/``apcontinue`` to ``apto``, with
``apprefix``, ``apfilterredir``, ``apminsize``/``apmaxsize``; usable as a generator.
``apprtype``/``apprlevel`` filter on live page restrictions.
"""

from __future__ import annotations

from typing import Any

from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.api.query.logevents import namespace_choices
from wikigate.api.query.pageset import namespaces_of
from wikigate.pages.service import PageService
from wikigate.pages.store import Page
from wikigate.pages.titles import InvalidTitle, Title, make_title, parse_title
from wikigate.pages.wikitext import escape_wikitext


class ApiQueryAllPages(QueryModule):
    """list=allpages."""

    name = "allpages"
    prefix = "ap"
    group = "list"
    classname = "ApiQueryAllPages"
    generator_mode = False

    def params(self) -> dict[str, Param]:
        settings = self.services.settings.protection
        return {
            "from": Param("string"),
            "continue": Param("string"),
            "to": Param("string"),
            "prefix": Param("string"),
            "namespace": Param("namespace", default=0, choices=namespace_choices),
            "filterredir": Param("enum", default="all", choices=("all", "nonredirects", "redirects")),
            "minsize": Param("integer"),
            "maxsize": Param("integer"),
            "prtype": Param("enum", multi=True, choices=[t for t in settings.types if t != "create"]),
            "prlevel": Param("enum", multi=True, choices=list(settings.levels)),
            "prfiltercascade": Param("enum", default="all", choices=("all", "cascading", "noncascading")),
            "limit": Param("limit", default=10, min=1, max=500, max2=5000),
            "dir": Param("enum", default="ascending", choices=("ascending", "descending")),
            "filterlanglinks": Param("enum", default="all", choices=("all", "withlanglinks", "withoutlanglinks")),
            "prexpiry": Param("enum", default="all", choices=("all", "definite", "indefinite")),
        }

    def _key(self, text: str | None, ns: int) -> str | None:
        if text is None:
            return None
        # ApiQueryBase::titlePartToKey: parse the part with an "x" appended, so a trailing
        # space survives and a part that cannot start a title in this namespace (bad
        # characters, a fragment, another namespace or an interwiki prefix, or too long:
        # 255 bytes with the "x") is an invalid title. Bounding it here also keeps the
        # LIKE pattern small (SQLite refuses patterns over 50 000 bytes).
        try:
            t = parse_title(text + "x", namespaces_of(self.ctx), default_ns=ns)
        except InvalidTitle:
            t = None
        if t is None or t.fragment or t.interwiki or t.namespace != ns:
            raise ApiError("apierror-invalidtitle", [escape_wikitext(text)])
        return t.dbkey[:-1]

    async def _rows(self, p: dict[str, Any]) -> list[Page]:
        service: PageService = self.services.page_service
        ns = p["namespace"] if p["namespace"] is not None else 0
        limit = p["limit"] or 10
        start = p["continue"] if p["continue"] else self._key(p["from"], ns)
        end = self._key(p["to"], ns)
        prefix = self._key(p["prefix"], ns)
        newer = p["dir"] == "ascending"
        types = p["prtype"]
        # An empty level and "*" mean any level, as in MediaWiki.
        levels = [lv for lv in (p["prlevel"] or []) if lv not in ("", "*")]
        protection_filter = bool(types) or p["prexpiry"] != "all"
        if not protection_filter and p["prlevel"] is not None:
            raise ApiError("apierror-invalidparammix-mustusewith", ["prlevel", "prtype"], code="invalidparammix")

        rows = await service.all_pages(
            namespace=ns, start=start, end=end, prefix=prefix, redirects=p["filterredir"], newer=newer,
            limit=limit, min_size=p["minsize"], max_size=p["maxsize"], protection_types=types,
            protection_levels=levels, cascade_filter=p["prfiltercascade"], expiry_filter=p["prexpiry"])
        if len(rows) > limit:
            self.set_continue({self.prefix + "continue": rows[limit].dbkey})
            rows = rows[:limit]
        return rows

    async def generate(self, p: dict[str, Any]) -> list[Title]:
        if self.ctx.has_param("redirects"):
            raise ApiError("apierror-allpages-generator-redirects", code="params")
        namespaces = namespaces_of(self.ctx)
        return [make_title(r.namespace, r.dbkey, namespaces) for r in await self._rows(p)]

    async def execute(self, p: dict[str, Any]) -> None:
        namespaces = namespaces_of(self.ctx)
        rows = await self._rows(p)
        self.query_result()["allpages"] = Indexed(
            [{"pageid": r.id, "ns": r.namespace, "title": make_title(r.namespace, r.dbkey, namespaces).prefixed_text}
             for r in rows], "p")
