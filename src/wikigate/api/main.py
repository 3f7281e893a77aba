"""api.php: dispatch, main parameters, formats, errorformat, asserts, tokens, CORS.

The order of checks decides which error a client sees, so it follows MediaWiki 1.39's
``ApiMain::executeAction`` step by step (spec api-main.md §3):

1. requested fields (requestid, curtimestamp, responselanginfo) — they survive errors;
2. main parameters; 3. assert/assertuser; 4. module parameters in declaration order;
5. token (missing → missingparam, in the query string → mustpostparams, wrong → badtoken);
6. read/write permissions; 7. maxlag; 8. HTTP method (405) then mustbeposted;
9. execute; 10. unused-parameter warning.
"""

from __future__ import annotations

import logging
import secrets
import socket
from typing import Any

from wikigate.api.base import ApiModule, Registry
from wikigate.api.context import ApiContext
from wikigate.api.errors import ApiError, backend_unavailable
from wikigate.api.output import (
    ContentKey,
    Indexed,
    encode_json,
    encode_php,
    encode_xml,
    for_version,
    pretty_html,
)
from wikigate.api.params import Param, validate_param
from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
from wikigate.http.request import Request
from wikigate.http.response import Response
from wikigate.http.session_cookies import SessionCookies
from wikigate.i18n import Message, Plaintext, normalize_lang
from wikigate.services import Services
from wikigate.storage.errors import outage_kind
from wikigate.storage.sql.database import bounded_transactions
from wikigate.util.clock import iso_timestamp

log = logging.getLogger("wikigate.api")

FORMATS = ("json", "jsonfm", "none", "php", "phpfm", "rawfm", "xml", "xmlfm")
ERRORFORMATS = ("bc", "html", "none", "plaintext", "raw", "wikitext")
#: Parameters each printer reads (never reported as unrecognized for that printer).
PRINTER_PARAMS: dict[str, tuple[str, ...]] = {
    "json": ("callback", "utf8", "ascii", "formatversion"),
    "php": ("formatversion",),
    "xml": ("xslt", "includexmlnamespace"),
    "rawfm": ("wrappedhtml",),
    "none": (),
}
CORS_EXPOSE = "MediaWiki-API-Error, Retry-After, X-Database-Lag, MediaWiki-Login-Suppressed"
ALLOWED_CORS_HEADERS = {
    "accept", "accept-language", "content-language", "content-type", "accept-encoding", "dnt",
    "origin", "user-agent", "api-user-agent", "access-control-max-age", "authorization",
}
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "php": "application/vnd.php.serialized; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
    "none": "text/plain; charset=utf-8",
}


def main_params(registry: Registry) -> dict[str, Param]:
    return {
        "action": Param("enum", default="help", choices=lambda: list(registry.actions)),
        "format": Param("enum", default="jsonfm", choices=FORMATS),
        "maxlag": Param("integer"),
        "smaxage": Param("integer", default=0),
        "maxage": Param("integer", default=0),
        "assert": Param("enum", choices=("anon", "bot", "user")),
        "assertuser": Param("user"),
        "requestid": Param("string"),
        "servedby": Param("boolean"),
        "curtimestamp": Param("boolean"),
        "responselanginfo": Param("boolean"),
        "origin": Param("string"),
        "uselang": Param("string", default="user"),
        "variant": Param("string"),
        "errorformat": Param("enum", default="bc", choices=ERRORFORMATS),
        "errorlang": Param("string", default="uselang"),
        "errorsuselocal": Param("boolean"),
    }


def printer_params(fmt: str) -> dict[str, Param]:
    base = fmt[:-2] if fmt.endswith("fm") and fmt != "rawfm" else fmt
    if base == "json":
        return {
            "callback": Param("string"),
            "utf8": Param("boolean"),
            "ascii": Param("boolean"),
            "formatversion": Param("enum", default="1", choices=("1", "2", "latest")),
        }
    if base == "php":
        return {"formatversion": Param("enum", default="1", choices=("1", "2", "latest"))}
    if base == "xml":
        return {"xslt": Param("string"), "includexmlnamespace": Param("boolean")}
    if base == "rawfm":
        return {"wrappedhtml": Param("boolean")}
    return {}


