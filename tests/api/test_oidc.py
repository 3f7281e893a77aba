"""Sign-in with an external OpenID Connect provider (issue 12), against a REAL provider:
``oidc-provider-mock`` (Authlib's authorization server, RS256 ID tokens, nonce required)
served by werkzeug on 127.0.0.1. The browser part is plain HTTP: open the redirect
target, post the provider's form, follow the provider's redirect to
Special:OpenIDConnectReturn, read ``code`` and ``state`` off the return URL.

Seeds: API:Account creation example 3 (captcha + OpenID Connect + two-factor setup),
API:Login (REDIRECT, RESTART with preserved state).
"""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pyotp
import pytest
import werkzeug.serving
from sqlalchemy import func, select

from tests.conftest import ADMIN_PASSWORD, ApiClient, make_settings, marked
from wikigate.app import WikigateApp
from wikigate.auth.oath import OathService
from wikigate.config import Settings
from wikigate.storage.sql.schema import external_identity, user
from wikigate.util.clock import FakeClock

with warnings.catch_warnings():  # its Authlib imports warn about Authlib's own deprecations
    warnings.simplefilter("ignore")
    oidc_provider_mock = pytest.importorskip("oidc_provider_mock")

# The provider's own use of Authlib warns about deprecations (in its server thread, where
# the suite's "error" filter would turn them into HTTP 500s); they are not wikigate's.
pytestmark = [pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*")]

QUESTION = "What is the name of this test wiki? (answer: refwiki)"
RETURN = "http://client.example/return?x=1"
LABEL = "OpenID Connect at 127.0.0.1"
BUTTON = "openidconnect-mock"


@pytest.fixture(scope="module")
def idp() -> Iterator[str]:
    users = [oidc_provider_mock.User(sub="alice-sub", claims={"preferred_username": "Alice",
                                                              "email": "alice@example.org"})]
    server = werkzeug.serving.make_server("127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True,
                                                                                 user_claims=users),
                                          threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def _provider(issuer: str, **extra: Any) -> dict[str, Any]:
    return {"issuer": issuer, "client_id": "wikigate-test", "client_secret": "s3cret-value", "label": LABEL,
            **extra}


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path, idp: str) -> Settings:
    return marked(request, make_settings(
        tmp_path, captcha__kind="question", captcha__questions={QUESTION: "refwiki"}, oath__enabled=True,
        oath__setup_on_create="offer", oidc__allow_insecure_http=True,
        oidc__timeout_seconds=10.0,  # a loaded test machine; the slow-provider tests shorten it
        # Two providers, each with its own button: "other" is the same issuer as another client.
        oidc__providers={"mock": _provider(idp),
                         "other": {**_provider(idp), "client_id": "wikigate-other", "label": "Other sign-in"}}))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(time.time())


# -- the browser ---------------------------------------------------------------------------------

def browser_at_provider(target: str, sub: str) -> str:
    """Open the authorization page, sign in as ``sub``; the provider's redirect (Location)."""
    with httpx.Client(timeout=10) as b:
        page = b.get(target)
        assert page.status_code == 200 and 'name="sub"' in page.text
        answer = b.post(target, data={"sub": sub})
        assert answer.status_code == 302, answer.text
        return answer.headers["location"]


async def back_through_wiki(c: ApiClient, location: str) -> dict[str, str]:
    """The provider's redirect reaches Special:OpenIDConnectReturn, which sends the browser
    on to the client's return URL; the query of that URL."""
    parts = urlsplit(location)
    assert parts.netloc == "wiki.test" and parts.path == "/index.php"
    assert parse_qs(parts.query)["title"] == ["Special:OpenIDConnectReturn"]
    r = await c.http.get(location)
    assert r.status_code == 302
    target = r.headers["location"]
    assert target.startswith("http://client.example/return?x=1&")
    q = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
    assert set(q) == {"x", "code", "state"}
    return {"code": q["code"], "state": q["state"]}


async def sign_in_at_provider(c: ApiClient, res: dict[str, Any], sub: str) -> dict[str, str]:
    assert res["status"] == "REDIRECT", res
    return await back_through_wiki(c, browser_at_provider(res["redirecttarget"], sub))


