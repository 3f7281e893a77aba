"""Captcha and TOTP across two hosts sharing PostgreSQL/MariaDB and Redis (issue 11).

A captcha issued by host A is answered on host B and is then used up on both; failed
logins counted on both hosts together trigger the login captcha; a TOTP login started on
one host is finished on the other, and its code cannot be replayed on either.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any

import pyotp
import pytest

from tests.multi import test_scaleout as scaleout
from tests.multi.conftest import Server
from tests.multi.test_scaleout import PASSWORD, _two_host_backends
from tests.storage.conftest import REDIS_URL

pytestmark = pytest.mark.slow

SECRET = "OJSWM53JNNUS25DPORYC243FMNZGK5BB"
EXT = ('[captcha]\nkind = "question"\nquestions = { "Name of this wiki?" = "refwiki" }\n'
       '[oath]\nenabled = true\n')


def _hosts(dialect: str, servers: Callable[..., Server], request: pytest.FixtureRequest) -> tuple[Server, Server]:
    if dialect == "none" or not REDIS_URL:
        pytest.skip("needs WIKIGATE_TEST_DATABASE_URL (PostgreSQL or MariaDB) and WIKIGATE_TEST_REDIS_URL")
    db_url: str = request.getfixturevalue("external_database_url")
    import asyncio

    from tests.storage.conftest import reset_schema
    from wikigate.storage.sql.database import Database

    async def reset() -> None:
        db = Database(db_url, pool_size=1)
        try:
            await reset_schema(db)
        finally:
            await db.close()

    asyncio.run(reset())
    shared = f'database_url = "{db_url}"\nredis_url = "{REDIS_URL}"\n'
    hosts = []
    for name in ("extA", "extB"):
        s = servers(name, workers=1, extra=EXT)
        text = s.config.read_text().replace("[storage]\n", "[storage]\n" + shared)
        text = text.replace("[server]\n", '[server]\nforwarded_allow_ips = "127.0.0.1"\n')
        s.config.write_text(text, encoding="utf-8")
        hosts.append(s)
    return hosts[0], hosts[1]


#: A client address of its own per run (X-Forwarded-For from a trusted proxy): the per-IP
#: bad-login counter lives in the shared Redis, which earlier runs may have left counting.
IP = f"198.51.100.{secrets.randbelow(250) + 1}"


# Every call of this module from that address.
_fresh = functools.partial(scaleout._fresh, ip=IP)
_login_token = functools.partial(scaleout._login_token, ip=IP)
_clientlogin = functools.partial(scaleout._clientlogin, ip=IP)


def _captcha(url: str, jar: dict[str, str], what: str) -> dict[str, Any]:
    d = _fresh(url, "GET", jar, action="query", meta="authmanagerinfo", amirequestsfor=what,
               amimergerequestfields="1")
    return dict(d["query"]["authmanagerinfo"]["fields"])


@pytest.mark.parametrize("dialect", _two_host_backends())
def test_captcha_and_totp_across_two_hosts(dialect: str, servers: Callable[..., Server],
                                           request: pytest.FixtureRequest) -> None:
    a, b = _hosts(dialect, servers, request)
    user = f"Two factor {secrets.token_hex(4)}"
    a.cli("user", "create", user, "--password-stdin", stdin=PASSWORD)
    a.cli("oath", "enable", user, "--secret", SECRET)
    a.start()
    b.start()

    # Captcha from A, answered on B, then used up everywhere.
    jar: dict[str, str] = {}
    cid = _captcha(a.url, jar, "create")["captchaId"]["value"]
    ct = _fresh(b.url, "GET", jar, action="query", meta="tokens", type="createaccount")["query"]["tokens"][
        "createaccounttoken"]
    new = f"Captcha ok {secrets.token_hex(4)}"
    base = {"password": PASSWORD, "retype": PASSWORD, "createreturnurl": "http://wiki.test/", "createtoken": ct,
            "captchaId": cid, "captchaWord": "RefWiki"}
    r = _fresh(b.url, "POST", jar, action="createaccount", username=new, **base)
    assert r["createaccount"]["status"] == "PASS", r
    r = _fresh(a.url, "POST", jar, action="createaccount", username=new + " 2", **base)
    assert r["createaccount"]["messagecode"] == "captcha-createaccount-fail", r

    # TOTP: password on A, code on B; the same code refused in a second login on A.
    totp = pyotp.TOTP(SECRET)
    j1: dict[str, str] = {}
    t = _login_token(a.url, j1)
    assert _clientlogin(a.url, j1, t, user, PASSWORD)["status"] == "UI"
    code = totp.now()
    r = _fresh(b.url, "POST", j1, action="clientlogin", logincontinue="1", OATHToken=code, logintoken=t)
    assert r["clientlogin"]["status"] == "PASS", r
    j2: dict[str, str] = {}
    t2 = _login_token(b.url, j2)
    assert _clientlogin(b.url, j2, t2, user, PASSWORD)["status"] == "UI"
    r = _fresh(a.url, "POST", j2, action="clientlogin", logincontinue="1", OATHToken=code, logintoken=t2)
    assert r["clientlogin"]["messagecode"] == "oathauth-login-failed", r

    # Three failed logins, alternating hosts: both hosts now show the login captcha.
    bad: dict[str, str] = {}
    for i in range(3):
        host = a if i % 2 == 0 else b
        t = _login_token(host.url, bad)
        assert _clientlogin(host.url, bad, t, "Nobody " + user, "wrong")["messagecode"] == "wrongpassword"
    for host in (a, b):
        assert "captchaId" in _captcha(host.url, bad, "login")
