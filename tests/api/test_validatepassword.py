"""action=validatepassword against the answers recorded from MediaWiki 1.39 (passwords.md §1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import ApiClient


async def vp(client: ApiClient, **params: Any) -> Any:
    return await client.jpost(action="validatepassword", **params)


async def test_good_change_invalid(client: ApiClient) -> None:
    assert await vp(client, password="Zx9-qwkd-kq#Lm2pQ") == {"validatepassword": {"validity": "Good"}}
    assert await vp(client, password="password") == {"validatepassword": {
        "validity": "Change",
        "validitymessages": [{"message": "passwordincommonlist", "params": [], "code": "passwordincommonlist",
                              "type": "error"}]}}
    # One character meets the default policy (minimum length 1).
    assert (await vp(client, password="a"))["validatepassword"] == {"validity": "Good"}
    assert await vp(client, password="Ab9-" * 1025) == {"validatepassword": {
        "validity": "Invalid",
        "validitymessages": [{"message": "passwordtoolong", "params": [4096], "code": "passwordtoolong",
                              "type": "error"}]}}


async def test_byte_length_counts(client: ApiClient) -> None:
    # 2049 two-byte characters are 4098 bytes: PHP strlen, not characters.
    data = await vp(client, password="ä" * 2049)
    assert data["validatepassword"]["validity"] == "Invalid"


@pytest.mark.parametrize("fv", ["1", "2"])
async def test_errorformats(client: ApiClient, fv: str) -> None:
    text = ("The password entered is in a list of very commonly used passwords. "
            "Please choose a more unique password.")
    key = "*" if fv == "1" else "text"
    got = await vp(client, password="password", errorformat="plaintext", formatversion=fv)
    assert got["validatepassword"]["validitymessages"] == [{"code": "passwordincommonlist", key: text}]
    got = await vp(client, password="password", errorformat="raw", formatversion=fv)
    assert got["validatepassword"]["validitymessages"] == [
        {"code": "passwordincommonlist", "key": "passwordincommonlist", "params": []}]
    got = await vp(client, password="password", errorformat="none", formatversion=fv)
    assert got["validatepassword"]["validitymessages"] == [{"code": "passwordincommonlist"}]
    got = await vp(client, password="password", errorformat="html", formatversion=fv)
    assert got["validatepassword"]["validitymessages"] == [
        {"code": "passwordincommonlist", ("*" if fv == "1" else "html"): text}]


async def test_for_new_user(client: ApiClient, make_user: Callable[..., Awaitable[Any]]) -> None:
    got = await vp(client, password="Brand", user="Brandnewuser9")
    assert got["validatepassword"]["validitymessages"][0]["code"] == "password-substring-username-match"
    assert (await vp(client, password="testpass", user="Apitestuser"))["validatepassword"][
        "validitymessages"][0]["code"] == "password-login-forbidden"
    await make_user("Existing")
    for value in ("Existing", "#1"):
        err = (await vp(client, password="x", user=value))["error"]
        assert err["code"] == "userexists"
        assert err["info"] == "Username entered already in use. Please choose a different name."


@pytest.mark.parametrize(("user", "code", "shown"), [
    ("Foo@bar", "baduser_user", "Foo@bar"),
    ("Foo:bar&x", "baduser_user", "Foo:bar&x"),
    ("#99999", "baduser_user", "Unknown user"),
    ("1.2.3.4", "baduser", "1.2.3.4"),
    ("", "baduser", ""),
])
async def test_bad_user(client: ApiClient, user: str, code: str, shown: str) -> None:
    err = (await vp(client, password="x", user=user))["error"]
    assert err["code"] == code
    assert err["info"] == f'Invalid value "{shown}" for user parameter "user".'


async def test_baduser_html_escapes_value(client: ApiClient) -> None:
    got = await vp(client, password="x", user="Foo:bar&x", errorformat="html")
    assert got["errors"][0]["*"] == 'Invalid value "Foo:bar&#38;x" for user parameter <var>user</var>.'
    assert got["errors"][0]["module"] == "validatepassword"


async def test_sysop_policy(client: ApiClient, make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Sysopish", groups=("sysop",))
    assert (await client.login("Sysopish", "AdminPassw0rd!2026"))["clientlogin"]["status"] == "PASS"
    got = await vp(client, password="Xq7-kzmv")
    assert got["validatepassword"]["validitymessages"] == [
        {"message": "passwordtooshort", "params": [10], "code": "passwordtooshort", "type": "error"}]


async def test_post_rules(client: ApiClient) -> None:
    r = await client.get(action="validatepassword", password="x")
    assert r.headers["MediaWiki-API-Error"] == "mustbeposted"
    r = await client.http.post("/api.php?password=x", data={"action": "validatepassword", "format": "json"})
    assert r.json()["error"]["code"] == "mustpostparams"
    assert (await vp(client, password=""))["error"]["code"] == "missingparam"


async def test_odd_bytes_are_api_answers(client: ApiClient) -> None:
    # NUL and invalid UTF-8 never cause a 500; the password is still judged.
    for body in (b"action=validatepassword&format=json&password=ab%00cd",
                 b"action=validatepassword&format=json&password=ab%FFcd"):
        r = await client.http.post("/api.php", content=body,
                                   headers={"content-type": "application/x-www-form-urlencoded"})
        assert r.status_code == 200
        assert r.json()["validatepassword"]["validity"] == "Good"
