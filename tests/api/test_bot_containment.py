"""Issue 9, findings 1, 2 and 7: a bot-password session stays inside its grants.

The attacks reproduced here all succeeded before (the reference MediaWiki 1.39 allows
the first one too): a ``basic``-only bot password changed its owner's main password and
made another user a bureaucrat. Now account-security operations answer
``cannotreauthenticate`` with a ``botpassword-refused`` audit entry, and userrights
computes changeable groups from the session's effective rights.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.api.test_main import login_as
from tests.conftest import ADMIN_PASSWORD, ApiClient
from wikigate.app import WikigateApp
from wikigate.users.model import User

MakeUser = Callable[..., Awaitable[User]]
PASSREQ = "MediaWiki\\Auth\\PasswordAuthenticationRequest"
TEMPREQ = "MediaWiki\\Auth\\TemporaryPasswordAuthenticationRequest"
NEW_PASSWORD = "Completely-New-Passw0rd!"


async def bot_login(app: WikigateApp, client: ApiClient, user: User, grants: tuple[str, ...] = (),
                    app_id: str = "tool") -> str:
    """Create ``user@app_id`` with ``grants`` and log ``client`` in with it; the CSRF token."""
    _, secret = await app.services.botpasswords.create(user.id, app_id, grants)
    lt = await client.token("login")
    r = await client.jpost(action="login", lgname=f"{user.name}@{app_id}", lgpassword=secret, lgtoken=lt)
    assert r["login"]["result"] == "Success", r
    return await client.token("csrf")


async def audit_entries(app: WikigateApp, event: str) -> list[Any]:
    return list(await app.services.audit.list(event=event))


async def main_login_works(new_client: Callable[..., ApiClient], name: str, password: str) -> bool:
    r = await new_client().login(name, password)
    return bool(r["clientlogin"]["status"] == "PASS")


async def test_basic_bot_password_cannot_change_main_password(
        app: WikigateApp, client: ApiClient, new_client: Callable[..., ApiClient], make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    csrf = await bot_login(app, client, bob)
    r = await client.jpost(action="changeauthenticationdata", changeauthrequest=PASSREQ, password=NEW_PASSWORD,
                           retype=NEW_PASSWORD, changeauthtoken=csrf)
    assert r["error"]["code"] == "cannotreauthenticate"
    assert r["error"]["info"] == "This action is not available as your identity cannot be verified."
    assert await main_login_works(new_client, "Bob", ADMIN_PASSWORD)
    assert not await main_login_works(new_client, "Bob", NEW_PASSWORD)
    [entry] = await audit_entries(app, "botpassword-refused")
    assert (entry.user_id, entry.detail) == (bob.id, "operation=ChangeCredentials app=tool")


async def test_every_grant_still_refused(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    """No grant opens an account-security operation: even all of them together."""
    from wikigate.users.rights import GRANT_RIGHTS

    bob = await make_user("Bob", groups=("sysop", "bureaucrat"))
    csrf = await bot_login(app, client, bob, tuple(GRANT_RIGHTS))
    calls: list[dict[str, str]] = [
        dict(action="changeauthenticationdata", changeauthrequest=PASSREQ, password=NEW_PASSWORD,
             retype=NEW_PASSWORD, changeauthtoken=csrf),
        dict(action="removeauthenticationdata", request=TEMPREQ, token=csrf),
        dict(action="unlinkaccount", request=TEMPREQ, token=csrf),
        dict(action="linkaccount", linkreturnurl="http://x.test/", linktoken=csrf),
        dict(action="resetpassword", user="Bob", token=csrf),
    ]
    for params in calls:
        r = await client.jpost(**params)
        assert r.get("error", {}).get("code") == "cannotreauthenticate", (params["action"], r)
    ct = await client.token("createaccount")
    r = await client.jpost(action="createaccount", username="Sock puppet", password=NEW_PASSWORD,
                           retype=NEW_PASSWORD, createreturnurl="http://x.test/", createtoken=ct)
    assert r["error"]["code"] == "cannotreauthenticate"
    assert await app.services.users.get_by_name("Sock puppet") is None
    details = sorted(e.detail for e in await audit_entries(app, "botpassword-refused"))
    assert details == sorted(f"operation={op} app=tool" for op in (
        "ChangeCredentials", "RemoveCredentials", "UnlinkAccount", "LinkAccounts", "ResetOwnPassword",
        "CreateAccount"))


async def test_clientlogin_keeps_mediawikis_answer_and_is_audited(
        app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await bot_login(app, client, bob)
    lt = await client.token("login")
    r = await client.jpost(action="clientlogin", username="Bob", password=ADMIN_PASSWORD,
                           loginreturnurl="http://x.test/", logintoken=lt)
    assert r["clientlogin"]["status"] == "FAIL" and r["clientlogin"]["messagecode"] == "userlogin-cannot-login"
    [entry] = await audit_entries(app, "botpassword-refused")
    assert entry.detail == "operation=Login app=tool"


@pytest.mark.settings(auth__password_reset_routes=["username", "email"])
async def test_resetpassword_by_own_email_refused_other_account_is_mediawikis_badaccess(
        app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob", email="bob@example.org")
    await make_user("Carol", email="carol@example.org")
    csrf = await bot_login(app, client, bob)
    r = await client.jpost(action="resetpassword", email="BOB@example.org", token=csrf)
    assert r["error"]["code"] == "cannotreauthenticate"
    # Another account: the grants decide, as in MediaWiki (no grant carries editmyprivateinfo).
    r = await client.jpost(action="resetpassword", user="Carol", token=csrf)
    assert r["error"]["code"] == "badaccess"


async def test_cookie_session_unaffected(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await login_as(app, client, bob)
    csrf = await client.token("csrf")
    r = await client.jpost(action="changeauthenticationdata", changeauthrequest=PASSREQ, password=NEW_PASSWORD,
                           retype=NEW_PASSWORD, changeauthtoken=csrf)
    assert r == {"changeauthenticationdata": {"status": "success"}}
    assert await audit_entries(app, "botpassword-refused") == []


async def test_containment_rule_is_one_function(app: WikigateApp) -> None:
    """Front ends without api.php (web pages, future 2FA) call the same check."""
    from wikigate.auth.containment import BotSessionRefused, refuse_in_bot_session
    from wikigate.auth.sessions import Session

    svc = app.services
    await refuse_in_bot_session(svc, Session(user_id=1), None, "127.0.0.1", "TwoFactor")
    with pytest.raises(BotSessionRefused):
        await refuse_in_bot_session(svc, Session(user_id=1, bot={"app_id": "x"}), None, "::1",
                                    "TwoFactor")
    with pytest.raises(ValueError):
        await refuse_in_bot_session(svc, Session(), None, "::1", "NoSuchOperation")


# -- finding 2: userrights from the session's effective rights ------------------------------

async def test_basic_bot_password_of_bureaucrat_changes_no_groups(
        app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    crat = await make_user("Crat", groups=("bureaucrat",))
    target = await make_user("Target")
    await bot_login(app, client, crat)
    token = await client.token("userrights")
    r = await client.jpost(action="userrights", user="Target", add="bureaucrat|sysop", remove="bot",
                           token=token, formatversion="2")
    # The reference's answer for a basic-only bot password of a bureaucrat.
    assert r == {"userrights": {"user": "Target", "userid": target.id, "added": [], "removed": []}}
    fresh = await app.services.users.get_by_id(target.id)
    assert fresh is not None and fresh.group_names() == []
    info = await client.jget(action="query", meta="userinfo", uiprop="changeablegroups", formatversion="2")
    assert info["query"]["userinfo"]["changeablegroups"] == {
        "add": [], "remove": [], "add-self": [], "remove-self": []}


@pytest.mark.settings(rights__add_groups={"sysop": ["bot"]})
async def test_group_lists_do_not_apply_in_bot_sessions(
        app: WikigateApp, client: ApiClient, new_client: Callable[..., ApiClient], make_user: MakeUser) -> None:
    """[rights] add_groups hangs on membership alone; no grant carries it."""
    admin = await make_user("Admin", groups=("sysop",))
    target = await make_user("Target")
    await bot_login(app, client, admin, ("highvolume", "editpage"))
    token = await client.token("userrights")
    r = await client.jpost(action="userrights", user="Target", add="bot", token=token, formatversion="2")
    assert r["userrights"]["added"] == []
    # The same account through its ordinary session may.
    main = new_client()
    await login_as(app, main, admin)
    token = await main.token("userrights")
    r = await main.jpost(action="userrights", user="Target", add="bot", token=token, formatversion="2")
    assert r["userrights"]["added"] == ["bot"]
    [entry] = await audit_entries(app, "rights-change")
    assert entry.detail == "target=Target added=bot removed= via=session" and entry.user_id == admin.id
    assert target.id


async def test_userrights_through_bot_session_with_the_right_is_audited(
        app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    """A grants table that carries userrights (an operator's choice) works and is audited."""
    from wikigate.users import rights as rights_mod

    crat = await make_user("Crat", groups=("bureaucrat",))
    await make_user("Target")
    rights_mod.GRANT_RIGHTS["userrights-test"] = ["userrights"]
    try:
        await bot_login(app, client, crat, ("userrights-test",))
        token = await client.token("userrights")
        r = await client.jpost(action="userrights", user="Target", add="bot", token=token, formatversion="2")
    finally:
        del rights_mod.GRANT_RIGHTS["userrights-test"]
    assert r["userrights"]["added"] == ["bot"]
    [entry] = await audit_entries(app, "rights-change")
    assert entry.detail == "target=Target added=bot removed= via=botpassword app=tool"


# -- finding 7: bot-password logins are audited -------------------------------------------

async def test_bot_password_logins_are_audited(app: WikigateApp, client: ApiClient,
                                               new_client: Callable[..., ApiClient], make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    await bot_login(app, client, bob, ("editpage",))
    [ok] = await audit_entries(app, "login-success")
    assert (ok.user_id, ok.detail) == (bob.id, "botpassword app=tool grants=basic,editpage")
    other = new_client()
    lt = await other.token("login")
    await other.jpost(action="login", lgname="Bob@tool", lgpassword="0" * 32, lgtoken=lt)
    failures = [e.detail for e in await audit_entries(app, "login-failure")]
    assert "botpassword app=tool reason=wrong-secret" in failures


# -- the same mistake elsewhere: "is a bot" from group membership ---------------------------

@pytest.mark.parametrize(("grants", "watched"), [(("createeditmovepage",), True),
                                                 (("createeditmovepage", "highvolume"), False)])
async def test_bot_group_without_bot_right_watches_like_a_user(
        app: WikigateApp, client: ApiClient, make_user: MakeUser, grants: tuple[str, ...], watched: bool) -> None:
    """User::isBot needs the bot right of the session, not only the bot group: a bot
    password without ``highvolume`` edits as a user (its creations are watched)."""
    robo = await make_user("Robo", groups=("bot",))
    csrf = await bot_login(app, client, robo, grants)
    r = await client.jpost(action="edit", title="Fresh page", text="x", token=csrf, formatversion="2")
    assert r["edit"]["result"] == "Success"
    assert r["edit"].get("watched", False) is watched


async def test_no_email_change_through_options(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    """There is no e-mail change path in wikigate: action=options refuses the address as
    MediaWiki does (a Special:Preferences-only field). Kept as a test so that a future
    path has to go through the containment rule (operation ChangeEmail)."""
    bob = await make_user("Bob", email="bob@example.org")
    csrf = await bot_login(app, client, bob, ("editmyoptions",))
    r = await client.jpost(action="options", change="emailaddress=evil@example.org", token=csrf)
    assert "options" in r
    fresh = await app.services.users.get_by_id(bob.id)
    assert fresh is not None and fresh.email == "bob@example.org"


@pytest.mark.parametrize(("grants", "shown"), [((), False), (("privateinfo",), True)])
async def test_userinfo_email_needs_viewmyprivateinfo(app: WikigateApp, client: ApiClient, make_user: MakeUser,
                                                      grants: tuple[str, ...], shown: bool) -> None:
    """ApiQueryUserInfo prints the address only with viewmyprivateinfo (privateinfo grant)."""
    bob = await make_user("Bob", email="bob@example.org")
    await bot_login(app, client, bob, grants)
    info = await client.jget(action="query", meta="userinfo", uiprop="email", formatversion="2")
    assert ("email" in info["query"]["userinfo"]) is shown
    if shown:
        assert info["query"]["userinfo"]["email"] == "bob@example.org"
