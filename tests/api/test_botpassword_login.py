"""action=login with bot passwords through the whole app (spec login.md §1, §3;
sessions-tokens.md §1-2, §6). Expected bodies are the reference's answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from wikigate.app import WikigateApp
from wikigate.users.model import User

MakeUser = Callable[..., Awaitable[User]]


async def _bp(app: WikigateApp, user: User, app_id: str = "mybot", grants: tuple[str, ...] = ("editpage",),
              **kw: Any) -> str:
    _, secret = await app.services.botpasswords.create(user.id, app_id, grants, **kw)
    return str(secret)


async def _login(client: ApiClient, name: str, password: str, **extra: Any) -> Any:
    lt = await client.token("login")
    return await client.post(action="login", lgname=name, lgpassword=password, lgtoken=lt, **extra)


async def test_success_sets_only_the_bp_cookie_and_caps_rights(app: WikigateApp, client: ApiClient,
                                                                make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    secret = await _bp(app, bob)
    lt = await client.token("login")
    main_sid = client.http.cookies.get("my_wiki_session")
    r = await client.post(action="login", lgname="Bob@mybot", lgpassword=secret, lgtoken=lt)
    assert r.json() == {"login": {"result": "Success", "lguserid": bob.id, "lgusername": "Bob"}}  # no warnings
    cookies = r.headers.get_list("set-cookie")
    assert len(cookies) == 1
    assert cookies[0].startswith("my_wiki_BPsession=") and cookies[0].endswith("; path=/; HttpOnly")
    info = await client.jget(action="query", meta="userinfo", uiprop="groups|rights", formatversion="2")
    # The reference's answer for a plain user with basic+editpage (sessions-tokens.md §6).
    assert info["query"]["userinfo"] == {
        "id": bob.id, "name": "Bob", "groups": ["*", "user", "autoconfirmed"],
        "rights": ["read", "edit", "writeapi", "minoredit", "purge", "applychangetags", "changetags",
                   "editcontentmodel", "autoconfirmed", "editsemiprotected"]}
    # The cookie session is untouched: the earlier login token is still valid there.
    r2 = await client.get(action="query", meta="tokens", type="csrf")
    assert "set-cookie" not in r2.headers  # no cookie repeated
    assert client.http.cookies.get("my_wiki_session") == main_sid
    del client.http.cookies["my_wiki_BPsession"]
    assert (await client.jget(action="checktoken", type="login", token=lt))["checktoken"]["result"] == "valid"


async def test_legacy_form_and_lowercase_name(app: WikigateApp, new_client: Callable[..., ApiClient],
                                              make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    secret = await _bp(app, bob)
    r = await _login(new_client(), "Bob", f"mybot@{secret}")
    assert r.json()["login"]["result"] == "Success"
    r = await _login(new_client(), "bob@mybot", secret)
    assert r.json()["login"] == {"result": "Success", "lguserid": bob.id, "lgusername": "Bob"}


@pytest.mark.parametrize("case", ["wrongsecret", "noapp", "nouser", "ip"])
async def test_other_failures_fall_through_to_wrongpassword(app: WikigateApp, new_client: Callable[..., ApiClient],
                                                           make_user: MakeUser, case: str) -> None:
    from wikigate.auth.botpasswords import Restrictions

    bob = await make_user("Bob")
    secret = await _bp(app, bob, restrictions=Restrictions(("10.0.0.0/8",)) if case == "ip" else None)
    name, pw = {"wrongsecret": ("Bob@mybot", "0" * 32), "noapp": ("Bob@other", secret),
                "nouser": ("Nobody@mybot", secret), "ip": ("Bob@mybot", secret)}[case]
    r = await _login(new_client(), name, pw)
    assert r.json() == {"login": {"result": "Failed",
                                  "reason": "Incorrect username or password entered. Please try again."}}
    assert "my_wiki_BPsession" not in r.headers.get("set-cookie", "")
    if case == "ip":
        assert (await _login(new_client(ip="10.1.2.3"), name, pw)).json()["login"]["result"] == "Success"


async def test_needs_reset_after_password_change(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    secret = await _bp(app, bob)
    await app.services.botpasswords.invalidate_all(bob.id)
    r = await _login(client, "Bob@mybot", secret)
    assert r.json() == {"login": {"result": "Failed",
                                  "reason": 'The bot password for bot name "mybot" of user "Bob" must be reset.'}}
    r = await _login(client, "Bob@mybot", secret, errorformat="plaintext", formatversion="2")
    assert r.json()["login"]["reason"] == {
        "code": "botpasswords-needs-reset",
        "text": 'The bot password for bot name "mybot" of user "Bob" must be reset.'}


async def test_throttle(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    secret = await _bp(app, bob)
    for _ in range(5):
        assert (await _login(client, "Bob@mybot", "1" * 32)).json()["login"]["result"] == "Failed"
    r = await _login(client, "Bob@mybot", secret, errorformat="raw")
    assert r.json()["login"] == {"result": "Failed", "wait": 300, "reason": {
        "code": "login-throttled", "key": "login-throttled", "params": [{"duration": 300}]}}
    assert r.headers["retry-after"] == "300"


async def test_bot_session_is_immutable_and_logout_drops_only_it(app: WikigateApp, client: ApiClient,
                                                                 make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    secret = await _bp(app, bob)
    assert (await _login(client, "Bob@mybot", secret)).json()["login"]["result"] == "Success"
    lt = await client.token("login")
    r = await client.jpost(action="login", lgname="Bob@mybot", lgpassword=secret, lgtoken=lt)
    assert r["login"] == {"result": "Aborted",
                          "reason": "Cannot log in when using MediaWiki\\Session\\BotPasswordSessionProvider sessions."}
    r = await client.jpost(action="clientlogin", username="Bob", password="x", loginreturnurl="http://x.test/",
                           logintoken=lt)
    assert r["clientlogin"]["messagecode"] == "userlogin-cannot-login"
    csrf = await client.token("csrf")
    r2 = await client.post(action="logout", token=csrf)
    assert r2.json() == {}
    assert r2.headers.get_list("set-cookie") == [
        "my_wiki_BPsession=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0; path=/; HttpOnly"]
    info = await client.jget(action="query", meta="userinfo")
    assert info["query"]["userinfo"]["id"] == 0


async def test_changes_end_open_bot_sessions(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    secret = await _bp(app, bob)
    await _login(client, "Bob@mybot", secret)
    assert (await client.jget(action="query", meta="userinfo"))["query"]["userinfo"]["name"] == "Bob"
    await app.services.botpasswords.update(bob.id, "mybot", ["editpage"])  # new bp_token
    assert (await client.jget(action="query", meta="userinfo"))["query"]["userinfo"]["id"] == 0
