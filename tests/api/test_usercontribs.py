"""list=usercontribs: one author or several (names, ids, a name prefix, an IP range), the
properties and filters, continuation in both modes and the errors, as the reference
MediaWiki 1.39 answers (tests/mwdiff/usercontribs.yaml compares them request by request)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.pages_support import Actor, MakeUser, NewClient, actor
from wikigate.app import WikigateApp


@pytest.fixture
async def alice(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Alice")


@pytest.fixture
async def bob(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Bob", ("sysop",))


async def uc(who: Actor, **params: Any) -> Any:
    return await who.get(action="query", list="usercontribs", formatversion="2", **params)


async def rows(who: Actor, **params: Any) -> list[dict[str, Any]]:
    data = await uc(who, **params)
    assert "error" not in data, data
    out = data["query"]["usercontribs"]
    assert isinstance(out, list)
    return out


async def test_one_author(alice: Actor) -> None:
    one = (await alice.edit("X", "one", summary="first"))["edit"]
    two = (await alice.edit("X", "one two", summary="second", minor="1"))["edit"]
    await alice.edit("Talk:X", "talk")
    got = await rows(alice, ucuser="Alice", ucprop="ids|title|timestamp|comment|size|sizediff|flags|tags")
    assert [r["title"] for r in got] == ["Talk:X", "X", "X"]
    latest, first = got[1], got[2]
    assert latest == {"userid": latest["userid"], "user": "Alice", "pageid": two["pageid"], "revid": two["newrevid"],
                      "parentid": one["newrevid"], "ns": 0, "title": "X", "timestamp": latest["timestamp"],
                      "new": False, "minor": True, "top": True, "comment": "second", "size": 7, "sizediff": 4,
                      "tags": []}
    assert (first["new"], first["top"], first["sizediff"]) == (True, False, 3)
    assert [r["title"] for r in await rows(alice, ucuser="Alice", ucnamespace="1")] == ["Talk:X"]
    assert len(await rows(alice, ucuser="Alice", ucshow="top")) == 2
    assert len(await rows(alice, ucuser="Alice", ucshow="!minor|new")) == 2
    assert len(await rows(alice, ucuser="Alice", uctoponly="1")) == 2
    # continuation, oldest first
    data = await uc(alice, ucuser="Alice", uclimit="2", ucdir="newer", ucprop="size")
    assert [r["size"] for r in data["query"]["usercontribs"]] == [3, 7]
    more = await uc(alice, ucuser="Alice", uclimit="2", ucdir="newer", ucprop="size",
                    uccontinue=data["continue"]["uccontinue"])
    assert [r["size"] for r in more["query"]["usercontribs"]] == [4] and "continue" not in more


async def test_several_authors_by_name_ids_prefix_and_range(alice: Actor, bob: Actor, new_client: NewClient,
                                                            app: WikigateApp) -> None:
    await alice.edit("A1", "a")
    await bob.edit("B1", "b")
    await bob.edit("B2", "bb")
    await Actor(new_client("192.0.2.7"), "+\\").edit("C1", "c")
    names = [r["user"] for r in await rows(alice, ucuser="Alice|Bob", ucprop="title")]
    assert names == ["Bob", "Bob", "Alice"]  # author by author
    data = await uc(alice, ucuser="Alice|Bob", uclimit="1", ucprop="title")
    assert data["continue"]["uccontinue"].startswith("name|Bob|")
    seen = []
    params: dict[str, Any] = {"ucuser": "Alice|Bob", "uclimit": "1", "ucprop": "title"}
    while True:
        data = await uc(alice, **params)
        seen += [r["title"] for r in data["query"]["usercontribs"]]
        if "continue" not in data:
            break
        params["uccontinue"] = data["continue"]["uccontinue"]
    assert seen == ["B2", "B1", "A1"]
    bob_id = (await app.services.users.get_by_name("Bob")).id
    assert [r["title"] for r in await rows(alice, ucuserids=str(bob_id), ucprop="title")] == ["B2", "B1"]
    assert [r["user"] for r in await rows(alice, ucuserprefix="Al", ucprop="title")] == ["Alice"]
    got = await rows(alice, uciprange="192.0.2.0/24", ucprop="title")
    assert [(r["user"], r["userid"]) for r in got] == [("192.0.2.7", 0)]


@pytest.mark.parametrize(("params", "code"), [
    ({}, "missingparam"),
    ({"ucuser": "Alice", "ucuserprefix": "A"}, "invalidparammix"),
    ({"ucuserids": "0"}, "invaliduserid"),
    ({"uciprange": "garbage"}, "invalidiprange"),
    ({"uciprange": "10.0.0.0/8"}, "cidrtoobroad"),
    ({"ucuser": "Alice", "ucshow": "top|!top"}, "show"),
    ({"ucuser": "Alice", "ucprop": "patrolled"}, "permissiondenied"),
    ({"ucuser": "Alice", "uccontinue": "x"}, "badcontinue"),
    ({"ucuser": "Alice|Bob", "uccontinue": "20260101000000|1"}, "badcontinue"),
    ({"ucuser": "[bad]"}, "baduser"),
])
async def test_errors(alice: Actor, params: dict[str, str], code: str) -> None:
    assert (await uc(alice, **params))["error"]["code"] == code


async def test_patrol_flags_for_patrollers(alice: Actor, bob: Actor) -> None:
    await alice.edit("P", "x")
    await bob.edit("P", "xy")
    got = await rows(bob, ucuser="Alice|Bob", ucprop="title|patrolled")
    assert [(r["user"], r["patrolled"], r["autopatrolled"]) for r in got] == [
        ("Bob", True, True), ("Alice", False, False)]
    assert [r["user"] for r in await rows(bob, ucuser="Alice|Bob", ucshow="!patrolled")] == ["Alice"]
