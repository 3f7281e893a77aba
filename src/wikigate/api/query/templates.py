"""prop=templates (ApiQueryLinks for templatelinks; seed: API:Templates).

Lists the transclusions recorded in ``templatelinks`` for each page — the same table that
decides cascading protection (see docs/compatibility.md: taken from the transclusion syntax
of the saved text). Continuation: ``tlcontinue=<pageid>|<ns>|<dbkey>``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Connection

from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.api.query.logevents import namespace_choices
from wikigate.api.query.pageset import PageSet, namespaces_of
from wikigate.pages.titles import InvalidTitle, Title, make_title, parse_title
from wikigate.storage.sql.schema import templatelinks as tl_t
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
            "namespace": Param("namespace", multi=True, choices=namespace_choices),
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
        c = tl_t.c
        asc = p["dir"] == "ascending"
        conds: list[Any] = [c.tl_from.in_(ids)]
        if p["namespace"] is not None:
            conds.append(c.tl_namespace.in_(p["namespace"]))
        if p["templates"]:
            wanted = []
            for raw in p["templates"]:
                try:
                    t = parse_title(raw, namespaces)
                except InvalidTitle:
                    continue
                wanted.append(and_(c.tl_namespace == t.namespace, c.tl_title == t.dbkey))
            conds.append(or_(*wanted) if wanted else c.tl_from < 0)
        if p["continue"]:
            parts = p["continue"].split("|", 2)
            ints = [parse_int64(parts[0], signed=False), parse_int64(parts[1])] if len(parts) == 3 else []
            if len(ints) != 2 or ints[0] is None or ints[1] is None:
                raise ApiError("apierror-badcontinue", code="badcontinue")
            pid, ns, key = ints[0], ints[1], parts[2]
            if asc:
                conds.append(or_(c.tl_from > pid, and_(c.tl_from == pid, or_(
                    c.tl_namespace > ns, and_(c.tl_namespace == ns, c.tl_title >= key)))))
            else:
                conds.append(or_(c.tl_from < pid, and_(c.tl_from == pid, or_(
                    c.tl_namespace < ns, and_(c.tl_namespace == ns, c.tl_title <= key)))))
        order = [c.tl_from, c.tl_namespace, c.tl_title] if asc else [c.tl_from.desc(), c.tl_namespace.desc(),
                                                                      c.tl_title.desc()]
        limit = p["limit"] or 10
        stmt = select(tl_t).where(and_(*conds)).order_by(*order).limit(limit + 1)

        def q(conn: Connection) -> list[tuple[int, int, str]]:
            return [(r.tl_from, r.tl_namespace, r.tl_title) for r in conn.execute(stmt)]

        rows: list[tuple[int, int, str]] = await self.services.pages.run(q)
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