async def captcha(c: ApiClient) -> dict[str, str]:
    r = await c.jget(action="query", meta="authmanagerinfo", amirequestsfor="create", amimergerequestfields="1")
    return {"captchaId": r["query"]["authmanagerinfo"]["fields"]["captchaId"]["value"], "captchaWord": "refwiki"}


async def create_begin(c: ApiClient, name: str, **kw: Any) -> dict[str, Any]:
    ct = await c.token("createaccount")
    r = await c.jpost(action="createaccount", username=name, createreturnurl=RETURN, createtoken=ct,
                      **{BUTTON: "1"}, **(await captcha(c)), **kw)
    return dict(r["createaccount"])


async def create_continue(c: ApiClient, **kw: Any) -> dict[str, Any]:
    ct = await c.token("createaccount")
    r = await c.jpost(action="createaccount", createcontinue="1", createtoken=ct, **kw)
    return dict(r["createaccount"])


async def login_begin(c: ApiClient) -> dict[str, Any]:
    lt = await c.token("login")
    r = await c.jpost(action="clientlogin", loginreturnurl=RETURN, logintoken=lt, **{BUTTON: "1"})
    return dict(r["clientlogin"])


async def login_continue(c: ApiClient, **kw: Any) -> dict[str, Any]:
    lt = await c.token("login")
    r = await c.jpost(action="clientlogin", logincontinue="1", logintoken=lt, **kw)
    return dict(r["clientlogin"])


async def count_rows(app: WikigateApp, table: Any) -> int:
    return int(await app.services.db.run(lambda conn: conn.execute(select(func.count()).select_from(table))
                                         .scalar_one()))


SEED_RESPONSE_REQUEST = {
    "id": "OpenIdConnectResponseAuthenticationRequest", "metadata": {}, "required": "required",
    "provider": LABEL, "account": "",
    "fields": {"code": {"type": "string", "label": "OpenID Code", "help": "OpenID Connect code response"},
               "state": {"type": "string", "label": "OpenID State", "help": "OpenID Connect state response"}},
}


# -- the seed's example 3 --------------------------------------------------------------------------

async def test_seed_example_3_captcha_openid_and_two_factor_setup(app: WikigateApp, client: ApiClient,
                                                                  clock: FakeClock) -> None:
    # Step 1: authmanagerinfo lists the captcha and the provider's button.
    r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="create")
    ids = [q["id"] for q in r["query"]["authmanagerinfo"]["requests"]]
    assert "CaptchaAuthenticationRequest" in ids and "OpenIdConnectBeginAuthenticationRequest:mock" in ids
    assert r["query"]["authmanagerinfo"]["canlinkaccounts"] == ""

    # Step 2: captcha answered, OpenID Connect chosen → REDIRECT with the seed's request.
    res = await create_begin(client, "Alice")
    assert res["status"] == "REDIRECT"
    assert res["requests"] == [SEED_RESPONSE_REQUEST]
    target = urlsplit(res["redirecttarget"])
    q = parse_qs(target.query)
    assert q["response_type"] == ["code"] and q["client_id"] == ["wikigate-test"]
    assert q["redirect_uri"] == ["http://wiki.test/index.php?title=Special:OpenIDConnectReturn"]
    assert q["code_challenge_method"] == ["S256"] and q["scope"] == ["openid profile email"]
    assert q["state"][0] and q["nonce"][0] and q["state"] != q["nonce"]

    # Step 3: back from the provider → UI offering two-factor setup.
    back = await sign_in_at_provider(client, res, "alice-sub")
    ui = await create_continue(client, **back)
    assert ui["status"] == "UI" and ui["message"] == "Set up two-factor authentication"
    twofa, skip = ui["requests"]
    assert twofa["id"] == "TwoFactorAuthenticationRequest" and twofa["required"] == "optional"
    assert twofa["metadata"]["account"] == "Alice"
    secret = twofa["metadata"]["secret"].replace(" ", "")
    assert len(secret) >= 32 and all(len(g) <= 4 for g in twofa["metadata"]["secret"].split(" "))
    assert list(twofa["fields"]) == ["2FAInfo", "code"] and twofa["fields"]["2FAInfo"]["type"] == "null"
    assert skip["id"] == "MediaWiki\\Auth\\ButtonAuthenticationRequest:skip2FASetup"
    assert skip["fields"]["skip2FASetup"] == {"type": "button", "label": "Skip",
                                              "help": "Skip two-factor authentication setup"}
    # The account exists (with its link) once the primary step passed.
    alice = await app.services.users.get_by_name("Alice")
    assert alice is not None
    assert [li.subject for li in await app.services.identities.for_user(alice.id)] == ["alice-sub"]

    # A wrong code asks again; step 4: the right code enrols TOTP → PASS.
    again = await create_continue(client, code="000000")
    assert again["status"] == "UI" and again["messagecode"] == "oathauth-failedtovalidateoath"
    done = await create_continue(client, code=pyotp.TOTP(secret).at(clock.time()))
    assert done == {"status": "PASS", "username": "Alice"}
    oath = app.services.oath
    assert isinstance(oath, OathService) and await oath.is_enabled(alice.id)

    # The same identity now logs in, and the new second factor is asked for.
    other = client
    res = await login_begin(other)
    back = await sign_in_at_provider(other, res, "alice-sub")
    ui = await login_continue(other, **back)
    assert ui["status"] == "UI" and ui["messagecode"] == "oathauth-auth-ui"
    clock.advance(30)
    done = await login_continue(other, OATHToken=pyotp.TOTP(secret).at(clock.time()))
    assert done == {"status": "PASS", "username": "Alice"}
    events = [e.event for e in await app.services.audit.list(user="Alice")]
    assert "oidc-link" in events and "oidc-login" in events and "2fa-enabled" in events


