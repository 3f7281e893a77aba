"""Sign-in with OpenID Connect across two ``wikigate serve`` hosts sharing PostgreSQL (or
MariaDB) and Redis (issue 12): the flow starts on one host, the provider's return and the
``*continue`` reach the other (both answer for one site name, as behind a load balancer),
and a used return is refused on both. The provider is oidc-provider-mock on 127.0.0.1.
"""

from __future__ import annotations

import secrets
import threading
import warnings
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import werkzeug.serving

from tests.multi.conftest import Server
from tests.multi.test_ext_scaleout import _hosts
from tests.multi.test_scaleout import _fresh, _two_host_backends

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*")]

SITE = "http://wiki.test"
RETURN = "http://client.example/back"


@pytest.fixture
def idp() -> Iterator[str]:
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def _configure(host: Server, issuer: str) -> None:
    text = host.config.read_text().replace("[site]\n", f'[site]\nserver = "{SITE}"\n')
    text += (f'[oidc]\nallow_insecure_http = true\ntimeout_seconds = 10.0\n'
             f'[oidc.providers.mock]\nissuer = "{issuer}"\nclient_id = "wikigate"\n'
             f'client_secret = "two-host-secret"\nlabel = "Test provider"\n')
    host.config.write_text(text, encoding="utf-8")


def _browser(target: str, sub: str, via: Server) -> tuple[str, dict[str, str]]:
    """Sign in at the provider; its redirect to the site's return page is sent to ``via``
    (the load balancer's choice). Returns the return page's Location and its code/state."""
    with requests.Session() as b:
        assert b.get(target, timeout=10).status_code == 200
        r = b.post(target, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert r.status_code == 302
        loc = r.headers["location"]
        assert loc.startswith(SITE + "/index.php?")
        page = loc.replace(SITE, via.url.removesuffix("/api.php"), 1)
        back = b.get(page, allow_redirects=False, timeout=10)
        assert back.status_code == 302, back.text
        q = {k: v[0] for k, v in parse_qs(urlsplit(back.headers["location"]).query).items()}
        return page, {"code": q["code"], "state": q["state"]}


def _token(url: str, jar: dict[str, str], kind: str) -> str:
    return str(_fresh(url, "GET", jar, action="query", meta="tokens", type=kind)["query"]["tokens"][f"{kind}token"])


@pytest.mark.parametrize("dialect", _two_host_backends())
def test_oidc_flow_across_two_hosts(dialect: str, servers: Callable[..., Server], request: pytest.FixtureRequest,
                                    idp: str) -> None:
    a, b = _hosts(dialect, servers, request)
    for host in (a, b):
        _configure(host, idp)
    a.start()
    b.start()
    name = f"Oidc {secrets.token_hex(4)}"
    sub = f"sub-{secrets.token_hex(6)}"

    # Create: begin on A (captcha answered there), return through B, continue on B.
    jar: dict[str, str] = {}
    fields = _fresh(a.url, "GET", jar, action="query", meta="authmanagerinfo", amirequestsfor="create",
                    amimergerequestfields="1")["query"]["authmanagerinfo"]["fields"]
    ct = _token(a.url, jar, "createaccount")
    r: Any = _fresh(a.url, "POST", jar, action="createaccount", username=name, createreturnurl=RETURN,
                    createtoken=ct, captchaId=fields["captchaId"]["value"], captchaWord="refwiki",
                    **{"openidconnect-mock": "1"})["createaccount"]
    assert r["status"] == "REDIRECT", r
    page, back = _browser(r["redirecttarget"], sub, via=b)
    r = _fresh(b.url, "POST", jar, action="createaccount", createcontinue="1", createtoken=ct, **back)
    assert r["createaccount"] == {"status": "PASS", "username": name}, r

    # Login: begin on B, return through A, continue on A.
    j2: dict[str, str] = {}
    lt = _token(b.url, j2, "login")
    r = _fresh(b.url, "POST", j2, action="clientlogin", loginreturnurl=RETURN, logintoken=lt,
               **{"openidconnect-mock": "1"})["clientlogin"]
    assert r["status"] == "REDIRECT", r
    page, back = _browser(r["redirecttarget"], sub, via=a)
    r = _fresh(a.url, "POST", j2, action="clientlogin", logincontinue="1", logintoken=lt, **back)
    assert r["clientlogin"] == {"status": "PASS", "username": name}, r
    me = _fresh(b.url, "GET", j2, action="query", meta="userinfo")["query"]["userinfo"]
    assert me["name"] == name

    # The used return is refused everywhere: the page on both hosts, the continue on both.
    for host in (a, b):
        assert requests.get(page.replace(a.url.removesuffix("/api.php"), host.url.removesuffix("/api.php")),
                            allow_redirects=False, timeout=10).status_code == 400
    j3: dict[str, str] = {}
    lt3 = _token(a.url, j3, "login")
    _fresh(a.url, "POST", j3, action="clientlogin", loginreturnurl=RETURN, logintoken=lt3,
           **{"openidconnect-mock": "1"})
    for host in (b, a):
        r = _fresh(host.url, "POST", j3, action="clientlogin", logincontinue="1", logintoken=lt3, **back)
        assert r["clientlogin"]["status"] == "FAIL", r
