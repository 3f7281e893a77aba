"""The one look and the plumbing every HTML page shares.

* Templates: Jinja2 with autoescape (``templates/base.html``); the stylesheet is inlined
  and allowed by its hash in the Content-Security-Policy, so no page can run a script
  (there is none) and no injected ``<style>``/``<script>`` would be obeyed.
* Language: ``uselang``, then the user's ``language`` preference, then the site default;
  one of :data:`LANGUAGES`, else English.
* CSRF: every form carries the session's csrf token (``wpEditToken``), checked in
  constant time (auth.tokens.check_token) before any change.
* ``returnto``: a *title*, never a URL; redirects are built from it as
  ``index.php?title=…`` on this server, so there is no open redirect.
* Session: resolved once per request with the same code api.php uses
  (http.session_cookies), saved and its cookies emitted once at the end.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

import jinja2
import markupsafe

from wikigate.auth import tokens as tok
from wikigate.http.request import Request
from wikigate.http.response import Response
from wikigate.http.session_cookies import SessionState
from wikigate.i18n import Message
from wikigate.pages.namespaces import Namespaces
from wikigate.pages.titles import InvalidTitle, parse_title
from wikigate.users.model import User
from wikigate.web import WebPage
from wikigate.web.texts import texts_for

ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("wikigate.web", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    # Compiled once (preload_templates at start-up), never re-read from disk: a package
    # reinstalled under a running server must not break the pages.
    auto_reload=False,
)


def preload_templates() -> None:
    """Compile every page template now (start-up), so no request reads the package."""
    for name in ENV.list_templates():
        ENV.get_template(name)

CSS = (files("wikigate.web") / "static" / "site.css").read_text(encoding="utf-8")
# Our own file, inserted verbatim: escaping it would break both the CSS (quotes) and the
# hash the CSP allows it by.
_CSS_MARKUP = markupsafe.Markup(CSS)
_CSS_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()

#: No script at all, only our own stylesheet (by hash), forms only to ourselves, never framed.
CSP = (f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")

#: The policy of a page that loads our own scripts (web/static/*.js) and lets them call
#: api.php: scripts and fetches from this server only, still no inline script.
CSP_WITH_SCRIPTS = CSP + "; script-src 'self'; connect-src 'self'"

#: Our scripts, read once (served at ``/static/<name>`` by :func:`static_response`).
SCRIPTS: dict[str, bytes] = {
    f.name: f.read_bytes() for f in (files("wikigate.web") / "static").iterdir()
    if f.name.endswith(".js")
}

SECURITY_HEADERS: list[tuple[str, str]] = [
    ("Content-Security-Policy", CSP),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Cache-Control", "private, no-cache, no-store, max-age=0"),
]

#: Languages the pages speak, with their own names (the language links in the footer).
LANGUAGES: tuple[tuple[str, str], ...] = (("en", "English"), ("de", "Deutsch"), ("tr", "Türkçe"))
_CODES = {code for code, _ in LANGUAGES}

#: The form field carrying the csrf token (MediaWiki's name on its special pages).
TOKEN_FIELD = "wpEditToken"


def pick_language(uselang: str | None, preference: str | None, site_default: str) -> str:
    """``uselang``, then the user's preference, then the site default; each only if we speak it."""
    for candidate in (uselang, preference, site_default):
        code = (candidate or "").strip().lower()
        if code in _CODES:
            return code
    return "en"


def with_security_headers(response: Response, lang: str | None = None) -> Response:
    names = {k.lower() for k, _ in response.headers}
    for k, v in SECURITY_HEADERS:
        if k.lower() not in names:
            response.headers.append((k, v))
    if lang is not None and "content-language" not in names:
        response.headers.append(("Content-Language", lang))
    return response


def static_response(name: str) -> Response:
    """``/static/<name>``: one of our scripts (immutable per release), or 404."""
    body = SCRIPTS.get(name)
    if body is None:
        return Response(status=404, content_type="text/plain; charset=utf-8", body=b"Not found.\n")
    return Response(status=200, content_type="text/javascript; charset=utf-8", body=body,
                    headers=[("Cache-Control", "public, max-age=3600"), ("X-Content-Type-Options", "nosniff")])


