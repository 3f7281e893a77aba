"""TOTP two-factor authentication (OATHAuth API surface, issue 11).

Expected answers were taken from the reference wiki on :8082 (OATHAuth, fixture TotpUser).
The app runs on a fake clock, so TOTP steps are exact.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from tests.conftest import ADMIN_PASSWORD, ApiClient, make_settings
from wikigate.app import WikigateApp, build_services
from wikigate.auth.oath import OathService
from wikigate.config import Settings
from wikigate.storage.sql.schema import oath_user
from wikigate.util.clock import FakeClock

SECRET = "OJSWM53JNNUS25DPORYC243FMNZGK5BB"
RETURN = "http://client.example/"
TOTP_REQ = {
    "id": "MediaWiki\\Extension\\OATHAuth\\Auth\\TOTPAuthenticationRequest",
    "metadata": {}, "required": "required", "provider": "Two-factor authentication (OATH).",
    "account": "TotpUser",
    "fields": {"OATHToken": {"type": "string", "label": "Two-factor token or recovery code",
                             "help": "The one-time password used as the second factor of two-factor "
                                     "authentication."}},
}
ASK = {"status": "UI", "requests": [TOTP_REQ],
       "message": "Please enter a code from your two-factor authentication application (such as Google "
                  "Authenticator).",
       "messagecode": "oathauth-auth-ui"}
FAILED = {"status": "UI", "requests": [TOTP_REQ], "message": "Verification failed.",
          "messagecode": "oathauth-login-failed"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, oath__enabled=True)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def code_at(clock: FakeClock, steps: int = 0, secret: str = SECRET) -> str:
    return str(pyotp.TOTP(secret).at(clock.time() + 30 * steps))


@pytest.fixture
def totp_user(app: WikigateApp, make_user: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    async def make(name: str = "TotpUser", codes: tuple[str, ...] = ("AAAABBBBCCCCDDDD",)) -> Any:
        user = await make_user(name)
        oath = app.services.oath
        assert isinstance(oath, OathService)
        assert await oath.enable(user, SECRET, list(codes))
        return user

    return make


async def _begin(c: ApiClient, name: str = "TotpUser", password: str = ADMIN_PASSWORD) -> tuple[str, Any]:
    lt = await c.token("login")
    r = await c.jpost(action="clientlogin", username=name, password=password, loginreturnurl=RETURN,
                      logintoken=lt)
    return lt, r["clientlogin"]


async def _cont(c: ApiClient, lt: str, **kw: Any) -> Any:
    return (await c.jpost(action="clientlogin", logincontinue="1", logintoken=lt, **kw))["clientlogin"]


async def test_clientlogin_asks_for_the_code_and_passes(client: ApiClient, clock: FakeClock,
                                                        totp_user: Callable[..., Awaitable[Any]]) -> None:
    await totp_user()
    lt, r = await _begin(client)
    assert r == ASK
    ami = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="login-continue",
                            formatversion="2")
    assert [q["id"] for q in ami["query"]["authmanagerinfo"]["requests"]] == [TOTP_REQ["id"]]
    assert await _cont(client, lt) == FAILED
    assert await _cont(client, lt, OATHToken="") == FAILED
    assert await _cont(client, lt, OATHToken="12ab") == FAILED
    assert await _cont(client, lt, OATHToken="000000" if code_at(clock) != "000000" else "111111") == FAILED
    # Still anonymous after the password alone.
    ui = await client.jget(action="query", meta="userinfo")
    assert "anon" in ui["query"]["userinfo"]
    # Whitespace inside the code is ignored, as OATHAuth does.
    code = code_at(clock)
    assert await _cont(client, lt, OATHToken=f"{code[:3]} {code[3:]}") == {"status": "PASS",
                                                                           "username": "TotpUser"}
    ui = await client.jget(action="query", meta="userinfo")
    assert ui["query"]["userinfo"]["name"] == "TotpUser"
    # A continuation in a session without a pending flow.
    fresh = ApiClient(client.http.__class__(transport=client.http._transport, base_url="http://wiki.test"))
    lt2 = await fresh.token("login")
    assert (await _cont(fresh, lt2, OATHToken=code))["messagecode"] == "authmanager-authn-not-in-progress"
    await fresh.http.aclose()


async def test_codes_single_use_and_window(new_client: Callable[..., ApiClient], clock: FakeClock,
                                           totp_user: Callable[..., Awaitable[Any]]) -> None:
    await totp_user()
    a, b, c, d = new_client(), new_client(), new_client(), new_client()
    lt, _ = await _begin(a)
    code = code_at(clock)
    assert (await _cont(a, lt, OATHToken=code))["status"] == "PASS"
    # Replay of the same code (another session, another client): refused.
    lt, _ = await _begin(b)
    assert await _cont(b, lt, OATHToken=code) == FAILED
    # Two steps ahead is outside the ±1 window; one step ahead is accepted.
    assert await _cont(b, lt, OATHToken=code_at(clock, 2)) == FAILED
    assert (await _cont(b, lt, OATHToken=code_at(clock, 1)))["status"] == "PASS"
    # A step older than the last one used is refused even if never used itself.
    lt, _ = await _begin(c)
    assert await _cont(c, lt, OATHToken=code_at(clock, -1)) == FAILED
    # Later steps work again.
    clock.advance(60)
    lt, _ = await _begin(d)
    assert (await _cont(d, lt, OATHToken=code_at(clock)))["status"] == "PASS"


async def test_recovery_code_once_and_stored_encrypted(app: WikigateApp, new_client: Callable[..., ApiClient],
                                                       totp_user: Callable[..., Awaitable[Any]]) -> None:
    user = await totp_user(codes=("AAAABBBBCCCCDDDD", "EEEEFFFFGGGGHHHH"))
    raw = await app.services.db.run(lambda conn: conn.execute(
        select(oath_user.c.ou_data).where(oath_user.c.ou_user == user.id)).scalar_one())
    assert SECRET.encode() not in bytes(raw) and b"AAAABBBB" not in bytes(raw)
    a, b = new_client(), new_client()
    lt, _ = await _begin(a)
    assert (await _cont(a, lt, OATHToken="aaaa bbbb cccc dddd"))["status"] == "PASS"
    lt, _ = await _begin(b)
    assert await _cont(b, lt, OATHToken="AAAABBBBCCCCDDDD") == FAILED
    assert (await _cont(b, lt, OATHToken="EEEEFFFFGGGGHHHH"))["status"] == "PASS"


async def test_wrong_code_throttle(client: ApiClient, clock: FakeClock,
                                   totp_user: Callable[..., Awaitable[Any]]) -> None:
    await totp_user()
    lt, _ = await _begin(client)
    wrong = "000000" if code_at(clock) != "000000" else "111111"
    for _ in range(10):
        assert await _cont(client, lt, OATHToken=wrong) == FAILED
    r = await _cont(client, lt, OATHToken=code_at(clock))
    assert r["status"] == "UI" and r["messagecode"] == "oathauth-throttled"
    assert r["message"] == "Too many verification attempts! Please wait 1 minute."
    clock.advance(61)
    assert (await _cont(client, lt, OATHToken=code_at(clock)))["status"] == "PASS"


async def test_action_login_aborts_and_bot_password_skips(app: WikigateApp, new_client: Callable[..., ApiClient],
                                                          clock: FakeClock,
                                                          totp_user: Callable[..., Awaitable[Any]]) -> None:
    user = await totp_user()
    c = new_client()
    lt = await c.token("login")
    r = await c.jpost(action="login", lgname="TotpUser", lgpassword=ADMIN_PASSWORD, lgtoken=lt)
    assert r["login"]["result"] == "Aborted"
    assert "anon" in (await c.jget(action="query", meta="userinfo"))["query"]["userinfo"]
    # The flow action=login started can be continued by clientlogin (as in the reference).
    assert (await _cont(c, lt, OATHToken=code_at(clock)))["status"] == "PASS"
    _, secret = await app.services.botpasswords.create(user.id, "bot", ["basic"])
    b = new_client()
    lt = await b.token("login")
    r = await b.jpost(action="login", lgname="TotpUser@bot", lgpassword=secret, lgtoken=lt)
    assert r["login"]["result"] == "Success"


async def test_user_without_2fa_is_not_asked(client: ApiClient, make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Plain")
    _, r = await _begin(client, "Plain")
    assert r == {"status": "PASS", "username": "Plain"}


async def test_meta_oath(app: WikigateApp, new_client: Callable[..., ApiClient],
                         make_user: Callable[..., Awaitable[Any]],
                         totp_user: Callable[..., Awaitable[Any]]) -> None:
    await totp_user()
    await make_user("Admin", groups=("sysop",))
    await make_user("Someone")
    anon = new_client()
    r = await anon.jget(action="query", meta="oath")
    assert r["error"]["code"] == "permissiondenied"
    assert r["error"]["info"] == "You don't have permission to check OATH status."
    s = new_client()
    await s.login("Someone", ADMIN_PASSWORD)
    assert (await s.jget(action="query", meta="oath"))["error"]["code"] == "permissiondenied"
    r = await s.jget(action="query", meta="oath", errorformat="plaintext", formatversion="2")
    assert r["errors"] == [{"code": "permissiondenied", "module": "query+oath",
                            "text": "You don't have permission to check OATH status."}]
    admin = new_client()
    await admin.login("Admin", ADMIN_PASSWORD)
    r = await admin.jget(action="query", meta="oath", oathuser="TotpUser")
    assert r["error"]["code"] == "noreason" and r["error"]["info"] == 'The "reason" parameter must be set.'
    r = await admin.jget(action="query", meta="oath", oathuser="TotpUser", oathreason="check", formatversion="2")
    assert r["query"]["oath"] == {"enabled": True}
    r = await admin.jget(action="query", meta="oath", oathuser="Someone", oathreason="check")
    assert r["query"]["oath"] == {"enabled": False}  # a real boolean even in formatversion 1
    r = await admin.jget(action="query", meta="oath", oathuser="Nobody here", oathreason="check")
    assert r["query"]["oath"] == {"enabled": False}
    entries = await app.services.logs.list(type="oath")
    assert [(e.action, e.title) for e in entries] == [("verify", "Someone"), ("verify", "TotpUser")]


async def test_oathvalidate(app: WikigateApp, new_client: Callable[..., ApiClient], clock: FakeClock,
                           make_user: Callable[..., Awaitable[Any]],
                           totp_user: Callable[..., Awaitable[Any]]) -> None:
    await totp_user()
    anon = new_client()
    r = await anon.jpost(action="oathvalidate", totp="123456", token="+\\")
    assert r["error"]["code"] == "permissiondenied"
    assert r["warnings"]["oathvalidate"]["*"] == 'The parameter "totp" has been deprecated.'
    r = await anon.jpost(action="oathvalidate", token="+\\")
    assert r["error"]["code"] == "missingparam"
    # Nobody has oathauth-api-all by default; give it to a group for the test.
    app.services.rights.group_permissions["checker"] = ["oathauth-api-all"]
    await make_user("Checker", groups=("checker",))
    c = new_client()
    await c.login("Checker", ADMIN_PASSWORD)
    csrf = await c.token()
    r = await c.jpost(action="oathvalidate", user="TotpUser", data='{"token":"000000"}', token=csrf)
    assert r["oathvalidate"] == {"enabled": True, "valid": code_at(clock) == "000000", "module": "totp"}
    r = await c.jpost(action="oathvalidate", user="TotpUser", data=f'{{"token":"{code_at(clock)}"}}',
                      token=csrf, formatversion="2")
    assert r["oathvalidate"] == {"enabled": True, "valid": True, "module": "totp"}
    r = await c.jpost(action="oathvalidate", user="TotpUser", data="not json", token=csrf)
    assert r["oathvalidate"]["valid"] is False
    r = await c.jpost(action="oathvalidate", data='{"token":"1"}', token=csrf)  # Checker has no 2FA
    assert r["oathvalidate"] == {"enabled": False, "valid": False, "module": ""}
    resp = await c.http.post("/api.php", params={"data": "{}"},
                             data={"action": "oathvalidate", "format": "json", "token": csrf})
    assert resp.json()["error"]["code"] == "mustpostparams"


async def test_modules_absent_when_off(tmp_path: Path) -> None:
    import httpx

    s = make_settings(tmp_path)
    application = WikigateApp(s, build_services(s))
    await application.startup()
    try:
        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
            c = ApiClient(http)
            r = await c.jget(action="query", meta="oath")
            assert r["warnings"]["query"]["*"] == 'Unrecognized value for parameter "meta": oath'
            r = await c.jpost(action="oathvalidate", totp="1")
            assert r["error"]["code"] == "badvalue"
            page = await http.get("/index.php", params={"title": "Special:OATHManage"})
            assert page.status_code == 404
    finally:
        await application.shutdown()


# -- Special:OATHManage ------------------------------------------------------------------------

def _form_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html))


async def test_special_oathmanage_enrol_and_disable(app: WikigateApp, client: ApiClient, clock: FakeClock,
                                                    make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Alice")
    http = client.http
    r = await http.get("/index.php", params={"title": "Special:OATHManage", "action": "enable", "module": "totp"})
    assert r.status_code == 401  # not logged in
    await client.login("Alice", ADMIN_PASSWORD)
    q = {"title": "Special:OATHManage", "action": "enable", "module": "totp"}
    r = await http.get("/index.php", params=q)
    assert r.status_code == 200
    m = re.search(r"<kbd>([A-Z2-7 ]{16,})</kbd>", r.text)
    assert m is not None
    secret = m.group(1).replace(" ", "")
    assert len(secret) == 42
    assert "<svg" in r.text and f"secret={secret}" in r.text  # QR code of the otpauth URI
    scratch = re.findall(r"<li><kbd>([A-Z2-7 ]+)</kbd></li>", r.text)
    assert len(scratch) == 10
    # The same pending key while the enrolment is not confirmed.
    again = await http.get("/index.php", params=q)
    assert f"<kbd>{m.group(1)}</kbd>" in again.text
    fields = _form_fields(r.text)
    assert fields["module"] == "totp" and fields["action"] == "enable" and fields["wpEditToken"].endswith("+\\")
    bad = await http.post("/index.php", params=q, data={**fields, "token": "12345x"})
    assert bad.status_code == 400 and 'name="token"' in bad.text
    bad = await http.post("/index.php", params=q, data={**fields, "token": scratch[0]})
    assert bad.status_code == 400 and "recovery code" in bad.text
    bad = await http.post("/index.php", params=q, data={**fields, "wpEditToken": "+\\",
                                                         "token": code_at(clock, secret=secret)})
    assert bad.status_code == 400
    ok = await http.post("/index.php", params=q, data={**fields, "token": code_at(clock, secret=secret)})
    assert ok.status_code == 200 and 'name="token"' not in ok.text
    assert await app.services.oath.is_enabled((await app.services.users.get_by_name("Alice")).id)
    # Codes are never shown again.
    page = await http.get("/index.php", params=q)
    assert secret[:4] not in page.text and 'name="token"' not in page.text
    # A new login needs the code; the recovery code works once.
    other = ApiClient(http)  # same jar is fine: a new login replaces the session
    lt, r2 = await _begin(other, "Alice")
    assert r2["status"] == "UI"
    assert (await _cont(other, lt, OATHToken=scratch[1]))["status"] == "PASS"
    # Disable with a current code.
    dq = {"title": "Special:OATHManage", "action": "disable", "module": "totp"}
    form = await http.get("/index.php", params=dq)
    fields = _form_fields(form.text)
    clock.advance(30)
    done = await http.post("/index.php", params=dq, data={**fields, "token": code_at(clock, secret=secret)})
    assert done.status_code == 200 and "now off" in done.text
    _, r3 = await _begin(ApiClient(http), "Alice")
    assert r3["status"] == "PASS"
    entries = [e.event for e in await app.services.audit.list(user="Alice")]
    assert "2fa-enabled" in entries and "2fa-disabled" in entries
