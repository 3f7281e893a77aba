"""Captcha in createaccount / clientlogin / login (ConfirmEdit API surface, issue 11).

Expected answers were taken from the reference wiki on :8082 (QuestyCaptcha, default triggers).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ADMIN_PASSWORD, ApiClient, make_settings, marked
from wikigate.config import ConfigError, Settings, load_settings

QUESTION = "What is the name of this test wiki? (answer: refwiki)"
RETURN = "http://client.example/"
PW = "Xyzzy-Plugh-123!"
CAPTCHA_FAIL = {"status": "FAIL", "message": "Incorrect or missing CAPTCHA.",
                "messagecode": "captcha-createaccount-fail"}
WRONG = {"status": "FAIL", "message": "Incorrect username or password entered.\nPlease try again.",
         "messagecode": "wrongpassword"}


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return marked(request, make_settings(tmp_path, captcha__kind="question",
                                         captcha__questions={QUESTION: "refwiki"}))


async def _fields(c: ApiClient, what: str) -> dict[str, Any]:
    r = await c.jget(action="query", meta="authmanagerinfo", amirequestsfor=what, amimergerequestfields="1")
    return dict(r["query"]["authmanagerinfo"]["fields"])


async def _create(c: ApiClient, name: str, **kw: Any) -> dict[str, Any]:
    ct = await c.token("createaccount")
    r = await c.jpost(action="createaccount", username=name, password=PW, retype=PW,
                      createreturnurl=RETURN, createtoken=ct, **kw)
    return dict(r["createaccount"])


async def test_authmanagerinfo_create_shows_the_reference_request(client: ApiClient) -> None:
    r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="create", formatversion="2")
    req = r["query"]["authmanagerinfo"]["requests"][0]
    assert req["id"] == "CaptchaAuthenticationRequest"
    assert req["metadata"] == {"type": "question", "mime": "text/html"}
    assert req["required"] == "required"
    assert req["provider"] == "MediaWiki\\Extension\\ConfirmEdit\\Auth\\CaptchaAuthenticationRequest"
    assert req["account"] == "CaptchaAuthenticationRequest"
    f = req["fields"]
    assert list(f) == ["captchaId", "captchaInfo", "captchaWord"]
    assert f["captchaId"]["type"] == "hidden" and f["captchaId"]["value"].isdigit()
    assert f["captchaId"]["label"] == "CAPTCHA ID"
    assert f["captchaId"]["help"] == "This value should be sent back unchanged."
    assert f["captchaInfo"] == {
        "type": "null", "value": QUESTION,
        "label": "To protect the wiki against automated account creation, we kindly ask you to answer "
                 "the question that appears below ([[Special:Captcha/help|more info]]):",
        "help": "Description of the CAPTCHA.", "optional": False, "sensitive": False}
    assert f["captchaWord"] == {"type": "string", "label": "CAPTCHA", "help": "Solution of the CAPTCHA.",
                                "optional": False, "sensitive": False}
    # No captcha on the login form before failed logins.
    assert "captchaId" not in await _fields(client, "login")


async def test_createaccount_seed_sample_and_bad_answers(client: ApiClient, app: Any) -> None:
    # The seed's sample: authmanagerinfo and tokens in one request, fields by request id.
    r = await client.jget(action="query", meta="authmanagerinfo|tokens", amirequestsfor="create",
                          type="createaccount")
    fields = {req["id"]: req["fields"] for req in r["query"]["authmanagerinfo"]["requests"]}
    cid = fields["CaptchaAuthenticationRequest"]["captchaId"]["value"]
    assert await _create(client, "Zane") == CAPTCHA_FAIL
    assert await _create(client, "Zane", captchaId="4242", captchaWord="refwiki") == CAPTCHA_FAIL
    assert await _create(client, "Zane", captchaId=cid, captchaWord="nope") == CAPTCHA_FAIL
    # The wrong answer consumed the captcha.
    assert await _create(client, "Zane", captchaId=cid, captchaWord="refwiki") == CAPTCHA_FAIL
    assert await app.services.users.get_by_name("Zane") is None  # nothing half-created
    cid = (await _fields(client, "create"))["captchaId"]["value"]
    # An empty answer is a missing answer: it does not use the captcha up.
    assert await _create(client, "Zane", captchaId=cid, captchaWord="") == CAPTCHA_FAIL
    assert await _create(client, "Zane", captchaId=cid, captchaWord="RefWiki") == {"status": "PASS",
                                                                                     "username": "Zane"}
    # Used once: the same id cannot create a second account.
    assert await _create(client, "Zane2", captchaId=cid, captchaWord="refwiki") == CAPTCHA_FAIL


async def test_captcha_of_another_session_is_unknown(new_client: Callable[..., ApiClient]) -> None:
    a, b = new_client(), new_client()
    cid = (await _fields(a, "create"))["captchaId"]["value"]
    assert await _create(b, "Mallory", captchaId=cid, captchaWord="refwiki") == CAPTCHA_FAIL
    assert (await _create(a, "Alice", captchaId=cid, captchaWord="refwiki"))["status"] == "PASS"


async def test_skipcaptcha_right_exempts_creators(client: ApiClient,
                                                  make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Admin", groups=("sysop",))
    assert (await client.login("Admin", ADMIN_PASSWORD))["clientlogin"]["status"] == "PASS"
    assert "captchaId" not in await _fields(client, "create")
    r = await _create(client, "Made by admin", reason="test")
    assert r == {"status": "PASS", "username": "Made by admin"}
    ui = await client.jget(action="query", meta="userinfo", uiprop="rights")
    assert "skipcaptcha" in ui["query"]["userinfo"]["rights"]


async def _clientlogin(c: ApiClient, name: str, password: str, **kw: Any) -> dict[str, Any]:
    lt = await c.token("login")
    r = await c.jpost(action="clientlogin", username=name, password=password, loginreturnurl=RETURN,
                      logintoken=lt, **kw)
    return dict(r["clientlogin"])


async def test_badlogin_trigger(new_client: Callable[..., ApiClient],
                                make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Alice")
    c = new_client("10.1.1.1")
    for _ in range(3):
        assert await _clientlogin(c, "Nobody", "wrong") == WRONG
    f = await _fields(c, "login")
    assert f["captchaInfo"]["label"].startswith("To protect the wiki against automated password cracking")
    # Right password, no captcha: refused as a wrong password.
    assert await _clientlogin(c, "Alice", ADMIN_PASSWORD) == WRONG
    lt = await c.token("login")
    r = await c.jpost(action="login", lgname="Alice", lgpassword=ADMIN_PASSWORD, lgtoken=lt)
    assert r["login"] == {"result": "Failed",
                          "reason": "Incorrect username or password entered. Please try again."}
    cid = (await _fields(c, "login"))["captchaId"]["value"]
    assert await _clientlogin(c, "Alice", ADMIN_PASSWORD, captchaId=cid, captchaWord="x") == WRONG
    # Another client address is not affected.
    other = new_client("10.1.1.2")
    assert "captchaId" not in await _fields(other, "login")
    assert (await _clientlogin(other, "Alice", ADMIN_PASSWORD))["status"] == "PASS"
    cid = (await _fields(c, "login"))["captchaId"]["value"]
    r = await _clientlogin(c, "Alice", ADMIN_PASSWORD, captchaId=cid, captchaWord="REFWIKI")
    assert r == {"status": "PASS", "username": "Alice"}


@pytest.mark.settings(captcha__bad_login_per_user_attempts=2)
async def test_badloginperuser_trigger_across_addresses(app: Any, new_client: Callable[..., ApiClient],
                                                        make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Bob")
    for i in range(2):
        assert await _clientlogin(new_client(f"10.2.0.{i + 1}"), "Bob", "wrong") == WRONG
    c = new_client("10.2.0.9")
    assert "captchaId" not in await _fields(c, "login")
    assert await _clientlogin(c, "Bob", ADMIN_PASSWORD) == WRONG
    # The session now shows the captcha on its login form (ConfirmEdit's session flag).
    cid = (await _fields(c, "login"))["captchaId"]["value"]
    assert (await _clientlogin(c, "Bob", ADMIN_PASSWORD, captchaId=cid, captchaWord="refwiki"))["status"] == "PASS"


async def test_arithmetic_kind(tmp_path: Path) -> None:
    from wikigate.app import WikigateApp, build_services

    s = make_settings(tmp_path, captcha__kind="arithmetic")
    application = WikigateApp(s, build_services(s))
    await application.startup()
    try:
        import httpx

        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
            c = ApiClient(http)
            r = await c.jget(action="query", meta="authmanagerinfo", amirequestsfor="create")
            req = r["query"]["authmanagerinfo"]["requests"][0]
            assert req["metadata"] == {"type": "simple", "mime": "text/plain"}
            info = req["fields"]["captchaInfo"]
            assert info["label"].startswith("To protect the wiki against automated account creation, "
                                            "we kindly ask you to solve the following task")
            q = info["value"]
            assert q.endswith(" =")
            expr = q[:-2]
            x, op, y = expr.partition("+") if "+" in expr else expr.partition("\u2212")
            answer = int(x) + int(y) if op == "+" else int(x) - int(y)
            cid = req["fields"]["captchaId"]["value"]
            r2 = await _create(c, "Sum", captchaId=cid, captchaWord=f" {answer}")
            assert r2 == {"status": "PASS", "username": "Sum"}
    finally:
        await application.shutdown()


def test_config_validation(tmp_path: Path) -> None:
    p = tmp_path / "w.toml"
    p.write_text('[captcha]\nkind = "picture"\n')
    with pytest.raises(ConfigError, match=r"captcha\.kind"):
        load_settings(p, environ={})
    p.write_text('[captcha]\nkind = "question"\n')
    with pytest.raises(ConfigError, match=r"captcha\.questions"):
        load_settings(p, environ={})
    p.write_text('[captcha]\nkind = "question"\nquestions = { "Q?" = "" }\n')
    with pytest.raises(ConfigError, match=r"captcha\.questions"):
        load_settings(p, environ={})
    p.write_text('[captcha]\nkind = "arithmetic"\ntriggers = ["edit"]\n')
    with pytest.raises(ConfigError, match=r"captcha\.triggers"):
        load_settings(p, environ={})
    p.write_text('[captcha]\nkind = "question"\nquestions = { "Q?" = ["a", "b"] }\n')
    assert load_settings(p, environ={}).captcha.questions == {"Q?": ["a", "b"]}


async def test_image_kind(tmp_path: Path) -> None:
    pytest.importorskip("captcha.image")
    import httpx

    from wikigate.app import WikigateApp, build_services

    s = make_settings(tmp_path, captcha__kind="image")
    application = WikigateApp(s, build_services(s))
    await application.startup()
    try:
        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http, \
                httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as other:
            c = ApiClient(http)
            r = await c.jget(action="query", meta="authmanagerinfo", amirequestsfor="create")
            req = r["query"]["authmanagerinfo"]["requests"][0]
            assert req["metadata"] == {"type": "image", "mime": "image/png"}
            f = req["fields"]
            cid = f["captchaId"]["value"]
            assert f["captchaInfo"]["value"] == f"/index.php?title=Special:Captcha/image&wpCaptchaId={cid}"
            # FancyCaptcha 1.39 falls back to the edit text for account creation.
            assert f["captchaInfo"]["label"].startswith("To edit this page, please enter the words")
            img = await http.get(f["captchaInfo"]["value"])
            assert img.status_code == 200 and img.headers["content-type"] == "image/png"
            assert img.content.startswith(b"\x89PNG") and "no-store" in img.headers["cache-control"]
            # Another session cannot fetch it; unknown ids are 404.
            assert (await other.get(f["captchaInfo"]["value"])).status_code == 404
            assert (await http.get("/index.php", params={"title": "Special:Captcha/image",
                                                         "wpCaptchaId": "1"})).status_code == 404
            assert (await http.get("/index.php", params={"title": "Special:Captcha/help"})).status_code == 200
            svc = application.services.captcha
            state_sid = http.cookies.get("my_wiki_session")
            assert state_sid
            from wikigate.auth.sessions import Session

            word = (await svc.peek(Session(id=state_sid), cid))["answer"]
            r2 = await _create(c, "Pic", captchaId=cid, captchaWord=word.upper())
            assert r2 == {"status": "PASS", "username": "Pic"}
            # Used up: the image is gone too.
            assert (await http.get(f["captchaInfo"]["value"])).status_code == 404
    finally:
        await application.shutdown()