async def test_create_with_two_factor_skipped(app: WikigateApp, client: ApiClient) -> None:
    res = await create_begin(client, "Bob")
    ui = await create_continue(client, **await sign_in_at_provider(client, res, "bob-sub"))
    assert ui["status"] == "UI"
    assert await create_continue(client, skip2FASetup="1") == {"status": "PASS", "username": "Bob"}
    bob = await app.services.users.get_by_name("Bob")
    assert bob is not None and not await app.services.oath.is_enabled(bob.id)


@pytest.mark.settings(oath__setup_on_create="require", oath__setup_required_groups=["user"])
async def test_two_factor_required_has_no_skip(app: WikigateApp, client: ApiClient) -> None:
    res = await create_begin(client, "Rita")
    ui = await create_continue(client, **await sign_in_at_provider(client, res, "rita-sub"))
    assert [q["id"] for q in ui["requests"]] == ["TwoFactorAuthenticationRequest"]
    again = await create_continue(client, skip2FASetup="1")
    assert again["status"] == "UI" and again["messagecode"] == "oidc-2fa-setup"


# -- login: known → PASS, unknown → RESTART → createaccount with preservestate ---------------------

async def test_unknown_identity_restart_then_preserved_creation(app: WikigateApp, client: ApiClient) -> None:
    res = await login_begin(client)
    assert res["requests"] == [SEED_RESPONSE_REQUEST]
    restart = await login_continue(client, **await sign_in_at_provider(client, res, "alice-sub"))
    assert restart["status"] == "RESTART"
    assert restart["messagecode"] == "authmanager-authn-no-local-user"
    assert restart["canpreservestate"] == ""
    # The preserved state stays server-side (ApiClientLogin does not list it either).
    assert "MediaWiki\\Auth\\CreateFromLoginAuthenticationRequest" not in [q["id"] for q in restart["requests"]]
    info = (await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="create",
                              formatversion="2"))["query"]["authmanagerinfo"]
    assert info["haspreservedstate"] is True and info["preservedusername"] == "Alice"
    assert await count_rows(app, user) == 0

    ct = await client.token("createaccount")
    r = await client.jpost(action="createaccount", username="Alice", createreturnurl=RETURN, createtoken=ct,
                           createpreservestate="1", **(await captcha(client)))
    ui = r["createaccount"]
    assert ui["status"] == "UI"  # the two-factor offer; the identity needed no second trip
    assert await create_continue(client, skip2FASetup="1") == {"status": "PASS", "username": "Alice"}

    # Now known: a new client logs in straight away (no second factor enrolled).
    fresh = ApiClient(httpx.AsyncClient(transport=client.http._transport, base_url="http://wiki.test"))
    res = await login_begin(fresh)
    done = await login_continue(fresh, **await sign_in_at_provider(fresh, res, "alice-sub"))
    assert done == {"status": "PASS", "username": "Alice"}
    info = (await fresh.jget(action="query", meta="userinfo"))["query"]["userinfo"]
    assert info["name"] == "Alice"
    await fresh.http.aclose()


