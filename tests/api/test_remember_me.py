"""Remember-me cookies (issue 9 finding 6) and malformed login cookies (issue 16 failure 4).

Cookie names and attributes as the reference sends them on a remembered clientlogin
(``<prefix>_session``; ``<prefix>UserID``, ``<prefix>UserName``, ``<prefix>Token`` with
the extended lifetime; all HttpOnly; ``secure`` on https)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN_PASSWORD, ApiClient
from wikigate.app import WikigateApp

RETURN = "http://client.example/"
P = "my_wiki"
MakeUser = Callable[..., Awaitable[Any]]
PASSREQ = "MediaWiki\\Auth\\PasswordAuthenticationRequest"


async def _login(c: ApiClient, name: str, remember: bool = True, password: str = ADMIN_PASSWORD) -> httpx.Response:
    lt = await c.token("login")
    params: dict[str, Any] = {"username": name, "password": password}
    if remember:
        params["rememberMe"] = "1"
    r = await c.post(action="clientlogin", logintoken=lt, loginreturnurl=RETURN, **params)
    assert r.json()["clientlogin"]["status"] == "PASS", r.json()
    return r


def _set_cookies(r: httpx.Response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in r.headers.get_list("set-cookie")}


async def _whoami(app: WikigateApp, cookies: dict[str, str], scheme: str = "http") -> tuple[str, httpx.Response]:
    """meta=userinfo from a fresh client holding only ``cookies``."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://wiki.test", cookies=cookies) as h:
        r = await h.get("/api.php", params={"action": "query", "meta": "userinfo", "format": "json"})
    return str(r.json()["query"]["userinfo"]["name"]), r


def _remember_cookies(c: ApiClient) -> dict[str, str]:
    jar = {k: v for k, v in c.http.cookies.items() if k in (f"{P}UserID", f"{P}UserName", f"{P}Token")}
    assert set(jar) == {f"{P}UserID", f"{P}UserName", f"{P}Token"}, jar
    return jar


async def test_remembered_login_restores_the_session_without_a_session_cookie(
        app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Rita")
    r = await _login(client, "Rita")
    sent = _set_cookies(r)
    token_line = sent[f"{P}Token"]
    value = token_line.split(";", 1)[0].split("=", 1)[1]
    assert len(value) == 32 and all(ch in "0123456789abcdef" for ch in value)
    age = app.services.settings.sessions.extended_cookie_expiration
    for name in (f"{P}UserID", f"{P}UserName", f"{P}Token"):
        assert f"Max-Age={age}" in sent[name] and "HttpOnly" in sent[name] and "path=/" in sent[name]
        assert "secure" not in sent[name]  # plain http
    jar = _remember_cookies(client)
    name, resp = await _whoami(app, jar)
    assert name == "Rita"
    # The restored session gets a session cookie of its own (and the login cookies again).
    again = _set_cookies(resp)
    assert f"{P}_session" in again and again[f"{P}Token"].startswith(f"{P}Token={value};")
    session = {f"{P}_session": again[f"{P}_session"].split(";", 1)[0].split("=", 1)[1]}
    assert (await _whoami(app, session))[0] == "Rita"
    # A cookie is not a fresh authentication: security-sensitive operations ask again.
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test", cookies=session) as h:
        c = ApiClient(h)
        r = await c.jpost(action="changeauthenticationdata", changeauthrequest=PASSREQ, password="N3w-Passw0rd!x",
                          retype="N3w-Passw0rd!x", changeauthtoken=await c.token())
        assert r["error"]["code"] == "reauthenticate", r


async def test_tokens_are_per_user_and_per_login(app: WikigateApp, new_client: Callable[..., ApiClient],
                                                 make_user: MakeUser) -> None:
    await make_user("Sam")
    await make_user("Tia")
    a, b, c = new_client(), new_client(), new_client()
    await _login(a, "Sam")
    await _login(b, "Sam")
    await _login(c, "Tia")
    ta, tb, tc = (_remember_cookies(x)[f"{P}Token"] for x in (a, b, c))
    assert len({ta, tb, tc}) == 3
    # Another user's token does not log anyone in as this user.
    sam_id = _remember_cookies(a)[f"{P}UserID"]
    name, _ = await _whoami(app, {f"{P}UserID": sam_id, f"{P}Token": tc})
    assert name == "127.0.0.1"
    # The raw token is not what the store keeps.
    kv = app.services.kv
    assert await kv.get(f"remember:{ta}") is None


async def test_login_without_remember_sends_no_token(app: WikigateApp, client: ApiClient,
                                                     make_user: MakeUser) -> None:
    await make_user("Uma")
    r = await _login(client, "Uma", remember=False)
    assert f"{P}Token" not in _set_cookies(r)
    assert f"Max-Age={app.services.settings.sessions.cookie_expiration}" in _set_cookies(r)[f"{P}UserID"]


async def test_logout_revokes_only_that_login(app: WikigateApp, new_client: Callable[..., ApiClient],
                                              make_user: MakeUser) -> None:
    await make_user("Vic")
    a, b = new_client(), new_client()
    await _login(a, "Vic")
    await _login(b, "Vic")
    ja, jb = _remember_cookies(a), _remember_cookies(b)
    r = await a.jpost(action="logout", token=await a.token())
    assert r == {}
    assert (await _whoami(app, ja))[0] == "127.0.0.1"
    assert (await _whoami(app, jb))[0] == "Vic"


async def test_logout_everywhere_and_password_change_revoke(app: WikigateApp, new_client: Callable[..., ApiClient],
                                                            make_user: MakeUser) -> None:
    user = await make_user("Wes")
    a, b = new_client(), new_client()
    await _login(a, "Wes")
    await _login(b, "Wes")
    ja = _remember_cookies(a)
    # A password change made in session b: a's token dies, b gets a new one that works.
    r = await b.jpost(action="changeauthenticationdata", changeauthrequest=PASSREQ, password="N3w-Passw0rd!x",
                      retype="N3w-Passw0rd!x", changeauthtoken=await b.token())
    assert r.get("changeauthenticationdata", {}).get("status") == "success", r
    assert (await _whoami(app, ja))[0] == "127.0.0.1"
    jb = _remember_cookies(b)
    assert (await _whoami(app, jb))[0] == "Wes"
    await app.services.users.invalidate_sessions(user.id)
    assert (await _whoami(app, jb))[0] == "127.0.0.1"


async def test_secure_attribute_on_https(app: WikigateApp, make_user: MakeUser) -> None:
    await make_user("Xan")
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="https://wiki.test") as h:
        c = ApiClient(h)
        r = await _login(c, "Xan")
        sent = _set_cookies(r)
        for name in (f"{P}_session", f"{P}UserID", f"{P}UserName", f"{P}Token"):
            assert "; secure" in sent[name] and "HttpOnly" in sent[name], sent[name]
        assert (await _whoami(app, _remember_cookies(c), scheme="https"))[0] == "Xan"


