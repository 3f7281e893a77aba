"""action=help: the HTML documentation page, also the default action (MediaWiki ApiHelp,
seed API:Main page).

The page is generated from the same declarations as action=paraminfo (``params()`` and
the ``apihelp-*`` messages, in ``uselang``), so help can never describe parameters the
server does not accept. Without ``wrap`` the answer is an HTML page with HTTP 200 and
``text/html`` whatever ``format`` says, as MediaWiki's; with ``wrap=1`` it is the usual
API result ``{"help": {"mime": "text/html", "filename": "api-help.html", "help": …}}``.
"""

from __future__ import annotations

import html
from typing import Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.modules.paraminfo import ModuleDescriber
from wikigate.api.params import Param
from wikigate.http.response import Response
from wikigate.i18n import Message


class ApiHelp(ApiModule):
    name = "help"
    classname = "ApiHelp"
    is_read = False
    help_urls = [
        "https://www.mediawiki.org/wiki/Special:MyLanguage/API:Main_page",
        "https://www.mediawiki.org/wiki/Special:MyLanguage/API:FAQ",
        "https://www.mediawiki.org/wiki/Special:MyLanguage/API:Quick_start_guide",
    ]
    examples = [
        ("action=help", "apihelp-help-example-main"),
        ("action=help&modules=query&submodules=1", "apihelp-help-example-submodules"),
        ("action=help&recursivesubmodules=1", "apihelp-help-example-recursive"),
        ("action=help&modules=help", "apihelp-help-example-help"),
        ("action=help&modules=query+userinfo|query+tokens", "apihelp-help-example-query"),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._page: str | None = None

    def params(self) -> dict[str, Param]:
        return {
            "modules": Param("string", multi=True, default="main"),
            "submodules": Param("boolean"),
            "recursivesubmodules": Param("boolean"),
            "wrap": Param("boolean"),
            "toc": Param("boolean"),
        }

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        d = ModuleDescriber(ctx, "html")
        paths: list[str] = []
        for name in p["modules"] or ["main"]:
            found, bad = d.resolve(name)
            if bad is not None:
                parent, child = bad.split("|", 1)
                ctx.add_warning(self.path, Message("apierror-badmodule-badsubmodule", (parent, child)),
                                "badmodule")
            paths.extend(found)
        ordered: list[tuple[str, int]] = []
        for path in paths:
            self._collect(d, path, 1, p["submodules"], p["recursivesubmodules"], ordered)
        page = self._render(d, ordered, toc=p["toc"])
        if p["wrap"]:
            ctx.result["help"] = {"mime": "text/html", "filename": "api-help.html", "help": page}
        else:
            self._page = page

    @property
    def custom_output(self) -> Any:
        """api/main prints the bare page instead of a formatted result (unless wrap=1)."""
        if self._page is None:
            return None
        return self._write

    def _write(self, resp: Response) -> None:
        resp.status = 200
        resp.content_type = "text/html; charset=utf-8"
        assert self._page is not None
        resp.body = self._page.encode("utf-8")

    def _collect(self, d: ModuleDescriber, path: str, level: int, sub: bool, recursive: bool,
                 out: list[tuple[str, int]]) -> None:
        out.append((path, level))
        if not (sub or recursive):
            return
        children = d.children(path if path in ("main", "query") else "")
        for child in children:
            self._collect(d, child, level + 1, False, recursive, out)

    def _render(self, d: ModuleDescriber, modules: list[tuple[str, int]], *, toc: bool) -> str:
        cat = self.services.catalog
        lang = self.ctx.uselang
        title = cat.plaintext(Message("api-help-title"), lang) if cat.exists("api-help-title", lang) \
            else "MediaWiki API help"
        parts: list[str] = []
        if toc and modules:
            items = "".join(f'<li><a href="#{html.escape(path)}">{html.escape(path)}</a></li>'
                            for path, _ in modules)
            parts.append(f'<div id="toc"><ul>{items}</ul></div>')
        for path, level in modules:
            parts.append(self._module_html(d, path, min(level + 1, 6)))
        site = self.services.settings.site
        return (
            f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="UTF-8">'
            f"<title>{html.escape(title)} – {html.escape(site.sitename)}</title></head>"
            f'<body class="mw-apihelp"><h1>{html.escape(title)}</h1>{"".join(parts)}</body></html>\n'
        )

    def _module_html(self, d: ModuleDescriber, path: str, hlevel: int) -> str:
        info = d.describe(path)
        label = "main" if path == "main" else f"{'action' if '+' not in path else info.get('group', '')}={info['name']}"
        out = [f'<div class="apihelp-block" id="{html.escape(path)}">',
               f'<h{hlevel}><span class="apihelp-module-name">{html.escape(label)}</span></h{hlevel}>']
        desc = info.get("description")
        if desc:
            out.append(f'<div class="apihelp-summary">{desc}</div>')
        flags = [k for k in ("readrights", "writerights", "mustbeposted", "deprecated", "internal") if info.get(k)]
        if flags:
            out.append('<ul class="apihelp-flags">' + "".join(
                f"<li>{html.escape(self._flag(f))}</li>" for f in flags) + "</ul>")
        params = info.get("parameters") or []
        if params:
            rows = []
            for prm in params:
                name = (info.get("prefix") or "") + prm["name"]
                meta = self._param_meta(prm)
                rows.append(f'<dt id="{html.escape(path)}:{html.escape(name)}">{html.escape(name)}</dt>'
                            f'<dd class="description">{prm.get("description", "")}</dd>'
                            f'<dd class="info">{meta}</dd>')
            out.append(f'<dl class="apihelp-parameters">{"".join(rows)}</dl>')
        examples = info.get("examples") or []
        if examples:
            script = self.services.settings.site.script_path + "/api.php"
            items = "".join(
                f'<dt>{ex["description"]}</dt><dd><a href="{html.escape(script)}?{html.escape(ex["query"])}">'
                f'api.php?{html.escape(ex["query"])}</a></dd>' for ex in examples)
            out.append(f'<dl class="apihelp-examples">{items}</dl>')
        out.append("</div>")
        return "".join(out)

    def _flag(self, flag: str) -> str:
        return {
            "readrights": "This module requires read rights.",
            "writerights": "This module requires write rights.",
            "mustbeposted": "This module only accepts POST requests.",
            "deprecated": "This module is deprecated.",
            "internal": "This module is internal or unstable.",
        }[flag]

    def _param_meta(self, prm: dict[str, Any]) -> str:
        bits: list[str] = []
        t = prm["type"]
        if isinstance(t, list):
            bits.append("One of the following values: " if not prm.get("multi") else "Values (separate with |): ")
            bits[-1] += ", ".join(html.escape(str(x)) if x != "" else "(empty)" for x in t)
        else:
            bits.append(f"Type: {html.escape(str(t))}")
        if prm.get("required"):
            bits.append("This parameter is required.")
        if prm.get("multi") and not isinstance(t, list):
            bits.append(f"Separate values with | or alternative. Maximum number of values is "
                        f"{prm.get('lowlimit')} ({prm.get('highlimit')} for clients that are allowed higher limits).")
        if "default" in prm:
            default = prm["default"]
            bits.append(f"Default: {html.escape(str(default))}" if default != "" else "Default: (empty)")
        return "<br>".join(bits)
