"""list=recentchanges and action=patrol: which writes make rows and with which flags
(bot=1 only with the bot right, grants included; log entries of bot-right users; patrol
states), the filters, continuation, generators, errors; shapes as the reference
MediaWiki 1.39 answers them (tests/mwdiff/recentchanges-*.yaml, patrol.yaml compare them
request by request)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.api.pages_support import Actor, MakeUser, NewClient, actor
from tests.conftest import ApiClient
from wikigate.app import WikigateApp
from wikigate.logs.recentchanges import ChangeQuery, RecentChangesStore
from wikigate.util.clock import FakeClock

ALL = "user|userid|comment|flags|timestamp|title|ids|sizes|redirect|patrolled|loginfo|tags|sha1"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(time.time())


@pytest.fixture
async def admin(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Admin", ("sysop", "bureaucrat"))


@pytest.fixture
async def alice(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Alice")


@pytest.fixture
async def botty(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Botty", ("bot",))


async def rc(who: Actor, **params: Any) -> list[dict[str, Any]]:
    data = await who.get(action="query", list="recentchanges", formatversion="2", **params)
    assert "error" not in data, data
    rows = data["query"]["recentchanges"]
    assert isinstance(rows, list)
    return rows


async def test_edits_and_creations(admin: Actor, alice: Actor, new_client: NewClient) -> None:
    first = (await alice.edit("Page", "hello", summary="first"))["edit"]
    second = (await alice.edit("Page", "hello world", minor="1"))["edit"]
    await Actor(new_client(), "+\\").edit("Page", "hello world!")
    rows = await rc(admin, rctitle="Page", rcprop=ALL)
    assert [r["type"] for r in rows] == ["edit", "edit", "new"]
    anon, edit, new = rows
    assert new == {
        "type": "new", "ns": 0, "title": "Page", "pageid": first["pageid"], "revid": first["newrevid"],
        "old_revid": 0, "rcid": new["rcid"], "user": "Alice", "userid": new["userid"], "bot": False,
        "new": True, "minor": False, "oldlen": 0, "newlen": 5, "timestamp": new["timestamp"],
        "comment": "first", "redirect": False, "patrolled": False, "unpatrolled": True,
        "autopatrolled": False, "tags": [], "sha1": "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"}
    assert (edit["revid"], edit["old_revid"], edit["minor"], edit["oldlen"], edit["newlen"]) == (
        second["newrevid"], first["newrevid"], True, 5, 11)
    assert anon["anon"] is True and anon["userid"] == 0 and anon["user"] == "127.0.0.1"
    # A sysop's edit is autopatrolled; a null edit makes no row.
    await admin.edit("Page", "by admin")
    await admin.edit("Page", "by admin")
    top = await rc(admin, rctitle="Page", rcprop="user|patrolled")
    assert len(top) == 4
    assert top[0] == {"type": "edit", "user": "Admin", "patrolled": True, "unpatrolled": False,
                      "autopatrolled": True}


async def test_bot_flag_needs_the_bot_right(admin: Actor, alice: Actor, botty: Actor) -> None:
    await botty.edit("B", "one", bot="1")
    await botty.edit("B", "two")
    await alice.edit("B", "three", bot="1")
    rows = await rc(admin, rctitle="B", rcprop="user|flags")
    assert [(r["user"], r["bot"]) for r in rows] == [("Alice", False), ("Botty", False), ("Botty", True)]
    assert [r["user"] for r in await rc(admin, rctitle="B", rcshow="bot", rcprop="user")] == ["Botty"]
    assert len(await rc(admin, rctitle="B", rcshow="!bot")) == 2


async def test_bot_password_grants_decide(app: WikigateApp, admin: Actor, new_client: NewClient,
                                          make_user: MakeUser) -> None:
    await admin.edit("G", "start")
    robot = await make_user("Robot", groups=("bot",))
    flags = []
    for app_id, grants in (("plain", ("basic", "editpage")), ("hv", ("basic", "editpage", "highvolume"))):
        _, secret = await app.services.botpasswords.create(robot.id, app_id, grants)
        client = new_client()
        lt = await client.token("login")
        r = await client.jpost(action="login", lgname=f"Robot@{app_id}", lgpassword=str(secret), lgtoken=lt)
        assert r["login"]["result"] == "Success"
        bp = Actor(client, await client.token())
        assert (await bp.edit("G", f"by {app_id}", bot="1"))["edit"]["result"] == "Success"
        flags.append((await rc(admin, rctitle="G", rclimit="1", rcprop="flags"))[0]["bot"])
    assert flags == [False, True]


async def test_log_entries(admin: Actor, botty: Actor, alice: Actor) -> None:
    await admin.edit("L", "text")
    await admin.protect("L", "edit=sysop")
    rows = await rc(admin, rctitle="L", rcprop="ids|loginfo|flags|sizes|comment|sha1")
    assert [r["type"] for r in rows] == ["log", "new"]  # create/create is not published
    prot = rows[0]
    assert prot["logtype"] == "protect" and prot["logaction"] == "protect"
    assert prot["logparams"]["details"] == [{"type": "edit", "level": "sysop", "expiry": "infinite",
                                             "cascade": False}]
    assert prot["revid"] > rows[1]["revid"] and prot["old_revid"] == 0  # the null revision
    assert (prot["oldlen"], prot["newlen"], prot["bot"]) == (0, 0, False)
    assert "sha1" in prot
    # A bot's move is logged as a bot's, unless it says bot=0 (an unknown parameter to move).
    await botty.edit("M1", "x")
    await botty.post(action="move", **{"from": "M1"}, to="M2")
    moved = await botty.post(action="move", **{"from": "M2"}, to="M3", bot="0")
    assert moved["warnings"]["main"]["*"] == 'Unrecognized parameter: bot.'
    logs = await rc(admin, rcuser="Botty", rctype="log", rcprop="title|flags|loginfo")
    assert [(r["title"], r["logaction"], r["bot"]) for r in logs] == [("M2", "move", False), ("M1", "move", True)]
    # Rights and account creation.
    await admin.post(action="userrights", user="Alice", add="bot", token=await admin.client.token("userrights"))
    assert [(r["logtype"], r["title"]) for r in await rc(admin, rctype="log", rcnamespace="2",
                                                         rcprop="title|loginfo")] == [("rights", "User:Alice")]


async def test_account_creation_is_published(app: WikigateApp, new_client: NewClient, admin: Actor) -> None:
    client = new_client()
    token = await client.token("createaccount")
    r = await client.jpost(action="createaccount", username="Newcomer", password="Long-enough-pw-1!",
                           retype="Long-enough-pw-1!", createreturnurl="http://wiki.test/", createtoken=token)
    assert r["createaccount"]["status"] == "PASS"
    rows = await rc(admin, rctype="log", rcprop="title|user|loginfo")
    assert rows[0]["logtype"] == "newusers" and rows[0]["logaction"] == "create"
    assert rows[0]["title"] == "User:Newcomer" and rows[0]["user"] == "Newcomer"


async def test_filters_and_continuation(admin: Actor, alice: Actor, new_client: NewClient) -> None:
    await alice.edit("F", "one")
    await alice.edit("F", "one two", minor="1")
    await Actor(new_client(), "+\\").edit("F", "one two three")
    await admin.edit("F", "#REDIRECT [[Elsewhere]]")
    await alice.edit("Talk:F", "talk")
    assert [r["type"] for r in await rc(admin, rctitle="F", rctype="new")] == ["new"]
    assert len(await rc(admin, rctitle="F", rcshow="minor")) == 1
    assert len(await rc(admin, rctitle="F", rcshow="!minor|!anon")) == 2
    assert [r["user"] for r in await rc(admin, rctitle="F", rcshow="anon", rcprop="user")] == ["127.0.0.1"]
    assert len(await rc(admin, rctitle="F", rcshow="redirect")) == 4  # the title is a redirect now
    assert len(await rc(admin, rctitle="F", rctoponly="1")) == 1
    assert len(await rc(admin, rctitle="F", rcexcludeuser="Alice")) == 2
    alice_id = (await rc(admin, rctitle="Talk:F", rcprop="userid"))[0]["userid"]
    assert len(await rc(admin, rctitle="F", rcuser=f"#{alice_id}")) == 2  # UserDef's id form
    assert len(await rc(admin, rctitle="F", rcexcludeuser=f"#{alice_id}")) == 2
    assert await rc(admin, rctitle="F", rcuser="#2000000000") == []
    logs = await admin.get(action="query", list="logevents", leuser=f"#{alice_id}", formatversion="2")
    assert "error" not in logs
    assert [r["title"] for r in await rc(admin, rcuser="Alice", rcnamespace="1", rcprop="title")] == ["Talk:F"]
    assert len(await rc(admin, rctitle="F", rcshow="unpatrolled")) == 3
    assert len(await rc(admin, rctitle="F", rcshow="autopatrolled")) == 1
    # Oldest first, one at a time.
    seen = []
    params: dict[str, Any] = {"rcuser": "Alice", "rcdir": "newer", "rclimit": "1", "rcprop": "title|sizes"}
    while True:
        data = await admin.get(action="query", list="recentchanges", formatversion="2", **params)
        seen += [(r["title"], r["newlen"]) for r in data["query"]["recentchanges"]]
        if "continue" not in data:
            break
        params["rccontinue"] = data["continue"]["rccontinue"]
    assert seen == [("F", 3), ("F", 7), ("Talk:F", 4)]


@pytest.mark.parametrize(("who", "params", "code"), [
    ("admin", {"rcshow": "minor|!minor"}, "show"),
    ("admin", {"rcshow": "autopatrolled|unpatrolled"}, "show"),
    ("alice", {"rcprop": "patrolled"}, "permissiondenied"),
    ("alice", {"rcshow": "!patrolled"}, "permissiondenied"),
    ("admin", {"rcuser": "Alice", "rcexcludeuser": "Admin"}, "invalidparammix"),
    ("admin", {"rctitle": "A|B"}, "invalidtitle"),
    ("admin", {"rccontinue": "abc"}, "badcontinue"),
    ("admin", {"rccontinue": "20261203000000|x"}, "badcontinue"),
    ("admin", {"rctype": "nonsense"}, None),
])
async def test_errors(admin: Actor, alice: Actor, who: str, params: dict[str, str], code: str | None) -> None:
    data = await (admin if who == "admin" else alice).get(action="query", list="recentchanges", **params)
    if code is None:
        assert "error" not in data and "rctype" in data["warnings"]["recentchanges"]["*"]
    else:
        assert data["error"]["code"] == code


async def test_generators(admin: Actor) -> None:
    await admin.edit("Gen", "one")
    await admin.edit("Gen", "one two")
    data = await admin.get(action="query", generator="recentchanges", grctitle="Gen", prop="info",
                           formatversion="2")
    assert [p["title"] for p in data["query"]["pages"]] == ["Gen"]  # one page, not one per change
    data = await admin.get(action="query", generator="recentchanges", grctitle="Gen",
                           grcgeneraterevisions="1", prop="revisions", rvprop="size", formatversion="2")
    assert sorted(r["size"] for r in data["query"]["pages"][0]["revisions"]) == [3, 7]


async def test_moving_over_a_redirect_drops_edit_rows_of_the_title(admin: Actor, clock: FakeClock) -> None:
    await admin.edit("Src", "content")
    await admin.edit("Other", "other")
    clock.advance(5)
    await admin.post(action="move", **{"from": "Src"}, to="Dst")
    clock.advance(5)
    await admin.post(action="move", **{"from": "Dst"}, to="Src")  # deletes the redirect at Src
    rows = await rc(admin, rctitle="Src", rcprop="loginfo")
    # LinksDeletionUpdate: the title's edit rows older than the deletion go (the redirect
    # made none), log rows stay; other pages' rows are untouched.
    assert [(r["type"], r.get("logaction")) for r in rows] == [("log", "delete_redir"), ("log", "move")]
    assert len(await rc(admin, rctitle="Other")) == 1


async def test_patrol(admin: Actor, alice: Actor) -> None:
    rev = (await alice.edit("P", "one"))["edit"]["newrevid"]
    own = await alice.post(action="patrol", revid=rev, token=await alice.client.token("patrol"))
    assert own["error"]["code"] == "permissiondenied"
    ptoken = await admin.client.token("patrol")
    assert (await admin.post(action="patrol", revid=rev, token=admin.csrf))["error"]["code"] == "badtoken"
    done = await admin.post(action="patrol", revid=rev, token=ptoken)
    row = (await rc(admin, rctitle="P", rcprop="ids|patrolled"))[0]
    assert done["patrol"] == {"rcid": row["rcid"], "ns": 0, "title": "P"}
    assert (row["patrolled"], row["unpatrolled"], row["autopatrolled"]) == (True, False, False)
    again = await admin.post(action="patrol", rcid=row["rcid"], token=ptoken)
    assert again["patrol"]["rcid"] == row["rcid"]
    logs = (await admin.get(action="query", list="logevents", letype="patrol", formatversion="2"))["query"]
    assert [e["params"] for e in logs["logevents"]] == [{"curid": rev, "previd": 0, "auto": False}]
    assert len(await rc(admin, rctype="log", rctitle="P")) == 0  # the patrol log is not published
    for params, code in (({"rcid": 99999}, "nosuchrcid"), ({"revid": 99999}, "nosuchrevid"),
                         ({}, "missingparam"), ({"rcid": row["rcid"], "revid": rev}, "invalidparammix")):
        assert (await admin.post(action="patrol", token=ptoken, **params))["error"]["code"] == code


async def test_patrol_errors_together(app: WikigateApp, alice: Actor) -> None:
    rev = (await alice.edit("Q", "one"))["edit"]["newrevid"]
    r = await alice.client.post(action="patrol", revid=rev, token=await alice.client.token("patrol"),
                                errorformat="plaintext")
    assert r.headers["MediaWiki-API-Error"] == "permissiondenied, noautopatrol"
    assert [e["code"] for e in r.json()["errors"]] == ["permissiondenied", "noautopatrol"]


async def test_store_purges_rows_older_than_the_maximum_age(app: WikigateApp, admin: Actor, clock: FakeClock,
                                                           new_client: NewClient, make_user: MakeUser) -> None:
    await admin.edit("Old", "x")
    clock.advance(89 * 86400)
    later = await actor(app, new_client, make_user, "Later")  # the first session has expired
    assert (await later.edit("New", "x"))["edit"]["result"] == "Success"
    store: RecentChangesStore = app.services.recent_changes
    assert await app.services.db.run(lambda conn: store.purge_in(conn)) == 0
    clock.advance(2 * 86400)  # "Old" is 91 days old now, "New" 2 days
    assert await app.services.db.run(lambda conn: store.purge_in(conn)) == 1
    assert await store.search(ChangeQuery(title=(0, "Old"))) == []
    assert len(await store.search(ChangeQuery(title=(0, "New")))) == 1


async def test_patrol_needs_post_and_is_anon_refused(client: ApiClient, admin: Actor) -> None:
    await admin.edit("R", "x")
    assert (await client.jget(action="patrol", rcid="1", token="+\\"))["error"]["code"] == "mustpostparams"
    assert (await client.jpost(action="patrol", rcid="1", token="+\\"))["error"]["code"] == "permissiondenied"


async def test_lists_emptied_by_unrecognized_values_filter_nothing(admin: Actor) -> None:
    await admin.edit("E", "x")
    for params in ({"rcnamespace": "999"}, {"rctype": "bogus"}):
        data = await admin.get(action="query", list="recentchanges", rctitle="E", formatversion="2", **params)
        assert len(data["query"]["recentchanges"]) == 1 and "warnings" in data
    assert await rc(admin, rctitle="E", rcslot="main", rctype="log") == []
    assert len(await rc(admin, rctitle="E", rcslot="main", rctype="log|new")) == 1
