"""The query page set, prop=info, prop=revisions, list=logevents/protectedtitles/allpages
(shapes captured from the reference MediaWiki 1.39 with the same requests)."""

from __future__ import annotations

import pytest

from tests.api.pages_support import Actor, MakeUser, NewClient, actor, info_page
from wikigate.app import WikigateApp


@pytest.fixture
async def admin(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Admin", ("sysop",))


async def test_pageset_kinds_fv1_and_fv2(admin: Actor) -> None:
    await admin.edit("Good page", "x")
    titles = "Good page|Missing one|Foo[bar]|Special:Foo|good page|Talk:Good page"
    fv1 = await admin.get(action="query", titles=titles, indexpageids="1")
    q = fv1["query"]
    assert q["normalized"] == [{"from": "good page", "to": "Good page"}]
    good_id = str(next(p["pageid"] for p in q["pages"].values() if "pageid" in p))
    assert list(q["pages"]) == ["-3", "-4", "-1", "-2", good_id]
    assert q["pageids"] == ["-3", "-4", "-1", "-2", good_id]
    assert q["pages"]["-1"] == {"title": "Foo[bar]", "invalidreason":
                                'The requested page title contains invalid characters: "[".', "invalid": ""}
    assert q["pages"]["-2"] == {"ns": -1, "title": "Special:Foo", "special": "", "missing": ""}
    assert q["pages"]["-4"] == {"ns": 1, "title": "Talk:Good page", "missing": ""}
    fv2 = await admin.get(action="query", titles=titles, formatversion="2")
    # formatversion 2 sorts by (fake) id, as the reference does: -4, -3, -2, -1, then pages.
    assert [p.get("missing", False) for p in fv2["query"]["pages"]] == [True, True, True, False, False]
    assert [p["title"] for p in fv2["query"]["pages"]][:2] == ["Talk:Good page", "Missing one"]
    assert fv1["batchcomplete"] == "" and fv2["batchcomplete"] is True


async def test_pageids_revids_multisource(admin: Actor) -> None:
    created = await admin.edit("Ids", "x")
    pid, rid = created["edit"]["pageid"], created["edit"]["newrevid"]
    data = await admin.get(action="query", pageids=f"{pid}|99999")
    assert data["query"]["pages"]["99999"] == {"pageid": 99999, "missing": ""}
    revs = await admin.get(action="query", revids=f"{rid}|99999", formatversion="2")
    assert revs["query"]["badrevids"] == {"99999": {"revid": 99999, "missing": True}}
    assert revs["query"]["pages"][0]["title"] == "Ids"
    err = await admin.get(action="query", titles="A", pageids=str(pid))
    assert err["error"] == {"code": "multisource", "info": 'The "pageids" parameter cannot be used with "titles".',
                            "*": err["error"]["*"]}


async def test_redirects(admin: Actor) -> None:
    await admin.edit("Real", "x")
    await admin.edit("Alias", "#REDIRECT [[Real]]")
    data = await admin.get(action="query", titles="Alias", redirects="1", formatversion="2")
    assert data["query"]["redirects"] == [{"from": "Alias", "to": "Real"}]
    assert [p["title"] for p in data["query"]["pages"]] == ["Real"]


async def test_info_props(admin: Actor) -> None:
    await admin.edit("Infopage", "hello")
    await admin.edit("Talk:Infopage", "talk")
    data = await admin.get(action="query", prop="info", titles="Infopage|Talk:Infopage|Nothing here",
                           inprop="protection|talkid|subjectid|url|watched|displaytitle|varianttitles|preload",
                           formatversion="2")
    missing, page, talk = data["query"]["pages"]
    assert page["contentmodel"] == "wikitext" and page["length"] == 5 and page["new"] is True
    assert page["talkid"] == talk["pageid"] and talk["subjectid"] == page["pageid"]
    assert page["watched"] is True  # watchcreations
    assert page["fullurl"] == "http://wiki.test/index.php/Infopage"
    assert page["editurl"] == "http://wiki.test/index.php?title=Infopage&action=edit"
    assert page["varianttitles"] == {"en": "Infopage"} and page["preload"] == ""
    assert missing["restrictiontypes"] == ["create"] and missing["preload"] is None
    file_missing = info_page(await admin.get(action="query", prop="info", inprop="protection",
                                             titles="File:None.png", formatversion="2"))
    assert file_missing["restrictiontypes"] == ["create", "upload"]


async def test_revisions_continuation(admin: Actor) -> None:
    for i in range(3):
        await admin.edit("Hist", f"v{i}")
    first = await admin.get(action="query", prop="revisions", titles="Hist", rvlimit="2", rvprop="ids")
    assert "batchcomplete" not in first
    cont = first["continue"]
    assert cont["continue"] == "||" and "|" in cont["rvcontinue"]
    rest = await admin.get(action="query", prop="revisions", titles="Hist", rvlimit="2", rvprop="ids",
                           rvcontinue=cont["rvcontinue"], formatversion="2")
    assert len(info_page(rest)["revisions"]) == 1 and rest["batchcomplete"] is True
    legacy = await admin.get(action="query", prop="revisions", titles="Hist", rvprop="content")
    assert "rvslots" in legacy["warnings"]["revisions"]["*"]
    assert info_page(legacy)["revisions"][0]["*"] == "v2"


async def test_logevents_shows_other_writers(app: WikigateApp, admin: Actor) -> None:
    """newusers and rights entries are written by other components into the same log store."""
    logs = app.services.logs
    await logs.add(type="newusers", action="create", actor_id=7, actor_name="Newcomer", namespace=2,
                   title="Newcomer", params={"userid": 7})
    await admin.edit("Logged page", "x")
    data = await admin.get(action="query", list="logevents", lelimit="1", leprop="ids|title|type|user|details")
    entry = data["query"]["logevents"][0]
    assert (entry["type"], entry["action"], entry["title"]) == ("create", "create", "Logged page")
    token = data["continue"]["lecontinue"]
    assert data["continue"]["continue"] == "-||" and data["batchcomplete"] == ""
    more = await admin.get(action="query", list="logevents", lelimit="1", lecontinue=token, formatversion="2")
    assert more["query"]["logevents"][0]["params"] == {"userid": 7}
    assert more["query"]["logevents"][0]["title"] == "User:Newcomer"
    only = await admin.get(action="query", list="logevents", letype="newusers", leuser="Newcomer")
    assert len(only["query"]["logevents"]) == 1
    bad = await admin.get(action="query", list="logevents", lecontinue="garbage")
    assert bad["error"]["code"] == "badcontinue"


async def test_allpages_and_generator(admin: Actor) -> None:
    for t in ("Apple", "Banana", "Cherry"):
        await admin.edit(t, "x")
    await admin.edit("Template:Apple", "t")
    data = await admin.get(action="query", list="allpages", aplimit="2")
    assert [p["title"] for p in data["query"]["allpages"]] == ["Apple", "Banana"]
    assert data["continue"] == {"apcontinue": "Cherry", "continue": "-||"}
    gen = await admin.get(action="query", generator="allpages", gaplimit="5", gapnamespace="10", prop="info",
                          formatversion="2")
    assert [p["title"] for p in gen["query"]["pages"]] == ["Template:Apple"]
    prot = await admin.get(action="query", generator="protectedtitles", prop="info", formatversion="2")
    assert "pages" not in prot["query"]


async def test_logevents_action_validation(admin: Actor) -> None:
    data = await admin.get(action="query", list="logevents", leaction="create/*")
    assert data["error"]["code"] == "unknown_leaction"
    assert data["error"]["info"] == 'Unrecognized value for parameter "leaction": create/*.'
    ok = await admin.get(action="query", list="logevents", leaction="create/create", letype="protect")
    assert ok["query"]["logevents"] == []


async def test_watched_is_always_reported_and_special_pages_known(admin: Actor) -> None:
    """inprop=watched gives watched false (shown in formatversion 2); served special pages
    are known under their canonical names, others are missing (reference answers)."""
    await admin.edit("Unwatched page", "x", watchlist="nochange")
    r = await admin.get(action="query", titles="Unwatched page|Special:Userlogin|Special:Nope", prop="info",
                        inprop="watched", formatversion="2")
    pages = r["query"]["pages"]
    assert [p["title"] for p in pages] == ["Special:Nope", "Special:UserLogin", "Unwatched page"]
    assert pages[0] == {"ns": -1, "title": "Special:Nope", "special": True, "missing": True}
    assert pages[1] == {"ns": -1, "title": "Special:UserLogin", "special": True}
    assert pages[2]["watched"] is False
    assert r["query"]["normalized"] == [{"fromencoded": False, "from": "Special:Userlogin", "to": "Special:UserLogin"}]
    opts = await admin.get(action="query", meta="userinfo", uiprop="options")
    assert opts["query"]["userinfo"]["options"]["search-match-redirect"] is True


async def test_revisions_as_a_generator(admin: Actor) -> None:
    """generator=revisions (ApiPageSet::populateFromRevisionIDs): the latest revision of
    each input page; enumeration of one page; missing input pages are not listed."""
    first = await admin.edit("Gen page", "one")
    second = await admin.edit("Gen page", "one two")
    r = await admin.get(action="query", generator="revisions", titles="Gen page|No such gen page",
                        prop="revisions", rvprop="ids", formatversion="2")
    pages = r["query"]["pages"]
    assert [p["title"] for p in pages] == ["Gen page"]
    assert pages[0]["revisions"] == [{"revid": second["edit"]["newrevid"], "parentid": first["edit"]["newrevid"]}]
    r = await admin.get(action="query", generator="revisions", titles="Gen page", grvlimit="1", grvdir="newer",
                        prop="revisions", rvprop="ids", formatversion="2")
    assert r["query"]["pages"][0]["revisions"][0]["revid"] == first["edit"]["newrevid"]
    assert "grvcontinue" in r["continue"]
    await admin.edit("Other gen page", "x")
    r = await admin.get(action="query", generator="revisions", titles="Gen page|Other gen page", grvlimit="1")
    assert r["error"]["code"] == "invalidparammix"
