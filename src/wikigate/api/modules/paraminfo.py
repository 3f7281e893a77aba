"""action=paraminfo: machine-readable module descriptions (MediaWiki ApiParamInfo, seed
API:Parameter information).

Every answer is generated from the modules' ``params()`` declarations and the
``apihelp-*`` messages, so it cannot drift from what validation does. The shape is
1.39's: ``helpformat`` first, then ``modules`` (and the deprecated ``querymodules``,
``mainmodule``, ``pagesetmodule``, ``formatmodules``); ``main``'s ``action`` and
``format`` and ``query``'s ``prop``/``list``/``meta``/``generator`` carry
``submodules`` maps, which pywikibot walks to discover every module.

Module names: ``main``, ``query``, ``query+tokens``; ``query+*`` (or ``*``) expands
to all submodules of that parent. An unknown name is a warning ("The module "main"
does not have a submodule "foo"."), never an error.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.output import Indexed
from wikigate.api.params import Param
from wikigate.i18n import Message, Plaintext

if TYPE_CHECKING:
    from wikigate.api.base import Registry
    from wikigate.api.context import ApiContext

FORMAT_NAMES = ("json", "jsonfm", "none", "php", "phpfm", "rawfm", "xml", "xmlfm")
QUERY_GROUPS = ("prop", "list", "meta")
#: Format modules' MediaWiki class names.
FORMAT_CLASSES = {"json": "ApiFormatJson", "php": "ApiFormatPhp", "xml": "ApiFormatXml",
                  "rawfm": "ApiFormatJson", "none": "ApiFormatNone"}
LICENSE_TAG = "GPL-2.0-or-later"


class ModuleDescriber:
    """Describes modules for paraminfo and help, in one place."""

    def __init__(self, ctx: ApiContext, helpformat: str = "none") -> None:
        self.ctx = ctx
        self.registry: Registry = ctx.services.api_registry
        self.helpformat = helpformat

    # -- module lookup ---------------------------------------------------------------------

    def resolve(self, name: str) -> tuple[list[str], str | None]:
        """Paths for a requested module name; (paths, None) or ([], warning parent/child)."""
        parent, _, child = name.rpartition("+")
        parent = parent or "main"
        if child == "*":
            return self.children(parent), None
        if parent == "main":
            if name == "main" or name in self.registry.actions:
                return [name], None
            return [], f"main|{name}"
        if parent == "query":
            if any(child in mods for mods in self.registry.query.values()):
                return [f"query+{child}"], None
            return [], f"query|{child}"
        return [], f"{parent}|{child}"

    def children(self, parent: str) -> list[str]:
        if parent == "main":
            return list(self.registry.actions)
        if parent == "query":
            names = sorted({n for mods in self.registry.query.values() for n in mods})
            return [f"query+{n}" for n in names]
        return []

    def group_of(self, name: str) -> str:
        return next((g for g, mods in self.registry.query.items() if name in mods), "meta")

    def module(self, path: str) -> ApiModule | None:
        cls = self.registry.by_path(path)
        return cls(self.ctx) if cls is not None else None

    def params_of(self, path: str) -> dict[str, Param]:
        if path == "main":
            from wikigate.api.main import main_params

            return main_params(self.registry)
        if path in FORMAT_NAMES:
            from wikigate.api.main import printer_params

            return printer_params(path)
        mod = self.module(path)
        return mod.final_params() if mod is not None else {}

    # -- messages --------------------------------------------------------------------------

    def text(self, key: str, params: tuple[Any, ...]) -> Any:
        msg = Message(key, params)
        cat = self.ctx.services.catalog
        lang = self.ctx.uselang
        if self.helpformat == "html":
            return cat.html(msg, lang)
        if self.helpformat == "wikitext":
            return cat.wikitext(msg, lang)
        return {"key": key, "params": [p.value if isinstance(p, Plaintext) else p for p in params]}

    def description(self, path: str, name: str, prefix: str) -> Any:
        key_base = f"apihelp-{path}"
        args = (prefix, name, path)
        if self.helpformat == "raw":
            out = [self.text(f"{key_base}-summary", args)]
            if self.ctx.services.catalog.exists(f"{key_base}-extended-description"):
                out.append(self.text(f"{key_base}-extended-description", args))
            return out
        text = self.text(f"{key_base}-summary", args)
        if self.ctx.services.catalog.exists(f"{key_base}-extended-description"):
            text = f"{text}\n{self.text(f'{key_base}-extended-description', args)}"
        return text

    # -- the description of one module -----------------------------------------------------

    def describe(self, path: str) -> dict[str, Any]:
        site = self.ctx.services.settings.site
        server = site.server or self.ctx.request.server
        info: dict[str, Any]
        mod: ApiModule | None = None
        if path == "main":
            info = {"name": "main", "classname": "ApiMain", "path": "main", "prefix": ""}
            prefix = ""
            name = "main"
        elif path in FORMAT_NAMES:
            base = path[:-2] if path.endswith("fm") and path != "rawfm" else path
            info = {"name": path, "classname": FORMAT_CLASSES.get(base, "ApiFormatBase"), "path": path,
                    "group": "format", "prefix": ""}
            prefix = ""
            name = path
        else:
            mod = self.module(path)
            assert mod is not None
            name = mod.name
            prefix = mod.prefix
            group = mod.group if path.startswith("query+") else "action"
            info = {"name": name, "classname": mod.classname or type(mod).__name__, "path": path,
                    "group": group, "prefix": prefix}
        info.update({
            "source": "wikigate", "sourcename": "wikigate", "licensetag": LICENSE_TAG,
            "licenselink": f"{server}{site.script_path}/index.php/Special:Version/License/wikigate",
        })
        if self.helpformat != "none":
            info["description"] = self.description(path, name, prefix)
        if path in FORMAT_NAMES:
            info["readrights"] = True
        if mod is not None:
            if mod.internal:
                info["internal"] = True
            if mod.deprecated:
                info["deprecated"] = True
            if mod.is_read and path != "main":
                info["readrights"] = True
            if mod.is_write:
                info["writerights"] = True
            if any(hasattr(mod, m) for m in ("generate", "generate_from", "generate_revids")):
                info["generator"] = True
            if mod.must_be_posted:
                info["mustbeposted"] = True
            if mod.dynamic_parameters:
                info["dynamicparameters"] = (self.text(f"apihelp-{path}-paramvalue-dynamic", (prefix, name, path))
                                             if self.helpformat != "none" else True)
        info["helpurls"] = Indexed(list(mod.help_urls) if mod is not None else [], "helpurl")
        if self.helpformat != "none" and mod is not None:
            info["examples"] = Indexed([
                {"query": q, "description": self.text(key, (prefix, name, path))}
                for q, key in mod.examples
            ], "example")
        info["parameters"] = Indexed(self.parameters(path, prefix, name), "param")
        info["templatedparameters"] = Indexed([], "param")
        return info

    def parameters(self, path: str, prefix: str, module_name: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for index, (pname, p) in enumerate(self.params_of(path).items(), start=1):
            item: dict[str, Any] = {"index": index, "name": pname}
            if self.helpformat != "none":
                key = p.help_key or f"apihelp-{path}-param-{pname}"
                # The shared token text names the token type ($1), as MediaWiki's does.
                args = (p.token_type,) if key == "api-help-param-token" else (prefix, pname, module_name, path)
                text = self.text(key, args)
                item["description"] = [text] if self.helpformat == "raw" else text
            item["type"] = self.type_of(p)
            item["required"] = p.required
            if p.sensitive:
                item["sensitive"] = True
            if p.deprecated:
                item["deprecated"] = True
            default = self.default_of(p)
            if default is not None:
                item["default"] = default
            item["multi"] = p.multi
            if p.multi:
                item["lowlimit"] = p.ismulti_limit1
                item["highlimit"] = p.ismulti_limit2
                item["limit"] = p.ismulti_limit2 if self.ctx.high_limits else p.ismulti_limit1
                if p.allow_duplicates:
                    item["allowsduplicates"] = True
                if p.all_value is not None:
                    item["allspecifier"] = p.all_value
                elif p.type == "namespace" and p.choices is not None:
                    item["allspecifier"] = "*"
            if p.type in ("integer", "limit"):
                if p.min is not None:
                    item["min"] = p.min
                if p.max is not None:
                    item["max"] = p.max
                    if p.type == "limit":
                        item["highmax"] = p.max2 if p.max2 is not None else p.max
            if p.type == "title":
                item["mustExist"] = False
            if p.type == "namespace" and p.extra_namespaces:
                item["extranamespaces"] = Indexed(sorted(p.extra_namespaces), "ns")
            if p.type == "user":
                item["subtypes"] = Indexed(list(p.user_types), "t")
            if p.token_type:
                item["tokentype"] = p.token_type
            if p.deprecated_values:
                item["deprecatedvalues"] = Indexed(list(p.deprecated_values), "v")
            if p.help_info:
                item["info"] = Indexed([{"name": n} for n in p.help_info], "i")
            sub = self.submodules_of(path, pname, p)
            if sub is not None:
                item["submodules"] = sub
                if path == "query" and pname == "generator":
                    item["submoduleparamprefix"] = "g"
            out.append(item)
        return out

    def type_of(self, p: Param) -> Any:
        if p.type in ("enum", "tags") or (p.type == "string" and p.choices is not None):
            return Indexed(_sorted_enum(p.choice_list(), p.deprecated_values), "t")
        return p.type

    def default_of(self, p: Param) -> Any:
        if p.type == "boolean" or p.default is None:
            return None
        if isinstance(p.default, list | tuple):
            return "|".join(str(x) for x in p.default)
        return p.default

    def submodules_of(self, path: str, pname: str, p: Param) -> dict[str, str] | None:
        if p.submodules is not None:
            return p.submodules
        if path == "main" and pname == "action":
            return {c: c for c in p.choice_list()}
        if path == "main" and pname == "format":
            return {c: c for c in p.choice_list()}
        if path == "query" and pname in (*QUERY_GROUPS, "generator"):
            return {c: f"query+{c}" for c in p.choice_list()}
        return None


def _sorted_enum(values: list[str], deprecated: tuple[str, ...]) -> list[str]:
    """EnumDef::sortEnumValues: deprecated values last, each part in natural order
    (PHP's SORT_NATURAL: runs of digits compare as numbers)."""
    def natural(v: str) -> list[Any]:
        return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", v) if part]

    return sorted(values, key=lambda v: (v in deprecated, natural(v)))


class ApiParamInfo(ApiModule):
    name = "paraminfo"
    classname = "ApiParamInfo"
    is_read = False
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Parameter_information"]
    examples = [
        ("action=paraminfo&modules=parse|phpfm|query+allpages|query+siteinfo",
         "apihelp-paraminfo-example-1"),
        ("action=paraminfo&modules=query+*", "apihelp-paraminfo-example-2"),
    ]

    def params(self) -> dict[str, Param]:
        reg = self.services.api_registry
        query_names = sorted({n for mods in reg.query.values() for n in mods})
        return {
            "modules": Param("string", multi=True),
            "helpformat": Param("enum", default="none", choices=("html", "none", "raw", "wikitext")),
            "querymodules": Param("enum", multi=True, deprecated=True, choices=query_names),
            "mainmodule": Param("string", deprecated=True),
            "pagesetmodule": Param("string", deprecated=True),
            "formatmodules": Param("enum", multi=True, deprecated=True, choices=FORMAT_NAMES),
        }

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        d = ModuleDescriber(ctx, p["helpformat"])
        out: dict[str, Any] = {"helpformat": p["helpformat"]}
        if p["modules"] is not None:
            mods: list[dict[str, Any]] = []
            for name in p["modules"]:
                paths, bad = d.resolve(name)
                if bad is not None:
                    parent, child = bad.split("|", 1)
                    ctx.add_warning(self.path, Message("apierror-badmodule-badsubmodule", (parent, child)),
                                    "badmodule")
                for path in paths:
                    mods.append(d.describe(path))
            if mods:
                out["modules"] = Indexed(mods, "module")
        if p["querymodules"] is not None:
            qm = []
            for name in p["querymodules"]:
                info = d.describe(f"query+{name}")
                info["querytype"] = d.group_of(name)
                qm.append(info)
            out["querymodules"] = Indexed(qm, "module")
        if p["mainmodule"] is not None:
            out["mainmodule"] = d.describe("main")
        if p["pagesetmodule"] is not None:
            out["pagesetmodule"] = self._pageset(d)
        if p["formatmodules"] is not None:
            out["formatmodules"] = Indexed([d.describe(f) for f in p["formatmodules"]], "module")
        ctx.result["paraminfo"] = out

    def _pageset(self, d: ModuleDescriber) -> dict[str, Any]:
        """ApiPageSet's parameters are the page-selecting ones of action=query."""
        full = d.describe("query")
        keep = ("titles", "pageids", "revids", "generator", "redirects", "converttitles")
        params = [dict(x) for x in full["parameters"] if x["name"] in keep]
        for i, x in enumerate(params, start=1):
            x["index"] = i
        info = {k: v for k, v in full.items() if k not in ("name", "path", "group", "parameters")}
        info["classname"] = "ApiPageSet"
        info["helpurls"] = Indexed([], "helpurl")
        info["parameters"] = Indexed(params, "param")
        return info