def internal_error(e: Exception, request: Request) -> ApiError:
    """An unexpected exception as MediaWiki 1.39 reports it with ``$wgShowExceptionDetails``
    off: ``[<reqid>] Caught exception of type <Class>`` and ``errorclass`` in the data,
    never the exception's message (it can hold SQL, paths or user data). The message and
    traceback go to the server log under the same request id, so an operator can find it."""
    reqid = secrets.token_hex(12)
    kind = outage_kind(e)
    if kind is not None:
        # A backend outage is expected, not a bug: one line per request, no traceback,
        # and an answer the client can act on (503, Retry-After).
        log.error("backend unavailable (%s) for request %s action=%s: %s: %s",
                  kind, reqid, request.params.get("action", "")[:100], type(e).__name__, e)
        return backend_unavailable(kind, reqid)
    cls = type(e).__name__
    log.error("[%s] internal error in action=%s: %s: %s", reqid, request.params.get("action", "")[:100],
              cls, e, exc_info=e)
    return ApiError("apierror-exceptioncaughttype", [reqid, Plaintext(cls)], code=f"internal_api_error_{cls}",
                    data={"errorclass": cls})


class ApiMain:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.registry = services.api_registry
        self.cookies = SessionCookies(services)
        self.main_params = main_params(self.registry)
        self.hostname = services.settings.site.server_name or socket.gethostname()

    # -- entry point ---------------------------------------------------------------------

    async def handle(self, request: Request) -> Response:
        response = Response()
        response.headers += [
            ("Cache-Control", "private, must-revalidate, max-age=0"),
            ("X-Content-Type-Options", "nosniff"),
            ("X-Frame-Options", "DENY"),
            ("Vary", "Accept-Encoding,Treat-as-Untrusted,Cookie"),
        ]
        ctx = ApiContext(self.services, request, response)
        if not self._cors(ctx):
            return response
        if request.method == "OPTIONS":
            response.content_type = "text/html; charset=utf-8"
            return response
        module: ApiModule | None = None
        error: ApiError | None = None
        try:
            with bounded_transactions():  # a frozen database fails the request, never hangs it
                module = await self._execute(ctx)
        except ApiError as e:
            error = e
        except Exception as e:
            error = internal_error(e, request)
        try:
            with bounded_transactions():
                await self._finish_session(ctx)
        except Exception as e:
            kind = outage_kind(e)
            if kind is None:
                log.exception("could not save the session")
            elif error is None and not (module is not None and module.is_write):
                # The answer depends on the session (a token, a login): handing it out
                # unsaved would give the client something that cannot work.
                module = None
                for key in [k for k in ctx.result if k not in ("requestid", "curtimestamp", "uselang",
                                                                "errorlang")]:
                    del ctx.result[key]
                error = internal_error(e, request)
            else:
                # A write module's change is committed and does not need the session;
                # answering an error now would make the client retry a done action.
                log.error("session not saved after action=%s (%s unavailable): %s: %s",
                          request.params.get("action", ""), kind, type(e).__name__, e)
        self._print(ctx, module, error)
        return response

    # -- CORS ----------------------------------------------------------------------------

    def _cors(self, ctx: ApiContext) -> bool:
        origin_param = ctx.params.get("origin")
        if origin_param is None:
            return True
        req, resp = ctx.request, ctx.response
        if origin_param == "*":
            resp.set_header("Access-Control-Allow-Origin", "*")
            resp.set_header("Access-Control-Allow-Credentials", "false")
            ctx.anonymized = True
        else:
            header = req.header("origin")
            if header is None or origin_param != header.strip():
                resp.status = 403
                resp.set_header("Cache-Control", "no-cache")
                resp.content_type = "text/html; charset=utf-8"
                resp.body = b"'origin' parameter does not match Origin header\n"
                return False
            resp.set_header("Vary", "Accept-Encoding,Treat-as-Untrusted,Cookie,Origin")
            resp.set_header("MediaWiki-CORS-Rejection", "Origin mismatch")
            return True
        if req.method == "OPTIONS" and req.header("access-control-request-method"):
            resp.set_header("Access-Control-Allow-Methods", "POST, GET, HEAD")
            wanted = req.header("access-control-request-headers")
            if wanted:
                names = [h.strip().lower() for h in wanted.split(",") if h.strip()]
                if all(n in ALLOWED_CORS_HEADERS for n in names):
                    resp.set_header("Access-Control-Allow-Headers", wanted)
        else:
            resp.set_header("Access-Control-Expose-Headers", CORS_EXPOSE)
        return True

    # -- the pipeline --------------------------------------------------------------------

    async def _execute(self, ctx: ApiContext) -> ApiModule:
        req = ctx.request
        # errorformat/formatversion first so that even errors in other main params render right.
        ef = req.params.get("errorformat", "bc")
        ctx.errorformat = ef if ef in ERRORFORMATS else "bc"
        fmt = req.params.get("format", "jsonfm")
        ctx.format = fmt if fmt in FORMATS else "jsonfm"
        fv = req.params.get("formatversion", "1")
        ctx.fv = 2 if fv in ("2", "latest") and ctx.format.rstrip("fm") in ("json", "php") else 1
        # ApiMain::lacksSameOriginSecurity: a JSONP callback makes any request anonymous,
        # whatever the format (a page could load a logged-in XML answer with it otherwise).
        if "callback" in req.params:
            ctx.anonymized = True
        if req.header("treat-as-untrusted") is not None:
            ctx.anonymized = True

        # 1. requested fields
        if "requestid" in req.params:
            ctx.result["requestid"] = ctx.get_raw("requestid")
        if "servedby" in req.params:
            ctx.used.add("servedby")
        if "curtimestamp" in req.params:
            ctx.used.add("curtimestamp")
            ctx.result["curtimestamp"] = iso_timestamp(ctx.now)

        # Session and user (credentials are ignored for origin=*, JSONP, Treat-as-Untrusted).
        ctx.state = await self.cookies.resolve(req, suppressed=ctx.anonymized)
        ctx.set_user(ctx.state.user)
        if ctx.anonymized:
            ctx.response.set_header("MediaWiki-Login-Suppressed", "true")

        # MediaWiki picks uselang/errorlang in ApiMain's constructor, from the raw values, so
        # that even errors in the main parameters (action=foo) are in the asked language.
        await self._languages(ctx, {"uselang": req.params.get("uselang", "user"),
                                    "errorlang": req.params.get("errorlang", "uselang")})

        # 2. main parameters
        p: dict[str, Any] = {}
        for name, spec in self.main_params.items():
            p[name] = validate_param(ctx, "main", name, spec)
        for name, spec in printer_params(p["format"]).items():
            try:
                validate_param(ctx, p["format"], name, spec)
            except ApiError as e:
                # MediaWiki's printer fails while printing the error, reports why as a warning of
                # the format module and retries without its parameters (so fv1 output).
                ctx.add_warning(p["format"], e.message, e.code)
                ctx.add_warning("main", Message("apiwarn-errorprinterfailed"), "errorprinterfailed")
                raise
        if "responselanginfo" in req.params:
            ctx.result["uselang"] = ctx.uselang
            # The bc error formatter always speaks English (ApiErrorFormatter_BackCompat).
            ctx.result["errorlang"] = "en" if ctx.errorformat == "bc" else ctx.errorlang

        # 3. asserts
        self._check_asserts(ctx, p)

        # 4./5. module parameters and token
        action = p["action"]
        cls = self.registry.actions.get(action)
        if cls is None:
            raise ApiError("apierror-unknownaction", [action], code="unknown_action")
        module = cls(ctx)
        ctx.module_path = module.path  # parameter and token errors name the module
        values = module.extract_params()
        if module.needs_token:
            ctx.require_posted([module.prefix + "token"])
            if not ctx.check_token(module.needs_token, values["token"]):
                raise ApiError("apierror-badtoken", code="badtoken")

        # 6.-8. are ApiMain's own checks: their errors name "main", as MediaWiki's do.
        ctx.module_path = "main"

        # 6. permissions
        if module.is_read and not ctx.has_right("read"):
            raise ApiError("apierror-readapidenied", module="main")
        if module.is_write:
            if not ctx.has_right("writeapi"):
                raise ApiError("apierror-writeapidenied", module="main")
            if req.header("promise-non-write-api-action"):
                raise ApiError("apierror-promised-nonwrite-api", module="main")
            if self.services.settings.site.read_only:
                raise ApiError("apierror-readonly", module="main",
                               data={"readonlyreason": self.services.settings.site.read_only})

        # 7. maxlag: a single database server reports a lag of -1, as MediaWiki does.
        if p["maxlag"] is not None and module.allows_maxlag and p["maxlag"] < -1:
            lag = -1
            raise ApiError("apierror-maxlag-generic", [lag], code="maxlag", module="main",
                           data={"host": "", "lag": lag, "type": "db"},
                           headers={"Retry-After": str(max(p["maxlag"], 5)), "X-Database-Lag": str(lag)})

        # 8. method
        if req.method not in ("GET", "HEAD", "POST", "OPTIONS"):
            raise ApiError("apierror-invalidmethod", status=405, module="main")
        if module.must_be_posted and not req.was_posted:
            raise ApiError("apierror-mustbeposted", [action], code="mustbeposted", module="main")
        if req.was_posted and not req.header("content-type"):
            ctx.add_deprecation("main", Message("apiwarn-deprecation-post-without-content-type"),
                                "post-without-content-type")

        # 9. execute: account-security operations never run in a bot-password session
        # (auth/containment.py; refused after the token check, so a forged request cannot
        # fill the audit log).
        ctx.module_path = module.path
        if module.account_security and module.account_security_applies(values):
            try:
                await refuse_in_bot_session(self.services, ctx.state.session if ctx.state else None,
                                            ctx.user, req.client_ip, module.account_security)
            except BotSessionRefused:
                module.refused_in_bot_session(values)
                self._report_unused(ctx, p["format"], module)
                return module
        await module.execute(values)

        # 10. unrecognized parameters
        self._report_unused(ctx, p["format"], module)
        return module

    async def _languages(self, ctx: ApiContext, p: dict[str, Any]) -> None:
        site_lang = self.services.settings.site.language
        uselang = p["uselang"]
        if uselang == "user":
            lang = site_lang
            if not ctx.is_anon:
                opts = await self.services.users.get_options(ctx.user.id)
                lang = opts.get("language") or site_lang
        elif uselang == "content":
            lang = site_lang
        else:
            lang = uselang
        ctx.uselang = normalize_lang(lang, site_lang)
        el = p["errorlang"]
        if el == "uselang":
            ctx.errorlang = ctx.uselang
        elif el == "content":
            ctx.errorlang = normalize_lang(site_lang, "en")
        else:
            ctx.errorlang = normalize_lang(el, ctx.uselang)

    def _check_asserts(self, ctx: ApiContext, p: dict[str, Any]) -> None:
        a = p["assert"]
        if a == "anon" and not ctx.is_anon:
            raise ApiError("apierror-assertanonfailed")
        if a == "user" and ctx.is_anon:
            raise ApiError("apierror-assertuserfailed")
        if a == "bot" and not ctx.has_right("bot"):
            raise ApiError("apierror-assertbotfailed")
        au = p["assertuser"]
        if au is not None and au != ctx.user.name:
            raise ApiError("apierror-assertnameduserfailed", [au])

    def _report_unused(self, ctx: ApiContext, fmt: str, module: ApiModule) -> None:
        allowed = set(PRINTER_PARAMS.get(fmt[:-2] if fmt.endswith("fm") and fmt != "rawfm" else fmt, ()))
        # The names in PHP's order ($_POST + $_GET), keyed by position as array_diff
        # leaves them (the raw errorformat prints the keys), and a plain count.
        query = ctx.request.query_names
        names = [n for n in ctx.params if n not in query] + [n for n in ctx.params if n in query]
        unused = [(i, n) for i, n in enumerate(names) if n not in ctx.used and n not in allowed]
        if unused:
            from wikigate.i18n import ListParam

            keys = tuple(i for i, _ in unused)
            listed = ListParam(tuple(n for _, n in unused), "comma",
                               keys=None if keys == tuple(range(len(keys))) else keys)
            ctx.add_warning("main", Message("apierror-unrecognizedparams", (listed, len(unused))),
                            "unrecognizedparams")

    async def _finish_session(self, ctx: ApiContext) -> None:
        state = ctx.state
        if state is None or state.suppressed:
            return
        await self.services.sessions.save(state.session, now=ctx.now)
        self.cookies.apply(state, ctx.request, ctx.response)

    # -- output --------------------------------------------------------------------------

    def docref(self, ctx: ApiContext) -> str:
        cat = self.services.catalog
        url = self.services.settings.site.server or ctx.request.server
        url = url + self.services.settings.site.script_path + "/api.php"
        # The docref is always the unparsed message text (entities stay escaped), in English
        # for bc and in errorlang otherwise, whatever the errorformat.
        lang = "en" if ctx.errorformat == "bc" else ctx.errorlang
        parts = [Message("api-usage-docref", (url,)), Message("api-usage-mailinglist-ref")]
        return " ".join(cat.wikitext(m, lang) for m in parts)

    def _render_warnings(self, ctx: ApiContext, out: dict[str, Any]) -> None:
        if not ctx.warnings:
            return
        cat = self.services.catalog
        if ctx.errorformat == "bc":
            by_module: dict[str, list[str]] = {}
            for w in ctx.warnings:
                # bc names query submodules by name ("tokens"), the others by path.
                by_module.setdefault(w.module.rsplit("+", 1)[-1], []).append(cat.bc(w.message))
            # Each new module is added on top (ApiErrorFormatter_BackCompat, ADD_ON_TOP).
            out["warnings"] = {m: {ContentKey("warnings"): "\n".join(t)} for m, t in reversed(by_module.items())}
            return
        items = []
        for w in ctx.warnings:
            item: dict[str, Any] = {"code": w.code}
            item.update(ctx.message_fields(w.message))
            if w.data:
                item["data"] = w.data
            item["module"] = w.module
            items.append(item)
        out["warnings"] = Indexed(items, "warning")

    def _render_error(self, ctx: ApiContext, error: ApiError, module: ApiModule | None) -> dict[str, Any]:
        cat = self.services.catalog
        mpath = error.module or (module.path if module is not None else ctx.module_path)
        if ctx.errorformat == "bc":
            err: dict[str, Any] = {"code": error.code, "info": cat.bc(error.message)}
            err.update(error.data)
            err[ContentKey("docref")] = self.docref(ctx)
            return {"error": err}
        items: list[dict[str, Any]] = []
        # A permission check can fail for several reasons; non-bc formats list them all,
        # each distinct answer once (ApiErrorFormatter::addWarningOrError).
        for e in (error, *error.also):
            item: dict[str, Any] = {"code": e.code}
            item.update(ctx.message_fields(e.message))
            if e.data:
                item["data"] = e.data
            item["module"] = mpath
            if item not in items:
                items.append(item)
        return {"errors": Indexed(items, "error"), ContentKey("docref"): self.docref(ctx)}

    def _print(self, ctx: ApiContext, module: ApiModule | None, error: ApiError | None) -> None:
        resp = ctx.response
        if module is not None and error is None and getattr(module, "custom_output", None) is not None:
            module.custom_output(resp)  # type: ignore[attr-defined]
            return
        body: dict[str, Any] = {}
        if error is not None:
            resp.status = error.status
            # Every distinct code of the answer, in order (ApiMain::substituteResultWithError).
            codes = list(dict.fromkeys(e.code for e in (error, *error.also)))
            resp.set_header("MediaWiki-API-Error", ", ".join(codes))
            for k, v in error.headers.items():
                resp.set_header(k, v)
            # requested fields survive, then warnings, then the error.
            for k in ("requestid", "curtimestamp", "uselang", "errorlang"):
                if k in ctx.result:
                    body[k] = ctx.result[k]
            self._render_warnings(ctx, body)
            body.update(self._render_error(ctx, error, module))
        else:
            head: dict[str, Any] = {k: ctx.result.pop(k) for k in ("requestid", "curtimestamp", "uselang", "errorlang")
                    if k in ctx.result}
            body.update(head)
            # ApiQuery adds batchcomplete/continue "on top", before any warning.
            for k in ("batchcomplete", "continue"):
                if k in ctx.result:
                    body[k] = ctx.result.pop(k)
            self._render_warnings(ctx, body)
            body.update(ctx.result)
        self._serialize(ctx, body)

    def _serialize(self, ctx: ApiContext, body: dict[str, Any]) -> None:
        resp = ctx.response
        fmt = ctx.format
        base = fmt[:-2] if fmt.endswith("fm") else fmt
        params = ctx.params
        disposition_ext = {"json": "json", "xml": "xml", "php": "php", "none": "txt", "raw": "txt"}
        if base == "none":
            resp.content_type = CONTENT_TYPES["none"]
            resp.body = b""
            return
        data = for_version(body, ctx.fv) if base in ("json", "php") else body
        if base == "json":
            text = encode_json(data, fv=ctx.fv, utf8="utf8" in params, ascii="ascii" in params,
                               pretty=fmt.endswith("fm"))
            callback = params.get("callback")
            if callback is not None and not fmt.endswith("fm"):
                safe = "".join(c for c in callback if c.isalnum() or c in "_.[]$")
                text = f"/**/{safe}({text})"
                resp.content_type = "text/javascript; charset=utf-8"
                ext = "js"
            else:
                resp.content_type = CONTENT_TYPES["json"]
                ext = "json"
        elif base == "php":
            text = encode_php(data)
            resp.content_type = CONTENT_TYPES["php"]
            ext = "php"
        elif base == "raw":
            text = encode_json(for_version(body, ctx.fv), fv=ctx.fv, utf8=True, ascii=False, pretty=True)
            ext = "txt"
        else:
            text = encode_xml(body, namespace="includexmlnamespace" in params)
            resp.content_type = CONTENT_TYPES["xml"]
            ext = disposition_ext["xml"]
        if fmt.endswith("fm"):
            resp.content_type = "text/html; charset=utf-8"
            server = self.services.settings.site.server or ctx.request.server
            text = pretty_html(text, base, server + self.services.settings.site.script_path)
            ext = "html"
        resp.set_header("Content-Disposition", f"inline; filename=api-result.{ext}")
        resp.body = text.encode("utf-8")
