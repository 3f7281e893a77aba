"""mwclient (the Python library most bots use) against a live wikigate over HTTP.

mwclient's start-up reads ``meta=siteinfo|userinfo`` and parses ``generator`` into a version
tuple, so a wire difference there breaks every later call; ``login()`` is the legacy
``action=login`` (main-account login: MediaWiki answers Success plus a deprecation warning,
which mwclient logs), ``clientlogin()`` the AuthManager path. Bot-password logins are in
test_botpassword_clients.py. Every expectation here was first checked with the same mwclient
calls against the MediaWiki 1.39 reference.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from tests.conftest import ADMIN_PASSWORD

from wikigate.app import WikigateApp

mwclient = pytest.importorskip("mwclient")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

UA = "wikigate-tests/1.0 (client compatibility)"


def make_account(app: WikigateApp, name: str, password: str = ADMIN_PASSWORD,
                 groups: tuple[str, ...] = ()) -> None:
    """Create an account straight in the server's SQLite file (a one-off loop is fine)."""

    async def go() -> None:
        svc = app.services
        user = await svc.users.create(name, password_hash=await svc.components["hashing"].hash(password))
        for g in groups:
            await svc.users.set_group(user.id, g, None)

    asyncio.run(go())


def site_for(url: str) -> Any:
    return mwclient.Site(url.removeprefix("http://"), path="/", scheme="http", clients_useragent=UA)


def test_site_startup_reads_version_and_siteinfo(live_server: tuple[str, WikigateApp]) -> None:
    url, _ = live_server
    site = site_for(url)
    # mwclient refuses wikis older than 1.16 and gates clientlogin on 1.27: the version
    # tuple comes from siteinfo's "generator" ("MediaWiki 1.39.x…").
    assert site.initialized and site.version[:2] == (1, 39)
    assert site.site["sitename"] == "RefWiki"
    assert site.logged_in is False and site.username == "127.0.0.1"
    assert "read" in site.rights and "protect" not in site.rights
    assert site.namespaces[0] == "" and site.namespaces[2] == "User"


def test_main_account_login_warns_and_grants_rights(live_server: tuple[str, WikigateApp],
                                                   caplog: pytest.LogCaptureFixture) -> None:
    url, app = live_server
    make_account(app, "Carol", groups=("sysop",))
    site = site_for(url)
    with caplog.at_level(logging.WARNING, logger="mwclient"):
        site.login("Carol", ADMIN_PASSWORD)
    assert site.logged_in and site.username == "Carol"
    assert {"sysop", "user"} <= set(site.groups) and "protect" in site.rights
    # MediaWiki accepts main-account action=login but warns; mwclient logs the warning.
    assert any('Main-account login via "action=login" is deprecated' in r.getMessage() for r in caplog.records)
    info = site.api("query", meta="userinfo", uiprop="groups|rights")["query"]["userinfo"]
    assert info["name"] == "Carol" and info["id"] > 0 and "anon" not in info
    # The session really is the user's: a csrf token is no longer the anonymous "+\".
    assert site.get_token("csrf") != "+\\"


def test_clientlogin_then_userinfo(live_server: tuple[str, WikigateApp]) -> None:
    url, app = live_server
    make_account(app, "Dave")
    site = site_for(url)
    assert site.clientlogin(username="Dave", password=ADMIN_PASSWORD) is True
    # mwclient does not refresh site.username after clientlogin (same against MediaWiki);
    # the session cookie is what counts.
    info = site.api("query", meta="userinfo")["query"]["userinfo"]
    assert info == {"id": info["id"], "name": "Dave"}
    # Wrong password: FAIL with the reference's message.
    other = site_for(url)
    with pytest.raises(mwclient.errors.LoginError) as e:
        other.clientlogin(username="Dave", password="not-the-password")
    # (mwclient folds clientlogin's status/message into LoginError's result/reason pair.)
    assert e.value.args[1] == {"result": "FAIL",
                               "reason": "Incorrect username or password entered.\nPlease try again."}


def test_edit_and_protect_through_mwclient(live_server: tuple[str, WikigateApp]) -> None:
    url, app = live_server
    make_account(app, "Erin", groups=("sysop",))
    site = site_for(url)
    site.clientlogin(username="Erin", password=ADMIN_PASSWORD)
    page = site.pages["Client sandbox"]
    assert page.exists is False
    result = page.edit("Hello from mwclient", summary="client test")
    assert result["result"] == "Success" and result["title"] == "Client sandbox"
    assert site.pages["Client sandbox"].text() == "Hello from mwclient"
    # The protect seed example, sent the way a bot would with mwclient.
    answer = site.post("protect", title="Client sandbox", protections="edit=autoconfirmed|move=sysop",
                       expiry="infinite", token=site.get_token("csrf"))
    assert answer["protect"] == {"title": "Client sandbox", "reason": "", "protections": [
        {"edit": "autoconfirmed", "expiry": "infinite"}, {"move": "sysop", "expiry": "infinite"}]}
    # mwclient's Page.protection parses prop=info&inprop=protection.
    assert site.pages["Client sandbox"].protection == {"edit": ("autoconfirmed", "infinity"),
                                                       "move": ("sysop", "infinity")}
    # An anonymous client now gets protectedpage when editing.
    anon = site_for(url)
    anon.force_login = False  # mwclient refuses anonymous edits client-side otherwise
    with pytest.raises(mwclient.errors.ProtectedPageError):
        anon.pages["Client sandbox"].edit("vandalism", summary="x")


def test_wrong_password_six_times_hits_the_throttle(live_server: tuple[str, WikigateApp]) -> None:
    """$wgPasswordAttemptThrottle's first rule (5 attempts per 300 s): the 6th try is refused
    before the password is even checked, so the right password fails too."""
    url, app = live_server
    make_account(app, "Frank")
    reasons = []
    for _ in range(6):
        site = site_for(url)
        with pytest.raises(mwclient.errors.LoginError) as e:
            site.login("Frank", "wrong-password")
        reasons.append(e.value.args[1]["reason"])
    # action=login flattens the message's newline to a space (as MediaWiki does).
    assert reasons[:5] == ["Incorrect username or password entered. Please try again."] * 5
    assert reasons[5] == "You have made too many recent login attempts. Please wait 5 minutes before trying again."
    with pytest.raises(mwclient.errors.LoginError) as e:
        site_for(url).login("Frank", ADMIN_PASSWORD)
    assert e.value.args[1]["reason"].startswith("You have made too many recent login attempts.")
    # clientlogin goes through the same throttle.
    with pytest.raises(mwclient.errors.LoginError) as e:
        site_for(url).clientlogin(username="Frank", password=ADMIN_PASSWORD)
    assert e.value.args[1]["result"] == "FAIL"
    assert e.value.args[1]["reason"].startswith("You have made too many recent login attempts.")
