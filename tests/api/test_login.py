"""action=login (seed API:Login method 1; spec login.md §1–3)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD, ApiClient
from wikigate.api.modules.login import canonicalize_login_data

TOKEN_WARNING = ('Fetching a token via "action=login" is deprecated. Use "action=query&meta=tokens&type=login" '
                 'instead.')
MAIN_WARNING = ('Main-account login via "action=login" is deprecated and may stop working without warning. '
                'To continue login with "action=login", see [[Special:BotPasswords]]. To safely continue '
                'using main-account login, see "action=clientlogin".')


async def test_need_token_wrong_token_session_lost(client: ApiClient, new_client: Callable[..., ApiClient]) -> None:
    resp = await client.post(action="login", lgname="X", lgpassword="y")
    r = resp.json()
    assert r["login"]["result"] == "NeedToken" and r["login"]["token"].endswith("+\\")
    assert r["warnings"]["login"]["*"] == TOKEN_WARNING
    assert "mailing list" in r["warnings"]["main"]["*"]
    assert any(h.startswith("my_wiki_session=") for h in resp.headers.get_list("set-cookie"))
    # The token from NeedToken works (same session).
    r2 = await client.jpost(action="login", lgname="Nobody", lgpassword="y", lgtoken=r["login"]["token"])
    assert r2["login"]["result"] == "Failed"
    r = await client.jpost(action="login", lgname="X", lgpassword="y",
                           lgtoken="0123456789abcdef0123456789abcdef01234567+\\", formatversion="2")
    assert r == {"login": {"result": "WrongToken"}}
    fresh = new_client()
    r = await fresh.jpost(action="login", lgname="X", lgpassword="y",
                          lgtoken="0123456789abcdef0123456789abcdef01234567+\\", errorformat="plaintext")
    assert r["login"] == {"result": "Failed", "reason": {
        "code": "sessionlost", "*": "Unable to continue login. Your session most likely timed out."}}


async def test_failed_reasons_per_errorformat(client: ApiClient) -> None:
    lt = await client.token("login")
    r = await client.jpost(action="login", lgname="Nobody", lgpassword="x", lgtoken=lt)
    assert r == {"login": {"result": "Failed", "reason": "Incorrect username or password entered. Please try again."}}
    r = await client.jpost(action="login", lgname="Nobody", lgpassword="x", lgtoken=lt, errorformat="html",
                           formatversion="2")
    assert r["login"]["reason"] == {"code": "wrongpassword",
                                    "html": "Incorrect username or password entered.\nPlease try again."}
    r = await client.jpost(action="login", lgname="Nobody", lgpassword="x", lgtoken=lt, errorformat="raw")
    assert r["login"]["reason"] == {"code": "wrongpassword", "key": "wrongpassword", "params": []}
    r = await client.jpost(action="login", lgname="", lgpassword="x", lgtoken=lt)
    assert r["login"]["reason"] == "The supplied credentials could not be authenticated."


async def test_success_with_deprecation_and_cookies(client: ApiClient,
                                                    make_user: Callable[..., Awaitable[Any]]) -> None:
    user = await make_user("Lg user")
    lt = await client.token("login")
    resp = await client.post(action="login", lgname="lg_user", lgpassword=ADMIN_PASSWORD, lgtoken=lt)
    r = resp.json()
    assert r["login"] == {"result": "Success", "lguserid": user.id, "lgusername": "Lg user"}
    assert r["warnings"]["login"]["*"] == MAIN_WARNING
    cookies = resp.headers.get_list("set-cookie")
    assert any(h.startswith("my_wikiToken=") and "Max-Age=15552000" in h for h in cookies)
    me = await client.jget(action="query", meta="userinfo")
    assert me["query"]["userinfo"]["name"] == "Lg user"


async def test_aborted_and_request_errors(client: ApiClient, make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Lg bot", "qzx", groups=("bot",))
    lt = await client.token("login")
    r = await client.jpost(action="login", lgname="Lg bot", lgpassword="qzx", lgtoken=lt)
    assert r["login"]["result"] == "Aborted"
    assert r["login"]["reason"].startswith("Authentication requires user interaction")
    r = await client.jpost(action="login", lgname="Lg bot", lgpassword="qzx", lgtoken=lt, origin="*")
    assert r == {"login": {"result": "Aborted", "reason": "Cannot log in when the same-origin policy is not applied."}}
    resp = await client.http.post("/api.php", params={"lgtoken": lt},
                                  data={"action": "login", "format": "json", "lgname": "x", "lgpassword": "y"})
    assert resp.json()["error"]["code"] == "mustpostparams"
    r = await client.jget(action="login", lgname="x")
    assert r["error"]["code"] == "mustbeposted"


async def test_throttled_is_failed(new_client: Callable[..., ApiClient],
                                   make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Lg thr")
    c = new_client(ip="10.3.3.3")
    lt = await c.token("login")
    for _ in range(5):
        assert (await c.jpost(action="login", lgname="Lg thr", lgpassword="bad", lgtoken=lt))["login"]["result"] \
            == "Failed"
    r = await c.jpost(action="login", lgname="Lg thr", lgpassword=ADMIN_PASSWORD, lgtoken=lt)
    # MediaWiki's answer, plus the seconds left as a number (docs/compatibility.md).
    assert r["login"] == {"result": "Failed", "wait": 300, "reason":
                          "You have made too many recent login attempts. Please wait 5 minutes before trying again."}


@pytest.mark.parametrize(("name", "password", "expected"), [
    ("User@app", "a" * 32, ("User@app", "a" * 32)),
    ("User@app", "A" * 32, None),  # upper case is not a generated secret
    ("User", "app@" + "b" * 32, ("User@app", "b" * 32)),
    ("User", "my@app@" + "c" * 32, ("User@my@app", "c" * 32)),
    ("User", "short@pw", None),
    ("User", "x" * 40, None),
])
def test_bot_password_recognition(name: str, password: str, expected: tuple[str, str] | None) -> None:
    assert canonicalize_login_data(name, password) == expected
