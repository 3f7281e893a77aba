"""index.php?title=Special:OATHManage — enrol in and leave TOTP two-factor authentication,
in the shared look (web/ui.py: strict CSP, security headers, en/de/tr).

What a client script relies on is as the reference serves it (and as mwdiff's ``totp:``
fixture drives it): ``action=enable&module=totp`` shows the new secret inside
``<kbd>…</kbd>`` (in groups of four), a QR code of the ``otpauth://`` URI (SVG made by the
``segno`` library, no style attributes, so the CSP needs nothing for it), the recovery
codes once, and a POST form with the fields ``token``, ``wpEditToken``, ``module`` and
``action``; a right first code enables 2FA and the answer no longer contains the ``token``
form, a wrong one shows the form again. The words are ours.

Rules (OATHManage.php): a logged-in user with ``oathauth-enable``, a recent login
(security-sensitive: otherwise the login form, returning here), not a bot-password
session (auth.containment), POST with the session's CSRF token. The pending secret waits
in the session, encrypted like the stored ones, until the first code confirms it;
recovery codes cannot confirm an enrolment; wrong codes count towards the per-account
throttle of the login. Turning 2FA off asks for a current code or a recovery code.
"""

from __future__ import annotations

import base64
import json

import segno
from markupsafe import Markup

from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
from wikigate.auth.manager import SEC_OK, SEC_REAUTH
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
from wikigate.http.response import Response
from wikigate.users.model import User
from wikigate.web.flowform import manager_for
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext

PAGE = "Special:OATHManage"
PENDING = "oath-pending"


