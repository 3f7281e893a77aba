"""mwapi (mediawiki-utilities' thin Session) against a live wikigate.

``Session.login()`` is AuthManager's ``action=clientlogin`` with a login token; a FAIL
becomes ``LoginError``, an API error ``APIError(code, info, …)``. Expectations were checked
with the same calls against the MediaWiki 1.39 reference.
"""

from __future__ import annotations

import asyncio

import pytest
from tests.conftest import ADMIN_PASSWORD

from wikigate.app import WikigateApp

mwapi = pytest.importorskip("mwapi")

UA = "wikigate-tests/1.0 (client compatibility)"


def make_account(app: WikigateApp, name: str, groups: tuple[str, ...] = ()) -> None:
    async def go() -> None:
        svc = app.services
        user = await svc.users.create(name, password_hash=await svc.hashing.hash(ADMIN_PASSWORD))
        for g in groups:
            await svc.users.set_group(user.id, g, None)

    asyncio.run(go())


def session(url: str) -> mwapi.Session:
    return mwapi.Session(url, api_path="/api.php", user_agent=UA)


def test_login_userinfo_logout(live_server: tuple[str, WikigateApp]) -> None:
    url, app = live_server
    make_account(app, "Grace", groups=("sysop",))
    s = session(url)
    assert s.login("Grace", ADMIN_PASSWORD) == {"status": "PASS", "username": "Grace"}
    info = s.get(action="query", meta="userinfo", uiprop="groups|rights")["query"]["userinfo"]
    assert info["name"] == "Grace" and set(info["groups"]) == {"sysop", "*", "user", "autoconfirmed"}
    assert "protect" in info["rights"]
    # formatversion=2 through the same session.
    info2 = s.get(action="query", meta="userinfo", formatversion=2)["query"]["userinfo"]
    assert info2 == {"id": info["id"], "name": "Grace"}
    token = s.get(action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
    assert s.post(action="logout", token=token) == {}
    assert s.get(action="query", meta="userinfo")["query"]["userinfo"] == {"id": 0, "name": "127.0.0.1", "anon": ""}
    with pytest.raises(mwapi.errors.APIError) as e:
        s.get(action="query", meta="userinfo", **{"assert": "user"})
    assert e.value.code == "assertuserfailed"
    assert e.value.info == "You are no longer logged in, so the action could not be completed."


def test_login_failures(live_server: tuple[str, WikigateApp]) -> None:
    url, app = live_server
    make_account(app, "Heidi")
    with pytest.raises(mwapi.errors.LoginError) as e:
        session(url).login("Heidi", "wrong-password")
    assert str(e.value) == "FAIL -- Incorrect username or password entered.\nPlease try again."
    # A user that does not exist fails the same way (no enumeration).
    with pytest.raises(mwapi.errors.LoginError) as e:
        session(url).login("Nobody here", "wrong-password")
    assert str(e.value) == "FAIL -- Incorrect username or password entered.\nPlease try again."
    # A stale login token: clientlogin answers badtoken as an API error.
    s = session(url)
    with pytest.raises(mwapi.errors.APIError) as err:
        s.login("Heidi", ADMIN_PASSWORD, login_token="0123456789abcdef+\\")
    assert (err.value.code, err.value.info) == ("badtoken", "Invalid CSRF token.")