async def test_preservestate_without_restart_is_nothing(client: ApiClient) -> None:
    ct = await client.token("createaccount")
    r = await client.jpost(action="createaccount", username="Nobody", createreturnurl=RETURN, createtoken=ct,
                           createpreservestate="1", **(await captcha(client)))
    assert r["createaccount"]["messagecode"] == "authmanager-create-no-primary"


# -- link and unlink -------------------------------------------------------------------------------

async def test_link_then_unlink(app: WikigateApp, client: ApiClient, make_user: Any) -> None:
    carol = await make_user("Carol")
    assert (await client.login("Carol", ADMIN_PASSWORD))["clientlogin"]["status"] == "PASS"
    info = (await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="link",
                              formatversion="2"))["query"]["authmanagerinfo"]
    assert info["canlinkaccounts"] is True
    begin = [q for q in info["requests"]]
    assert [q["id"] for q in begin] == ["OpenIdConnectBeginAuthenticationRequest:mock",
                                        "OpenIdConnectBeginAuthenticationRequest:other"]
    assert [(q["provider"], list(q["fields"])) for q in begin] == [(LABEL, [BUTTON]),
                                                                   ("Other sign-in", ["openidconnect-other"])]

    token = await client.token()
    # The other provider's button goes to the same issuer as the other client.
    r = await client.jpost(action="linkaccount", linkreturnurl=RETURN, linktoken=token,
                           **{"openidconnect-other": "1"})
    assert r["linkaccount"]["status"] == "REDIRECT" and r["linkaccount"]["requests"][0]["provider"] == "Other sign-in"
    assert parse_qs(urlsplit(r["linkaccount"]["redirecttarget"]).query)["client_id"] == ["wikigate-other"]
    r = await client.jpost(action="linkaccount", linkreturnurl=RETURN, linktoken=token, **{BUTTON: "1"})
    back = await sign_in_at_provider(client, r["linkaccount"], "carol-sub")
    r = await client.jpost(action="linkaccount", linkcontinue="1", linktoken=token, **back)
    assert r["linkaccount"] == {"status": "PASS", "username": "Carol"}
    assert [li.subject for li in await app.services.identities.for_user(carol.id)] == ["carol-sub"]

    # The identity logs in as Carol (another client).
    other = ApiClient(httpx.AsyncClient(transport=client.http._transport, base_url="http://wiki.test"))
    res = await login_begin(other)
    assert await login_continue(other, **await sign_in_at_provider(other, res, "carol-sub")) == {
        "status": "PASS", "username": "Carol"}
    await other.http.aclose()

    # Linking the same identity to a second account is refused.
    await make_user("Dave")
    dave = ApiClient(httpx.AsyncClient(transport=client.http._transport, base_url="http://wiki.test"))
    assert (await dave.login("Dave", ADMIN_PASSWORD))["clientlogin"]["status"] == "PASS"
    dt = await dave.token()
    r = await dave.jpost(action="linkaccount", linkreturnurl=RETURN, linktoken=dt, **{BUTTON: "1"})
    back = await sign_in_at_provider(dave, r["linkaccount"], "carol-sub")
    r = await dave.jpost(action="linkaccount", linkcontinue="1", linktoken=dt, **back)
    assert r["linkaccount"]["status"] == "FAIL" and r["linkaccount"]["messagecode"] == "oidc-error-linked"
    await dave.http.aclose()

    # unlink: the identity is listed for unlink and remove; unlinking it works once.
    rid = "OpenIdConnectLinkedAuthenticationRequest:mock:carol-sub"
    for what in ("unlink", "remove"):
        info = (await client.jget(action="query", meta="authmanagerinfo",
                                  amirequestsfor=what))["query"]["authmanagerinfo"]
        assert [q["id"] for q in info["requests"]][-1] == rid
    r = await client.jpost(action="unlinkaccount", request=rid, token=token)
    assert r == {"unlinkaccount": {"status": "success"}}
    assert await app.services.identities.for_user(carol.id) == []
    r = await client.jpost(action="unlinkaccount", request=rid, token=token)
    assert r["error"]["code"] == "badrequest"
    events = [e.event for e in await app.services.audit.list(user="Carol")]
    assert "oidc-link" in events and "oidc-unlink" in events


