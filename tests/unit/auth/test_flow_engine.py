"""The flow engine (wikigate.auth.flow): stored records, the registry of known types,
RESTART and preservestate, account links, and records written before the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.auth_fakes import IDP_URL, LINKED
from tests.conftest import ADMIN_PASSWORD, make_settings
from tests.unit.auth.conftest import _client, _user

from wikigate.app import WikigateApp, build_services
from wikigate.auth.flow.records import FORMAT, FlowRecord, StaleFlow
from wikigate.auth.flow.registry import CORE_PROVIDER_IDS, ProviderRegistry
from wikigate.auth.requests import (
    ButtonAuthenticationRequest,
    PasswordAuthenticationRequest,
    dump_request,
    load_request,
)
from wikigate.i18n import Message

SID_COOKIE = "my_wiki_session"


def test_registry_core_ids_entry_points_and_bad_names() -> None:
    reg = ProviderRegistry.build(["tests.auth_fakes:FakeIdpProvider"])
    assert list(reg.providers)[:len(CORE_PROVIDER_IDS)] == list(CORE_PROVIDER_IDS)
    assert "tests.auth_fakes:FakeIdpProvider" in reg.providers
    # Request classes defined next to a provider are known; others are not.
    assert "tests.auth_fakes:FakeIdpReturnRequest" in reg.requests
    assert "wikigate.auth.providers.totp:TOTPAuthenticationRequest" in reg.requests
    assert "os:PathLike" not in reg.requests
    # A core id named again is not a second copy.
    assert len(ProviderRegistry.build(["totp"]).providers) == len(CORE_PROVIDER_IDS)
    with pytest.raises(ValueError, match=r"auth\.providers: unknown provider id 'nosuch'"):
        ProviderRegistry.build(["nosuch"])
    with pytest.raises(ValueError, match=r"auth\.providers: .*not an authentication provider"):
        ProviderRegistry.build(["wikigate.auth.requests:AuthResponse"])
    with pytest.raises(ValueError, match="configured twice"):
        ProviderRegistry.build(["tests.auth_fakes:FakeIdpProvider", "tests.auth_fakes:FakeIdpProvider"])


def test_record_round_trip_blanks_secrets_and_rejects_strangers() -> None:
    reg = ProviderRegistry.build([])
    pw = PasswordAuthenticationRequest()
    pw.action, pw.username, pw.password, pw.retype = "login", "A", "secret", "secret"
    button = ButtonAuthenticationRequest("skipReset", Message("resetpass-submit-cancel"), Message("x"))
    flow = FlowRecord(kind="login", expires=1000.0, return_url="http://x/", primary="P", primary_done=True,
                      secondary={"S": False}, begin_reqs=[pw], continue_reqs=[button], data={"k": [1, 2]},
                      guess="A")
    raw = flow.to_json(reg.requests)
    assert b"secret" not in raw
    back = FlowRecord.from_json(raw, "login", reg.requests, now=999.0)
    assert (back.primary, back.primary_done, back.secondary, back.data, back.guess) == ("P", True, {"S": False},
                                                                                        {"k": [1, 2]}, "A")
    got = back.begin_reqs[0]
    assert isinstance(got, PasswordAuthenticationRequest) and got.username == "A" and got.password is None
    again = back.continue_reqs[0]
    assert isinstance(again, ButtonAuthenticationRequest) and again.unique_id.endswith(":skipReset")
    with pytest.raises(StaleFlow, match="expired"):
        FlowRecord.from_json(raw, "login", reg.requests, now=1000.0)
    with pytest.raises(StaleFlow, match="another kind"):
        FlowRecord.from_json(raw, "create", reg.requests, now=0)
    # A record naming a class that is not registered is stale, and nothing is imported.
    doc = json.loads(raw)
    doc["reqs"][0]["t"] = "subprocess:Popen"
    with pytest.raises(StaleFlow, match="unusable stored request"):
        FlowRecord.from_json(json.dumps(doc).encode(), "login", reg.requests, now=0)
    # The pre-engine format (no version) is stale.
    old = {"reqs": [], "continue": [], "primary": "P", "primary_done": False, "data": {}}
    with pytest.raises(StaleFlow, match="another format"):
        FlowRecord.from_json(json.dumps(old).encode(), "login", reg.requests, now=0)
    # Saving a request type the registry does not know fails loudly, at once.
    class Stray(PasswordAuthenticationRequest):
        pass
    with pytest.raises(ValueError, match="request_types"):
        FlowRecord(kind="login", expires=1.0, begin_reqs=[Stray()]).to_json(reg.requests)
    assert FORMAT == 2


def test_load_request_never_imports() -> None:
    with pytest.raises(ValueError, match="not a known authentication request class"):
        load_request({"c": "os:system", "d": {}})
    req = load_request(dump_request(PasswordAuthenticationRequest()))
    assert isinstance(req, PasswordAuthenticationRequest)


async def _start_totp_login(app: WikigateApp, name: str) -> tuple[Any, str]:
    await _user(app, name)
    c = _client(app)
    lt = await c.token("login")
    r = await c.jpost(action="clientlogin", username=name, password=ADMIN_PASSWORD,
                      loginreturnurl="http://x.example/", logintoken=lt)
    assert r["clientlogin"]["status"] == "UI"
    return c, lt


@pytest.mark.parametrize("stored", [
    # The record format before the flow engine (a dict naming classes by import path).
    {"reqs": [{"c": "wikigate.auth.requests:PasswordAuthenticationRequest", "d": {}}],
     "return": "http://x.example/", "guess": "Totp old", "primary": "LocalPasswordPrimaryAuthenticationProvider",
     "primary_done": True, "primary_username": "Totp old", "secondary": {"FakeTotpProvider": False},
     "continue": [{"c": "tests.auth_fakes:FakeTotpRequest", "d": {}}], "data": {}},
    "not json at all",
    [1, 2, 3],
])
async def test_old_or_corrupt_flow_record_reads_as_no_flow(two_workers: list[WikigateApp], stored: Any) -> None:
    a, _ = two_workers
    c, lt = await _start_totp_login(a, "Totp old")
    sid = c.http.cookies.get(SID_COOKIE)
    raw = stored.encode() if isinstance(stored, str) else json.dumps(stored).encode()
    await a.services.kv.set(f"authflow:login:{sid}", raw, 3600)
    info = await c.jget(action="query", meta="authmanagerinfo", amirequestsfor="login-continue", formatversion="2")
    assert info["query"]["authmanagerinfo"]["requests"] == []
    r = await c.jpost(action="clientlogin", logincontinue="1", OATHToken="123456", logintoken=lt, formatversion="2")
    assert r["clientlogin"]["status"] == "FAIL"
    assert r["clientlogin"]["messagecode"] == "authmanager-authn-not-in-progress"
    # A new login works as usual (and replaces the stale record).
    r = await c.jpost(action="clientlogin", username="Totp old", password=ADMIN_PASSWORD,
                      loginreturnurl="http://x.example/", logintoken=lt, formatversion="2")
    assert r["clientlogin"]["status"] == "UI"
    await c.http.aclose()


async def test_expired_flow_record_reads_as_no_flow(two_workers: list[WikigateApp]) -> None:
    a, _ = two_workers
    c, lt = await _start_totp_login(a, "Totp late")
    sid = c.http.cookies.get(SID_COOKIE)
    raw = await a.services.kv.get(f"authflow:login:{sid}")
    assert raw is not None
    doc = json.loads(raw)
    assert doc["v"] == FORMAT and doc["exp"] > 0
    doc["exp"] = 1.0  # long gone, although the store still has it
    await a.services.kv.set(f"authflow:login:{sid}", json.dumps(doc).encode(), 3600)
    r = await c.jpost(action="clientlogin", logincontinue="1", OATHToken="123456", logintoken=lt, formatversion="2")
    assert r["clientlogin"]["messagecode"] == "authmanager-authn-not-in-progress"
    await c.http.aclose()


async def _idp_login(c: Any, lt: str, code: str) -> Any:
    r = await c.jpost(action="clientlogin", useIdp="1", loginreturnurl="http://client.example/", logintoken=lt,
                      formatversion="2")
    state = r["clientlogin"]["redirectdata"]["state"]
    return await c.jpost(action="clientlogin", logincontinue="1", code=code, state=state, logintoken=lt,
                         formatversion="2")


async def test_provider_restart_is_answered_like_ui(two_workers: list[WikigateApp]) -> None:
    a, _ = two_workers
    await _user(a, "Restarter")
    c = _client(a)
    lt = await c.token("login")
    r = await _idp_login(c, lt, "restart")
    res = r["clientlogin"]
    assert res["status"] == "RESTART" and res["message"] == "The IdP asks to start over"
    assert res["canpreservestate"] is False
    assert "MediaWiki\\Auth\\PasswordAuthenticationRequest" in [q["id"] for q in res["requests"]]
    # The restarted flow continues with the first step's requests.
    r = await c.jpost(action="clientlogin", logincontinue="1", username="Restarter", password=ADMIN_PASSWORD,
                      logintoken=lt, formatversion="2")
    assert r["clientlogin"] == {"status": "PASS", "username": "Restarter"}
    await c.http.aclose()


async def test_preservestate_carries_the_identity_into_account_creation(two_workers: list[WikigateApp]) -> None:
    a, b = two_workers
    c = _client(a)
    lt = await c.token("login")
    r = await _idp_login(c, lt, "new-Newbie")
    res = r["clientlogin"]
    assert res["status"] == "RESTART" and res["canpreservestate"] is True
    # The preserved request is not shown to the client.
    assert "MediaWiki\\Auth\\CreateFromLoginAuthenticationRequest" not in [q["id"] for q in res["requests"]]
    cb = _client(b, cookies=c.http.cookies)
    info = await cb.jget(action="query", meta="authmanagerinfo", amirequestsfor="create", formatversion="2")
    ami = info["query"]["authmanagerinfo"]
    assert (ami["haspreservedstate"], ami["hasprimarypreservedstate"], ami["preservedusername"]) == (
        True, True, "Newbie")
    info = await cb.jget(action="query", meta="authmanagerinfo", amirequestsfor="login", formatversion="2")
    assert info["query"]["authmanagerinfo"]["haspreservedstate"] is False
    ct = await cb.token("createaccount")
    r = await cb.jpost(action="createaccount", createpreservestate="1", createreturnurl="http://client.example/",
                       createtoken=ct, formatversion="2")
    assert r["createaccount"] == {"status": "PASS", "username": "Newbie"}, r
    assert await b.services.users.get_by_name("Newbie") is not None
    # Answered: the preserved state is gone.
    info = await cb.jget(action="query", meta="authmanagerinfo", amirequestsfor="create", formatversion="2")
    assert info["query"]["authmanagerinfo"]["haspreservedstate"] is False
    # Without preservestate nothing is carried over: the creation has no name.
    c2 = _client(a)
    lt2 = await c2.token("login")
    await _idp_login(c2, lt2, "new-Other")
    ct2 = await c2.token("createaccount")
    r = await c2.jpost(action="createaccount", createreturnurl="http://client.example/", createtoken=ct2,
                       formatversion="2")
    assert r["createaccount"]["status"] == "FAIL" and r["createaccount"]["messagecode"] == "invaliduser"
    for x in (c, cb, c2):
        await x.http.aclose()


async def test_account_link_redirect_flow_across_workers(two_workers: list[WikigateApp]) -> None:
    a, b = two_workers
    await _user(a, "Linker")
    c = _client(a)
    assert (await c.login("Linker", ADMIN_PASSWORD))["clientlogin"]["status"] == "PASS"
    token = await c.token()
    info = await c.jget(action="query", meta="authmanagerinfo", amirequestsfor="link", formatversion="2")
    ami = info["query"]["authmanagerinfo"]
    assert ami["canlinkaccounts"] is True
    assert [q["id"] for q in ami["requests"]] == ["FakeIdpStartAuthenticationRequest"]
    r = await c.jpost(action="linkaccount", useIdp="1", linkreturnurl="http://client.example/", linktoken=token,
                      formatversion="2")
    res = r["linkaccount"]
    assert res["status"] == "REDIRECT" and res["redirecttarget"].startswith(IDP_URL)
    state = res["redirectdata"]["state"]
    cb = _client(b, cookies=c.http.cookies)
    info = await cb.jget(action="query", meta="authmanagerinfo", amirequestsfor="link-continue", formatversion="2")
    assert [q["id"] for q in info["query"]["authmanagerinfo"]["requests"]] == ["FakeIdpReturnAuthenticationRequest"]
    r = await cb.jpost(action="linkaccount", linkcontinue="1", code="good-Linker", state=state, linktoken=token,
                       formatversion="2")
    assert r["linkaccount"] == {"status": "PASS"}, r
    assert "Linker" in LINKED
    # The flow is over: continuing again is "not in progress".
    r = await cb.jpost(action="linkaccount", linkcontinue="1", code="good-Linker", state=state, linktoken=token,
                       formatversion="2")
    assert r["linkaccount"]["messagecode"] == "authmanager-link-not-in-progress"
    # A refused link fails and ends the flow.
    r = await c.jpost(action="linkaccount", useIdp="1", linkreturnurl="http://client.example/", linktoken=token,
                      formatversion="2")
    state = r["linkaccount"]["redirectdata"]["state"]
    r = await c.jpost(action="linkaccount", linkcontinue="1", code="good-Someone", state=state, linktoken=token,
                      formatversion="2")
    assert r["linkaccount"]["status"] == "FAIL" and r["linkaccount"]["message"] == "IdP refused"
    for x in (c, cb):
        await x.http.aclose()


async def test_provider_ids_from_configuration(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, auth__providers=["totp", "tests.auth_fakes:FakeTotpProvider"])
    services = build_services(settings)
    registry = services.auth.registry
    assert list(registry.providers)[-1] == "tests.auth_fakes:FakeTotpProvider"
    with pytest.raises(ValueError, match=r"auth\.providers"):
        build_services(make_settings(tmp_path, auth__providers=["oidc-not-yet"]))