def local_title(value: str | None, namespaces: Namespaces) -> str | None:
    """The prefixed title ``value`` names on this wiki, or None (empty, invalid, interwiki).

    Used for ``returnto``: only a title is accepted, and the redirect is made from the
    parsed title, so ``//evil.example``, ``https://…`` or ``javascript:`` cannot leave the site."""
    if not value or len(value) > 512:
        return None
    try:
        title = parse_title(value, namespaces)
    except InvalidTitle:
        return None
    if title.interwiki or not title.dbkey:
        return None
    return title.prefixed_text


_WIKILINK = re.compile(r"\[\[([^\[\]|]*)(?:\|([^\[\]]*))?\]\]")


@dataclass
class PageContext:
    """One request of an HTML page: who, in which language, and the helpers to answer."""

    page: HtmlPage
    request: Request
    state: SessionState
    lang: str
    t: dict[str, str]
    base: str
    #: The sub-page part of the title (``Special:BotPasswords/<app>``), or for the main
    #: page the title that has no page here.
    subpage: str | None = None
    #: Someone else changed this user's talk page since they last looked (the header says so).
    new_messages: bool = False

    @property
    def services(self) -> Any:
        return self.page.services

    @property
    def user(self) -> User:
        return self.state.user

    @property
    def now(self) -> float:
        return float(self.services.clock.time())

    def rights(self) -> set[str]:
        svc = self.services
        groups = svc.rights.effective_groups(self.user, svc.clock.time())
        return set(svc.rights.rights_for_groups(groups))

    def changeable_groups(self) -> dict[str, list[str]]:
        """Groups this (never bot-password) session may add and remove (Rights.changeable_groups)."""
        svc = self.services
        groups = svc.rights.effective_groups(self.user, svc.clock.time())
        result: dict[str, list[str]] = svc.rights.changeable_groups(groups, svc.rights.rights_for_groups(groups))
        return result

    def two_factor_available(self) -> bool:
        from wikigate.auth.oath import OathService

        return isinstance(self.services.oath, OathService)

    def msg(self, message: Message) -> str:
        """A catalogue message as plain text (the template escapes it); wiki links keep
        only their label (``[[Project:Administrators|Administrators]]`` → Administrators)."""
        text: str = self.services.catalog.plaintext(message, self.lang)
        return _WIKILINK.sub(lambda m: m.group(2) or m.group(1).lstrip(":"), text)

    # -- URLs ------------------------------------------------------------------------------

    def url(self, title: str, **query: str) -> str:
        params = {"title": title.replace(" ", "_"), **{k: v for k, v in query.items() if v}}
        return f"{self.base}?{urlencode(params, quote_via=quote, safe=':/')}"

    def returnto(self) -> str | None:
        return local_title(self.request.params.get("returnto"), self.page.namespaces())

    def returnto_url(self) -> str:
        return self.url(self.returnto() or "Main Page")

    # -- CSRF ------------------------------------------------------------------------------

    def csrf_token(self) -> str:
        """The session's csrf token (a real per-session secret, also for anonymous users:
        the API's fixed anonymous token would protect nothing)."""
        session = self.state.session
        session.persist()
        key, salt = tok.TOKEN_TYPES["csrf"]
        secret = session.token_secret(key, create=True, mac_key=self.services.secret_key)
        assert secret is not None
        return tok.make_token(secret, salt, int(self.now))

    def csrf_ok(self) -> bool:
        key, salt = tok.TOKEN_TYPES["csrf"]
        secret = self.state.session.token_secret(key, create=False, mac_key=self.services.secret_key)
        return tok.check_token(secret, salt, self.request.params.get(TOKEN_FIELD, ""), now=self.now)

    # -- answers ---------------------------------------------------------------------------

    def nav(self) -> dict[str, Any]:
        current = self.page.current_title(self.subpage)
        extra = self.page.nav_query(self)
        lang_urls = {code: self.url(current, **extra, uselang=code) for code, _ in LANGUAGES}
        return {
            "home": self.url("Main Page"),
            "user": self.user.name if self.user.is_registered else "",
            "login": self.url("Special:UserLogin", returnto=self.page.returnto_for_nav(self)),
            "createaccount": self.url("Special:CreateAccount"),
            "logout": self.url("Special:UserLogout"),
            "changepassword": self.url("Special:ChangePassword"),
            "preferences": self.url("Special:Preferences"),
            "botpasswords": self.url("Special:BotPasswords"),
            "changeemail": self.url("Special:ChangeEmail"),
            "twofactor": self.url("Special:OATHManage") if self.two_factor_available() else "",
            "log": self.url("Special:Log"),
            "token": self.csrf_token() if self.user.is_registered else "",
            "lang_urls": lang_urls,
            "newtalk": self.url(f"User talk:{self.user.name}") if self.new_messages else "",
        }

    def static_url(self, name: str) -> str:
        return f"{self.services.settings.site.script_path}/static/{name}"

    def render(self, template: str, heading: str, *, status: int = 200, **ctx: Any) -> Response:
        scripts = [self.static_url(name) for name in self.page.scripts]
        body = ENV.get_template(template).render(
            lang=self.lang, t=self.t, ui=texts_for(self.lang, "ui"), heading=heading, css=_CSS_MARKUP,
            sitename=self.services.settings.site.sitename, nav=self.nav(), languages=LANGUAGES, scripts=scripts,
            **ctx)
        response = Response(status=status, content_type="text/html; charset=UTF-8", body=body.encode())
        if scripts:
            response.headers.append(("Content-Security-Policy", CSP_WITH_SCRIPTS))
        return with_security_headers(response, self.lang)

    def redirect(self, location: str) -> Response:
        """303 to a URL this code built (never one taken from the request)."""
        link = f'<a href="{html.escape(location)}">{html.escape(location)}</a>'
        response = Response(status=303, content_type="text/html; charset=UTF-8",
                            headers=[("Location", location)], body=link.encode())
        return with_security_headers(response)


