"""action=query: runs the requested prop/list/meta submodules (MediaWiki ApiQuery)."""

from __future__ import annotations

import importlib
from typing import Any, ClassVar

from wikigate.api.base import ApiModule, Values
from wikigate.api.params import Param


class QueryModule(ApiModule):
    """Base of every ``prop=``/``list=``/``meta=`` submodule."""

    group: ClassVar[str] = "meta"

    def query_result(self) -> dict[str, Any]:
        q = self.ctx.result.setdefault("query", {})
        assert isinstance(q, dict)
        return q

    def set_continue(self, values: dict[str, str]) -> None:
        """Report that more results exist (``continue`` block, no batchcomplete)."""
        cont = self.ctx.result.setdefault("continue", {})
        cont.update(values)
        self.ctx.result["_incomplete"] = True


class ApiQuery(ApiModule):
    name = "query"
    classname = "ApiQuery"
    static_params = True

    def params(self) -> dict[str, Param]:
        query = self.ctx.services.api_registry.query
        return {
            "prop": Param("enum", multi=True, choices=list(query["prop"])),
            "list": Param("enum", multi=True, choices=list(query["list"])),
            "meta": Param("enum", multi=True, choices=list(query["meta"])),
            "indexpageids": Param("boolean"),
            "export": Param("boolean"),
            "exportnowrap": Param("boolean"),
            "iwurl": Param("boolean"),
            "continue": Param("string"),
            "rawcontinue": Param("boolean"),
            "titles": Param("string", multi=True),
            "pageids": Param("integer", multi=True),
            "revids": Param("integer", multi=True),
            "generator": Param("enum", choices=[*query["prop"], *query["list"]]),
            "redirects": Param("boolean"),
            "converttitles": Param("boolean"),
        }

    async def execute(self, p: Values) -> None:
        reg = self.ctx.services.api_registry
        modules: list[QueryModule] = []
        for group in ("prop", "list", "meta"):
            for name in p[group] or []:
                module = reg.query[group][name](self.ctx)
                assert isinstance(module, QueryModule)
                modules.append(module)
        if p["titles"] or p["pageids"] or p["revids"] or p["generator"] or p["prop"]:
            pageset_mod = importlib.import_module("wikigate.api.query.pageset")
            await pageset_mod.run_pageset(self.ctx, p, modules)
        for module in modules:
            if getattr(module, "uses_pageset", False):
                continue
            values = module.extract_params()
            await module.execute(values)
        incomplete = self.ctx.result.pop("_incomplete", False)
        # ApiContinuationManager: the batch is complete unless a prop module must continue
        # on the same pages; "continue" is "<generator continue>||": "||" when props continue,
        # "gapcontinue||" when a generator does, "-||" when only list modules do.
        prop_continue = self.ctx.result.pop("_prop_continue", False)
        gen_continue = self.ctx.result.pop("_gen_continue", None)
        if not prop_continue:
            self.ctx.result["batchcomplete"] = True
        if incomplete:
            marker = "||" if prop_continue else (f"{gen_continue}||" if gen_continue else "-||")
            self.ctx.result.setdefault("continue", {})["continue"] = marker
        # batchcomplete and continue come first in MediaWiki's output.
        head: dict[str, Any] = {k: self.ctx.result.pop(k) for k in ("batchcomplete", "continue")
                                if k in self.ctx.result}
        rest = dict(self.ctx.result)
        self.ctx.result.clear()
        self.ctx.result.update(head)
        self.ctx.result.update(rest)
