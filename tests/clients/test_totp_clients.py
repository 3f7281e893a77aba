"""pywikibot and mwclient complete a clientlogin with a TOTP code against a live wikigate.

mwclient's ``clientlogin()`` returns the UI response and is called again with
``logincontinue``/``OATHToken``; pywikibot's ClientLoginManager asks for the field of the
UI request with ``pywikibot.input`` (answered here by the script). The mwclient calls were
first run the same way against the reference wiki on :8082 (fixture TotpUser).
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from tests.clients.test_pywikibot_clients import run_pywikibot
from tests.conftest import ADMIN_PASSWORD, _free_port, make_settings

from wikigate.app import WikigateApp, build_services

SECRET = "OJSWM53JNNUS25DPORYC243FMNZGK5BB"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def totp_server(tmp_path: Path) -> Iterator[tuple[str, WikigateApp]]:
    import uvicorn

    settings = make_settings(tmp_path, oath__enabled=True)
    application = WikigateApp(settings, build_services(settings))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                          lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        assert time.time() < deadline, "live server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", application
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _enrol(app: WikigateApp, name: str) -> None:
    async def go() -> None:
        svc = app.services
        user = await svc.users.create(name, password_hash=await svc.hashing.hash(ADMIN_PASSWORD))
        assert await svc.oath.enable(user, SECRET, [])

    asyncio.run(go())


def test_mwclient_clientlogin_with_totp(totp_server: tuple[str, WikigateApp]) -> None:
    mwclient = pytest.importorskip("mwclient")
    url, app = totp_server
    _enrol(app, "Tess")
    site = mwclient.Site(url.removeprefix("http://"), path="/", scheme="http", clients_useragent="wikigate-tests")
    res = site.clientlogin(username="Tess", password=ADMIN_PASSWORD)
    assert res["status"] == "UI" and res["messagecode"] == "oathauth-auth-ui"
    assert "OATHToken" in res["requests"][0]["fields"]
    assert site.clientlogin(logincontinue=True, OATHToken=pyotp.TOTP(SECRET).now()) is True
    assert site.api("query", meta="userinfo")["query"]["userinfo"]["name"] == "Tess"


PWB_SCRIPT = '''
import os, pyotp, pywikibot
from pywikibot import config
config.register_families_folder(os.environ["WG_FAMILIES"])
config.password_file = os.environ["WG_PASSWORDS"]
config.max_retries = 0
asked = []
def answer(question, *a, **k):
    asked.append(question)
    return pyotp.TOTP(os.environ["WG_TOTP_SECRET"]).now()
pywikibot.input = answer
site = pywikibot.Site("wgtest", "wgtest", user="Tess")
site.login()
print("ASKED", asked)
print("LOGGED_IN", site.logged_in(), site.user())
'''


def test_pywikibot_clientlogin_with_totp(totp_server: tuple[str, WikigateApp], tmp_path: Path) -> None:
    pytest.importorskip("pywikibot")
    url, app = totp_server
    _enrol(app, "Tess")
    os.environ["WG_TOTP_SECRET"] = SECRET  # read by the script (run_pywikibot passes the environment)
    try:
        proc = run_pywikibot(url, tmp_path, f'("Tess", "{ADMIN_PASSWORD}")', PWB_SCRIPT)
    finally:
        del os.environ["WG_TOTP_SECRET"]
    out = proc.stdout + proc.stderr
    assert "ASKED ['Two-factor token or recovery code']" in out, out
    assert "LOGGED_IN True Tess" in out, out