class HtmlPage(WebPage):
    """A page in the shared look: subclasses implement :meth:`show`."""

    #: The key of the page's texts in web/texts.py.
    texts: ClassVar[str] = ""
    #: Our scripts (web/static/*.js) the page loads; progressive enhancement only.
    scripts: ClassVar[tuple[str, ...]] = ()

    def namespaces(self) -> Namespaces:
        return self.services.namespaces

    def current_title(self, subpage: str | None) -> str:
        return f"{self.title}/{subpage}" if subpage else self.title

    def nav_query(self, ctx: PageContext) -> dict[str, str]:
        """Query parameters the language links keep (``action=protect``)."""
        return {}

    def returnto_for_nav(self, ctx: PageContext) -> str:
        """The ``returnto`` of the header's log-in link: back here after logging in."""
        return "" if self.title.startswith("Special:User") else self.current_title(ctx.subpage)

    async def handle(self, request: Request, subpage: str | None) -> Response:
        # allow_bot=False: a bot-password session is for api.php only (MediaWiki ignores
        # the BPsession cookie outside the API in the same way).
        state = await self.cookies.resolve(request, allow_bot=False)
        preference = None
        if state.user.is_registered and not request.params.get("uselang"):
            preference = (await self.services.users.get_options(state.user.id)).get("language")
        lang = pick_language(request.params.get("uselang"), preference, self.services.settings.site.language)
        ctx = PageContext(self, request, state, lang, texts_for(lang, self.texts), self.base(request), subpage,
                          new_messages=await self.services.newtalk.has(state.user.name))
        response = await self.show(ctx, subpage)
        await self.services.sessions.save(state.session, now=self.services.clock.time())
        self.cookies.apply(state, request, response)
        return response

    def base(self, request: Request) -> str:
        if request.path.endswith("/index.php"):
            return request.path
        return f"{self.services.settings.site.script_path}/index.php"

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        raise NotImplementedError