async def test_removeauthenticationdata_removes_a_link(app: WikigateApp, client: ApiClient, make_user: Any) -> None:
    erin = await make_user("Erin")
    await app.services.identities.link(erin.id, "mock", "x", "erin-sub")
    assert (await client.login("Erin", ADMIN_PASSWORD))["clientlogin"]["status"] == "PASS"
    r = await client.jpost(action="removeauthenticationdata", token=await client.token(),
                           request="OpenIdConnectLinkedAuthenticationRequest:mock:erin-sub")
    assert r == {"removeauthenticationdata": {"status": "success"}}
    assert await app.services.identities.find("mock", "erin-sub") is None


async def test_linkaccount_needs_login(client: ApiClient) -> None:
    r = await client.jpost(action="linkaccount", linkreturnurl=RETURN, linktoken="+\\")
    assert r["error"]["code"] == "notloggedin"


# -- refused: each a clear FAIL, nothing half-created -------------------------------------------------

async def test_forged_state_is_refused_and_voids_the_flow(app: WikigateApp, client: ApiClient) -> None:
    res = await create_begin(client, "Mallory")
    back = await sign_in_at_provider(client, res, "m-sub")
    bad = await create_continue(client, code=back["code"], state="forged-" + back["state"][:10])
    assert bad["status"] == "FAIL" and bad["messagecode"] == "oidc-error-state"
    # The real answer no longer works either: the flow ended.
    again = await create_continue(client, **back)
    assert again["status"] == "FAIL" and again["messagecode"] == "authmanager-create-not-in-progress"
    assert await count_rows(app, user) == 0 and await count_rows(app, external_identity) == 0


async def test_reused_state_and_replayed_code(app: WikigateApp, client: ApiClient, make_user: Any) -> None:
    frank = await make_user("Frank")
    await app.services.identities.link(frank.id, "mock", "x", "frank-sub")
    res = await login_begin(client)
    back = await sign_in_at_provider(client, res, "frank-sub")
    assert (await login_continue(client, **back))["status"] == "PASS"
    # The same return again: no flow any more.
    again = await login_continue(client, **back)
    assert again["status"] == "FAIL" and again["messagecode"] == "authmanager-authn-not-in-progress"
    # The old code with a fresh flow's state: the provider refuses the replayed code.
    other = ApiClient(httpx.AsyncClient(transport=client.http._transport, base_url="http://wiki.test"))
    res = await login_begin(other)
    state = parse_qs(urlsplit(res["redirecttarget"]).query)["state"][0]
    replay = await login_continue(other, code=back["code"], state=state)
    assert replay["status"] == "FAIL" and replay["messagecode"] == "oidc-error-refused"
    await other.http.aclose()


async def test_return_for_another_sessions_flow(app: WikigateApp, new_client: Any, make_user: Any) -> None:
    gina = await make_user("Gina")
    await app.services.identities.link(gina.id, "mock", "x", "gina-sub")
    victim, attacker = new_client(), new_client()
    res = await login_begin(victim)
    back = await sign_in_at_provider(victim, res, "gina-sub")
    # Without a flow of its own…
    r = await login_continue(attacker, **back)
    assert r["status"] == "FAIL" and r["messagecode"] == "authmanager-authn-not-in-progress"
    # …and with one: the state is not this session's.
    await login_begin(attacker)
    r = await login_continue(attacker, **back)
    assert r["status"] == "FAIL" and r["messagecode"] == "oidc-error-state"
    assert (await attacker.jget(action="query", meta="userinfo"))["query"]["userinfo"]["id"] == 0
    # The owner's flow is untouched.
    assert await login_continue(victim, **back) == {"status": "PASS", "username": "Gina"}


async def test_return_page_refuses_unknown_state(client: ApiClient) -> None:
    r = await client.http.get("/index.php", params={"title": "Special:OpenIDConnectReturn", "code": "c",
                                                    "state": "never-issued"})
    assert r.status_code == 400 and "location" not in r.headers


@pytest.mark.settings(sessions__ttl_seconds=4 * 3600, oidc__flow_seconds=4 * 3600)
async def test_expired_id_token(app: WikigateApp, client: ApiClient, clock: FakeClock) -> None:
    # Sessions (and so the flow) outlive the provider's one-hour tokens here (marker).
    res = await create_begin(client, "Hank")
    back = await sign_in_at_provider(client, res, "hank-sub")
    clock.advance(3600 + 120)  # past exp, and past the 60 s leeway
    r = await create_continue(client, **back)
    assert r["status"] == "FAIL" and r["messagecode"] == "oidc-error-token"
    assert await count_rows(app, user) == 0 and await count_rows(app, external_identity) == 0


