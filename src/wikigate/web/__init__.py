"""index.php: the HTML pages wikigate serves (Special:BotPasswords and friends).

Pages are classes in ``wikigate.web.pages`` with a ``title`` such as
``Special:BotPasswords``; they share the session and user resolution of api.php
(``wikigate.http.session_cookies``), so there is exactly one authentication path.
"""

from __future__ import annotations

import html
import importlib
import logging
import pkgutil
import secrets
from typing import Any, ClassVar
from urllib.parse import unquote

from wikigate.http.request import Request
from wikigate.http.response import Response
from wikigate.http.session_cookies import SessionCookies
from wikigate.services import Services
from wikigate.storage.errors import OUTAGE_RETRY_AFTER, outage_kind
from wikigate.storage.sql.database import bounded_transactions

log = logging.getLogger("wikigate.web")


class WebPage:
    #: Canonical title handled, e.g. "Special:BotPasswords" (sub-pages "…/<par>" go here too).
    title: ClassVar[str] = ""
    #: Or the ``action=`` values it serves on any other title (``action=protect``); the
    #: title arrives as the sub-page.
    actions: ClassVar[tuple[str, ...]] = ()
    #: Rights the page needs (docs/rights.md is generated from these and the modules').
    rights_needed: ClassVar[tuple[str, ...]] = ()
    #: An account-security operation (auth.containment): refused in bot-password sessions.
    account_security: ClassVar[str | None] = None
    #: How the page authenticates, for docs/rights.md.
    authentication: ClassVar[str] = "session cookie (bot-password sessions are not accepted)"

    def __init__(self, services: Services, cookies: SessionCookies) -> None:
        self.services = services
        self.cookies = cookies

    async def handle(self, request: Request, subpage: str | None) -> Response:
        raise NotImplementedError


def _discover() -> list[type[WebPage]]:
    pkg = importlib.import_module("wikigate.web.pages")
    out: list[type[WebPage]] = []
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"wikigate.web.pages.{info.name}")
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, WebPage) and obj is not WebPage \
                    and (obj.title or obj.actions) and obj.__module__ == mod.__name__:
                out.append(obj)
    return out


def simple_page(title: str, body_html: str, status: int = 200) -> Response:
    page = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"UTF-8\">"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"{body_html}</body></html>\n"
    )
    return Response(status=status, content_type="text/html; charset=UTF-8", body=page.encode(),
                    headers=[("Cache-Control", "private, must-revalidate, max-age=0"),
                             ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff")])


def outage_page(kind: str, e: BaseException) -> Response:
    """503 page for a backend outage (MediaWiki shows its "dberr" page, with HTTP 500)."""
    reqid = secrets.token_hex(12)
    log.error("backend unavailable (%s) for page request %s: %s: %s", kind, reqid, type(e).__name__, e)
    resp = simple_page(
        "Sorry! This site is experiencing technical difficulties.",
        "<p>Try waiting a few minutes and reloading.</p>"
        f"<p><small>(Cannot access the database) [{reqid}]</small></p>", status=503)
    resp.headers.append(("Retry-After", str(OUTAGE_RETRY_AFTER)))
    return resp


class WebPages:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.cookies = SessionCookies(services)
        self.pages: dict[str, WebPage] = {}
        self.actions: dict[str, WebPage] = {}
        for cls in _discover():
            page = cls(services, self.cookies)
            if cls.title:
                self.pages[cls.title.lower()] = page
            for action in cls.actions:
                self.actions[action] = page

    def _title(self, request: Request) -> str:
        title = request.params.get("title")
        if title is None:
            for prefix in ("/index.php/", "/wiki/"):
                if request.path.startswith(prefix):
                    title = unquote(request.path[len(prefix):])
        return (title or "Main Page").replace("_", " ").strip()

    async def handle(self, request: Request) -> Response:
        title = self._title(request)
        base, _, sub = title.partition("/")
        page = self.pages.get(base.lower())
        action = self.actions.get(request.params.get("action", ""))
        if page is None and action is not None:
            page, sub = action, title  # index.php?title=X&action=protect
        elif page is None:
            # Any other title: the main page's text in the shared look, answered 404 (there
            # is no such page), so a link into this wiki still lands somewhere useful.
            main = self.pages.get("main page")
            if main is None:
                return simple_page(title, "<p>This page does not exist here.</p>", status=404)
            page, sub = main, title
        try:
            with bounded_transactions():  # a frozen database fails the page, never hangs it
                return await page.handle(request, sub or None)
        except Exception as e:
            kind = outage_kind(e)
            if kind is None:
                raise
            return outage_page(kind, e)

    def describe(self) -> dict[str, Any]:
        return {name: type(p).__name__ for name, p in self.pages.items()}
