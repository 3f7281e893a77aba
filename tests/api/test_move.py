"""action=move: results, redirects, talk pages, move_prot, delete_redir and the permission
and validity errors; answers captured from the reference MediaWiki 1.39."""

from __future__ import annotations

import pytest

from tests.api.pages_support import Actor, MakeUser, NewClient, actor, info_page
from wikigate.app import WikigateApp


@pytest.fixture
async def admin(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Admin", ("sysop",))


async def test_move_with_talk_and_protection(admin: Actor) -> None:
    await admin.edit("Alpha", "x")
    await admin.edit("Talk:Alpha", "t")
    await admin.protect("Alpha", "edit=autoconfirmed|move=sysop")
    data = await admin.post(action="move", **{"from": "Alpha"}, to="Beta", reason="rr", movetalk="1")
    assert data["move"] == {"from": "Alpha", "to": "Beta", "reason": "rr", "redirectcreated": "",
                            "talkfrom": "Talk:Alpha", "talkto": "Talk:Beta"}
    pages = (await admin.get(action="query", prop="info|revisions", inprop="protection", rvprop="content|comment",
                             rvslots="main", titles="Alpha|Beta", formatversion="2"))["query"]["pages"]
    alpha, beta = sorted(pages, key=lambda p: p["title"])
    assert alpha["redirect"] is True and alpha["new"] is True
    assert alpha["revisions"][0]["slots"]["main"]["content"] == "#REDIRECT [[Beta]]"
    # the redirect left behind inherits the protection
    assert [p["type"] for p in alpha["protection"]] == ["edit", "move"]
    assert beta["revisions"][0]["comment"] == "Admin moved page [[Alpha]] to [[Beta]]: rr"
    logs = (await admin.get(action="query", list="logevents", letitle="Beta", formatversion="2"))["query"]["logevents"]
    assert logs[0]["action"] == "move_prot"
    assert logs[0]["params"] == {"oldtitle_ns": 0, "oldtitle_title": "Alpha"}
    assert logs[0]["comment"] == "[[Alpha]] moved to [[Beta]]: rr"
    moved = (await admin.get(action="query", list="logevents", letype="move", letitle="Alpha",
                             formatversion="2"))["query"]["logevents"][0]
    assert moved["params"] == {"target_ns": 0, "target_title": "Beta", "suppressredirect": False}

    back = await admin.post(action="move", **{"from": "Beta"}, to="Alpha", reason="rr")
    assert back["move"] == {"from": "Beta", "to": "Alpha", "reason": "rr", "redirectcreated": "",
                            "moveoverredirect": ""}
    delete = (await admin.get(action="query", list="logevents", letype="delete",
                              formatversion="2"))["query"]["logevents"][0]
    assert (delete["action"], delete["title"]) == ("delete_redir", "Alpha")
    assert delete["comment"] == 'Deleted to make way for move from "[[Beta]]"'


async def test_noredirect_over_redirect(admin: Actor) -> None:
    await admin.edit("One", "x")
    await admin.post(action="move", **{"from": "One"}, to="Two")
    data = await admin.post(action="move", **{"from": "Two"}, to="One", noredirect="1", formatversion="2")
    assert data["move"]["redirectcreated"] is False and data["move"]["moveoverredirect"] is True
    page = info_page(await admin.get(action="query", prop="revisions", rvprop="comment", titles="One",
                                     formatversion="2"))
    assert page["revisions"][0]["comment"] == (
        "Admin moved page [[Two]] to [[One]] over a redirect without leaving a redirect")


async def test_errors(app: WikigateApp, new_client: NewClient, make_user: MakeUser, admin: Actor) -> None:
    await admin.edit("Src", "x")
    await admin.edit("Taken", "y")
    cases = [
        ({"from": "Src", "to": "Src"}, "selfmove", "The title is the same; cannot move a page over itself."),
        ({"from": "Nonexist", "to": "Else"}, "missingtitle", "The page you specified doesn't exist."),
        ({"from": "Src", "to": "Special:Foo"}, "immobile-target-namespace",
         'Cannot move pages into namespace "Special".'),
        ({"from": "Src", "to": "Foo[bar"}, "invalidtitle", 'Bad title "Foo[bar".'),
        ({"to": "Foo"}, "missingparam", 'One of the parameters "from" and "fromid" is required.'),
        ({"from": "Src"}, "missingparam", 'The "to" parameter must be set.'),
        ({"from": "Src", "to": "Taken"}, "articleexists",
         "A page already exists at [[:Taken]], or the page name you have chosen is not valid. "
         "Please choose another name."),
    ]
    for params, code, info in cases:
        data = await admin.post(action="move", **params)
        assert (data["error"]["code"], data["error"]["info"]) == (code, info), params
    anon = await actor(app, new_client, None, None)
    data = await anon.post(action="move", **{"from": "Src"}, to="Anon", errorformat="plaintext", formatversion="2")
    assert [e["code"] for e in data["errors"]] == ["cantmove-anon", "cantmove"]


async def test_move_protected_and_onto_salted_title(app: WikigateApp, new_client: NewClient,
                                                    make_user: MakeUser, admin: Actor) -> None:
    await admin.edit("Locked", "x")
    await admin.protect("Locked", "move=sysop")
    await admin.edit("Free", "x")
    await admin.protect("Salt target", "create=sysop")
    user = await actor(app, new_client, make_user, "Mover")
    locked = await user.post(action="move", **{"from": "Locked"}, to="Elsewhere")
    assert locked["error"]["code"] == "protectedpage"
    salted = await user.post(action="move", **{"from": "Free"}, to="Salt target")
    assert salted["error"]["code"] == "protectedpage"
    ok = await admin.post(action="move", **{"from": "Free"}, to="Salt target")
    assert ok["move"]["to"] == "Salt target"
    pt = await admin.get(action="query", list="protectedtitles")
    assert pt["query"]["protectedtitles"] == []


async def test_movesubpages(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> None:
    """Subpages and talk subpages move with the page; an occupied target is reported per
    subpage; the main namespace has no subpages (answers as MediaWiki 1.39:
    tests/mwdiff/move-subpages.yaml)."""
    admin = await actor(app, new_client, make_user, "Mover", ("sysop",))
    for t in ("User:U", "User:U/a", "User:U/b/c", "User talk:U", "User talk:U/t", "User:V/b/c", "M", "M/s",
              "Talk:M/t"):
        await admin.edit(t, "x")
    r = (await admin.post(action="move", **{"from": "User:U"}, to="User:V", movetalk="1", movesubpages="1"))["move"]
    assert r["subpages"][0] == {"from": "User:U/a", "to": "User:V/a"}
    assert r["subpages"][1]["from"] == "User:U/b/c" and r["subpages"][1]["errors"][0]["code"] == "articleexists"
    assert r["subpages-talk"] == [{"from": "User talk:U/t", "to": "User talk:V/t"}]
    r = (await admin.post(action="move", **{"from": "M"}, to="N", movetalk="1", movesubpages="1"))["move"]
    assert r["subpages"] == {"errors": [{"message": "namespace-nosubpages", "params": [""],
                                         "code": "namespace-nosubpages", "type": "error"}]}
    assert r["subpages-talk"] == [{"from": "Talk:M/t", "to": "Talk:N/t"}]


async def test_every_error_in_movepage_order_and_all_codes_in_the_header(
        app: WikigateApp, new_client: NewClient, make_user: MakeUser, admin: Actor) -> None:
    """isValidMove (articleexists, immobile-target-namespace) before the permission
    checks, each distinct error once; MediaWiki-API-Error names every code (reference)."""
    await admin.edit("Guarded", "x")
    await admin.edit("Other", "x")
    await admin.protect("Guarded", "edit=sysop|move=sysop")
    await admin.protect("Salted", "create=sysop")
    alice = await actor(app, new_client, make_user, "Alice")

    async def move(to: str) -> tuple[str, list[str]]:
        r = await alice.client.post(action="move", **{"from": "Guarded"}, to=to, token=alice.csrf,
                                    errorformat="plaintext", format="json")
        return r.headers["MediaWiki-API-Error"], [e["code"] for e in r.json()["errors"]]

    assert await move("Other") == ("articleexists, protectedpage", ["articleexists", "protectedpage"])
    assert await move("Special:X") == (
        "immobile-target-namespace, protectedpage, unsupportednamespace",
        ["immobile-target-namespace", "protectedpage", "unsupportednamespace"])
    assert await move("Salted") == ("protectedpage, protectedtitle", ["protectedpage", "protectedtitle"])
    r = await alice.client.post(action="move", **{"from": "Guarded"}, to="Other", token=alice.csrf, format="json")
    assert r.headers["MediaWiki-API-Error"] == "articleexists, protectedpage"
    assert r.json()["error"]["code"] == "articleexists"  # bc: the first one only