def short_timeout(app: WikigateApp) -> None:
    svc = app.services.oidc
    svc.settings = replace(svc.settings, timeout_seconds=0.5)
    svc._http = None  # built again with the new timeout


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung provider)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    yield s.getsockname()[1]
    s.close()


async def test_provider_slow_is_a_bounded_fail(app: WikigateApp, client: ApiClient, silent_port: int) -> None:
    short_timeout(app)
    svc = app.services.oidc
    from wikigate.config import ProviderConfig
    svc.providers["mock"] = ProviderConfig("mock", f"http://127.0.0.1:{silent_port}", "c", "s", LABEL)
    started = time.monotonic()
    r = await create_begin(client, "Ivy")
    assert time.monotonic() - started < 4
    assert r["status"] == "FAIL" and r["messagecode"] == "oidc-error-timeout"
    assert await count_rows(app, user) == 0


async def test_provider_down_is_a_fail(app: WikigateApp, client: ApiClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    svc = app.services.oidc
    from wikigate.config import ProviderConfig
    svc.providers["mock"] = ProviderConfig("mock", f"http://127.0.0.1:{port}", "c", "s", LABEL)
    r = await login_begin(client)
    assert r["status"] == "FAIL" and r["messagecode"] == "oidc-error-unreachable"


async def test_provider_down_at_token_exchange(app: WikigateApp, client: ApiClient, silent_port: int) -> None:
    res = await create_begin(client, "Jack")
    back = await sign_in_at_provider(client, res, "jack-sub")
    short_timeout(app)
    svc = app.services.oidc
    doc = dict(svc._discovery["mock"].value)
    doc["token_endpoint"] = f"http://127.0.0.1:{silent_port}/token"
    svc._discovery["mock"].value = doc
    r = await create_continue(client, **back)
    assert r["status"] == "FAIL" and r["messagecode"] == "oidc-error-timeout"
    assert await count_rows(app, user) == 0 and await count_rows(app, external_identity) == 0


async def test_state_expires_with_flow_seconds(app: WikigateApp, client: ApiClient, clock: FakeClock) -> None:
    res = await create_begin(client, "Kate")
    back = await sign_in_at_provider(client, res, "kate-sub")
    clock.advance(app.services.settings.oidc.flow_seconds + 1)
    r = await create_continue(client, **back)
    assert r["status"] == "FAIL" and r["messagecode"] == "oidc-error-state"
    assert await count_rows(app, user) == 0


# -- the pages for people (index.php) share the flow ------------------------------------------------

async def test_web_login_with_the_provider(app: WikigateApp, client: ApiClient, make_user: Any) -> None:
    import re

    wendy = await make_user("Wendy")
    await app.services.identities.link(wendy.id, "mock", "x", "wendy-sub")
    page = await client.http.get("/index.php", params={"title": "Special:UserLogin"})
    assert 'name="openidconnect-mock"' in page.text and LABEL in page.text
    m = re.search(r'name="wpEditToken" value="([^"]*)"', page.text)
    assert m
    token = m.group(1).replace("&#43;", "+").replace("&#92;", "\\")
    r = await client.http.post("/index.php", params={"title": "Special:UserLogin", "returnto": "Special:BotPasswords"},
                               data={"openidconnect-mock": "1", "wpEditToken": token})
    assert r.status_code in (302, 303)
    back = await client.http.get(browser_at_provider(r.headers["location"], "wendy-sub"))
    assert back.status_code == 302
    target = back.headers["location"]
    assert urlsplit(target).path == "/index.php" and "returnto=Special" in target
    done = await client.http.get(target)
    assert done.status_code == 303 and done.headers["location"] == "/index.php?title=Special:BotPasswords"
    me = await client.jget(action="query", meta="userinfo", formatversion="2")
    assert me["query"]["userinfo"]["name"] == "Wendy"
    # The same return once more does nothing (the state is used up).
    again = await client.http.get(target)
    assert again.status_code != 303


async def test_bot_password_session_cannot_link_or_unlink(app: WikigateApp, client: ApiClient,
                                                          make_user: Any) -> None:
    from tests.api.test_bot_containment import bot_login
    from wikigate.users.rights import GRANT_RIGHTS

    lena = await make_user("Lena")
    await app.services.identities.link(lena.id, "mock", "x", "lena-sub")
    csrf = await bot_login(app, client, lena, tuple(GRANT_RIGHTS))
    for call in (dict(action="linkaccount", linkreturnurl=RETURN, linktoken=csrf, **{BUTTON: "1"}),
                 dict(action="unlinkaccount", request="OpenIdConnectLinkedAuthenticationRequest:mock:lena-sub",
                      token=csrf),
                 dict(action="removeauthenticationdata", token=csrf,
                      request="OpenIdConnectLinkedAuthenticationRequest:mock:lena-sub")):
        r = await client.jpost(**call)
        assert r["error"]["code"] == "cannotreauthenticate", (call, r)
    assert [li.subject for li in await app.services.identities.for_user(lena.id)] == ["lena-sub"]
    info = (await client.jget(action="query", meta="authmanagerinfo", formatversion="2"))["query"]["authmanagerinfo"]
    assert info["canauthenticatenow"] is False


async def test_web_account_creation_with_provider_and_two_factor(app: WikigateApp, client: ApiClient,
                                                                 clock: FakeClock) -> None:
    import html
    import re

    def token_of(page: httpx.Response) -> str:
        m = re.search(r'name="wpEditToken" value="([^"]*)"', page.text)
        assert m, page.text
        return html.unescape(m.group(1))

    page = await client.http.get("/index.php", params={"title": "Special:CreateAccount"})
    assert 'name="openidconnect-mock"' in page.text
    cid = re.search(r'name="captchaId" value="([^"]*)"', page.text)
    assert cid
    r = await client.http.post("/index.php", params={"title": "Special:CreateAccount"},
                               data={"username": "Web oidc", "captchaId": cid.group(1), "captchaWord": "refwiki",
                                     "openidconnect-mock": "1", "wpEditToken": token_of(page)})
    assert r.status_code in (302, 303), r.text
    back = await client.http.get(browser_at_provider(r.headers["location"], "web-sub"))
    form = await client.http.get(back.headers["location"])
    assert form.status_code == 200 and 'name="skip2FASetup"' in form.text
    detail = re.search(r'<code id="wp-2FAInfo-detail">Web oidc: ([A-Z2-7 ]+) ·', form.text)
    assert detail, form.text
    secret = detail.group(1).replace(" ", "")
    done = await client.http.post("/index.php", params={"title": "Special:CreateAccount"},
                                  data={"code": pyotp.TOTP(secret).at(clock.time()), "wpContinue": "1",
                                        "wpEditToken": token_of(form)})
    assert done.status_code == 200 and "Web oidc" in done.text
    user_row = await app.services.users.get_by_name("Web oidc")
    assert user_row is not None and await app.services.oath.is_enabled(user_row.id)
    assert [li.subject for li in await app.services.identities.for_user(user_row.id)] == ["web-sub"]


async def test_user_denies_at_the_provider(app: WikigateApp, client: ApiClient) -> None:
    res = await login_begin(client)
    with httpx.Client(timeout=10) as b:
        denied = b.post(res["redirecttarget"], data={"action": "deny"})
    assert denied.status_code == 302
    q = {k: v[0] for k, v in parse_qs(urlsplit(denied.headers["location"]).query).items()}
    assert q["error"] == "access_denied" and "code" not in q
    back = await client.http.get(denied.headers["location"])
    if "state" in q:  # forwarded to the client, which has nothing to continue with
        target = {k: v[0] for k, v in parse_qs(urlsplit(back.headers["location"]).query).items()}
        assert target["error"] == "access_denied" and "code" not in target
    else:  # this provider drops the state on denial: the page cannot tell whose it is
        assert back.status_code == 400 and "location" not in back.headers
    state = parse_qs(urlsplit(res["redirecttarget"]).query)["state"][0]
    r = await login_continue(client, state=state, error="access_denied")
    assert r["status"] == "FAIL" and r["messagecode"] == "oidc-error-noresponse"
    assert (await login_continue(client, state=state, code="x"))["messagecode"] == \
        "authmanager-authn-not-in-progress"
