"""The flow engine's requests as an HTML form, and a submitted form back as requests.

The login and creation pages do not know which fields exist: they render whatever the
requests of the current step declare (username and password, a captcha, a two-factor
code, the new password after a temporary one, a provider's button) and load the
submission with the same all-or-nothing rule as the API (auth.requests).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wikigate.auth.requests import AuthenticationRequest, load_requests_from_submission, merge_field_info
from wikigate.http.request import Request
from wikigate.web.texts import texts_for
from wikigate.web.ui import PageContext

if TYPE_CHECKING:
    from wikigate.auth.flow import AuthManager

#: Fields whose label says it all (their help texts repeat the label).
_NO_HELP = {"username", "password", "retype", "email", "realname"}

_AUTOCOMPLETE_LOGIN = {"username": "username", "password": "current-password", "OATHToken": "one-time-code"}
_AUTOCOMPLETE_NEW = {"username": "username", "password": "new-password", "retype": "new-password",
                     "email": "email", "realname": "name"}


def form_fields(ctx: PageContext, reqs: list[AuthenticationRequest], *, new_credentials: bool,
                errors: dict[str, str] | None = None, first_focus: bool = True) -> list[dict[str, Any]]:
    """Template rows for the merged fields of ``reqs``; submitted values are kept for
    everything but secrets (a password is never echoed back into the page)."""
    params = ctx.request.params
    auto = _AUTOCOMPLETE_NEW if new_credentials else _AUTOCOMPLETE_LOGIN
    out: list[dict[str, Any]] = []
    focus_done = not first_focus
    for name, info in merge_field_info(reqs).items():
        value = info.value
        if not info.sensitive and info.type not in ("hidden", "null", "button") and name in params:
            value = params[name]
        row: dict[str, Any] = {
            "name": name, "id": f"wp-{name}", "type": info.type,
            "input_type": "password" if info.type == "password" else ("email" if name == "email" else "text"),
            "label": ctx.msg(info.label),
            "help": "" if name in _NO_HELP else ctx.msg(info.help),
            "optional": info.optional, "optional_text": texts_for(ctx.lang, "ui")["optional"],
            "value": value or "", "checked": info.type == "checkbox" and name in params,
            "options": [(k, ctx.msg(v)) for k, v in (info.options or {}).items()],
            "autocomplete": auto.get(name, ""),
            "error": (errors or {}).get(name, ""),
            "autofocus": False,
            # An image captcha's info is the address of its picture (Special:Captcha/image).
            "image": info.type == "null" and isinstance(value, str) and "Special:Captcha/image" in value,
        }
        if not focus_done and info.type in ("string", "password"):
            row["autofocus"] = True
            focus_done = True
        out.append(row)
    return out


def load_submission(request: Request, reqs: list[AuthenticationRequest]) -> list[AuthenticationRequest]:
    """Fill ``reqs`` from the POSTed form (only the fields they declare)."""
    fields = {name: info for r in reqs for name, info in r.fields().items()}
    # Secrets only from the POST body: a password in the query string ends up in logs
    # and browser history (the API's mustpostparams rule).
    data = {name: request.params[name] for name, info in fields.items()
            if name in request.params and not (info.sensitive and name in request.query_names)}
    # Checkboxes and buttons count as present when sent at all (auth.requests.load).
    return load_requests_from_submission(reqs, data)


def manager_for(ctx: PageContext) -> AuthManager:
    """The request's flow engine, built as api.php builds it (api/authmanager.make_manager);
    index.php never holds a bot-password session, so the user can always change."""
    site = ctx.services.settings.site
    manager: AuthManager = ctx.services.auth.manager(
        session=ctx.state.session, ip=ctx.request.client_ip, performer=ctx.user, can_set_user=True,
        now=ctx.now, base_url=(site.server or ctx.request.server) + site.script_path)
    return manager


def absolute(ctx: PageContext, url: str) -> str:
    """``url`` (a path this code built) on this server, for return URLs handed to providers."""
    return (ctx.services.settings.site.server or ctx.request.server) + url
