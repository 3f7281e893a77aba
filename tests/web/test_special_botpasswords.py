"""Special:BotPasswords driven like a browser and like mwdiff's ``botpassword:`` fixture
(its HTML form reader is imported from the shared tool when available)."""

from __future__ import annotations

import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from tests.conftest import ApiClient

from wikigate.app import WikigateApp
from wikigate.auth.sessions import Session
from wikigate.users.model import User

MWDIFF = Path("/work/shared/tools/mwdiff")
MakeUser = Callable[..., Awaitable[User]]


def _find_form(text: str, form_id: str) -> dict[str, Any] | None:
    """mwdiff's own parser when the tool is present, so the fixture's view is what we test."""
    if MWDIFF.is_dir() and str(MWDIFF) not in sys.path:
        sys.path.insert(0, str(MWDIFF))
    try:
        from mwdiff.forms import find_form  # type: ignore[import-not-found]
    except ImportError:
        pytest.skip("mwdiff is not available")
    result: dict[str, Any] | None = find_form(text, form_id=form_id)
    return result


async def _login_cookie(app: WikigateApp, client: ApiClient, user: User, *, last_auth: float | None = None) -> str:
    """What a clientlogin PASS leaves behind: a session of the user, cookie in the jar."""
    svc = app.services
    s = Session()
    s.persist()
    now = svc.clock.time()
    s.set_user(user.id, user.name, user.token, remember=False, now=now if last_auth is None else last_auth)
    await svc.sessions.save(s, now=now)
    assert s.id is not None
    client.http.cookies.set("my_wiki_session", s.id, domain="wiki.test")
    return s.id


async def _post(client: ApiClient, title: str, fields: list[tuple[str, str]] | dict[str, str]) -> httpx.Response:
    """A form POST; repeated names (``wpgrants[]``) need a list of pairs, urlencoded by hand."""
    pairs = list(fields.items()) if isinstance(fields, dict) else fields
    return await client.http.post("/index.php", params={"title": title}, content=urlencode(pairs),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})


async def _page(client: ApiClient, title: str, **params: str) -> httpx.Response:
    return await client.http.get("/index.php", params={"title": title, **params})


async def _create_like_mwdiff(client: ApiClient, appid: str, grants: list[str]) -> httpx.Response:
    """The exact steps of mwdiff/fixtures.py bot_password()."""
    title = f"Special:BotPasswords/{appid}"
    r = await _page(client, title)
    form = _find_form(r.text, "mw-botpasswords-form")
    assert form is not None, r.text
    fields = [(k, v) for k, v in form["fields"] if not k.startswith("wpgrants")]
    for g in grants:
        fields.append(("wpgrants[]", f"grant-{g}"))
    fields.append(("op", "create"))
    return await _post(client, title, fields)


async def test_anonymous_is_asked_to_log_in(client: ApiClient) -> None:
    r = await _page(client, "Special:BotPasswords")
    assert r.status_code == 200
    assert "Please log in" in r.text and "clientlogin" in r.text
    assert "mw-botpasswords-form" not in r.text
    assert "set-cookie" not in r.headers  # no session for a look


