"""action=query: runs the requested prop/list/meta submodules (MediaWiki ApiQuery)."""

from __future__ import annotations

from typing import Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import errors_of
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.api.query.pageset import run_pageset


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
            # Only modules that can generate, sorted by name, as ApiQuery lists them.
            "generator": Param("enum", choices=sorted(
                name for group in ("prop", "list") for name, cls in query[group].items()
                if any(hasattr(cls, m) for m in ("generate", "generate_from", "generate_revids")))),
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
            await run_pageset(self.ctx, p, modules)
        for module in modules:
            if getattr(module, "uses_pageset", False):
                continue
            with errors_of(module.path):
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
