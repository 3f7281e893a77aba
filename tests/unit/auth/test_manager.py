"""The authentication engine with fake providers: UI, REDIRECT, RESTART, and a flow that
continues on a second app instance ("worker") sharing the same SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.auth_fakes import IDP_URL
from tests.conftest import ADMIN_PASSWORD, make_settings
from tests.unit.auth.conftest import _apps, _client, _user

from wikigate.app import WikigateApp, build_services
from wikigate.auth.requests import (
    PasswordAuthenticationRequest,
    RememberMeAuthenticationRequest,
    dump_request,
    load_request,
    status_message,
)
from wikigate.i18n import Message, RawMessage


def test_requests_round_trip_and_load_all_or_nothing() -> None:
    req = PasswordAuthenticationRequest()
    req.action = "create"
    assert not req.load({"username": "A", "password": "x"})  # retype missing: not loaded
    assert not req.load({"username": "A", "password": "x", "retype": ""})  # empty required field
    assert req.load({"username": "A", "password": "x", "retype": "y"})
    again = load_request(dump_request(req))
    assert isinstance(again, PasswordAuthenticationRequest)
    assert (again.username, again.password, again.retype, again.action) == ("A", "x", "y", "create")
    rm = RememberMeAuthenticationRequest()
    assert rm.load({}) and rm.rememberMe is False  # optional checkbox: absent = false
    assert rm.load({"rememberMe": ""}) and rm.rememberMe is True  # any value = true


def test_status_message_shapes() -> None:
    one = status_message([Message("badretype")])
    assert one == Message("badretype")
    two = status_message([Message("a"), Message("b")])
    assert isinstance(two, RawMessage) and two.key == "* $1\n* $2"
    ctx = status_message([Message("a"), Message("b")], "resetpass-validity-soft")
    assert ctx.key == "resetpass-validity-soft"


async def test_redirect_flow_continues_on_another_worker(two_workers: list[WikigateApp]) -> None:
    a, b = two_workers
    await _user(a, "Idp user")
    ca = _client(a)
    lt = await ca.token("login")
    r = await ca.jpost(action="clientlogin", useIdp="1", loginreturnurl="http://client.example/return",
                       logintoken=lt, formatversion="2")
    res = r["clientlogin"]
    assert res["status"] == "REDIRECT"
    assert res["redirecttarget"].startswith(IDP_URL)
    assert res["requests"][0]["id"] == "FakeIdpReturnAuthenticationRequest"
    state = res["redirectdata"]["state"]
    # The flow record lives in the shared store: another worker continues it.
    cb = _client(b, cookies=ca.http.cookies)
    info = await cb.jget(action="query", meta="authmanagerinfo", amirequestsfor="login-continue", formatversion="2")
    assert [q["id"] for q in info["query"]["authmanagerinfo"]["requests"]] == ["FakeIdpReturnAuthenticationRequest"]
    r = await cb.jpost(action="clientlogin", logincontinue="1", code="good-Idp user", state=state,
                       logintoken=lt, formatversion="2")
    assert r["clientlogin"] == {"status": "PASS", "username": "Idp user"}
    me = await cb.jget(action="query", meta="userinfo")
    assert me["query"]["userinfo"]["name"] == "Idp user"
    await ca.http.aclose()
    await cb.http.aclose()


async def test_restart_when_identity_has_no_local_account(two_workers: list[WikigateApp]) -> None:
    a, _ = two_workers
    c = _client(a)
    lt = await c.token("login")
    r = await c.jpost(action="clientlogin", useIdp="1", loginreturnurl="http://client.example/", logintoken=lt,
                      formatversion="2")
    state = r["clientlogin"]["redirectdata"]["state"]
    r = await c.jpost(action="clientlogin", logincontinue="1", code="unknown", state=state, logintoken=lt,
                      formatversion="2")
    res = r["clientlogin"]
    assert res["status"] == "RESTART"
    assert res["messagecode"] == "authmanager-authn-no-local-user"
    assert res["message"] == "The supplied credentials are not associated with any user on this wiki."
    assert res["canpreservestate"] is False
    ids = [q["id"] for q in res["requests"]]
    assert "MediaWiki\\Auth\\PasswordAuthenticationRequest" in ids and "FakeIdpStartAuthenticationRequest" in ids
    # A wrong state fails and ends the flow.
    r = await c.jpost(action="clientlogin", useIdp="1", loginreturnurl="http://client.example/", logintoken=lt)
    r = await c.jpost(action="clientlogin", logincontinue="1", code="good-X", state="nope", logintoken=lt)
    assert r["clientlogin"]["status"] == "FAIL"
    r = await c.jpost(action="clientlogin", logincontinue="1", code="good-X", state="nope", logintoken=lt)
    assert r["clientlogin"]["messagecode"] == "authmanager-authn-not-in-progress"
    await c.http.aclose()


async def test_second_factor_ui_across_workers(two_workers: list[WikigateApp]) -> None:
    a, b = two_workers
    await _user(a, "Totp user")
    ca = _client(a)
    lt = await ca.token("login")
    r = await ca.jpost(action="clientlogin", username="Totp user", password=ADMIN_PASSWORD,
                       loginreturnurl="http://x.example/", logintoken=lt, formatversion="2")
    res = r["clientlogin"]
    assert res["status"] == "UI" and res["messagecode"] == "oathauth-auth-ui"
    assert list(res["requests"][0]["fields"]) == ["OATHToken"]
    # The stored flow never contains the password.
    sid = ca.http.cookies.get("my_wiki_session")
    raw = await a.services.kv.get(f"authflow:login:{sid}")
    assert raw is not None and ADMIN_PASSWORD.encode() not in raw
    cb = _client(b, cookies=ca.http.cookies)
    r = await cb.jpost(action="clientlogin", logincontinue="1", OATHToken="000000", logintoken=lt, formatversion="2")
    assert r["clientlogin"]["status"] == "UI" and r["clientlogin"]["messagecode"] == "oathauth-login-failed"
    r = await ca.jpost(action="clientlogin", logincontinue="1", OATHToken="123456", logintoken=lt, formatversion="2")
    assert r["clientlogin"] == {"status": "PASS", "username": "Totp user"}
    # action=login cannot do interactive steps: Aborted.
    c2 = _client(a)
    lt2 = await c2.token("login")
    r = await c2.jpost(action="login", lgname="Totp user", lgpassword=ADMIN_PASSWORD, lgtoken=lt2)
    assert r["login"]["result"] == "Aborted"
    for c in (ca, cb, c2):
        await c.http.aclose()


async def test_flow_survives_a_restart(tmp_path: Path) -> None:
    (a,) = await _apps(tmp_path, 1)
    await _user(a, "Totp restart")
    c = _client(a)
    lt = await c.token("login")
    r = await c.jpost(action="clientlogin", username="Totp restart", password=ADMIN_PASSWORD,
                      loginreturnurl="http://x.example/", logintoken=lt)
    assert r["clientlogin"]["status"] == "UI"
    cookies = c.http.cookies
    await c.http.aclose()
    await a.shutdown()
    (b,) = await _apps(tmp_path, 1)
    c = _client(b, cookies=cookies)
    r = await c.jpost(action="clientlogin", logincontinue="1", OATHToken="123456", logintoken=lt)
    assert r["clientlogin"] == {"status": "PASS", "username": "Totp restart"}
    await c.http.aclose()
    await b.shutdown()


async def test_bad_provider_configuration(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, auth__providers=["tests.auth_fakes:NoSuchProvider"])
    with pytest.raises(ValueError, match=r"auth\.providers"):
        build_services(settings)
