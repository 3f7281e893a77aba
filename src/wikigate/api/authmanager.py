"""What clientlogin, createaccount, authmanagerinfo (and link/change modules) share:
MediaWiki's ``ApiAuthManagerHelper`` — standard parameters, loading AuthenticationRequests
from the submitted fields, and formatting requests, fields and responses.

Field loading follows ``loadAuthenticationRequests``: the fields of every offered request
that were submitted are marked as used (others become "Unrecognized parameters"),
sensitive ones must come in the POST body (``mustpostparams``), and each request loads
all-or-nothing (auth/requests.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from wikigate.api.errors import ApiError
from wikigate.api.params import Param, _var_list
from wikigate.auth.requests import (
    AuthenticationRequest,
    AuthResponse,
    CreateFromLoginAuthenticationRequest,
    FieldInfo,
    load_requests_from_submission,
    merge_field_info,
)
from wikigate.i18n import Message, RawMessage, api_code_for_key

if TYPE_CHECKING:
    from wikigate.api.context import ApiContext
    from wikigate.auth.flow import AuthManager

MESSAGE_FORMATS = ("html", "wikitext", "raw", "none")

#: $wgUrlProtocols entries that need "//" after the colon, and those that do not.
_SLASH_PROTOCOLS = {"bitcoin", "ftp", "ftps", "git", "gopher", "http", "https", "irc", "ircs", "mms", "nntp",
                    "redis", "rtmp", "sftp", "ssh", "svn", "telnet", "worldwind"}
_NOSLASH_PROTOCOLS = {"geo", "magnet", "mailto", "matrix", "news", "sip", "sips", "sms", "tel", "urn", "xmpp"}


def standard_params(action: str, *names: str) -> dict[str, Param]:
    """``ApiAuthManagerHelper::getStandardParams`` (names without the module prefix)."""
    table: dict[str, Param] = {
        "requests": Param("string", multi=True, help_key="api-help-authmanagerhelper-requests"),
        "request": Param("string", required=True, help_key="api-help-authmanagerhelper-request"),
        "messageformat": Param("enum", default="wikitext", choices=MESSAGE_FORMATS,
                               help_key="api-help-authmanagerhelper-messageformat"),
        "mergerequestfields": Param("boolean", help_key="api-help-authmanagerhelper-mergerequestfields"),
        "preservestate": Param("boolean", help_key="api-help-authmanagerhelper-preservestate"),
        "returnurl": Param("string", help_key="api-help-authmanagerhelper-returnurl"),
        "continue": Param("boolean", help_key="api-help-authmanagerhelper-continue"),
    }
    return {n: table[n] for n in names}


def valid_return_url(url: str) -> bool:
    """``wfParseUrl`` accepts it and it has a scheme (absolute, not protocol-relative)."""
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):", url)
    if not m:
        return False
    scheme = m.group(1).lower()
    if scheme in _SLASH_PROTOCOLS:
        try:
            parts = urlsplit(url)
        except ValueError:
            return False
        return url[len(scheme) + 1:].startswith("//") and bool(parts.netloc)
    return scheme in _NOSLASH_PROTOCOLS and len(url) > len(scheme) + 1


def check_return_url(ctx: ApiContext, prefix: str, p: dict[str, Any]) -> None:
    """requireAtLeastOneParameter(continue, returnurl) and the absolute-URL rule."""
    if not p["continue"] and p["returnurl"] is None:
        names = [prefix + "continue", prefix + "returnurl"]
        raise ApiError("apierror-missingparam-at-least-one-of", [_var_list(names), len(names)],
                       code="missingparam")
    url = p["returnurl"]
    if url is not None and not valid_return_url(url):
        name = prefix + "returnurl"
        raise ApiError("apierror-badurl", [name, url], code=f"badurl_{name}")


def make_manager(ctx: ApiContext) -> AuthManager:
    state = ctx.state
    assert state is not None
    # Bot-password sessions (and requests that ignore credentials) cannot change user.
    can_set_user = state.provider != "botpassword" and not state.suppressed
    server = ctx.services.settings.site.server or ctx.request.server
    manager: AuthManager = ctx.services.auth.manager(
        session=state.session, ip=ctx.request.client_ip, performer=ctx.user, can_set_user=can_set_user,
        now=ctx.now, base_url=server + ctx.services.settings.site.script_path)
    return manager


async def load_requests(ctx: ApiContext, manager: AuthManager, action: str,
                        wanted: list[str] | None) -> list[AuthenticationRequest]:
    reqs = await manager.get_authentication_requests(action, ctx.user)
    if wanted is not None:
        keep = set(wanted)
        reqs = [r for r in reqs if r.unique_id in keep]
    fields: dict[str, FieldInfo] = {}
    sensitive: list[str] = []
    for r in reqs:
        for name, info in r.fields().items():
            if name not in fields:
                fields[name] = info
                if info.sensitive:
                    sensitive.append(name)
    data: dict[str, str] = {}
    for name in fields:
        if name in ctx.params:
            data[name] = ctx.params[name]
            ctx.used.add(name)
    if sensitive:
        ctx.require_posted(sensitive)
    return load_requests_from_submission(reqs, data)


class Formatter:
    """Renders messages, requests and responses in the module's ``messageformat``."""

    def __init__(self, ctx: ApiContext, message_format: str, merge: bool) -> None:
        self.ctx = ctx
        self.format = message_format
        self.merge = merge
        self.catalog = ctx.services.catalog

    def _flatten(self, msg: Message) -> Message:
        """Status::getMessage hands nested messages over as texts (raw format shows strings)."""
        if any(isinstance(p, Message) for p in msg.params):
            params = tuple(self.catalog.wikitext(p, self.ctx.uselang) if isinstance(p, Message) else p
                           for p in msg.params)
            return RawMessage(msg.key, params) if isinstance(msg, RawMessage) else Message(msg.key, params)
        return msg

    def put(self, out: dict[str, Any], key: str, msg: Message) -> None:
        msg = self._flatten(msg)
        lang = self.ctx.uselang
        if self.format == "wikitext":
            out[key] = self.catalog.wikitext(msg, lang)
        elif self.format == "html":
            out[key] = self.catalog.html(msg, lang)
        elif self.format == "raw":
            out[key] = dict(self.catalog.raw(msg))

    def fields(self, fields: dict[str, FieldInfo]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, info in fields.items():
            f: dict[str, Any] = {"type": info.type}
            if info.value is not None:
                f["value"] = info.value
            if info.options is not None:
                f["options"] = {k: self.catalog.wikitext(v, self.ctx.uselang) for k, v in info.options.items()}
            self.put(f, "label", info.label)
            self.put(f, "help", info.help)
            f["optional"] = bool(info.optional)
            f["sensitive"] = bool(info.sensitive)
            out[name] = f
        return out

    def requests(self, reqs: list[AuthenticationRequest]) -> dict[str, Any]:
        out: dict[str, Any] = {"requests": []}
        for r in reqs:
            provider, account = r.describe()
            info: dict[str, Any] = {"id": r.unique_id, "metadata": dict(r.metadata()), "required": r.required}
            self.put(info, "provider", provider)
            self.put(info, "account", account)
            if not self.merge:
                info["fields"] = self.fields(r.fields())
            out["requests"].append(info)
        if self.merge:
            out["fields"] = self.fields(merge_field_info(reqs))
        return out

    def response(self, res: AuthResponse) -> dict[str, Any]:
        out: dict[str, Any] = {"status": res.status}
        if res.status == AuthResponse.PASS and res.username is not None:
            out["username"] = res.username
        if res.status == AuthResponse.REDIRECT:
            out["redirecttarget"] = res.redirect_target
            if res.redirect_data is not None:
                out["redirectdata"] = res.redirect_data
        if res.status in (AuthResponse.REDIRECT, AuthResponse.UI, AuthResponse.RESTART):
            # The preserved login state rides along in a RESTART for the engine's sake;
            # clients are not shown it (ApiClientLogin blacklists it too).
            out.update(self.requests([r for r in res.needed
                                      if not isinstance(r, CreateFromLoginAuthenticationRequest)]))
        if res.status in (AuthResponse.FAIL, AuthResponse.UI, AuthResponse.RESTART):
            msg = res.message or Message("authmanager-authn-no-primary")
            self.put(out, "message", msg)
            out["messagecode"] = api_code_for_key(msg.key, msg.params)
        if res.status in (AuthResponse.FAIL, AuthResponse.RESTART):
            out["canpreservestate"] = res.create_request is not None
        if res.status == AuthResponse.FAIL and res.retry_after is not None:
            # Beyond MediaWiki: a throttled login says how long to wait, as a number (the
            # message gives only the whole window, in words), and as Retry-After.
            out["wait"] = res.retry_after
            self.ctx.response.set_header("Retry-After", str(res.retry_after))
        return out

