"""meta=authmanagerinfo (seed API:Authmanagerinfo; spec authmanager.md §4)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import ADMIN_PASSWORD, ApiClient

CREATE_FV2 = {"batchcomplete": True, "query": {"authmanagerinfo": {
    "canauthenticatenow": True, "cancreateaccounts": True, "canlinkaccounts": False,
    "haspreservedstate": False, "hasprimarypreservedstate": False, "preservedusername": "", "requests": [
        {"id": "MediaWiki\\Auth\\PasswordAuthenticationRequest", "metadata": {}, "required": "primary-required",
         "provider": "Password-based authentication", "account": "", "fields": {
             "username": {"type": "string", "label": "Username", "help": "Username for authentication.",
                          "optional": False, "sensitive": False},
             "password": {"type": "password", "label": "Password", "help": "Password for authentication.",
                          "optional": False, "sensitive": True},
             "retype": {"type": "password", "label": "Retype password:", "help": "Password again to confirm.",
                        "optional": False, "sensitive": True}}},
        {"id": "MediaWiki\\Auth\\UsernameAuthenticationRequest", "metadata": {}, "required": "required",
         "provider": "MediaWiki\\Auth\\UsernameAuthenticationRequest",
         "account": "MediaWiki\\Auth\\UsernameAuthenticationRequest", "fields": {
             "username": {"type": "string", "label": "Username", "help": "Username for authentication.",
                          "optional": False, "sensitive": False}}},
        {"id": "MediaWiki\\Auth\\UserDataAuthenticationRequest", "metadata": {}, "required": "required",
         "provider": "MediaWiki\\Auth\\UserDataAuthenticationRequest",
         "account": "MediaWiki\\Auth\\UserDataAuthenticationRequest", "fields": {
             "email": {"type": "string", "label": "Email", "help": "Email address", "optional": True,
                       "sensitive": False},
             "realname": {"type": "string", "label": "Real name", "help": "Real name of the user",
                          "optional": True, "sensitive": False}}}]}}}


async def test_anonymous_create_exact(client: ApiClient) -> None:
    r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="create", formatversion="2")
    assert r == CREATE_FV2


async def test_fv1_merged_and_formats(client: ApiClient) -> None:
    r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="create",
                          amimergerequestfields="1")
    info = r["query"]["authmanagerinfo"]
    assert info["canauthenticatenow"] == "" and "canlinkaccounts" not in info and "haspreservedstate" not in info
    assert all("fields" not in q for q in info["requests"])
    assert info["fields"]["email"] == {"type": "string", "label": "Email", "help": "Email address", "optional": ""}
    assert info["fields"]["password"] == {"type": "password", "label": "Password",
                                          "help": "Password for authentication.", "sensitive": ""}
    r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="login", amimessageformat="raw")
    reqs = r["query"]["authmanagerinfo"]["requests"]
    assert reqs[0]["account"] == {"key": "$1", "params": [None]}
    assert reqs[1]["fields"]["rememberMe"]["label"] == {"key": "userlogin-remembermypassword",
                                                        "params": [{"num": 180}]}
    r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="login", amimessageformat="none")
    assert "label" not in r["query"]["authmanagerinfo"]["requests"][0]["fields"]["username"]
    for action in ("link", "unlink", "login-continue", "create-continue"):
        r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor=action)
        assert r["query"]["authmanagerinfo"]["requests"] == []


async def test_logged_in_lists_and_security_status(client: ApiClient,
                                                   make_user: Callable[..., Awaitable[Any]]) -> None:
    r = await client.jget(action="query", meta="authmanagerinfo", amisecuritysensitiveoperation="ChangeCredentials")
    assert r["query"]["authmanagerinfo"]["securitysensitiveoperationstatus"] == "reauth"
    await make_user("Admin", groups=("sysop",))
    await client.login("Admin", ADMIN_PASSWORD)
    r = await client.jget(action="query", meta="authmanagerinfo", amisecuritysensitiveoperation="ChangeCredentials",
                          amirequestsfor="create")
    info = r["query"]["authmanagerinfo"]
    assert info["securitysensitiveoperationstatus"] == "ok"
    assert [q["id"].rsplit("\\", 1)[1] for q in info["requests"]] == [
        "TemporaryPasswordAuthenticationRequest", "PasswordAuthenticationRequest", "UsernameAuthenticationRequest",
        "UserDataAuthenticationRequest", "CreationReasonAuthenticationRequest"]
    r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="login")
    assert r["query"]["authmanagerinfo"]["requests"][0]["account"] == "Admin"
    r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="change")
    reqs = r["query"]["authmanagerinfo"]["requests"]
    assert [q["id"] for q in reqs] == ["MediaWiki\\Auth\\PasswordAuthenticationRequest"]
    assert list(reqs[0]["fields"]) == ["password", "retype"]
    assert reqs[0]["fields"]["password"]["label"] == "New password:"
    r = await client.jget(action="query", meta="authmanagerinfo", amirequestsfor="remove")
    assert [q["id"] for q in r["query"]["authmanagerinfo"]["requests"]] == [
        "MediaWiki\\Auth\\TemporaryPasswordAuthenticationRequest"]
