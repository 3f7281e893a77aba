"""The pages for people (Main_Page, Special:UserLogin/UserLogout/CreateAccount/
PasswordReset/ChangePassword) through the whole app: headers, languages, tokens,
returnto, escaping, and that they drive the same engine as the API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from tests.conftest import ADMIN_PASSWORD, ApiClient

from wikigate.app import WikigateApp
from wikigate.users.model import User
from wikigate.web.ui import CSP, CSP_WITH_SCRIPTS, local_title, pick_language

MakeUser = Callable[..., Awaitable[User]]
NEW_PW = "Fresh-Secret-Pass-77"


async def get(client: ApiClient, title: str, **params: str) -> httpx.Response:
    return await client.http.get("/index.php", params={"title": title, **params})


def token_of(page: httpx.Response) -> str:
    m = re.search(r'name="wpEditToken" value="([^"]*)"', page.text)
    assert m, page.text
    return m.group(1).replace("&#43;", "+").replace("&#92;", "\\")


async def submit(client: ApiClient, title: str, fields: dict[str, str], *, token: str | None = None,
                 **query: str) -> httpx.Response:
    """GET the form (for its token), then POST ``fields`` to it."""
    if token is None:
        token = token_of(await get(client, title, **query))
    return await client.http.post("/index.php", params={"title": title, **query},
                                  data={**fields, "wpEditToken": token})


async def login(client: ApiClient, name: str, password: str = ADMIN_PASSWORD, **query: str) -> httpx.Response:
    return await submit(client, "Special:UserLogin", {"username": name, "password": password}, **query)


async def whoami(client: ApiClient) -> str:
    data: dict[str, Any] = await client.jget(action="query", meta="userinfo", formatversion="2")
    return str(data["query"]["userinfo"]["name"])


# -- plumbing -------------------------------------------------------------------------------


def test_pick_language_order() -> None:
    assert pick_language("de", "tr", "en") == "de"
    assert pick_language(None, "tr", "en") == "tr"
    assert pick_language("xx", None, "de") == "de"
    assert pick_language("", "", "fr") == "en"


def test_local_title_refuses_urls() -> None:
    from wikigate.pages.namespaces import Namespaces

    ns = Namespaces("RefWiki")
    assert local_title("Special:BotPasswords", ns) == "Special:BotPasswords"
    assert local_title("main_Page", ns) == "Main Page"
    # Whatever parses is a *title* of this wiki (MediaWiki accepts "Https://x" as one);
    # the redirect is built from it, so it stays on this server.
    assert local_title("https://evil.example/", ns) == "Https://evil.example/"
    for bad in ("", "a|b", "<script>", "commons:Foo", "#frag", "x" * 600, None):
        assert local_title(bad, ns) is None, bad


@pytest.mark.parametrize("title", ["Main_Page", "Special:UserLogin", "Special:CreateAccount",
                                   "Special:PasswordReset", "Special:UserLogout", "Special:ChangePassword",
                                   "Special:BotPasswords", "No such page"])
async def test_security_headers_on_every_page(client: ApiClient, title: str) -> None:
    r = await get(client, title)
    # Special:CreateAccount loads its live-check script from this server (no inline script).
    assert r.headers["content-security-policy"] == (CSP_WITH_SCRIPTS if title == "Special:CreateAccount" else CSP)
    assert "script-src" not in CSP and "default-src 'none'" in CSP and "frame-ancestors 'none'" in CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    scripts = re.findall(r"<script[^>]*>", r.text.lower())
    assert scripts == (['<script src="/static/createaccount.js" defer>'] if title == "Special:CreateAccount" else [])


async def test_both_url_forms_and_missing_titles(client: ApiClient) -> None:
    a = await client.http.get("/index.php/Main_Page")
    b = await get(client, "Main_Page")
    assert a.status_code == b.status_code == 200
    assert "RefWiki runs wikigate" in a.text and 'href="/index.php?title=Special:UserLogin"' in a.text
    r = await client.http.get("/index.php/Some_Article")
    assert r.status_code == 404 and "Some Article" in r.text and "Special:UserLogin" in r.text


async def test_language_by_uselang_then_preference(app: WikigateApp, client: ApiClient,
                                                   make_user: MakeUser) -> None:
    r = await get(client, "Special:UserLogin", uselang="de")
    assert '<html lang="de"' in r.text and "Benutzername" in r.text and r.headers["content-language"] == "de"
    r = await get(client, "Special:UserLogin", uselang="tr")
    assert "Kullanıcı adı" in r.text
    bob = await make_user("Bob")
    await app.services.users.set_options(bob.id, {"language": "tr"})
    await login(client, "Bob")
    r = await get(client, "Main_Page")
    assert '<html lang="tr"' in r.text and "Bob olarak oturum açtınız." in r.text
    r = await get(client, "Main_Page", uselang="de")  # uselang wins over the preference
    assert "Du bist als Bob angemeldet." in r.text


# -- login and logout ----------------------------------------------------------------------


async def test_login_redirects_to_local_returnto(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    r = await login(client, "Bob", returnto="Special:BotPasswords")
    assert r.status_code == 303
    assert r.headers["location"] == "/index.php?title=Special:BotPasswords"
    assert await whoami(client) == "Bob"  # the same session serves api.php


async def test_login_never_redirects_off_site(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    for target in ("https://evil.example/x", "//evil.example", "javascript:alert(1)", "commons:Foo", "<x>"):
        r = await login(client, "Bob", returnto=target)
        assert r.status_code == 303
        location = r.headers["location"]
        assert location.startswith("/index.php?title="), target
        assert httpx.URL(location).host == "", target
    r = await login(client, "Bob", returnto="commons:Foo")  # an interwiki title would leave the site
    assert r.headers["location"] == "/index.php?title=Main_Page"


async def test_wrong_password_is_shown_beside_the_form(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    r = await login(client, "Bob", "nope")
    assert r.status_code == 200
    assert 'role="alert"' in r.text and "Incorrect username or password entered." in r.text
    assert 'value="Bob"' in r.text and "nope" not in r.text  # name kept, password not echoed
    assert await whoami(client) != "Bob"


async def test_login_throttle_is_the_apis(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    count = int(app.services.settings.throttle.password_attempts[0]["count"])
    for _ in range(count):
        await login(client, "Bob", "nope")
    r = await login(client, "Bob")  # right password, but throttled like clientlogin
    assert r.status_code == 200 and "too many recent login attempts" in r.text.lower()
    assert await whoami(client) != "Bob"


@pytest.mark.parametrize("token", ["", "foreign"])
async def test_forms_refuse_missing_or_foreign_token(app: WikigateApp, client: ApiClient,
                                                     new_client: Callable[..., ApiClient],
                                                     make_user: MakeUser, token: str) -> None:
    await make_user("Bob")
    if token == "foreign":
        other = new_client()
        token = token_of(await get(other, "Special:UserLogin"))  # valid, but another session's
    await get(client, "Special:UserLogin")
    r = await submit(client, "Special:UserLogin", {"username": "Bob", "password": ADMIN_PASSWORD}, token=token)
    assert r.status_code == 400 and "This form has expired" in r.text
    assert await whoami(client) != "Bob"
    r = await submit(client, "Special:CreateAccount", {"username": "Eve", "password": NEW_PW, "retype": NEW_PW},
                     token=token)
    assert r.status_code == 400 and await app.services.users.get_by_name("Eve") is None


async def test_logout_needs_post_with_token(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    await login(client, "Bob")
    r = await get(client, "Special:UserLogout")  # a GET only asks
    assert r.status_code == 200 and await whoami(client) == "Bob"
    r = await submit(client, "Special:UserLogout", {}, token="0123456789abcdef0123456789abcdef1+\\")
    assert r.status_code == 400 and await whoami(client) == "Bob"
    r = await submit(client, "Special:UserLogout", {})
    assert r.status_code == 200 and "You are now logged out." in r.text
    assert await whoami(client) != "Bob"


async def test_script_in_names_and_returnto_is_escaped(client: ApiClient) -> None:
    evil = "<script>alert(1)</script>"
    r = await get(client, "Special:UserLogin", returnto=evil, username=evil)
    assert "<script>" not in r.text
    r = await login(client, evil, "x")
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text
    r = await client.http.get("/index.php/" + evil)
    assert r.status_code == 404 and "<script>" not in r.text and "&lt;script&gt;" in r.text


# -- create account ------------------------------------------------------------------------


async def test_create_account_logs_the_visitor_in(app: WikigateApp, client: ApiClient) -> None:
    r = await get(client, "Special:CreateAccount")
    for name in ("username", "password", "retype", "email", "realname"):
        assert f'name="{name}"' in r.text
    r = await submit(client, "Special:CreateAccount", {"username": "Newbie", "password": NEW_PW, "retype": "x",
                                                      "email": "", "realname": ""})
    assert "The passwords you entered do not match." in r.text
    assert await app.services.users.get_by_name("Newbie") is None
    r = await submit(client, "Special:CreateAccount", {"username": "Newbie", "password": NEW_PW, "retype": NEW_PW,
                                                      "email": "newbie@example.org", "realname": ""})
    assert r.status_code == 200 and "Welcome, Newbie!" in r.text
    assert await whoami(client) == "Newbie"
    user = await app.services.users.get_by_name("Newbie")
    assert user is not None and user.email == "newbie@example.org"


async def test_create_account_refuses_a_taken_name(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    r = await submit(client, "Special:CreateAccount", {"username": "Bob", "password": NEW_PW, "retype": NEW_PW})
    assert "Username entered already in use." in r.text


# -- password reset and change ---------------------------------------------------------------


async def test_password_reset_answers_the_same_for_everyone(app: WikigateApp, client: ApiClient,
                                                            make_user: MakeUser) -> None:
    await make_user("Bob", email="bob@example.org")
    answers = []
    for name in ("Bob", "Nobody"):
        r = await submit(client, "Special:PasswordReset", {"wpUsername": name})
        assert r.status_code == 200
        answers.append(re.sub(r'value="[^"]*\+\\"', "", r.text))
    assert answers[0] == answers[1] and "a temporary password was sent" in answers[0]


async def test_change_password_keeps_this_session(app: WikigateApp, client: ApiClient,
                                                  new_client: Callable[..., ApiClient],
                                                  make_user: MakeUser) -> None:
    await make_user("Bob")
    other = new_client()
    await login(other, "Bob")
    await login(client, "Bob")
    r = await submit(client, "Special:ChangePassword", {"password": NEW_PW, "retype": "other"})
    assert r.status_code == 400 and "do not match" in r.text
    r = await submit(client, "Special:ChangePassword", {"password": NEW_PW, "retype": NEW_PW})
    assert r.status_code == 200 and "Your password was changed." in r.text
    assert await whoami(client) == "Bob" and await whoami(other) != "Bob"
    fresh = new_client()
    assert (await login(fresh, "Bob", NEW_PW)).status_code == 303


@pytest.mark.settings(sessions__reauthenticate_seconds=0)
async def test_change_password_needs_a_recent_login(app: WikigateApp, client: ApiClient,
                                                    make_user: MakeUser) -> None:
    await make_user("Bob")
    await login(client, "Bob")
    await asyncio.sleep(0.02)
    r = await get(client, "Special:ChangePassword")
    assert r.status_code == 303
    assert r.headers["location"] == "/index.php?title=Special:UserLogin&returnto=Special:ChangePassword"


async def test_temporary_password_forces_a_new_one(app: WikigateApp, client: ApiClient,
                                                   make_user: MakeUser) -> None:
    bob = await make_user("Bob", email="bob@example.org")
    hashed = await app.services.hashing.hash("Temp-Pass-0001")
    from wikigate.util.clock import mw_timestamp

    await app.services.users.update(bob.id, newpassword=hashed, newpass_time=mw_timestamp(app.services.clock.time()))
    r = await login(client, "Bob", "Temp-Pass-0001")
    assert r.status_code == 200 and 'name="wpContinue"' in r.text and 'name="retype"' in r.text
    assert "temporary" in r.text.lower()
    r = await client.http.post("/index.php", params={"title": "Special:UserLogin"},
                               data={"password": NEW_PW, "retype": NEW_PW, "wpContinue": "1",
                                     "wpEditToken": token_of(r)})
    assert r.status_code == 303 and await whoami(client) == "Bob"
    fresh = await app.services.users.get_by_id(bob.id)
    assert fresh is not None and await app.services.hashing.verify(fresh.password, NEW_PW)


def test_every_text_is_translated() -> None:
    from wikigate.web.pages import botpasswords_texts
    from wikigate.web.texts import TEXTS

    for lang in ("de", "tr"):
        assert {s: set(v) for s, v in TEXTS[lang].items()} == {s: set(v) for s, v in TEXTS["en"].items()}, lang
        assert set(botpasswords_texts.TEXTS[lang]) == set(botpasswords_texts.TEXTS["en"]), lang


async def test_botpasswords_in_the_shared_look(client: ApiClient) -> None:
    r = await get(client, "Special:BotPasswords", uselang="de")
    assert r.headers["content-security-policy"] == CSP and '<nav aria-label="Dein Benutzerkonto">' in r.text
    assert 'href="/index.php?title=Special:UserLogin&amp;returnto=Special:BotPasswords"' in r.text


async def test_inline_stylesheet_matches_its_csp_hash(client: ApiClient) -> None:
    """The browser applies the <style> only if its exact bytes hash to the CSP's value
    (an autoescaped stylesheet once broke this)."""
    import base64
    import hashlib

    r = await get(client, "Special:UserLogin")
    m = re.search(r"<style>(.*?)</style>", r.text, re.S)
    assert m
    digest = base64.b64encode(hashlib.sha256(m.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in r.headers["content-security-policy"]


async def test_errors_are_tied_to_the_fields(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    r = await login(client, "Bob", "nope")
    assert 'id="form-errors"' in r.text
    for name in ("username", "password"):
        m = re.search(rf'<input[^>]*id="wp-{name}"[^>]*>', r.text)
        assert m and 'aria-describedby="form-errors' in m.group(0), m
    assert re.search(r'<label class="field" for="wp-username">', r.text)


async def test_preferences_use_the_options_rules(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    r = await get(client, "Special:Preferences")
    assert "Please log in" in r.text and 'name="language"' not in r.text
    await login(client, "Bob")
    r = await submit(client, "Special:Preferences", {"language": "xx", "gender": "female"})
    assert r.status_code == 400 and "Language of the pages" in r.text  # refused as action=options would
    r = await submit(client, "Special:Preferences", {"language": "de", "gender": "female"},
                     token="0123456789abcdef0123456789abcdef1+\\")
    assert r.status_code == 400
    r = await submit(client, "Special:Preferences", {"language": "de", "gender": "female"})
    assert r.status_code == 303
    r = await client.http.get(r.headers["location"])
    assert '<html lang="de"' in r.text and "Deine Einstellungen wurden gespeichert." in r.text
    data: dict[str, Any] = await client.jget(action="query", meta="userinfo", uiprop="options", formatversion="2")
    options = data["query"]["userinfo"]["options"]
    assert options["language"] == "de" and options["gender"] == "female"


async def test_preferences_real_name_and_email_link(app: WikigateApp, client: ApiClient,
                                                    make_user: MakeUser) -> None:
    """The real name is a column of the user row, as in MediaWiki (not an option); too long
    is refused beside the field; the e-mail address is shown with a link to
    Special:ChangeEmail. Escaped like every user text."""
    await make_user("Bob")
    await login(client, "Bob")
    r = await get(client, "Special:Preferences")
    assert 'id="wp-realname"' in r.text and "Special:ChangeEmail" in r.text
    r = await submit(client, "Special:Preferences", {"realname": "x" * 256})
    assert r.status_code == 400 and "at most 255 bytes" in r.text
    m = re.search(r'<input[^>]*id="wp-realname"[^>]*>', r.text)
    assert m and 'aria-invalid="true"' in m.group(0)
    r = await submit(client, "Special:Preferences", {"realname": "  <script>Bob</script> Builder "})
    assert r.status_code == 303
    r = await client.http.get(r.headers["location"])
    assert "&lt;script&gt;Bob&lt;/script&gt; Builder" in r.text and "<script>Bob" not in r.text
    user = await app.services.users.get_by_name("Bob")
    assert user is not None and user.real_name == "<script>Bob</script> Builder"
