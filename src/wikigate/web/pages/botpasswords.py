"""index.php?title=Special:BotPasswords — list, create, change and delete bot passwords.

The form fields are MediaWiki's (``wpappId``/``op=new`` on the list; ``wpgrants[]`` with
``grant-<name>`` values, ``wprestrictions`` one range per line, ``wpresetPassword``,
``wpEditToken`` and ``op=create|update|delete|cancel`` on ``Special:BotPasswords/<appid>``),
so scripts written against MediaWiki (mwdiff's ``botpassword:`` fixture among them) drive
this page unchanged; a new password is shown inside ``<strong>…</strong>`` as MediaWiki
does. The words are ours (templates/botpasswords.html, botpasswords_texts.py).

Rules taken from SpecialBotPasswords.php: a registered user with ``editmyprivateinfo``;
a *recent* login (security-sensitive page, ``sessions.reauthenticate_seconds``); changes
only by POST with the session's CSRF token. There is no second way to log in: the page
uses the session of the API's clientlogin, and bot-password sessions are not accepted here
(they are for api.php only).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from wikigate.auth import tokens as tok
from wikigate.auth.botpasswords.model import (
    HIDDEN_GRANTS,
    BotPassword,
    BotPasswordError,
    InvalidRestriction,
    Restrictions,
    normalize_app_id,
    validate_new_app_id,
)
from wikigate.auth.botpasswords.service import BotPasswords
from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
from wikigate.http.request import Request
from wikigate.http.response import Response
from wikigate.http.session_cookies import SessionState
from wikigate.i18n import Message
from wikigate.users.rights import GRANT_GROUPS, GRANT_RIGHTS
from wikigate.web.pages.botpasswords_texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext, pick_language, with_security_headers

PAGE = "Special:BotPasswords"


@dataclass
class _Page:
    """Everything one request needs: who, which app id, texts, URLs."""

    request: Request
    state: SessionState
    lang: str
    t: dict[str, str]
    base: str  # the index.php path used for links
    ctx: PageContext  # the shared layout (header, languages, security headers)

    def url(self, app_id: str | None = None) -> str:
        title = PAGE if app_id is None else f"{PAGE}/{app_id}"
        return f"{self.base}?title={quote(title.replace(' ', '_'), safe=':/')}"


class SpecialBotPasswords(HtmlPage):
    title = PAGE
    rights_needed = ("editmyprivateinfo",)
    account_security = "BotPasswords"

    @property
    def _component(self) -> BotPasswords:
        return self.services.botpasswords

    # -- entry point -----------------------------------------------------------------------

    async def handle(self, request: Request, subpage: str | None) -> Response:
        # allow_bot=False: a bot-password session is for api.php only; here the client is
        # whoever its ordinary session cookie says (MediaWiki ignores the BPsession cookie
        # outside the API in the same way).
        state = await self.cookies.resolve(request, allow_bot=False)
        lang, t = await self._language(request, state)
        base = self.base(request)
        page = _Page(request, state, lang, t, base, PageContext(self, request, state, lang, t, base, subpage))
        response = await self._dispatch(page, subpage)
        now = self.services.clock.time()
        await self.services.sessions.save(state.session, now=now)
        self.cookies.apply(state, request, response)
        return response

    async def _language(self, request: Request, state: SessionState) -> tuple[str, dict[str, str]]:
        preference = None
        if state.user.is_registered and not request.params.get("uselang"):
            preference = (await self.services.users.get_options(state.user.id)).get("language")
        lang = pick_language(request.params.get("uselang"), preference, self.services.settings.site.language)
        return lang, texts_for(lang)

    async def _dispatch(self, page: _Page, subpage: str | None) -> Response:
        t = page.t
        user = page.state.user
        if not self.services.settings.auth.enable_bot_passwords:
            return self._render(page, "disabled", t["title"], message=t["disabled"], status=403)
        if not user.is_registered:
            return self._render(page, "anon", t["title"], message=t["anon"])
        # The ordinary session's rights are its groups' rights: bot-password sessions never
        # reach this page (resolve(allow_bot=False)), and the containment rule is asked
        # anyway so that the page keeps refusing them if that ever changes.
        try:
            await refuse_in_bot_session(self.services, page.state.session, user, page.request.client_ip,
                                        "BotPasswords")
        except BotSessionRefused:
            return self._render(page, "denied", t["title"], message=t["denied"], status=403)
        groups = self.services.rights.effective_groups(user, self.services.clock.time())
        if not all(r in self.services.rights.rights_for_groups(groups) for r in self.rights_needed):
            return self._render(page, "denied", t["title"], message=t["denied"], status=403)
        max_age = self.services.settings.sessions.reauthenticate_seconds
        if max_age >= 0 and self.services.clock.time() - page.state.session.last_auth > max_age:
            return self._render(page, "reauth", t["title"],
                                message=t["reauth"].format(minutes=max(1, max_age // 60)))
        app_id: str | None = None
        if subpage is not None and subpage.strip():
            app_id = normalize_app_id(subpage)
            if app_id is None:
                return self._render(page, "badappid", t["title"], status=400,
                                    message=t["bad_appid"].format(app=subpage.strip()))
        if page.request.method == "POST":
            return await self._post(page, app_id)
        if app_id is None:
            return await self._list(page)
        return await self._edit(page, app_id)

    # -- rendering -------------------------------------------------------------------------

    def _token(self, page: _Page) -> str:
        session = page.state.session
        session.persist()
        secret = session.token_secret(tok.TOKEN_TYPES["csrf"][0], create=True, mac_key=self.services.secret_key)
        assert secret is not None
        return tok.make_token(secret, tok.TOKEN_TYPES["csrf"][1], int(self.services.clock.time()))

    def _render(self, page: _Page, mode: str, heading: str, *, status: int = 200, **ctx: Any) -> Response:
        ctx.setdefault("errors", [])
        ctx.setdefault("message", "")
        ctx.setdefault("secret", "")
        return page.ctx.render("botpasswords.html", heading, status=status, mode=mode,
                               home_url=page.ctx.url("Main Page"), list_url=page.url(),
                               login_url=page.ctx.url("Special:UserLogin", returnto=PAGE), **ctx)

    def _redirect(self, page: _Page, app_id: str | None = None) -> Response:
        return with_security_headers(Response(
            status=303, content_type="text/html; charset=UTF-8", headers=[("Location", page.url(app_id))],
            body=f'<a href="{html.escape(page.url(app_id))}">{html.escape(page.t["back"])}</a>'.encode()))

    async def _list(self, page: _Page, *, errors: list[str] | None = None, appid_value: str = "",
                    status: int = 200) -> Response:
        rows = await self._component.list_for_user(page.state.user.id)
        existing = [{"app_id": bp.app_id, "url": page.url(bp.app_id), "needs_reset": bp.needs_reset}
                    for bp in rows]
        return self._render(page, "list", page.t["title"], status=status, existing=existing,
                            errors=errors or [], appid_value=appid_value, token=self._token(page),
                            form_action=page.url(), page_title=PAGE)

    def _grant_groups(self, page: _Page, checked: set[str]) -> list[dict[str, Any]]:
        cat = self.services.catalog
        groups: dict[str, dict[str, Any]] = {}
        for name, rights in GRANT_RIGHTS.items():
            group = GRANT_GROUPS.get(name, "other")
            if group not in groups:
                label = "" if group == "hidden" else cat.plaintext(Message(f"grant-group-{group}"), page.lang)
                groups[group] = {"label": label, "grants": []}
            groups[group]["grants"].append({
                "name": name, "label": cat.plaintext(Message(f"grant-{name}"), page.lang),
                "rights": ", ".join(rights), "checked": name in checked or name in HIDDEN_GRANTS,
                "forced": name in HIDDEN_GRANTS,
            })
        return list(groups.values())

    async def _edit(self, page: _Page, app_id: str, *, errors: list[str] | None = None,
                    grants: list[str] | None = None, restrictions: str | None = None,
                    status: int = 200) -> Response:
        bp = await self._component.get(page.state.user.id, app_id)
        current = bp or BotPassword(user_id=page.state.user.id, app_id=app_id, token="")
        return self._render(
            page, "edit", page.t["title"], status=status, errors=errors or [],
            saved=bp is not None, needs_reset=bool(bp and bp.needs_reset),
            login_name=f"{page.state.user.name}@{app_id}",
            grant_groups=self._grant_groups(page, set(grants if grants is not None else current.grants)),
            restrictions=restrictions if restrictions is not None else "\n".join(current.restrictions.ip_ranges),
            token=self._token(page), form_action=page.url(app_id), page_title=f"{PAGE}/{app_id}",
        )

    # -- changes ---------------------------------------------------------------------------

    def _token_ok(self, page: _Page) -> bool:
        key, salt = tok.TOKEN_TYPES["csrf"]
        secret = page.state.session.token_secret(key, create=False, mac_key=self.services.secret_key)
        token = page.request.params.get("wpEditToken", "")
        return tok.check_token(secret, salt, token, now=self.services.clock.time())

    async def _post(self, page: _Page, app_id: str | None) -> Response:
        t = page.t
        params = page.request.params
        op = params.get("op", "")
        if app_id is None:
            raw = params.get("wpappId", "")
            if not self._token_ok(page):
                return await self._list(page, errors=[t["bad_token"]], appid_value=raw, status=400)
            if op != "new":
                return await self._list(page, appid_value=raw)
            try:
                new_id = validate_new_app_id(raw)  # shared with `wikigate botpassword create`
            except BotPasswordError:
                return await self._list(page, errors=[t["bad_appid"].format(app=raw.strip())],
                                        appid_value=raw, status=400)
            return self._redirect(page, new_id)

        if op == "cancel":
            return self._redirect(page)
        grants = [g.removeprefix("grant-") for g in page.request.array_params.get("wpgrants", [])]
        ranges_text = params.get("wprestrictions", "")
        if not self._token_ok(page):
            return await self._edit(page, app_id, errors=[t["bad_token"]], grants=grants,
                                    restrictions=ranges_text, status=400)
        if op not in ("create", "update", "delete"):
            return await self._edit(page, app_id, grants=grants, restrictions=ranges_text)

        user = page.state.user
        comp = self._component
        fmt = {"app": app_id, "user": user.name}
        if op == "delete":
            if not await comp.delete(user.id, app_id):
                return await self._edit(page, app_id, status=409, errors=[
                    self.services.catalog.plaintext(Message("botpasswords-update-failed", (app_id,)), page.lang)])
            return self._render(page, "done", t["deleted_title"], message=t["deleted"].format(**fmt))

        errors: list[str] = []
        if op == "create":
            try:
                validate_new_app_id(app_id)
            except BotPasswordError:
                errors.append(t["bad_appid"].format(app=app_id))
        unknown = [g for g in grants if g not in GRANT_RIGHTS]
        errors += [t["bad_grant"].format(value=g) for g in unknown]
        restrictions: Restrictions | None = None
        try:
            restrictions = Restrictions.from_lines(ranges_text)
        except InvalidRestriction as e:
            errors.append(t["bad_range"].format(value=e.value.strip()))
        if restrictions is not None and not restrictions.ip_ranges:
            errors.append(t["no_ranges"])
        if errors or restrictions is None:
            return await self._edit(page, app_id, errors=errors, grants=grants, restrictions=ranges_text,
                                    status=400)
        try:
            if op == "create":
                bp, secret = await comp.create(user.id, app_id, grants, restrictions)
                heading, message = t["created_title"], t["created"].format(**fmt)
            else:
                reset = bool(params.get("wpresetPassword"))
                bp, maybe = await comp.update(user.id, app_id, grants, restrictions, reset_password=reset)
                secret = maybe or ""
                heading, message = t["updated_title"], t["updated"].format(**fmt)
        except BotPasswordError as e:
            text = self.services.catalog.plaintext(e.message, page.lang)
            return await self._edit(page, app_id, errors=[text], grants=grants, restrictions=ranges_text,
                                    status=409)
        return self._render(
            page, "done", heading, message=message, secret=secret, username=user.name,
            login_name=f"{user.name}@{bp.app_id}", legacy_password=f"{bp.app_id}@{secret}",
        )
