"""index.php?title=Special:OATHManage — enrol in and leave TOTP two-factor authentication.

What a client script relies on is as the reference serves it (and as mwdiff's ``totp:``
fixture drives it): ``action=enable&module=totp`` shows the new secret inside
``<kbd>…</kbd>`` (in groups of four), a QR code of the ``otpauth://`` URI (SVG made by the
``segno`` library), the recovery codes once, and a POST form with the fields ``token``,
``wpEditToken``, ``module`` and ``action``; a right first code enables 2FA and the answer
no longer contains the ``token`` form, a wrong one shows the form again. The words are ours.

Rules (OATHManage.php): a logged-in user with ``oathauth-enable``, a recent login
(security-sensitive, ``sessions.reauthenticate_seconds``), POST with the session's CSRF
token. The pending secret waits in the session, encrypted like the stored ones, until the
first code confirms it; recovery codes cannot confirm an enrolment. Turning 2FA off asks
for a current code or a recovery code. Bot-password sessions are not accepted (api.php only).
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import segno
from markupsafe import Markup

from wikigate.auth import tokens as tok
from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
from wikigate.auth.oath import (
    VERIFY_BAD,
    VERIFY_THROTTLED,
    OathDataError,
    OathService,
    group4,
    new_scratch_codes,
    new_secret,
    normalize_code,
    otpauth_uri,
)
from wikigate.http.request import Request
from wikigate.http.response import Response
from wikigate.http.session_cookies import SessionState
from wikigate.users.model import User
from wikigate.web import WebPage, simple_page
from wikigate.web.ui import ENV

_ENV = ENV  # the one template environment of the pages (compiled at start-up)

PAGE = "Special:OATHManage"
PENDING = "oath-pending"


class SpecialOATHManage(WebPage):
    title = PAGE
    #: The account-security operation of auth.containment (sec-grants branch); declared
    #: here so the merged WebPage/rights documentation sees it.
    account_security = "TwoFactor"

    async def handle(self, request: Request, subpage: str | None) -> Response:
        state = await self.cookies.resolve(request, allow_bot=False)
        try:
            response = await self._dispatch(request, state)
        finally:
            await self.services.sessions.save(state.session, now=self.services.clock.time())
        self.cookies.apply(state, request, response)
        return response

    # -- helpers ---------------------------------------------------------------------------

    def _base(self, request: Request) -> str:
        if request.path.endswith("/index.php"):
            return request.path
        return f"{self.services.settings.site.script_path}/index.php"

    def _url(self, request: Request, **params: str) -> str:
        query = "&".join(f"{k}={quote(v, safe=':')}" for k, v in {"title": PAGE, **params}.items())
        return f"{self._base(request)}?{query}"

    def _render(self, request: Request, mode: str, heading: str, status: int = 200, **ctx: Any) -> Response:
        ctx.setdefault("errors", [])
        ctx.setdefault("message", "")
        ctx.setdefault("text", "")
        body = _ENV.get_template("oathmanage.html").render(
            mode=mode, heading=heading, sitename=self.services.settings.site.sitename,
            home_url=self._base(request), page_title=PAGE, **ctx)
        return Response(
            status=status, content_type="text/html; charset=UTF-8", body=body.encode(),
            headers=[("Cache-Control", "private, no-cache, no-store, max-age=0"),
                     ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                     ("Referrer-Policy", "no-referrer"),
                     ("Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                      "frame-ancestors 'none'; base-uri 'none'")])

    def _csrf(self, state: SessionState) -> str:
        session = state.session
        session.persist()
        key, salt = tok.TOKEN_TYPES["csrf"]
        secret = session.token_secret(key, create=True, mac_key=self.services.secret_key)
        assert secret is not None
        return tok.make_token(secret, salt, int(self.services.clock.time()))

    def _csrf_ok(self, request: Request, state: SessionState) -> bool:
        key, salt = tok.TOKEN_TYPES["csrf"]
        secret = state.session.token_secret(key, create=False, mac_key=self.services.secret_key)
        return tok.check_token(secret, salt, request.params.get("wpEditToken", ""), now=self.services.clock.time())

    def _issuer(self) -> str:
        return self.services.settings.oath.issuer or self.services.settings.site.sitename

    # -- pending enrolment (in the session, encrypted) -------------------------------------

    def _pending(self, oath: OathService, state: SessionState, user: User) -> tuple[str, list[str]] | None:
        raw = state.session.data.get(PENDING)
        if not isinstance(raw, str):
            return None
        try:
            plain = oath.cipher().decrypt(base64.b64decode(raw), f"pending:{user.id}".encode())
            data = json.loads(plain)
            return str(data["secret"]), [str(c) for c in data["scratch"]]
        except (OathDataError, ValueError, KeyError, TypeError):
            return None

    def _new_pending(self, oath: OathService, state: SessionState, user: User) -> tuple[str, list[str]]:
        secret, scratch = new_secret(), new_scratch_codes(self.services.settings.oath.scratch_codes)
        blob = oath.cipher().encrypt(json.dumps({"secret": secret, "scratch": scratch}).encode(),
                                     f"pending:{user.id}".encode())
        state.session.set(PENDING, base64.b64encode(blob).decode())
        state.session.persist()
        return secret, scratch

    # -- dispatch --------------------------------------------------------------------------

    async def _dispatch(self, request: Request, state: SessionState) -> Response:
        oath = self.services.oath
        heading = "Two-factor authentication"
        if not isinstance(oath, OathService):
            return simple_page(heading, "<p>Two-factor authentication is not enabled on this wiki.</p>", 404)
        user = state.user
        if not user.is_registered:
            return self._render(request, "info", heading, status=401,
                                text="Please log in to manage two-factor authentication.")
        rights = self.services.rights.rights_for_groups(
            self.services.rights.effective_groups(user, self.services.clock.time()))
        if "oathauth-enable" not in rights:
            return self._render(request, "info", heading, status=403,
                                text="You do not have permission to enable two-factor authentication.")
        max_age = self.services.settings.sessions.reauthenticate_seconds
        if max_age >= 0 and self.services.clock.time() - state.session.last_auth > max_age:
            return self._render(request, "info", heading, status=403,
                                text="For your security, please log in again before changing two-factor "
                                     "authentication.")
        # allow_bot=False above already treats a bot-password session as anonymous here;
        # the shared rule is asked anyway, so the page keeps refusing (and auditing) them
        # if that ever changes.
        try:
            await refuse_in_bot_session(self.services, state.session, user, request.client_ip, "TwoFactor")
        except BotSessionRefused:
            return self._render(request, "info", heading, status=403,
                                text="Two-factor authentication cannot be changed in a bot-password session.")
        action = request.params.get("action", "")
        module = request.params.get("module", "totp")
        enabled = await oath.is_enabled(user.id)
        if action in ("enable", "disable") and module != "totp":
            return self._render(request, "info", heading, status=400, text="Unknown two-factor method.")
        if action == "enable" and not enabled:
            return await self._enable(request, state, oath, user)
        if action == "disable" and enabled:
            return await self._disable(request, state, oath, user)
        return self._overview(request, state, enabled)

    def _overview(self, request: Request, state: SessionState, enabled: bool, *, message: str = "") -> Response:
        return self._render(request, "overview", "Two-factor authentication", enabled=enabled, message=message,
                            enable_url=self._url(request, action="enable", module="totp"),
                            disable_url=self._url(request, action="disable", module="totp"))

    def _enable_form(self, request: Request, state: SessionState, user: User, secret: str, scratch: list[str],
                     errors: list[str], status: int = 200) -> Response:
        issuer = self._issuer()
        uri = otpauth_uri(secret, user.name, issuer)
        # segno writes the SVG itself from the URI (no user-controlled markup in it).
        qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, omitsize=False))
        return self._render(request, "enable", "Enable two-factor authentication", status=status,
                            errors=errors, uri=uri, qr_svg=qr, secret_display=group4(secret),
                            account_label=f"{issuer}:{user.name}", scratch=[group4(c) for c in scratch],
                            token=self._csrf(state), form_action=self._url(request, action="enable", module="totp"))

    async def _enable(self, request: Request, state: SessionState, oath: OathService, user: User) -> Response:
        pending = self._pending(oath, state, user)
        if request.method != "POST":
            secret, scratch = pending or self._new_pending(oath, state, user)
            return self._enable_form(request, state, user, secret, scratch, [])
        if pending is None:
            secret, scratch = self._new_pending(oath, state, user)
            return self._enable_form(request, state, user, secret, scratch,
                                     ["The enrolment expired; scan the new key and try again."], 400)
        secret, scratch = pending
        if not self._csrf_ok(request, state):
            return self._enable_form(request, state, user, secret, scratch,
                                     ["The form expired (session or token); please submit it again."], 400)
        code = request.params.get("token", "")
        if normalize_code(code) in scratch:
            return self._enable_form(request, state, user, secret, scratch,
                                     ["A recovery code cannot confirm the enrolment; enter a code from the app."],
                                     400)
        if await oath.throttled(user.id) or not await oath.check_code(user.id, secret, code):
            # Wrong first codes count towards the same per-account throttle as at login.
            await oath.count_bad(user.id)
            return self._enable_form(request, state, user, secret, scratch,
                                     ["That code is not right (or was already used); "
                                      "enter the current code from the app."], 400)
        state.session.pop(PENDING)
        if not await oath.enable(user, secret, scratch):
            return self._overview(request, state, True)
        await oath.audit("2fa-enabled", user, "Special:OATHManage", request.client_ip)
        return self._overview(request, state, True,
                              message="Two-factor authentication is now enabled; logins will ask for a code.")

    async def _disable(self, request: Request, state: SessionState, oath: OathService, user: User) -> Response:
        def form(errors: list[str], status: int = 200) -> Response:
            return self._render(request, "disable", "Turn off two-factor authentication", status=status,
                                errors=errors, token=self._csrf(state),
                                form_action=self._url(request, action="disable", module="totp"))

        if request.method != "POST":
            return form([])
        if not self._csrf_ok(request, state):
            return form(["The form expired (session or token); please submit it again."], 400)
        try:
            result = await oath.verify(user, request.params.get("token", ""))
        except OathDataError:
            result = VERIFY_BAD
        if result == VERIFY_THROTTLED:
            return form(["Too many wrong codes; please wait a minute."], 429)
        if result == VERIFY_BAD:
            return form(["That code is not right."], 400)
        await oath.disable(user.id)
        await oath.audit("2fa-disabled", user, "Special:OATHManage", request.client_ip)
        return self._overview(request, state, False, message="Two-factor authentication is now off.")
