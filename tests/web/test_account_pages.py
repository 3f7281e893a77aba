"""Special:OATHManage in the shared look and Special:ChangeEmail: headers, languages,
tokens, the recent-login rule, the bot-password refusal and the rules of the change."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from tests.conftest import ApiClient, make_settings, marked
from tests.web.test_pages import get, login, submit, token_of, whoami

from wikigate.app import WikigateApp
from wikigate.config import DEFAULT_GROUP_PERMISSIONS, Settings
from wikigate.users.model import User
from wikigate.web.ui import CSP, CSP_WITH_SCRIPTS

MakeUser = Callable[..., Awaitable[User]]


async def test_change_email(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob", email="old@example.org")
    r = await get(client, "Special:ChangeEmail")
    assert "Please log in to change your e-mail address." in r.text
    await login(client, "Bob")
    r = await get(client, "Special:ChangeEmail", uselang="de")
    assert r.headers["content-security-policy"] == CSP and "old@example.org" in r.text
    assert "Neue E-Mail-Adresse" in r.text
    r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": "not an address"})
    assert r.status_code == 400 and "The e-mail address is not valid." in r.text
    assert 'id="wpNewEmail-error"' in r.text and 'aria-invalid="true"' in r.text
    r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": "old@example.org"})
    assert r.status_code == 400 and "already your e-mail address" in r.text
    r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": "new@example.org"},
                     token="0123456789abcdef0123456789abcdef1+\\")
    assert r.status_code == 400 and "This form has expired" in r.text
    r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": "new@example.org"})
    assert r.status_code == 200 and "Your e-mail address was changed." in r.text
    fresh = await app.services.users.get_by_id(bob.id)
    assert fresh is not None and fresh.email == "new@example.org" and fresh.email_authenticated is None
    r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": ""})
    assert "Your e-mail address was removed." in r.text
    fresh = await app.services.users.get_by_id(bob.id)
    assert fresh is not None and fresh.email == ""
    events = [e.event for e in await app.services.audit.list(user="Bob")]
    assert events.count("email-change") == 2


async def test_change_email_is_rate_limited_when_adding(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    await login(client, "Bob")
    for i in range(4):  # $wgRateLimits['changeemail']['user'] = [4, 86400]
        r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": f"a{i}@example.org"})
        assert r.status_code == 200, r.text
    r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": "a9@example.org"})
    assert r.status_code == 429 and "too often" in r.text
    r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": ""})  # removing is never limited
    assert r.status_code == 200


@pytest.mark.settings(sessions__reauthenticate_seconds=0)
async def test_change_email_needs_a_recent_login(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    await login(client, "Bob")
    await asyncio.sleep(0.02)
    r = await get(client, "Special:ChangeEmail")
    assert r.status_code == 303
    assert r.headers["location"] == "/index.php?title=Special:UserLogin&returnto=Special:ChangeEmail"
    r = await get(client, "Special:OATHManage", action="enable", module="totp")
    assert r.status_code == 403 and "please log in again" in r.text


async def test_change_email_refused_with_a_bot_password(app: WikigateApp, client: ApiClient,
                                                        make_user: MakeUser) -> None:
    """A bot-password session is never a session on index.php (so no page can reach the
    account's e-mail address through it)."""
    bob = await make_user("Bob", email="old@example.org")
    _, secret = await app.services.botpasswords.create(bob.id, "tool", ["basic"])
    r = await client.jpost(action="login", lgname="Bob@tool", lgpassword=secret,
                           lgtoken=await client.token("login"))
    assert r["login"]["result"] == "Success"
    r2 = await get(client, "Special:ChangeEmail")
    assert "Please log in to change your e-mail address." in r2.text


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return marked(request, make_settings(tmp_path, oath__enabled=True))


async def test_oathmanage_in_the_shared_look(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Alice")
    r = await get(client, "Special:OATHManage")
    assert r.status_code == 401 and r.headers["content-security-policy"] == CSP
    await login(client, "Alice")
    for lang, word in (("en", "Enable TOTP"), ("de", "TOTP (Einmalcodes) aktivieren"),
                       ("tr", "TOTP'yi")):
        r = await get(client, "Special:OATHManage", uselang=lang)
        assert r.status_code == 200 and word in r.text.replace("&#39;", "'"), lang
        assert r.headers["content-security-policy"] == CSP and r.headers["referrer-policy"] == "same-origin"
    r = await get(client, "Special:OATHManage", action="enable", module="totp")
    assert "<svg" in r.text and 'style=' not in r.text.split("<main")[1]
    assert 'for="oath-token"' in r.text
    assert token_of(r)
    for token in ("", "0123456789abcdef0123456789abcdef1+\\"):
        r = await submit(client, "Special:OATHManage", {"token": "123456", "module": "totp", "action": "enable"},
                         token=token, action="enable", module="totp")
        assert r.status_code == 400 and "This form has expired" in r.text


# -- Special:CreateAccount: live checks and accounts for someone else ------------------------


async def test_create_account_loads_its_script_from_this_server(client: ApiClient) -> None:
    r = await get(client, "Special:CreateAccount", uselang="de")
    assert r.headers["content-security-policy"] == CSP_WITH_SCRIPTS
    assert '<script src="/static/createaccount.js" defer></script>' in r.text
    assert "<script>" not in r.text  # nothing inline
    assert 'data-taken="Dieser Benutzername ist bereits vergeben."' in r.text and 'data-api="/api.php"' in r.text
    js = await client.http.get("/static/createaccount.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert "validatepassword" in js.text and "innerHTML" not in js.text
    assert (await client.http.get("/static/../app.py")).status_code == 404
    assert (await client.http.get("/static/site.css")).status_code == 404  # only scripts are served


async def test_live_checks_use_the_api(client: ApiClient, make_user: MakeUser) -> None:
    """What the script asks: list=users for the name, validatepassword for the password."""
    await make_user("Bob")
    r = await client.jget(action="query", list="users", ususers="Bob|Nobody here", formatversion="2")
    assert "missing" not in r["query"]["users"][0] and r["query"]["users"][1]["missing"] is True
    r = await client.jpost(action="validatepassword", password="Newcomer", user="Newcomer", formatversion="2",
                           errorformat="plaintext")
    assert r["validatepassword"]["validity"] != "Good" and r["validatepassword"]["validitymessages"][0]["text"]


async def test_create_an_account_for_someone_else_by_mail(app: WikigateApp, client: ApiClient,
                                                          new_client: Callable[..., ApiClient],
                                                          make_user: MakeUser) -> None:
    await make_user("Sysop", groups=("sysop",))
    await login(client, "Sysop")
    r = await get(client, "Special:CreateAccount")
    assert "You are creating an account for someone else as Sysop." in r.text
    names = re.findall(r'name="([^"]+)"', r.text.split("<main")[1])
    assert names.index("mailpassword") == names.index("email") + 1
    r = await submit(client, "Special:CreateAccount", {"username": "Other", "email": "other@example.org",
                                                      "mailpassword": "1", "password": "", "retype": "",
                                                      "realname": "", "reason": "for a colleague"})
    assert r.status_code == 200, r.text
    assert "The account Other was created and a temporary password was sent to other@example.org." in r.text
    assert await whoami(client) == "Sysop"  # the creator stays who they are
    other = await app.services.users.get_by_name("Other")
    assert other is not None and other.email == "other@example.org"
    mailer = app.services.mailer
    await mailer.flush()
    (sent,) = [m for m in mailer.transport.outbox if m.recipient == "other@example.org"]
    body = sent.body
    temp = re.search(r"Temporary password:\s+([0-9a-v]{10,})\s", body)
    assert temp is not None, body
    # The mailed password logs in and must be replaced at once (the forced-change step).
    fresh = new_client()
    r = await login(fresh, "Other", temp.group(1))
    assert r.status_code == 200 and 'name="retype"' in r.text, r.text


@pytest.mark.settings(rights__group_permissions={
    g: [r for r in rights if r != "createaccount"] for g, rights in DEFAULT_GROUP_PERMISSIONS.items()})
async def test_create_for_someone_else_needs_the_right(client: ApiClient, new_client: Callable[..., ApiClient],
                                                       make_user: MakeUser, app: WikigateApp) -> None:
    await make_user("Plain")
    await login(client, "Plain")
    r = await get(client, "Special:CreateAccount")
    assert r.status_code == 403 and 'name="mailpassword"' not in r.text


async def test_new_forms_refuse_another_sessions_token(app: WikigateApp, client: ApiClient,
                                                       new_client: Callable[..., ApiClient],
                                                       make_user: MakeUser) -> None:
    """A valid token of another session is as good as none (ChangeEmail, OATHManage)."""
    bob = await make_user("Bob", email="old@example.org")
    other = new_client()
    foreign = token_of(await get(other, "Special:UserLogin"))
    await login(client, "Bob")
    r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": "new@example.org"}, token=foreign)
    assert r.status_code == 400 and "This form has expired" in r.text
    fresh = await app.services.users.get_by_id(bob.id)
    assert fresh is not None and fresh.email == "old@example.org"
    await get(client, "Special:OATHManage", action="enable", module="totp")
    r = await submit(client, "Special:OATHManage", {"token": "123456", "module": "totp", "action": "enable"},
                     token=foreign, action="enable", module="totp")
    assert r.status_code == 400 and "This form has expired" in r.text


async def test_change_email_returns_only_to_local_titles(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Bob")
    await login(client, "Bob")
    for target, expected in (("https://evil.example/", 'href="/index.php?title=Https://evil.example/"'),
                             ("//evil.example", 'href="/index.php?title=Main_Page"'),
                             ("Special:Preferences", 'href="/index.php?title=Special:Preferences"')):
        r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": ""}, returnto=target)
        r = await submit(client, "Special:ChangeEmail", {"wpNewEmail": f"x{len(target)}@example.org"},
                         returnto=target)
        assert r.status_code == 200 and expected in r.text, target
        assert 'href="https://evil' not in r.text and 'href="//evil' not in r.text