class SpecialOATHManage(HtmlPage):
    title = PAGE
    texts = "oath"
    rights_needed = ("oathauth-enable",)
    account_security = "TwoFactor"
    authentication = "session cookie with a recent login; POST with the csrf token"

    # -- helpers ---------------------------------------------------------------------------

    def _info(self, ctx: PageContext, text: str, status: int,
              links: list[tuple[str, str, str]] | None = None) -> Response:
        return ctx.render("oathmanage.html", ctx.t["title"], status=status, mode="info", text=text,
                          errors=[], message="", links=links or [])

    def _issuer(self) -> str:
        return str(self.services.settings.oath.issuer or self.services.settings.site.sitename)

    def _pending(self, oath: OathService, ctx: PageContext, user: User) -> tuple[str, list[str]] | None:
        raw = ctx.state.session.data.get(PENDING)
        if not isinstance(raw, str):
            return None
        try:
            plain = oath.cipher().decrypt(base64.b64decode(raw), f"pending:{user.id}".encode())
            data = json.loads(plain)
            return str(data["secret"]), [str(c) for c in data["scratch"]]
        except (OathDataError, ValueError, KeyError, TypeError):
            return None

    def _new_pending(self, oath: OathService, ctx: PageContext, user: User) -> tuple[str, list[str]]:
        secret, scratch = new_secret(), new_scratch_codes(self.services.settings.oath.scratch_codes)
        blob = oath.cipher().encrypt(json.dumps({"secret": secret, "scratch": scratch}).encode(),
                                     f"pending:{user.id}".encode())
        ctx.state.session.set(PENDING, base64.b64encode(blob).decode())
        ctx.state.session.persist()
        return secret, scratch

    # -- dispatch --------------------------------------------------------------------------

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        oath = self.services.oath
        if not isinstance(oath, OathService):
            return self._info(ctx, t["not_enabled"], 404)
        user = ctx.user
        if not user.is_registered:
            return self._info(ctx, t["anon"], 401, [("", ctx.url("Special:UserLogin", returnto=PAGE),
                                                    texts_for(ctx.lang, "ui")["login"])])
        if "oathauth-enable" not in ctx.rights():
            return self._info(ctx, t["denied"], 403)
        # allow_bot=False already treats a bot-password session as anonymous here; the
        # shared rule is asked anyway, so the page keeps refusing (and auditing) them.
        try:
            await refuse_in_bot_session(self.services, ctx.state.session, user, ctx.request.client_ip, "TwoFactor")
        except BotSessionRefused:
            return self._info(ctx, t["bot_session"], 403)
        status = manager_for(ctx).security_sensitive_operation_status("TwoFactor")
        if status == SEC_REAUTH:
            return self._info(ctx, t["reauth"], 403, [
                ("", ctx.url("Special:UserLogin", returnto=PAGE), texts_for(ctx.lang, "ui")["login"])])
        if status != SEC_OK:
            return self._info(ctx, t["bot_session"], 403)
        action = ctx.request.params.get("action", "")
        module = ctx.request.params.get("module", "totp")
        enabled = await oath.is_enabled(user.id)
        if action in ("enable", "disable") and module != "totp":
            return self._info(ctx, t["unknown_module"], 400)
        if action == "enable" and not enabled:
            return await self._enable(ctx, oath, user)
        if action == "disable" and enabled:
            return await self._disable(ctx, oath, user)
        return self._overview(ctx, enabled)

    def _overview(self, ctx: PageContext, enabled: bool, *, message: str = "") -> Response:
        return ctx.render("oathmanage.html", ctx.t["title"], mode="overview", enabled=enabled, message=message,
                          errors=[], enable_url=ctx.url(PAGE, action="enable", module="totp"),
                          disable_url=ctx.url(PAGE, action="disable", module="totp"))

    def _enable_form(self, ctx: PageContext, user: User, secret: str, scratch: list[str],
                     errors: list[str], status: int = 200) -> Response:
        issuer = self._issuer()
        uri = otpauth_uri(secret, user.name, issuer)
        # segno writes the SVG itself from the URI (no user-controlled markup in it).
        qr = Markup(segno.make(uri, error="m").svg_inline(scale=4, omitsize=False))
        return ctx.render("oathmanage.html", ctx.t["enable_title"], status=status, mode="enable", errors=errors,
                          message="", uri=uri, qr_svg=qr, secret_display=group4(secret),
                          account_label=f"{issuer}:{user.name}", scratch=[group4(c) for c in scratch],
                          token=ctx.csrf_token(), page_title=PAGE,
                          form_action=ctx.url(PAGE, action="enable", module="totp"))

    async def _enable(self, ctx: PageContext, oath: OathService, user: User) -> Response:
        t = ctx.t
        pending = self._pending(oath, ctx, user)
        if ctx.request.method != "POST":
            secret, scratch = pending or self._new_pending(oath, ctx, user)
            return self._enable_form(ctx, user, secret, scratch, [])
        if pending is None:
            secret, scratch = self._new_pending(oath, ctx, user)
            return self._enable_form(ctx, user, secret, scratch, [t["expired"]], 400)
        secret, scratch = pending
        if not ctx.csrf_ok():
            return self._enable_form(ctx, user, secret, scratch, [texts_for(ctx.lang, "ui")["bad_token"]], 400)
        code = ctx.request.params.get("token", "")
        if normalize_code(code) in scratch:
            return self._enable_form(ctx, user, secret, scratch, [t["no_recovery"]], 400)
        if await oath.throttled(user.id) or not await oath.check_code(user.id, secret, code):
            # Wrong first codes count towards the same per-account throttle as at login.
            await oath.count_bad(user.id)
            return self._enable_form(ctx, user, secret, scratch, [t["bad_first_code"]], 400)
        ctx.state.session.pop(PENDING)
        if not await oath.enable(user, secret, scratch):
            return self._overview(ctx, True)
        await oath.audit("2fa-enabled", user, PAGE, ctx.request.client_ip)
        return self._overview(ctx, True, message=t["now_enabled"])

    async def _disable(self, ctx: PageContext, oath: OathService, user: User) -> Response:
        t = ctx.t

        def form(errors: list[str], status: int = 200) -> Response:
            return ctx.render("oathmanage.html", t["disable_title"], status=status, mode="disable", errors=errors,
                              message="", token=ctx.csrf_token(), page_title=PAGE,
                              form_action=ctx.url(PAGE, action="disable", module="totp"))

        if ctx.request.method != "POST":
            return form([])
        if not ctx.csrf_ok():
            return form([texts_for(ctx.lang, "ui")["bad_token"]], 400)
        try:
            result = await oath.verify(user, ctx.request.params.get("token", ""))
        except OathDataError:
            result = VERIFY_BAD
        if result == VERIFY_THROTTLED:
            return form([t["throttled"]], 429)
        if result == VERIFY_BAD:
            return form([t["bad_code"]], 400)
        await oath.disable(user.id)
        await oath.audit("2fa-disabled", user, PAGE, ctx.request.client_ip)
        return self._overview(ctx, False, message=t["now_off"])
