"""prop=templates (ApiQueryLinks for templatelinks; seed: API:Templates).

Lists the transclusions recorded in ``templatelinks`` for each page — the same table that
decides cascading protection (see docs/compatibility.md: taken from the transclusion syntax
of the saved text). Continuation: ``tlcontinue=<pageid>|<ns>|<dbkey>``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.api.query.logevents import namespace_choices
from wikigate.api.query.pageset import PageSet, namespaces_of
from wikigate.pages.service import PageService
from wikigate.pages.titles import InvalidTitle, Title, make_title, parse_title
from wikigate.util.ints import parse_int64


class ApiQueryTemplates(QueryModule):
    """prop=templates."""

    name = "templates"
    prefix = "tl"
    group = "prop"
    classname = "ApiQueryLinks"
    uses_pageset: ClassVar[bool] = True
    generator_mode = False

    def params(self) -> dict[str, Param]:
        return {
            "namespace": Param("namespace", multi=True, choices=namespace_choices, extra_namespaces=(-2, -1)),
            "limit": Param("limit", default=10, min=1, max=500, max2=5000),
            "continue": Param("string"),
            "templates": Param("string", multi=True),
            "dir": Param("enum", default="ascending", choices=("ascending", "descending")),
        }

    async def execute(self, p: dict[str, Any]) -> None:  # pragma: no cover - runs via the pageset
        return None

    async def _rows(self, p: dict[str, Any], ps: PageSet) -> list[tuple[int, int, str]]:
        namespaces = namespaces_of(self.ctx)
        ids = sorted(e.page.id for e in ps.good if e.page is not None)
        if not ids:
            return []
        asc = p["dir"] == "ascending"
        templates: list[tuple[int, str]] | None = None
        if p["templates"]:
            templates = []
            for raw in p["templates"]:
                try:
                    t = parse_title(raw, namespaces)
                except InvalidTitle:
                    continue
                templates.append((t.namespace, t.dbkey))
        cont: tuple[int, int, str] | None = None
        if p["continue"]:
            parts = p["continue"].split("|", 2)
            ints = [parse_int64(parts[0], signed=False), parse_int64(parts[1])] if len(parts) == 3 else []
            if len(ints) != 2 or ints[0] is None or ints[1] is None:
                raise ApiError("apierror-badcontinue", code="badcontinue")
            cont = (ints[0], ints[1], parts[2])
        limit = p["limit"] or 10
        service: PageService = self.services.page_service
        rows = await service.template_links(ids, namespaces=p["namespace"], templates=templates, cont=cont,
                                            ascending=asc, limit=limit)
        if len(rows) > limit:
            nxt = rows[limit]
            self.set_continue({self.prefix + "continue": f"{nxt[0]}|{nxt[1]}|{nxt[2]}"})
            if not self.generator_mode:
                self.ctx.result["_prop_continue"] = True
            rows = rows[:limit]
        return rows

    async def generate_from(self, p: dict[str, Any], source: PageSet) -> list[Title]:
        """generator=templates: the transcluded pages of the given pages become the page set."""
        namespaces = namespaces_of(self.ctx)
        out: dict[tuple[int, str], Title] = {}
        for _pid, ns, key in await self._rows(p, source):
            out.setdefault((ns, key), make_title(ns, key, namespaces))
        return list(out.values())

    async def execute_pages(self, p: dict[str, Any], ps: PageSet) -> None:
        namespaces = namespaces_of(self.ctx)
        by_page: dict[int, list[dict[str, Any]]] = {}
        for pid, ns, key in await self._rows(p, ps):
            by_page.setdefault(pid, []).append({"ns": ns, "title": make_title(ns, key, namespaces).prefixed_text})
        for e in ps.good:
            if e.page is not None and e.page.id in by_page:
                e.data["templates"] = Indexed(by_page[e.page.id], "tl")
