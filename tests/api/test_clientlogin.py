"""action=clientlogin (seed API:Login method 2; spec login.md §4)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import ADMIN_PASSWORD, ApiClient
from wikigate.app import WikigateApp

RETURN = "http://client.example/"


async def _cl(c: ApiClient, **kw: Any) -> Any:
    lt = kw.pop("logintoken", None) or await c.token("login")
    kw.setdefault("loginreturnurl", RETURN)
    return await c.jpost(action="clientlogin", logintoken=lt, **kw)


WRONG = "Incorrect username or password entered.\nPlease try again."


async def test_wrong_password_unknown_user_invalid_name(client: ApiClient,
                                                        make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Alice")
    r = await _cl(client, username="Alice", password="nope")
    assert r == {"clientlogin": {"status": "FAIL", "message": WRONG, "messagecode": "wrongpassword"}}
    r = await _cl(client, username="Nobody here", password="nope", formatversion="2")
    assert r["clientlogin"] == {"status": "FAIL", "message": WRONG, "messagecode": "wrongpassword",
                                "canpreservestate": False}
    r = await _cl(client, username="Bad<name>", password="nope")
    assert r["clientlogin"]["messagecode"] == "authmanager-authn-no-primary"
    r = await _cl(client, username="Alice", password="")
    assert r["clientlogin"]["messagecode"] == "authmanager-authn-no-primary"
    r = await _cl(client, username="Alice", password="nope", loginmessageformat="raw")
    assert r["clientlogin"]["message"] == {"key": "wrongpassword", "params": []}
    r = await _cl(client, username="Alice", password="nope", loginmessageformat="none")
    assert "message" not in r["clientlogin"]


async def test_parameter_errors(client: ApiClient) -> None:
    lt = await client.token("login")
    r = await client.jpost(action="clientlogin", username="A", password="b", logintoken=lt)
    assert r["error"]["code"] == "missingparam"
    assert r["error"]["info"] == 'At least one of the parameters "logincontinue" and "loginreturnurl" is required.'
    r = await client.jpost(action="clientlogin", loginreturnurl="foo", logintoken=lt)
    assert r["error"]["code"] == "badurl_loginreturnurl"
    assert r["error"]["info"] == 'Invalid value "foo" for URL parameter "loginreturnurl".'
    resp = await client.http.post("/api.php", params={"password": "x"},
                                  data={"action": "clientlogin", "format": "json", "username": "A",
                                        "loginreturnurl": RETURN, "logintoken": lt})
    assert resp.json()["error"]["code"] == "mustpostparams"
    r = await client.jpost(action="clientlogin", loginreturnurl=RETURN, logintoken="+\\")
    assert r["error"]["code"] == "badtoken"
    r = await client.jpost(action="clientlogin", logincontinue="1", logintoken=lt)
    assert r["clientlogin"]["messagecode"] == "authmanager-authn-not-in-progress"
    r = await client.jget(action="clientlogin", loginreturnurl=RETURN)
    assert r["error"]["code"] == "missingparam"


async def test_pass_regenerates_session_and_remember_me(client: ApiClient, make_user: Callable[..., Awaitable[Any]],
                                                        app: WikigateApp) -> None:
    await make_user("Bob")
    lt = await client.token("login")
    before = client.http.cookies.get("my_wiki_session")
    resp = await client.http.post("/api.php", data={"action": "clientlogin", "format": "json", "username": "bob",
                                                    "password": ADMIN_PASSWORD, "loginreturnurl": RETURN,
                                                    "logintoken": lt, "rememberMe": "1"})
    assert resp.json() == {"clientlogin": {"status": "PASS", "username": "Bob"}}
    after = client.http.cookies.get("my_wiki_session")
    assert before and after and before != after
    set_cookie = resp.headers.get_list("set-cookie")
    assert any(h.startswith("my_wikiToken=") and "Max-Age=15552000" in h for h in set_cookie)
    # Tokens from before the login are dead.
    r = await client.jpost(action="clientlogin", loginreturnurl=RETURN, logintoken=lt)
    assert r["error"]["code"] == "badtoken"
    me = await client.jget(action="query", meta="userinfo")
    assert me["query"]["userinfo"]["name"] == "Bob"
    entries = await app.services.audit.list(user="Bob")
    assert [e.event for e in entries] == ["login-success"]


async def test_throttle_blocks_sixth_attempt_even_with_right_password(
        new_client: Callable[..., ApiClient], make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Carol")
    c = new_client(ip="10.1.1.1")
    for _ in range(5):
        r = await _cl(c, username="carol", password="wrong")
        assert r["clientlogin"]["messagecode"] == "wrongpassword"
    r = await _cl(c, username="Carol", password=ADMIN_PASSWORD, loginmessageformat="raw")
    assert r["clientlogin"]["messagecode"] == "login-throttled"
    assert r["clientlogin"]["message"] == {"key": "login-throttled", "params": [{"duration": 300}]}
    other = new_client(ip="10.1.1.2")
    r = await _cl(other, username="Carol", password=ADMIN_PASSWORD)
    assert r["clientlogin"]["status"] == "PASS"


async def test_soft_reset_ui_flow(client: ApiClient, make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Botty", "qzx", groups=("bot",))
    lt = await client.token("login")
    r = await _cl(client, username="Botty", password="qzx", logintoken=lt, formatversion="2")
    res = r["clientlogin"]
    assert res["status"] == "UI" and res["messagecode"] == "resetpass-validity-soft"
    assert res["message"] == ("Your password is not valid: Passwords must be at least 10 characters.\n\n"
                              "Please choose a new password now, or click \"Skip\" to change it later.")
    assert [q["id"] for q in res["requests"]] == ["MediaWiki\\Auth\\PasswordAuthenticationRequest",
                                                  "MediaWiki\\Auth\\ButtonAuthenticationRequest:skipReset"]
    assert res["requests"][0]["required"] == "optional" and res["requests"][0]["account"] == "Botty"
    r = await client.jpost(action="clientlogin", logincontinue="1", password="aaaaaaaaaaaa1", retype="b",
                           logintoken=lt, loginmergerequestfields="1")
    assert r["clientlogin"]["messagecode"] == "badretype"
    assert r["clientlogin"]["fields"]["skipReset"] == {"type": "button", "label": "Skip",
                                                       "help": "Skip resetting the password.", "optional": ""}
    r = await client.jpost(action="clientlogin", logincontinue="1", skipReset="1", logintoken=lt)
    assert r["clientlogin"] == {"status": "PASS", "username": "Botty"}


async def test_soft_reset_change_ends_other_sessions(new_client: Callable[..., ApiClient],
                                                     make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Botz", "qzx", groups=("bot",))
    # A session logged in through action=login (soft reset -> Aborted there) ...
    elsewhere = new_client()
    r = await _cl(elsewhere, username="Botz", password="qzx")
    assert r["clientlogin"]["status"] == "UI"
    r = await elsewhere.jpost(action="clientlogin", logincontinue="1", skipReset="1",
                              logintoken=await elsewhere.token("login"))
    assert r["clientlogin"]["status"] == "PASS"
    c = new_client()
    lt = await c.token("login")
    await _cl(c, username="Botz", password="qzx", logintoken=lt)
    r = await c.jpost(action="clientlogin", logincontinue="1", password="x", retype="x", logintoken=lt)
    assert r["clientlogin"]["status"] == "UI" and r["clientlogin"]["messagecode"] == "passwordtooshort"
    new = "A-much-longer-password-42"
    r = await c.jpost(action="clientlogin", logincontinue="1", password=new, retype=new, logintoken=lt)
    assert r["clientlogin"] == {"status": "PASS", "username": "Botz"}
    assert (await c.jget(action="query", meta="userinfo"))["query"]["userinfo"]["name"] == "Botz"
    # The other session died with the password change.
    assert (await elsewhere.jget(action="query", meta="userinfo"))["query"]["userinfo"]["id"] == 0
    r = await _cl(new_client(), username="Botz", password=new)
    assert r["clientlogin"]["status"] == "PASS"


async def test_outdated_hash_is_upgraded_without_ending_sessions(
        new_client: Callable[..., ApiClient], app: WikigateApp) -> None:
    from dataclasses import replace

    from wikigate.auth.passwords import PasswordHasher
    from wikigate.auth.passwords.hashing import hash_config

    hashing = app.services.hashing
    old = PasswordHasher(replace(hash_config(app.settings.passwords), pbkdf2_iterations=500)).hash(ADMIN_PASSWORD)
    assert hashing.needs_rehash(old)
    user = await app.services.users.create("Old hash", password_hash=old)
    first = new_client()
    assert (await first.login("Old hash", ADMIN_PASSWORD))["clientlogin"]["status"] == "PASS"
    fresh = await app.services.users.get_by_id(user.id)
    assert fresh is not None and fresh.password != old and not hashing.needs_rehash(fresh.password)
    assert fresh.token == user.token  # same password: sessions stay valid
    assert (await first.jget(action="query", meta="userinfo"))["query"]["userinfo"]["name"] == "Old hash"
    assert (await new_client().login("Old hash", ADMIN_PASSWORD))["clientlogin"]["status"] == "PASS"


async def test_unknown_user_spends_a_dummy_verification(client: ApiClient, app: WikigateApp,
                                                        monkeypatch: Any) -> None:
    hashing = app.services.hashing
    calls: list[str] = []
    real = hashing.dummy_verify

    async def spy(password: str) -> None:
        calls.append("dummy")
        await real(password)

    monkeypatch.setattr(hashing, "dummy_verify", spy)
    r = await _cl(client, username="Never existed", password="whatever")
    assert r["clientlogin"]["messagecode"] == "wrongpassword"
    assert calls == ["dummy"]
    entries = await app.services.audit.list(event="login-failure")
    assert [(e.user_name, e.detail) for e in entries] == [("Never existed", "wrongpassword")]
    assert all("whatever" not in e.detail for e in entries)
