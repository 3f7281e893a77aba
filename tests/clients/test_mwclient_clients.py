"""mwclient (the Python library most bots use) against a live wikigate over HTTP.

mwclient's start-up reads ``meta=siteinfo|userinfo`` and parses ``generator`` into a version
tuple, so a wire difference there breaks every later call; ``login()`` is the legacy
``action=login`` (main-account login: MediaWiki answers Success plus a deprecation warning,
which mwclient logs), ``clientlogin()`` the AuthManager path. Bot-password logins are in
test_botpassword_clients.py, edit/protect through mwclient in test_protect_clients.py
(pages). Every expectation here was first checked with the same mwclient
calls against the MediaWiki 1.39 reference.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
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
        user = await svc.users.create(name, password_hash=await svc.hashing.hash(password))
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


def test_two_worker_server(tmp_path: Path) -> None:
    """``wikigate serve --workers 2`` as a subprocess: the login made on one worker process
    must hold on whichever worker answers the next requests (sessions, tokens and
    throttles live in the shared database, not in a process)."""
    import os
    import shutil
    import socket
    import subprocess
    import sys
    import time

    import requests

    exe = shutil.which("wikigate")
    cmd = [exe] if exe else [sys.executable, "-m", "wikigate.cli.main"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = tmp_path / "wikigate.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[site]\nsitename = "RefWiki"\n'
                    f'secret_key = "two-workers"\n[mail]\nbackend = "memory"\n'
                    f'[passwords]\npbkdf2_iterations = 1000\n')
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    subprocess.run([*cmd, "-c", str(conf), "migrate"], check=True, capture_output=True, env=env, timeout=60)
    subprocess.run([*cmd, "-c", str(conf), "user", "create", "Admin", "--group", "sysop", "--password-stdin"],
                   input=ADMIN_PASSWORD + "\n", text=True, check=True, capture_output=True, env=env, timeout=60)
    server = subprocess.Popen([*cmd, "-c", str(conf), "serve", "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                requests.get(url + "/api.php", timeout=1)
                break
            except requests.ConnectionError:
                if time.time() > deadline or server.poll() is not None:
                    raise AssertionError("server did not start") from None
                time.sleep(0.2)
        site = site_for(url)
        site.clientlogin(username="Admin", password=ADMIN_PASSWORD)
        # Many requests over fresh connections spread over both workers.
        site.connection.headers["Connection"] = "close"
        names = {site.api("query", meta="userinfo")["query"]["userinfo"]["name"] for _ in range(12)}
        assert names == {"Admin"}
        token = site.get_token("csrf")
        for i in range(4):
            assert site.post("edit", title=f"Worker page {i}", text="x", token=token)["edit"]["result"] == "Success"
        # The login throttle is shared by both processes too.
        for _ in range(5):
            with pytest.raises(mwclient.errors.LoginError):
                site_for(url).login("Admin", "wrong-password")
        with pytest.raises(mwclient.errors.LoginError) as e:
            site_for(url).login("Admin", ADMIN_PASSWORD)
        assert e.value.args[1]["reason"].startswith("You have made too many recent login attempts.")
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
