"""Edit semantics of issue 14 through action=edit: the pre-save transform, edit conflicts
merged three-way, undo by merge, create protection dropped on creation, new-talk-page
messages (answers as the reference MediaWiki 1.39 gave them: tests/mwdiff/edit-*.yaml)."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.api.pages_support import Actor, MakeUser, NewClient, actor, info_page
from wikigate.app import WikigateApp

BASE = "Intro\n\n== A ==\na text\n\n== B ==\nb text\n\n== C ==\nc text"


@pytest.fixture
async def admin(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Admin", ("sysop",))


@pytest.fixture
async def bob(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Bob", ())


async def _text(who: Actor, title: str) -> str:
    page = info_page(await who.get(action="query", prop="revisions", titles=title, rvprop="content",
                                   rvslots="main", formatversion="2"))
    return str(page["revisions"][0]["slots"]["main"]["content"])


async def _latest(who: Actor, title: str) -> dict[str, object]:
    page = info_page(await who.get(action="query", prop="revisions", titles=title, rvprop="ids|timestamp",
                                   formatversion="2"))
    return dict(page["revisions"][0])


async def test_pre_save_transform(admin: Actor) -> None:
    await admin.edit("Template:Greet", "Hello {{{1|world}}}<noinclude>doc</noinclude>")
    await admin.edit("Sig", "Hi ~~~~ {{subst:Greet|you}} [[Foo (bar)|]]  \n\n")
    text = await _text(admin, "Sig")
    assert re.fullmatch(r"Hi \[\[User:Admin\|Admin\]\] \(\[\[User talk:Admin\|talk\]\]\) "
                        r"\d\d:\d\d, \d+ \w+ \d{4} \(UTC\) Hello you \[\[Foo \(bar\)\|Foo\]\]", text), text
    # a null edit after the transform saves nothing; the summary quotes the typed text
    await admin.edit("Sig2", "x ~~~")
    again = await admin.edit("Sig2", "x ~~~")
    assert "nochange" in again["edit"]
    revs = info_page(await admin.get(action="query", prop="revisions", titles="Sig2", rvprop="comment"))
    assert revs["revisions"][0]["comment"] == 'Created page with "x ~~~"'


async def test_section_edits_on_an_old_base_are_merged(admin: Actor, bob: Actor) -> None:
    await admin.edit("Merge", BASE)
    base = await _latest(admin, "Merge")
    await asyncio.sleep(1.1)  # a later second: conflicts are told by timestamps
    r = await admin.edit("Merge", "== A ==\na by admin", section="1", basetimestamp=str(base["timestamp"]))
    assert r["edit"]["result"] == "Success"
    r = await bob.edit("Merge", "== C ==\nc by bob", section="3", basetimestamp=str(base["timestamp"]))
    assert r["edit"]["result"] == "Success", r
    assert await _text(admin, "Merge") == BASE.replace("a text", "a by admin").replace("c text", "c by bob")
    r = await bob.edit("Merge", "== A ==\na by bob", section="1", baserevid=str(base["revid"]))
    assert r["error"]["code"] == "editconflict"
    # a whole-page edit on the old base merges when it touches other lines
    r = await bob.edit("Merge", BASE.replace("Intro", "Intro by bob"), basetimestamp=str(base["timestamp"]))
    assert r["edit"]["result"] == "Success", r
    assert (await _text(admin, "Merge")).startswith("Intro by bob\n\n== A ==\na by admin")
    # removing a section leaves no blank lines behind
    await bob.edit("Merge", "", section="2")
    assert await _text(admin, "Merge") == "Intro by bob\n\n== A ==\na by admin\n\n== C ==\nc by bob"


async def test_undo_of_an_older_revision_merges(admin: Actor) -> None:
    await admin.edit("Undo", "Undo Page\n\nFoo")
    r2 = (await admin.edit("Undo", "Undo Pages\n\nFoo"))["edit"]["newrevid"]
    await admin.edit("Undo", "Undo Page\n\nFoo\n\nBar")
    assert (await admin.post(action="edit", title="Undo", undo=str(r2)))["edit"]["result"] == "Success"
    assert await _text(admin, "Undo") == "Undo Page\n\nFoo\n\nBar"
    await admin.edit("Undo", "Undo Pagez\n\nFoo\n\nBar")
    assert (await admin.post(action="edit", title="Undo", undo=str(r2)))["error"]["code"] == "undofailure"


async def test_creation_drops_the_create_protection(admin: Actor) -> None:
    await admin.protect("Salted", "create=sysop", expiry="infinite")
    listed = await admin.get(action="query", list="protectedtitles", ptprop="user")
    assert listed["query"]["protectedtitles"][0]["userid"] > 0  # user implies userid
    assert (await admin.edit("Salted", "made"))["edit"]["result"] == "Success"
    listed = await admin.get(action="query", list="protectedtitles")
    assert listed["query"]["protectedtitles"] == []
    log = await admin.get(action="query", list="logevents", letitle="Salted")
    entries = [(e["type"], e["action"]) for e in log["query"]["logevents"]]
    assert entries == [("create", "create"), ("protect", "protect")]


async def test_new_talk_page_message(admin: Actor, bob: Actor) -> None:
    async def has(who: Actor) -> bool:
        return bool((await who.get(action="query", meta="userinfo", uiprop="hasmsg",
                                   formatversion="2"))["query"]["userinfo"]["messages"])

    await bob.edit("User talk:Bob", "my own notes")
    assert not await has(bob)
    await admin.edit("User talk:Bob", "Hi ~~~~", section="new", sectiontitle="Hello")
    assert await has(bob) and not await has(admin)
    assert (await bob.post(action="clearhasmsg"))["clearhasmsg"] == "success"
    assert not await has(bob)
    # a minor edit by a user with nominornewtalk (bots) notifies nobody; sysops lack it
    await admin.edit("User talk:Bob", "again", minor="1")
    assert await has(bob)


async def test_content_too_big(admin: Actor) -> None:
    r = await admin.edit("Big", "x" * (2048 * 1024 + 1))
    assert (r["error"]["code"], r["error"]["info"]) == (
        "contenttoobig", "The content you supplied exceeds the article size limit of 2048 kibibytes.")
    r = await admin.edit("Big", "é" * (1024 * 1024) + "x")  # bytes count
    assert r["error"]["code"] == "contenttoobig"
    assert (await admin.edit("Big", "x" * (2048 * 1024)))["edit"]["result"] == "Success"
    # after the merge: appending to a full page
    r = await admin.post(action="edit", title="Big", appendtext="y")
    assert r["error"]["code"] == "contenttoobig"
