"""Property (issue 9): for random sets of grants and groups, a bot-password session can do
exactly what its effective rights allow — the rights of the account's groups cut down to
those of its grants — over every write module of api.php, and never an account-security
operation.

Driven through the real app and api.php: for each example a fresh account with the
drawn groups, a bot password with the drawn grants, an ``action=login`` as User@app, then
one attempt per module (and per case the declarations name). The rights an attempt needs
come from the module's own declarations (``rights_needed``, ``rights_conditional``), so
the property also proves docs/rights.md true. ``WIKIGATE_PROPERTY_EXAMPLES`` raises the
number of examples (default 15).
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.api.test_main import login_as
from tests.conftest import ADMIN_PASSWORD, ApiClient, make_settings
from wikigate.api.base import Registry
from wikigate.app import WikigateApp, build_services
from wikigate.auth.containment import ERROR_CODE
from wikigate.users import rights as rights_mod

#: A grant no stock table has, carrying userrights, so that the property also covers the
#: path where a bot password may change groups (an operator could configure one).
TEST_GRANT = "test-userrights"
PASSREQ = "MediaWiki\\Auth\\PasswordAuthenticationRequest"
TEMPREQ = "MediaWiki\\Auth\\TemporaryPasswordAuthenticationRequest"
EXAMPLES = int(os.environ.get("WIKIGATE_PROPERTY_EXAMPLES", "15"))


@dataclass
class Attempt:
    module: str
    params: dict[str, str]
    succeeded: Callable[[Any], bool]
    #: Rights beyond the module's rights_needed (must be named in its rights_conditional).
    extra: set[str] = field(default_factory=set)
    token: str = "csrf"
    token_param: str = "token"


def _edit_ok(r: Any) -> bool:
    return bool(r.get("edit", {}).get("result") == "Success")


def attempts(k: int, user: str, target: str, seed_rev: int = 0) -> list[Attempt]:
    """``seed_rev``: the admin's revision of "Existing k" (autopatrolled, someone else's)."""
    return [
        Attempt("edit", {"title": f"Existing {k}", "text": "changed"}, _edit_ok),
        Attempt("edit", {"title": f"New {k}", "text": "new"}, _edit_ok, {"createpage"}),
        Attempt("edit", {"title": f"Talk:New {k}", "text": "new"}, _edit_ok, {"createtalk"}),
        Attempt("edit", {"title": f"Locked {k}", "text": "changed"}, _edit_ok, {"editprotected"}),
        Attempt("edit", {"title": f"MediaWiki:Prop {k}", "text": "x"}, _edit_ok, {"createpage", "editinterface"}),
        Attempt("move", {"from": f"Movable {k}", "to": f"Moved {k}"}, lambda r: "move" in r),
        Attempt("move", {"from": f"Movable two {k}", "to": f"Moved two {k}", "noredirect": "1"},
                lambda r: "move" in r and "redirectcreated" not in r["move"], {"suppressredirect"}),
        Attempt("protect", {"title": f"Protectable {k}", "protections": "edit=autoconfirmed"},
                lambda r: "protect" in r, {"editsemiprotected"}),
        Attempt("protect", {"title": f"Protectable two {k}", "protections": "edit=sysop"},
                lambda r: "protect" in r, {"editprotected"}),
        Attempt("options", {"change": "gender=female"}, lambda r: r.get("options") == "success"),
        Attempt("clearhasmsg", {}, lambda r: r.get("clearhasmsg") == "success"),
        Attempt("userrights", {"user": target, "add": "bot"},
                lambda r: bool(r.get("userrights", {}).get("added")), token="userrights"),
        Attempt("resetpassword", {"user": target}, lambda r: "resetpassword" in r),
        Attempt("patrol", {"revid": str(seed_rev)}, lambda r: "patrol" in r, token="patrol"),
    ]


def security_attempts(user: str) -> list[Attempt]:
    """Account-security operations: refused whatever the grants and groups."""
    pw = "Brand-New-Passw0rd!"
    return [
        Attempt("changeauthenticationdata", {"changeauthrequest": PASSREQ, "password": pw, "retype": pw},
                lambda r: "changeauthenticationdata" in r, token_param="changeauthtoken"),
        Attempt("removeauthenticationdata", {"request": TEMPREQ}, lambda r: "removeauthenticationdata" in r),
        Attempt("unlinkaccount", {"request": TEMPREQ}, lambda r: "unlinkaccount" in r),
        Attempt("linkaccount", {"linkreturnurl": "http://x.test/"}, lambda r: "linkaccount" in r,
                token_param="linktoken"),
        Attempt("resetpassword", {"user": user}, lambda r: "resetpassword" in r),
        Attempt("createaccount", {"username": f"{user} sock", "password": pw, "retype": pw,
                                  "createreturnurl": "http://x.test/"},
                lambda r: "createaccount" in r, token="createaccount", token_param="createtoken"),
        Attempt("clientlogin", {"username": user, "password": ADMIN_PASSWORD, "loginreturnurl": "http://x.test/"},
                lambda r: r.get("clientlogin", {}).get("status") == "PASS", token="login", token_param="logintoken"),
        # action=login is a write module too (ApiLogin::isWriteMode, T283394).
        Attempt("login", {"lgname": user, "lgpassword": ADMIN_PASSWORD},
                lambda r: r.get("login", {}).get("result") == "Success", token="login", token_param="lgtoken"),
    ]


def test_attempts_cover_every_write_module() -> None:
    covered = {a.module for a in attempts(0, "U", "T") + security_attempts("U")}
    registry = Registry()
    needed = {n for n, cls in registry.actions.items() if cls.is_write or cls.account_security}
    assert needed <= covered, f"write modules without a property attempt: {sorted(needed - covered)}"
    for a in attempts(0, "U", "T"):
        declared = {r for r, _ in registry.actions[a.module].rights_conditional}
        assert a.extra <= declared, (a.module, a.extra - declared)


async def _client(app: WikigateApp) -> ApiClient:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 12345))  # type: ignore[arg-type]
    return ApiClient(httpx.AsyncClient(transport=transport, base_url="http://wiki.test"))


async def _make_user(app: WikigateApp, name: str, groups: tuple[str, ...] = ()) -> Any:
    svc = app.services
    user = await svc.users.create(name, password_hash=await svc.hashing.hash(ADMIN_PASSWORD))
    for g in groups:
        await svc.users.set_group(user.id, g, None)
    return await svc.users.get_by_id(user.id)


async def _pages(admin: ApiClient, k: int) -> None:
    csrf = await admin.token("csrf")
    for title in (f"Existing {k}", f"Movable {k}", f"Movable two {k}", f"Protectable {k}",
                  f"Protectable two {k}", f"Locked {k}"):
        r = await admin.jpost(action="edit", title=title, text="seed", token=csrf)
        assert _edit_ok(r), r
    r = await admin.jpost(action="protect", title=f"Locked {k}", protections="edit=sysop", token=csrf)
    assert "protect" in r, r


async def _scenario(app: WikigateApp, admin: ApiClient, k: int, grants: set[str], groups: set[str]) -> None:
    svc = app.services
    await _pages(admin, k)
    user = await _make_user(app, f"Prop user {k}", tuple(sorted(groups)))
    target = await _make_user(app, f"Prop target {k}")
    _, secret = await svc.botpasswords.create(user.id, "prop", sorted(grants))
    client = await _client(app)
    try:
        lt = await client.token("login")
        r = await client.jpost(action="login", lgname=f"{user.name}@prop", lgpassword=secret, lgtoken=lt)
        assert r["login"]["result"] == "Success", r
        effective = set(svc.rights.rights_for_groups(svc.rights.effective_groups(user, svc.clock.time())))
        effective &= rights_mod.grant_rights(grants)
        registry = Registry()
        seed = await admin.jget(action="query", prop="revisions", titles=f"Existing {k}", rvprop="ids",
                                rvdir="newer", rvlimit="1", formatversion="2")
        seed_rev = seed["query"]["pages"][0]["revisions"][0]["revid"]
        for a in attempts(k, user.name, target.name, seed_rev):
            cls = registry.actions[a.module]
            required = {"read"} if cls.is_read else set()
            required |= {"writeapi"} if cls.is_write else set()
            required |= set(cls.rights_needed) | a.extra
            token = await client.token(a.token)
            got = await client.jpost(action=a.module, **a.params, **{a.token_param: token})
            allowed = required <= effective
            assert a.succeeded(got) == allowed, (
                f"{a.module} {a.params}: grants={sorted(grants)} groups={sorted(groups)} "
                f"missing={sorted(required - effective)} answer={got}")
        for a in security_attempts(user.name):
            token = await client.token(a.token)
            got = await client.jpost(action=a.module, **a.params, **{a.token_param: token})
            assert not a.succeeded(got), (a.module, got)
            if a.module == "clientlogin":
                assert got["clientlogin"]["messagecode"] == "userlogin-cannot-login", got
            elif a.module == "login":
                assert got["login"]["result"] == "Aborted", got
            else:
                assert got.get("error", {}).get("code") == ERROR_CODE, (a.module, got)
        fresh = await svc.users.get_by_id(user.id)
        assert fresh.password == user.password  # the main password is untouched
    finally:
        await client.http.aclose()


def test_bot_password_sessions_stay_inside_their_grants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(rights_mod.GRANT_RIGHTS, TEST_GRANT, ["userrights"])
    grants = sorted(rights_mod.GRANT_RIGHTS)
    loop = asyncio.new_event_loop()
    app = WikigateApp(make_settings(tmp_path), build_services(make_settings(tmp_path)))
    loop.run_until_complete(app.startup())
    counter = itertools.count()
    admin = loop.run_until_complete(_client(app))

    async def setup_admin() -> None:
        user = await _make_user(app, "Prop admin", ("sysop", "bureaucrat", "interface-admin"))
        await login_as(app, admin, user)

    loop.run_until_complete(setup_admin())
    groups_pool = sorted(app.services.rights.explicit_groups())

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    # Every grant with every group (all positive paths), and nothing at all, always run.
    @example(set(grants), set(groups_pool))
    @example(set(), set())
    @given(st.sets(st.sampled_from(grants)), st.sets(st.sampled_from(groups_pool)))
    def check(drawn_grants: set[str], drawn_groups: set[str]) -> None:
        loop.run_until_complete(_scenario(app, admin, next(counter), drawn_grants, drawn_groups))

    try:
        check()
    finally:
        loop.run_until_complete(admin.http.aclose())
        loop.run_until_complete(app.shutdown())
        loop.close()