async def test_create_like_mwdiff_then_login_with_it(app: WikigateApp, client: ApiClient,
                                                    make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await _login_cookie(app, client, bob)
    r = await _create_like_mwdiff(client, "mwdbot", ["basic", "editprotected"])
    assert r.status_code == 200
    m = re.search(r"<strong>([a-z0-9]{32})</strong>", r.text)
    assert m, r.text
    assert "<strong>Bob@mwdbot</strong>" in r.text
    assert f"<strong>mwdbot@{m.group(1)}</strong>" in r.text  # legacy login form
    bp = await app.services.botpasswords.get(bob.id, "mwdbot")
    assert bp.grants == ["basic", "editprotected"]
    assert bp.restrictions.ip_ranges == ("0.0.0.0/0", "::/0")
    assert await app.services.hashing.verify(bp.password_hash, m.group(1))
    # The list page links to it; creating it again fails with MediaWiki's message.
    r = await _page(client, "Special:BotPasswords")
    assert 'href="/index.php?title=Special:BotPasswords/mwdbot"' in r.text
    r = await _create_like_mwdiff(client, "mwdbot", ["basic"])
    assert r.status_code == 409
    assert "Failed to add bot name &#34;mwdbot&#34;. Was it already added?" in r.text


async def test_edit_form_fields_match_mediawiki(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await _login_cookie(app, client, bob)
    r = await _page(client, "Special:BotPasswords/newbot")
    form = _find_form(r.text, "mw-botpasswords-form")
    assert form is not None
    names = [k for k, _ in form["fields"]]
    assert names == ["title", "wpgrants[]", "wprestrictions", "wpEditToken"]
    assert dict(form["fields"])["wprestrictions"] == "0.0.0.0/0\n::/0"
    assert dict(form["fields"])["title"] == "Special:BotPasswords/newbot"
    assert ("op", "create") in form["buttons"] and ("op", "cancel") in form["buttons"]
    assert ("wpgrants[]", "grant-editpage") in form["choices"]
    assert len(form["choices"]) == 26  # every 1.39 grant
    token = dict(form["fields"])["wpEditToken"]
    check = await client.jget(action="checktoken", type="csrf", token=token)
    assert check["checktoken"]["result"] == "valid"  # the session's CSRF token


async def test_update_reset_and_delete(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await _login_cookie(app, client, bob)
    r = await _create_like_mwdiff(client, "bot2", ["editpage"])
    first = re.search(r"<strong>([a-z0-9]{32})</strong>", r.text)
    assert first
    comp = app.services.botpasswords
    token_before = (await comp.get(bob.id, "bot2")).token
    r = await _page(client, "Special:BotPasswords/bot2")
    form = _find_form(r.text, "mw-botpasswords-form")
    assert form is not None
    assert ("op", "update") in form["buttons"] and ("op", "delete") in form["buttons"]
    assert ("wpgrants[]", "grant-editpage") in form["fields"]  # current grants are ticked
    fields = dict(form["fields"])
    data = [("wpEditToken", fields["wpEditToken"]), ("wpgrants[]", "grant-protect"),
            ("wprestrictions", "192.0.2.0/24\r\n2001:db8::/32\r\n"), ("op", "update")]
    r = await _post(client, "Special:BotPasswords/bot2", data)
    assert r.status_code == 200 and "<strong>" not in r.text  # no reset: no new password
    bp = await comp.get(bob.id, "bot2")
    assert bp.grants == ["basic", "protect"] and bp.restrictions.ip_ranges == ("192.0.2.0/24", "2001:db8::/32")
    assert bp.token != token_before
    r = await _post(client, "Special:BotPasswords/bot2", [*data, ("wpresetPassword", "1")])
    second = re.search(r"<strong>([a-z0-9]{32})</strong>", r.text)
    assert second and second.group(1) != first.group(1)
    r = await _post(client, "Special:BotPasswords/bot2", {"wpEditToken": fields["wpEditToken"], "op": "delete"})
    assert r.status_code == 200 and "deleted" in r.text
    assert await comp.get(bob.id, "bot2") is None


async def test_posts_need_the_csrf_token(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await _login_cookie(app, client, bob)
    await _page(client, "Special:BotPasswords/x")  # creates the token secret
    for token in ("", "+\\", "0" * 32 + "1+\\"):
        r = await _post(client, "Special:BotPasswords/x",
                        {"wpEditToken": token, "op": "create", "wprestrictions": "0.0.0.0/0"})
        assert r.status_code == 400 and "nothing was saved" in r.text
    assert await app.services.botpasswords.get(bob.id, "x") is None
    # GET never changes anything, whatever it carries.
    r = await client.http.get("/index.php", params={"title": "Special:BotPasswords/x", "op": "create"})
    assert r.status_code == 200 and await app.services.botpasswords.get(bob.id, "x") is None


async def test_bad_input_is_reported(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await _login_cookie(app, client, bob)
    r = await _page(client, "Special:BotPasswords/" + "a" * 33)
    assert r.status_code == 400 and "cannot be used as a bot name" in r.text
    r = await _page(client, "Special:BotPasswords/y")
    token = dict(_find_form(r.text, "mw-botpasswords-form")["fields"])["wpEditToken"]  # type: ignore[index]
    for restr, needle in (("10.0.0.0/8\nexample.org", "“example.org” is not an IP address"),
                          ("  \n", "Enter at least one IP address")):
        r = await _post(client, "Special:BotPasswords/y",
                        {"wpEditToken": token, "op": "create", "wprestrictions": restr})
        assert r.status_code == 400 and needle in r.text
    r = await _post(client, "Special:BotPasswords/y", [("wpEditToken", token), ("op", "create"),
                                                       ("wprestrictions", "::/0"), ("wpgrants[]", "grant-nosuch")])
    assert r.status_code == 400 and "Unknown grant" in r.text
    # op=new on the list page redirects to the sub-page, after validating the name.
    r = await _post(client, "Special:BotPasswords", {"wpEditToken": token, "op": "new", "wpappId": "  my bot "})
    assert r.status_code == 303 and r.headers["location"] == "/index.php?title=Special:BotPasswords/my_bot"
    r = await _post(client, "Special:BotPasswords", {"wpEditToken": token, "op": "new", "wpappId": "   "})
    assert r.status_code == 400


async def test_stale_login_must_reauthenticate(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await _login_cookie(app, client, bob, last_auth=app.services.clock.time() - 3601)
    r = await _page(client, "Special:BotPasswords")
    assert "log in again" in r.text and "mw-botpasswords-form" not in r.text


async def test_german_and_turkish(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await _login_cookie(app, client, bob)
    r = await _page(client, "Special:BotPasswords", uselang="de")
    assert '<html lang="de"' in r.text and "Neues Bot-Passwort anlegen" in r.text
    r = await _page(client, "Special:BotPasswords/x", uselang="tr")
    assert "Yeni bot parolası oluştur" in r.text


async def test_bot_password_session_is_not_accepted_on_index_php(app: WikigateApp, client: ApiClient,
                                                                 make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    comp = app.services.botpasswords
    await comp.create(bob.id, "b")
    svc = app.services
    s = Session()
    s.persist()
    s.set_user(bob.id, bob.name, bob.token, remember=False, now=svc.clock.time())
    bp = await comp.get(bob.id, "b")
    s.bot = {"app_id": "b", "grants": bp.grants, "bp_token": bp.token}
    await svc.sessions.save(s, now=svc.clock.time())
    client.http.cookies.set("my_wiki_BPsession", s.id or "", domain="wiki.test")
    info = await client.jget(action="query", meta="userinfo")
    assert info["query"]["userinfo"]["name"] == "Bob"  # valid on api.php
    r = await _page(client, "Special:BotPasswords")
    assert "Please log in" in r.text  # but not here


async def test_new_app_ids_with_the_separator_are_refused(app: WikigateApp, client: ApiClient,
                                                          make_user: MakeUser) -> None:
    """``@`` is refused for new bot passwords by the same check as the CLI
    (validate_new_app_id); an existing one (imported from MediaWiki) still works."""
    from wikigate.auth.botpasswords import BotPassword, BotPasswordError, Restrictions

    bob = await make_user("Bob")
    await _login_cookie(app, client, bob)
    r = await _page(client, "Special:BotPasswords/y")
    token = dict(_find_form(r.text, "mw-botpasswords-form")["fields"])["wpEditToken"]  # type: ignore[index]
    r = await _post(client, "Special:BotPasswords", {"wpEditToken": token, "op": "new", "wpappId": "a@b"})
    assert r.status_code == 400 and "“a@b” cannot be used as a bot name" in r.text
    r = await _post(client, "Special:BotPasswords/a@b", {"wpEditToken": token, "op": "create",
                                                         "wprestrictions": "::/0"})
    assert r.status_code == 400 and "cannot be used as a bot name" in r.text
    comp = app.services.botpasswords
    assert await comp.get(bob.id, "a@b") is None
    with pytest.raises(BotPasswordError):
        await comp.create(bob.id, "a@b")
    # Imported rows keep working: found, listed and deletable by their id.
    hashing = app.services.hashing
    secret = "0123456789abcdefghijklmnopqrstuv"
    await comp.store.insert(BotPassword(user_id=bob.id, app_id="old@tool", token="t" * 32,
                                        restrictions=Restrictions(), grants=["basic"]),
                            await hashing.hash(secret))
    api = ApiClient(client.http)
    lt = await api.token("login")
    r2 = await api.jpost(action="login", lgname="Bob@old@tool", lgpassword=secret, lgtoken=lt)
    assert r2["login"]["result"] == "Success"
    assert await comp.delete(bob.id, "old@tool")