@pytest.fixture
async def raw(app: WikigateApp) -> AsyncIterator[Callable[[str, str], Awaitable[httpx.Response]]]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as h:
        async def get(path: str, cookie: str) -> httpx.Response:
            return await h.get(path, headers=[(b"cookie", cookie.encode("utf-8"))])
        yield get


@pytest.mark.parametrize("cookie", [
    f"{P}UserID=1; {P}Token=é",
    f"{P}UserID=1; {P}Token={'é' * 32}",
    f"{P}UserID=1; {P}Token={'A' * 32}",
    f"{P}UserID=1; {P}Token={'0' * 31}\u0660",
    f"{P}UserID=\u0661; {P}Token={'0' * 32}",
    f"{P}UserID=\uff11; {P}Token={'0' * 32}",
    f"{P}UserID=99999999999999999999999999; {P}Token={'0' * 32}",
    f"{P}UserID=0; {P}Token={'0' * 32}",
    f"{P}UserID=-1; {P}Token={'0' * 32}",
    f"{P}UserID=1; {P}UserName=%ZZ%C3; {P}Token=é",
    f"{P}_session=é; {P}UserID=1; {P}Token=é",
])
async def test_malformed_login_cookies_are_ignored(raw: Callable[[str, str], Awaitable[httpx.Response]],
                                                   make_user: MakeUser, cookie: str) -> None:
    """Issue 16 failure 4: ``UserID=1; Token=é`` broke every request (TypeError in the
    remember-me comparison; HTTP 500 on index.php)."""
    await make_user("Yul")
    r = await raw("/api.php?action=query&meta=userinfo|tokens&format=json", cookie)
    assert r.status_code == 200
    body = r.json()
    assert "error" not in body, body
    assert body["query"]["userinfo"]["name"] == "127.0.0.1"
    r = await raw("/index.php?title=Special:BotPasswords", cookie)
    assert r.status_code < 500, r.text[:500]


async def test_remembered_logins_per_user_are_capped(app: WikigateApp, make_user: MakeUser,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """action=login always remembers: the oldest records go once a user has too many."""
    from wikigate.auth import remember

    monkeypatch.setattr(remember, "MAX_PER_USER", 3)
    user = await make_user("Zed")
    store = remember.remember_me(app.services)
    issued = [await store.issue(user.id, user.token) for _ in range(5)]
    alive = [await store.check(user.id, i.token, user.token) for i in issued]
    assert alive == [False, False, True, True, True]
