"""action=createaccount (seed API:Account creation; spec createaccount.md)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import ADMIN_PASSWORD, ApiClient
from wikigate.app import WikigateApp

RETURN = "http://client.example/"
PW = "Mwd-Secret-Pass!42"


async def _ca(c: ApiClient, **kw: Any) -> Any:
    ct = kw.pop("createtoken", None) or await c.token("createaccount")
    kw.setdefault("createreturnurl", RETURN)
    return await c.jpost(action="createaccount", createtoken=ct, **kw)


async def test_anonymous_creation_stays_anonymous_and_logs(client: ApiClient, app: WikigateApp,
                                                          new_client: Callable[..., ApiClient]) -> None:
    r = await _ca(client, username="new_user b1", password=PW, retype=PW, email="n@example.org", realname="Real B")
    assert r == {"createaccount": {"status": "PASS", "username": "New user b1"}}
    me = await client.jget(action="query", meta="userinfo")
    assert me["query"]["userinfo"]["id"] == 0
    user = await app.services.users.get_by_name("New user b1")
    assert user is not None and user.email == "n@example.org" and user.real_name == "Real B"
    assert user.email_authenticated is None
    entries = await app.services.logs.list(type="newusers")
    assert [(e.action, e.actor_name, e.title, e.comment, e.params) for e in entries] == [
        ("create", "New user b1", "New_user_b1", "", {"userid": user.id})]
    r = await new_client().login("New user b1", PW)
    assert r["clientlogin"]["status"] == "PASS"


async def test_email_only_read_with_realname(client: ApiClient, app: WikigateApp) -> None:
    r = await _ca(client, username="Mail only", password=PW, retype=PW, email="m@example.org")
    assert r["createaccount"]["status"] == "PASS"
    user = await app.services.users.get_by_name("Mail only")
    assert user is not None and user.email == ""
    r = await _ca(client, username="Mail bad", password=PW, retype=PW, email="notanemail")
    assert r["createaccount"]["status"] == "PASS"
    r = await _ca(client, username="Mail bad2", password=PW, retype=PW, email="a b@example.org", realname="")
    assert r["createaccount"]["messagecode"] == "invalidemailaddress"


async def test_failures(client: ApiClient, make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Alice")
    cases: list[tuple[dict[str, str], str]] = [
        ({"username": "Fresh one", "password": PW, "retype": PW + "x"}, "badretype"),
        ({"username": "alice", "password": PW, "retype": PW + "x"}, "userexists"),
        ({"username": "Fresh two", "password": PW, "retype": PW + "x", "email": "x", "realname": ""},
         "invalidemailaddress"),
        ({"username": "Fresh three"}, "authmanager-create-no-primary"),
        ({"username": "Fresh four", "password": PW}, "authmanager-create-no-primary"),
        ({"username": "Bad<name>", "password": PW, "retype": PW}, "invaliduser"),
        ({"username": "10.20.30.40", "password": PW, "retype": PW}, "invaliduser"),
        ({"username": "Foo@Bar", "password": PW, "retype": PW}, "invaliduser"),
        ({"username": "", "password": PW, "retype": PW}, "invaliduser"),
        ({"username": "Mwdsame1", "password": "Mwdsame1", "retype": "Mwdsame1"}, "password-substring-username-match"),
        ({"username": "Passwordx9", "password": "password", "retype": "password"}, "___1____2"),
    ]
    ct = await client.token("createaccount")
    for params, code in cases:
        r = await _ca(client, createtoken=ct, formatversion="2", **params)
        assert r["createaccount"]["status"] == "FAIL", params
        assert r["createaccount"]["messagecode"] == code, (params, r)
        assert r["createaccount"]["canpreservestate"] is False
    r = await _ca(client, createtoken=ct, username="Passwordx9", password="password", retype="password",
                  createmessageformat="raw")
    assert r["createaccount"]["message"] == {"key": "* $1\n* $2", "params": [
        "Your password must not appear within your username.",
        "The password entered is in a list of very commonly used passwords. Please choose a more unique password."]}
    r = await _ca(client, createtoken=ct, username="Fresh five", password=PW, retype=PW, reason="x")
    assert r["warnings"]["main"]["*"] == "Unrecognized parameter: reason."
    r = await client.jpost(action="createaccount", createcontinue="1", createtoken=ct)
    assert r["createaccount"]["messagecode"] == "authmanager-create-not-in-progress"


async def test_request_errors(client: ApiClient) -> None:
    r = await client.jpost(action="createaccount", username="X", createreturnurl=RETURN)
    assert r["error"]["code"] == "missingparam" and r["error"]["info"] == 'The "createtoken" parameter must be set.'
    ct = await client.token("createaccount")
    r = await client.jpost(action="createaccount", username="X", createtoken=ct)
    assert r["error"]["code"] == "missingparam"
    r = await client.jpost(action="createaccount", username="X", createtoken=ct, createreturnurl="/foo")
    assert r["error"]["code"] == "badurl_createreturnurl"
    assert r["error"]["info"] == 'Invalid value "/foo" for URL parameter "createreturnurl".'
    resp = await client.http.post("/api.php", params={"retype": PW},
                                  data={"action": "createaccount", "format": "json", "username": "X",
                                        "password": PW, "createreturnurl": RETURN, "createtoken": ct})
    assert resp.json()["error"]["code"] == "mustpostparams"
    r = await client.jget(action="createaccount", username="X", createreturnurl=RETURN, createtoken=ct)
    assert r["error"]["code"] == "mustpostparams"


async def test_logged_in_creator_reason_and_mailpassword(client: ApiClient, app: WikigateApp,
                                                         make_user: Callable[..., Awaitable[Any]],
                                                         new_client: Callable[..., ApiClient]) -> None:
    await make_user("Admin", groups=("sysop",))
    assert (await client.login("Admin", ADMIN_PASSWORD))["clientlogin"]["status"] == "PASS"
    r = await _ca(client, username="Made by admin", password=PW, retype=PW, reason="for spec")
    assert r["createaccount"]["status"] == "PASS"
    me = await client.jget(action="query", meta="userinfo")
    assert me["query"]["userinfo"]["name"] == "Admin"
    r = await _ca(client, username="Mailed one", mailpassword="1", reason="mailed")
    assert r["createaccount"]["messagecode"] == "noemailcreate"
    r = await _ca(client, username="Mailed one", mailpassword="1", email="mailed@example.org", realname="",
                  reason="mailed", password=PW, retype=PW)
    assert r["createaccount"] == {"status": "PASS", "username": "Mailed one"}
    entries = await app.services.logs.list(type="newusers")
    assert [(e.action, e.actor_name, e.comment) for e in entries] == [
        ("byemail", "Admin", "mailed"), ("create2", "Admin", "for spec")]
    mailer = app.services.mailer
    await mailer.flush()
    sent = mailer.transport.outbox
    assert len(sent) == 1 and sent[0].recipient == "mailed@example.org"
    body = sent[0].body
    m = re.search(r"Temporary password:\s+([0-9a-v]{10,})\s", body)
    assert m is not None, body
    temp = m.group(1)
    assert "Mailed one" in body and "Admin" in body
    # The given password was not stored; the temporary one forces a hard reset.
    other = new_client()
    r = await other.login("Mailed one", PW)
    assert r["clientlogin"]["messagecode"] == "wrongpassword"
    lt = await other.token("login")
    r = await other.jpost(action="clientlogin", username="Mailed one", password=temp, loginreturnurl=RETURN,
                          logintoken=lt, formatversion="2")
    res = r["clientlogin"]
    assert res["status"] == "UI" and res["messagecode"] == "resetpass-temp-emailed"
    assert [q["required"] for q in res["requests"]] == ["required"]
    r = await other.jpost(action="clientlogin", logincontinue="1", skipReset="1", logintoken=lt)
    assert r["warnings"]["main"]["*"] == "Unrecognized parameter: skipReset."
    assert r["clientlogin"]["status"] == "UI"
    r = await other.jpost(action="clientlogin", logincontinue="1", password=PW, retype=PW, logintoken=lt)
    assert r["clientlogin"] == {"status": "PASS", "username": "Mailed one"}
    user = await app.services.users.get_by_name("Mailed one")
    assert user is not None and user.newpassword == ""


async def test_account_creation_throttle(tmp_path: Any) -> None:
    from tests.conftest import make_settings
    from wikigate.app import build_services

    settings = make_settings(tmp_path, throttle__account_creation=[{"count": 1, "seconds": 86400}])
    app = WikigateApp(settings, build_services(settings))
    await app.startup()
    import httpx

    transport = httpx.ASGITransport(app=app, client=("10.9.9.9", 1))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
        c = ApiClient(http)
        assert (await _ca(c, username="Throttled one", password=PW, retype=PW))["createaccount"]["status"] == "PASS"
        r = await _ca(c, username="Throttled two", password=PW, retype=PW)
        assert r["createaccount"]["messagecode"] == "acct_creation_throttle_hit"
        assert r["createaccount"]["message"].startswith(
            "Visitors to this wiki using your IP address have created 1 account in the last 1 day")
    await app.shutdown()
