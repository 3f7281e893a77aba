"""changeauthenticationdata, removeauthenticationdata, linkaccount, unlinkaccount
(spec authmanager.md §5–8; answers recorded from MediaWiki 1.39)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from wikigate.app import WikigateApp

PW = "Old-Secret-Pass-42"
NEW = "Brand-New-Pass-77"
PASSREQ = "MediaWiki\\Auth\\PasswordAuthenticationRequest"
TEMPREQ = "MediaWiki\\Auth\\TemporaryPasswordAuthenticationRequest"
MakeUser = Callable[..., Awaitable[Any]]


async def logged_in(new_client: Callable[..., ApiClient], name: str, password: str, ip: str) -> ApiClient:
    c = new_client(ip)
    got = await c.login(name, password)
    assert got["clientlogin"]["status"] == "PASS", got
    return c


async def change(c: ApiClient, **params: Any) -> Any:
    params.setdefault("changeauthrequest", PASSREQ)
    params.setdefault("changeauthtoken", await c.token())
    return await c.jpost(action="changeauthenticationdata", **params)


async def test_not_logged_in(client: ApiClient) -> None:
    got = await client.jpost(action="changeauthenticationdata", changeauthrequest=PASSREQ, password="x",
                             retype="x", changeauthtoken="+\\")
    assert got["error"]["code"] == "notloggedin"
    assert got["error"]["info"] == "⧼apierror-mustbeloggedin-changeauthenticationdata⧽"
    got = await client.jpost(action="removeauthenticationdata", request=TEMPREQ, token="+\\")
    assert (got["error"]["code"], got["error"]["info"]) == (
        "notloggedin", "You must be logged in to remove authentication data.")
    got = await client.jpost(action="unlinkaccount", request=TEMPREQ, token="+\\")
    assert got["error"]["info"] == "You must be logged in to remove authentication data."
    got = await client.jpost(action="linkaccount", linkreturnurl="http://x/", linktoken="+\\")
    assert (got["error"]["code"], got["error"]["info"]) == ("notloggedin", "You must be logged in to link accounts.")


async def test_change_errors(new_client: Callable[..., ApiClient], make_user: MakeUser) -> None:
    await make_user("Chg", PW)
    c = await logged_in(new_client, "Chg", PW, "10.2.0.1")
    got = await change(c, password="a1", retype="a2")
    assert (got["error"]["code"], got["error"]["info"]) == ("badretype", "The passwords you entered do not match.")
    got = await change(c, password="password", retype="password")
    assert got["error"]["code"] == "passwordincommonlist"
    got = await change(c, password="password", retype="password", errorformat="plaintext", formatversion="2")
    assert got["errors"][0]["module"] == "changeauthenticationdata"
    for bad in ({"password": "abc"}, {"changeauthrequest": "Foo"},
                {"changeauthrequest": TEMPREQ, "mailpassword": "1"}):
        got = await change(c, **bad)
        assert (got["error"]["code"], got["error"]["info"]) == ("badrequest", "Failed to create change request.")
    r = await c.http.post("/api.php", params={"changeauthtoken": await c.token()},
                          data={"action": "changeauthenticationdata", "changeauthrequest": PASSREQ,
                                "password": "b", "retype": "b", "format": "json"})
    assert r.json()["error"]["code"] == "mustpostparams"


async def test_change_password(app: WikigateApp, new_client: Callable[..., ApiClient], make_user: MakeUser) -> None:
    user = await make_user("Changer", PW)
    svc = app.services
    await svc.db.run(lambda conn: conn.exec_driver_sql(
        "INSERT INTO wg_bot_passwords (bp_user, bp_app_id, bp_password, bp_token, bp_restrictions, bp_grants)"
        " VALUES (?, 'bot1', ':pbkdf2:x', 'tok', '{}', '[]')", (user.id,)))
    await svc.users.update(user.id, newpassword=":pbkdf2:pending", newpass_time="20990101000000")
    me = await logged_in(new_client, "Changer", PW, "10.2.1.1")
    other = await logged_in(new_client, "Changer", PW, "10.2.1.2")
    for fv in ("1", "2"):
        got = await change(me, password=NEW, retype=NEW, formatversion=fv)
        assert got == {"changeauthenticationdata": {"status": "success"}}
    # This session stays logged in; the other one ends (user_token rotated).
    assert (await me.jget(action="query", meta="userinfo"))["query"]["userinfo"]["name"] == "Changer"
    assert "anon" in (await other.jget(action="query", meta="userinfo"))["query"]["userinfo"]
    fresh = await svc.users.get_by_id(user.id)
    assert fresh is not None and fresh.newpassword == "" and fresh.newpass_time is None
    bp = await svc.db.run(lambda conn: conn.exec_driver_sql(
        "SELECT bp_password FROM wg_bot_passwords WHERE bp_user = ?", (user.id,)).scalar_one())
    assert bp == ""
    assert (await new_client("10.2.1.3").login("Changer", PW))["clientlogin"]["status"] == "FAIL"
    assert (await new_client("10.2.1.4").login("Changer", NEW))["clientlogin"]["status"] == "PASS"


# $wgReauthenticateTime of 0: any login is already too old for a security-sensitive change.
@pytest.mark.settings(sessions__reauthenticate_seconds=0)
async def test_reauthentication_needed(app: WikigateApp, new_client: Callable[..., ApiClient],
                                       make_user: MakeUser) -> None:
    await make_user("Stale", PW)
    c = await logged_in(new_client, "Stale", PW, "10.2.2.1")
    await asyncio.sleep(0.01)
    got = await change(c, password=NEW, retype=NEW)
    assert (got["error"]["code"], got["error"]["info"]) == (
        "reauthenticate", "You have not authenticated recently in this session, please reauthenticate.")


async def test_remove_temporary_password(app: WikigateApp, new_client: Callable[..., ApiClient],
                                         make_user: MakeUser) -> None:
    user = await make_user("Remover", PW)
    await app.services.users.update(user.id, newpassword=":pbkdf2:pending", newpass_time="20990101000000")
    c = await logged_in(new_client, "Remover", PW, "10.2.3.1")
    csrf = await c.token()
    got = await c.jpost(action="removeauthenticationdata", request=PASSREQ, token=csrf)
    assert got["error"]["code"] == "badrequest"  # $wgRemoveCredentialsBlacklist
    got = await c.jpost(action="unlinkaccount", request=TEMPREQ, token=csrf)
    assert got["error"]["code"] == "badrequest"  # nothing to unlink in core
    got = await c.jpost(action="removeauthenticationdata", request=TEMPREQ, token=csrf)
    assert got == {"removeauthenticationdata": {"status": "success"}}
    fresh = await app.services.users.get_by_id(user.id)
    assert fresh is not None and fresh.newpassword == "" and fresh.password == user.password


@pytest.mark.parametrize("fv", ["1", "2"])
async def test_linkaccount(new_client: Callable[..., ApiClient], make_user: MakeUser, fv: str) -> None:
    await make_user("Linker", PW)
    c = await logged_in(new_client, "Linker", PW, f"10.2.4.{fv}")
    csrf = await c.token()
    got = await c.jpost(action="linkaccount", linkreturnurl="http://x/", linktoken=csrf, formatversion=fv)
    expect: dict[str, Any] = {"status": "FAIL", "message": "⧼userlogin-cannot-link⧽",
                              "messagecode": "userlogin-cannot-link"}
    if fv == "2":
        expect["canpreservestate"] = False
    assert got == {"linkaccount": expect}
    got = await c.jpost(action="linkaccount", linktoken=csrf, formatversion=fv)
    assert got["error"]["code"] == "missingparam"
    got = await c.jpost(action="linkaccount", linkreturnurl="foo", linktoken=csrf, formatversion=fv)
    assert got["error"]["code"] == "badurl_linkreturnurl"
