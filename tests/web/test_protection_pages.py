"""Protection and user groups for people: index.php?action=protect/unprotect,
Special:UserRights, and the read-only Special:ProtectedPages, Special:ProtectedTitles and
Special:Log — the same services and rules as action=protect and action=userrights,
tokens, refusals, escaping."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import ApiClient
from tests.web.test_pages import get, login, submit, token_of

from wikigate.app import WikigateApp
from wikigate.users.model import User
from wikigate.web.ui import CSP

MakeUser = Callable[..., Awaitable[User]]
EVIL = "<script>alert(1)</script>"
FOREIGN = "0123456789abcdef0123456789abcdef1+\\"


async def api_edit(client: ApiClient, title: str, text: str = "Hello") -> None:
    r = await client.jpost(action="edit", title=title, text=text, token=await client.token())
    assert r["edit"]["result"] == "Success", r


async def restrictions(client: ApiClient, title: str) -> list[dict[str, Any]]:
    r = await client.jget(action="query", prop="info", inprop="protection", titles=title, formatversion="2")
    return list(r["query"]["pages"][0]["protection"])


async def sysop(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Sysop", groups=("sysop",))
    assert (await login(client, "Sysop")).status_code == 303  # api.php shares the session


def protect_form(level: str = "sysop", expiry: str = "infinite", **extra: str) -> dict[str, str]:
    return {"mwProtect-level-edit": level, "wpProtectExpirySelection-edit": expiry,
            "mwProtect-level-move": level, "wpProtectExpirySelection-move": expiry, **extra}


# -- action=protect / unprotect ----------------------------------------------------------------


async def test_protect_and_unprotect_as_a_sysop(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    await sysop(client, make_user)
    await api_edit(client, "Target page")
    r = await get(client, "Target_page", action="protect", uselang="de")
    assert r.status_code == 200 and r.headers["content-security-policy"] == CSP
    assert "Schutz von „Target page“ ändern" in r.text and 'for="mwProtect-level-edit"' in r.text
    for option in ('value="autoconfirmed"', 'value="sysop"', 'value="1 week"', 'value="othertime"'):
        assert option in r.text
    r = await submit(client, "Target_page", protect_form("sysop", "othertime", **{
        "mwProtect-expiry-edit": "3 days", "mwProtect-expiry-move": "3 days", "mwProtect-cascade": "1",
        "mwProtect-reason": EVIL}), action="protect")
    assert r.status_code == 200, r.text
    assert "The protection of “Target page” was changed." in r.text
    assert "<script>alert" not in r.text
    prot = await restrictions(client, "Target page")
    assert {(p["type"], p["level"]) for p in prot} == {("edit", "sysop"), ("move", "sysop")}
    assert all(p["expiry"] != "infinity" for p in prot) and any(p.get("cascade") for p in prot)
    entries = await app.services.logs.list(type="protect")
    assert [(e.action, e.actor_name, e.comment) for e in entries] == [("protect", "Sysop", EVIL)]
    # The form now offers the existing expiry and keeps it when saved again.
    r = await get(client, "Target_page", action="protect")
    assert 'value="existing" selected' in r.text and "Allow only administrators" in r.text
    # action=unprotect: the same form with every level at "all users".
    r = await get(client, "Target_page", action="unprotect")
    assert "Remove protection of “Target page”" in r.text
    assert re.search(r'<option value="" selected>Allow all users</option>', r.text)
    r = await submit(client, "Target_page", protect_form("", "infinite"), action="unprotect")
    assert "“Target page” is no longer protected." in r.text
    assert await restrictions(client, "Target page") == []
    entries = await app.services.logs.list(type="protect")
    assert [e.action for e in entries] == ["unprotect", "protect"]


async def test_protect_refused_for_a_normal_user(client: ApiClient, new_client: Callable[..., ApiClient],
                                                 make_user: MakeUser) -> None:
    admin = new_client()
    await sysop(admin, make_user)
    await api_edit(admin, "Guarded")
    r = await get(client, "Guarded", action="protect")
    assert r.status_code == 401 and "Please log in to change protection levels." in r.text
    await make_user("Plain")
    await login(client, "Plain")
    r = await get(client, "Guarded", action="protect")
    assert r.status_code == 403 and 'id="mw-Protect-Form"' not in r.text
    assert "You do not have permission" in r.text
    r = await client.http.post("/index.php", params={"title": "Guarded", "action": "protect"},
                               data={**protect_form(), "wpEditToken": token_of(await get(client, "Main_Page"))})
    assert r.status_code == 403 and await restrictions(admin, "Guarded") == []


async def test_protect_refuses_missing_or_foreign_tokens_and_bad_expiries(
        client: ApiClient, new_client: Callable[..., ApiClient], make_user: MakeUser) -> None:
    await sysop(client, make_user)
    await api_edit(client, "Target page")
    other = new_client()
    foreign = token_of(await get(other, "Special:UserLogin"))
    for token in ("", FOREIGN, foreign):
        r = await submit(client, "Target_page", protect_form(), token=token, action="protect")
        assert r.status_code == 400 and "This form has expired" in r.text
    assert await restrictions(client, "Target page") == []
    r = await submit(client, "Target_page", protect_form("sysop", "othertime", **{
        "mwProtect-expiry-edit": "yesterday-ish", "mwProtect-expiry-move": "1 day"}), action="protect")
    assert r.status_code == 400 and 'id="form-errors"' in r.text and "yesterday-ish" in r.text
    r = await submit(client, "Target_page", protect_form("bogus"), action="protect")
    assert r.status_code == 400 and await restrictions(client, "Target page") == []


async def test_protect_a_missing_title_against_creation(client: ApiClient, make_user: MakeUser) -> None:
    await sysop(client, make_user)
    r = await get(client, "Not yet", action="protect")
    assert "does not exist" in r.text and 'name="mwProtect-level-create"' in r.text
    assert 'name="mwProtect-level-edit"' not in r.text and 'name="mwProtect-cascade"' not in r.text
    r = await submit(client, "Not_yet", {"mwProtect-level-create": "sysop", "wpProtectExpirySelection-create":
                                        "1 week", "mwProtect-reason": EVIL}, action="protect")
    assert r.status_code == 200 and "The protection of “Not yet” was changed." in r.text
    r = await get(client, "Special:ProtectedTitles")
    assert "Not yet" in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert" not in r.text


async def test_protect_titles_are_checked_and_escaped(client: ApiClient, make_user: MakeUser) -> None:
    await sysop(client, make_user)
    r = await client.http.get("/index.php", params={"title": EVIL, "action": "protect"})
    assert r.status_code == 400 and "<script>alert" not in r.text and "not a valid page title" in r.text
    r = await get(client, "Special:UserLogin", action="protect")  # a special page keeps its own handler
    assert 'id="mw-Protect-Form"' not in r.text
    r = await get(client, 'Quote"and<b>', action="protect")
    assert "<b>" not in r.text


# -- Special:UserRights ------------------------------------------------------------------------


async def test_userrights_for_a_bureaucrat(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Crat", groups=("bureaucrat",))
    target = await make_user("Target")
    await login(client, "Crat")
    r = await get(client, "Special:UserRights")
    assert r.status_code == 200 and 'name="user"' in r.text and 'method="get"' in r.text
    r = await get(client, "Special:UserRights", user=EVIL)
    assert r.status_code == 404 and "<script>alert" not in r.text and "&lt;script&gt;" in r.text
    r = await get(client, "Special:UserRights", user="Target", uselang="tr")
    assert "Target kullanıcısının grupları" in r.text and 'id="wpGroup-sysop"' in r.text
    r = await submit(client, "Special:UserRights", {"wpGroup-sysop": "1", "wpExpiry-sysop": "1 month",
                                                   "wpGroup-bot": "1", "wpExpiry-bot": "infinite",
                                                   "user-reason": EVIL}, user="Target")
    assert r.status_code == 200 and "The groups of Target were saved." in r.text and "<script>alert" not in r.text
    fresh = await app.services.users.get_by_id(target.id)
    assert fresh is not None
    held = {g.group: g.expiry for g in fresh.groups}
    assert set(held) == {"sysop", "bot"} and held["sysop"] is not None and held["bot"] is None
    r = await submit(client, "Special:UserRights", {"wpGroup-bot": "1", "wpExpiry-bot": "infinite",
                                                   "wpGroup-sysop": "", "user-reason": "done"}, user="Target")
    fresh = await app.services.users.get_by_id(target.id)
    assert fresh is not None and {g.group for g in fresh.groups} == {"bot"}
    entries = await app.services.logs.list(type="rights")
    assert [(e.actor_name, e.title, e.comment) for e in entries] == [("Crat", "Target", "done"),
                                                                      ("Crat", "Target", EVIL)]
    audit = [e.event for e in await app.services.audit.list(user="Crat")]
    assert audit.count("rights-change") == 2
    r = await submit(client, "Special:UserRights", {"wpGroup-sysop": "1", "wpExpiry-sysop": "not a time"},
                     user="Target")
    assert r.status_code == 400 and "not a time" in r.text
    for token in ("", FOREIGN):
        r = await submit(client, "Special:UserRights", {"wpGroup-sysop": "1"}, token=token, user="Target")
        assert r.status_code == 400 and "This form has expired" in r.text
    fresh = await app.services.users.get_by_id(target.id)
    assert fresh is not None and {g.group for g in fresh.groups} == {"bot"}


async def test_userrights_refused_for_others(client: ApiClient, make_user: MakeUser) -> None:
    r = await get(client, "Special:UserRights")
    assert r.status_code == 401
    await make_user("Sysop", groups=("sysop",))
    await login(client, "Sysop")
    r = await get(client, "Special:UserRights", user="Sysop")
    assert r.status_code == 403 and "You cannot change user groups." in r.text and 'name="wpGroup-' not in r.text


# -- read-only lists ---------------------------------------------------------------------------


async def test_lists_show_what_the_api_reads(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    await sysop(client, make_user)
    await api_edit(client, "Alpha")
    await api_edit(client, "Beta")
    tok = await client.token()
    r = await client.jpost(action="protect", title="Alpha", protections="edit=sysop|move=sysop", reason=EVIL,
                           expiry="infinite", token=tok)
    assert "protect" in r, r
    r = await client.jpost(action="protect", title="Beta", protections="edit=autoconfirmed", expiry="1 week",
                           token=tok)
    assert "protect" in r, r
    anon = ApiClient(client.http)  # same cookies, the lists need none
    r = await get(anon, "Special:ProtectedPages", uselang="de")
    assert r.status_code == 200 and r.headers["content-security-policy"] == CSP and "Geschützte Seiten" in r.text
    assert r.text.count("Alpha") >= 2 and "Beta" in r.text
    r = await get(anon, "Special:ProtectedPages", type="move")
    assert "Alpha" in r.text and "Beta" not in r.text
    r = await get(anon, "Special:ProtectedPages", level="autoconfirmed", limit="1")
    assert "Beta" in r.text and "Alpha" not in r.text and 'id="mw-protectedpages-form-more"' not in r.text
    r = await get(anon, "Special:ProtectedPages", limit="1")
    m = re.search(r'id="mw-protectedpages-form-more" href="([^"]+)"', r.text)
    assert m is not None and "Beta" in r.text
    nxt = await anon.http.get(m.group(1).replace("&amp;", "&"))
    assert "Alpha" in nxt.text and "Beta" not in nxt.text
    r = await get(anon, "Special:Log", type="protect")
    assert "Protection log" in r.text and "protect/protect" in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert" not in r.text
    r = await get(anon, "Special:Log", page="Beta")
    assert "Beta" in r.text and "&lt;script&gt;" not in r.text
    r = await get(anon, "Special:Log", user="Nobody")
    assert "No matching log entries." in r.text
    r = await get(anon, "Special:Log", page=EVIL)
    assert r.status_code == 400 and "<script>alert" not in r.text and 'aria-invalid="true"' in r.text
    r = await get(anon, "Special:Log", type="newusers")
    assert "User creation log" in r.text
