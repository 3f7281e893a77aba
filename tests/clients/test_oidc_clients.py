"""mwclient's ``clientlogin`` with an OpenID Connect provider (issue 12): it hands the
``REDIRECT`` back to the caller (a dict, as for MediaWiki), the caller's browser signs in
at the provider, ``logincontinue`` with ``code``/``state`` finishes; ``RESTART`` for an
identity without an account is a ``LoginError`` with that status, and after
``createaccount`` with ``createpreservestate`` the same identity logs in (``True``).
Provider: oidc-provider-mock on 127.0.0.1, browser: plain HTTP.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import werkzeug.serving
from tests.conftest import make_settings, serve_in_thread

from wikigate.app import WikigateApp

mwclient = pytest.importorskip("mwclient")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

RETURN = "http://client.example/back"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, WikigateApp]]:
    idp = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=idp.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    provider = {"issuer": f"http://127.0.0.1:{idp.server_port}", "client_id": "mwclient-test",
                "client_secret": "client-secret", "label": "Test provider"}
    s = make_settings(tmp_path, oidc__allow_insecure_http=True, oidc__timeout_seconds=10.0,
                      oidc__providers={"mock": provider})
    try:
        with serve_in_thread(s) as live:
            yield live
    finally:
        idp.shutdown()


def _browser(target: str, sub: str) -> dict[str, str]:
    with requests.Session() as b:
        assert b.get(target, timeout=10).status_code == 200
        r = b.post(target, data={"sub": sub}, allow_redirects=False, timeout=10)
        back = b.get(r.headers["location"], allow_redirects=False, timeout=10)
        assert back.status_code == 302
        q = parse_qs(urlsplit(back.headers["location"]).query)
        return {"code": q["code"][0], "state": q["state"][0]}


def test_mwclient_surfaces_redirect_and_restart(served: tuple[str, WikigateApp]) -> None:
    url, _ = served
    site: Any = mwclient.Site(url.removeprefix("http://"), path="/", scheme="http", clients_useragent="wikigate-tests")
    res = site.clientlogin(**{"openidconnect-mock": "1", "loginreturnurl": RETURN})
    assert isinstance(res, dict) and res["status"] == "REDIRECT"
    assert res["requests"][0]["id"] == "OpenIdConnectResponseAuthenticationRequest"
    with pytest.raises(mwclient.errors.LoginError) as e:
        site.clientlogin(logincontinue="1", **_browser(res["redirecttarget"], "mw-sub"))
    assert e.value.args[1] == {"result": "RESTART",
                               "reason": "The supplied credentials are not associated with any user on this wiki."}

    token = site.get("query", meta="tokens", type="createaccount")["query"]["tokens"]["createaccounttoken"]
    r = site.post("createaccount", username="Mw oidc", createpreservestate="1", createreturnurl=RETURN,
                  createtoken=token)
    assert r["createaccount"] == {"status": "PASS", "username": "Mw oidc"}

    other: Any = mwclient.Site(url.removeprefix("http://"), path="/", scheme="http", clients_useragent="wikigate-tests")
    res = other.clientlogin(**{"openidconnect-mock": "1", "loginreturnurl": RETURN})
    assert other.clientlogin(logincontinue="1", **_browser(res["redirecttarget"], "mw-sub")) is True
    assert other.get("query", meta="userinfo")["query"]["userinfo"]["name"] == "Mw oidc"


PWB_SCRIPT = '''
import os
import pywikibot
from pywikibot import config
config.register_families_folder(os.environ["WG_FAMILIES"])
config.password_file = os.environ["WG_PASSWORDS"]
config.max_retries = 0
site = pywikibot.Site("wgtest", "wgtest", user="Olga")
try:
    site.login()
except Exception as e:
    print("LOGIN_ERROR", type(e).__name__, e)
print("LOGGED_IN", site.logged_in(), site.user())
'''


def test_pywikibot_logs_in_by_password_beside_a_provider(served: tuple[str, WikigateApp],
                                                         tmp_path: Path) -> None:
    """pywikibot's clientlogin always sends a user name and password and never picks a
    provider's button, so with a provider configured it logs in by password as before (the
    provider abstains; no REDIRECT reaches it), as against MediaWiki with OpenIDConnect.
    A wrong password is FAIL, which pywikibot raises as an APIError with that code."""
    pytest.importorskip("pywikibot")
    import asyncio

    from tests.clients.test_pywikibot_clients import run_pywikibot
    from tests.conftest import ADMIN_PASSWORD

    url, app = served

    async def setup() -> None:
        svc = app.services
        await svc.users.create("Olga", password_hash=await svc.hashing.hash(ADMIN_PASSWORD))

    asyncio.run(setup())
    (tmp_path / "good").mkdir()
    (tmp_path / "bad").mkdir()
    proc = run_pywikibot(url, tmp_path / "good", f'("Olga", "{ADMIN_PASSWORD}")', PWB_SCRIPT)
    out = proc.stdout + proc.stderr
    assert "LOGGED_IN True Olga" in out, out
    proc = run_pywikibot(url, tmp_path / "bad", '("Olga", "Wrong password 123!")', PWB_SCRIPT)
    out = proc.stdout + proc.stderr
    assert "LOGGED_IN True" not in out, out
    assert "FAIL" in out and "REDIRECT" not in out, out
