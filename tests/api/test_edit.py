"""action=edit and its enforcement of protections (spec protect.md §10); answers captured
from the reference MediaWiki 1.39 with the same requests."""

from __future__ import annotations

import hashlib

import pytest

from tests.api.pages_support import Actor, MakeUser, NewClient, actor, info_page
from wikigate.app import WikigateApp


@pytest.fixture
async def admin(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Admin", ("sysop",))


async def test_create_update_nochange(app: WikigateApp, admin: Actor) -> None:
    new = await admin.edit("Page one", "v1 {{Tpl}}")
    e = new["edit"]
    assert list(e) == ["new", "result", "pageid", "title", "contentmodel", "oldrevid", "newrevid",
                       "newtimestamp", "watched"]
    assert (e["new"], e["result"], e["title"], e["oldrevid"], e["watched"]) == ("", "Success", "Page one", 0, "")
    same = await admin.edit("Page one", "v1 {{Tpl}}")
    assert same["edit"] == {"result": "Success", "pageid": e["pageid"], "title": "Page one",
                            "contentmodel": "wikitext", "nochange": "", "watched": ""}
    upd = await admin.edit("Page one", "v2", formatversion="2", summary="s")
    assert upd["edit"]["oldrevid"] == e["newrevid"] and upd["edit"]["watched"] is True
    assert "new" not in upd["edit"]
    user = await app.services.users.get_by_name("Admin")
    assert user is not None and user.editcount == 2  # the no-change save is not an edit
    revs = info_page(await admin.get(action="query", prop="revisions", titles="Page one", rvlimit="5",
                                     rvprop="comment|size|sha1", formatversion="2"))["revisions"]
    assert [r["comment"] for r in revs] == ["s", 'Created page with "v1 {{Tpl}}"']
    assert revs[0]["sha1"] == hashlib.sha1(b"v2").hexdigest() and revs[0]["size"] == 2


async def test_errors(admin: Actor) -> None:
    await admin.edit("Exists", "x")
    cases = [
        ({"title": "Exists"}, "missingparam",
         'At least one of the parameters "text", "appendtext", "prependtext" and "undo" is required.'),
        ({"title": "Exists", "text": "y", "createonly": "1"}, "articleexists",
         "The article you tried to create has been created already."),
        ({"title": "Nope", "text": "y", "nocreate": "1"}, "missingtitle", "The page you specified doesn't exist."),
        ({"title": "Exists", "text": "y", "md5": "abc"}, "badmd5", "The supplied MD5 hash was incorrect."),
        ({"title": "Exists", "pageid": "5", "text": "y"}, "invalidparammix",
         'The parameters "title" and "pageid" can not be used together.'),
        ({"title": "Special:X", "text": "y"}, "pagecannotexist", "Namespace doesn't allow actual pages."),
        ({"pageid": "999999", "text": "y"}, "nosuchpageid", "There is no page with ID 999999."),
        ({"title": "Exists", "text": "y", "tags": "nonexistenttag"}, "badtags",
         'The tag "nonexistenttag" is not allowed to be manually applied.'),
        ({"title": "Exists", "section": "5", "text": "y"}, "nosuchsection", "There is no section 5."),
    ]
    for params, code, info in cases:
        data = await admin.post(action="edit", **params)
        assert (data["error"]["code"], data["error"]["info"]) == (code, info), params


async def test_append_prepend_md5_sections(admin: Actor) -> None:
    await admin.edit("Sec", "lead")
    md5 = hashlib.md5(b"PA").hexdigest()
    await admin.post(action="edit", title="Sec", prependtext="P", appendtext="A", md5=md5)
    await admin.post(action="edit", title="Sec", section="new", sectiontitle="Head", text="body")
    await admin.post(action="edit", title="Sec", section="1", text="== Head ==\nnew body")
    revs = info_page(await admin.get(action="query", prop="revisions", titles="Sec", rvprop="content|comment",
                                     rvslots="main", rvlimit="2", formatversion="2"))["revisions"]
    assert revs[0]["slots"]["main"]["content"] == "PleadA\n\n== Head ==\nnew body"
    assert revs[1]["comment"] == "/* Head */ new section"


async def test_edit_conflict_only_with_other_users(app: WikigateApp, new_client: NewClient, make_user: MakeUser,
                                                   admin: Actor) -> None:
    await admin.edit("Conf", "v1")
    ok = await admin.edit("Conf", "v2", basetimestamp="2020-01-01T00:00:00Z")
    assert ok["edit"]["result"] == "Success"  # the same user saved in between: no conflict
    bob = await actor(app, new_client, make_user, "Bob")
    data = await bob.edit("Conf", "v3", basetimestamp="2020-01-01T00:00:00Z")
    assert data["error"]["code"] == "editconflict" and data["error"]["info"] == "Edit conflict."


async def test_redirect_follow(admin: Actor) -> None:
    await admin.edit("Target", "t")
    await admin.edit("Talk:Target", "#REDIRECT [[Target]]")
    data = await admin.post(action="edit", title="Talk:Target", redirect="1", appendtext="more")
    assert data["redirects"] == {"from": "Talk:Target", "to": "Target"}
    assert data["edit"]["title"] == "Target"


async def test_semi_protection(app: WikigateApp, new_client: NewClient, make_user: MakeUser, admin: Actor) -> None:
    await admin.edit("Semi", "x")
    await admin.protect("Semi", "edit=autoconfirmed")
    anon = await actor(app, new_client, None, None)
    data = await anon.edit("Semi", "anon")
    assert data["error"]["code"] == "protectedpage"
    assert data["error"]["info"] == "This page has been protected to prevent editing or other actions."
    # every registered user is autoconfirmed ($wgAutoConfirmAge = $wgAutoConfirmCount = 0)
    user = await actor(app, new_client, make_user, "New user")
    assert (await user.edit("Semi", "user"))["edit"]["result"] == "Success"


async def test_full_protection(app: WikigateApp, new_client: NewClient, make_user: MakeUser, admin: Actor) -> None:
    await admin.edit("Full", "x")
    await admin.protect("Full", "edit=sysop")
    user = await actor(app, new_client, make_user, "Someone")
    assert (await user.edit("Full", "no"))["error"]["code"] == "protectedpage"
    assert (await admin.edit("Full", "yes"))["edit"]["result"] == "Success"


async def test_autoconfirm_count(tmp_path: object) -> None:
    """With $wgAutoConfirmCount = 1 a fresh user is not autoconfirmed until one edit counted."""
    from pathlib import Path

    from tests.api.pages_support import admin_and_newbie
    from tests.conftest import make_settings

    s = make_settings(Path(str(tmp_path)), rights__autoconfirm_count=1)
    async with admin_and_newbie(s, "127.0.0.1") as (_, admin, nb, _anon):
        await admin.edit("Semi2", "x")
        await admin.protect("Semi2", "edit=autoconfirmed")
        assert (await nb.edit("Semi2", "no"))["error"]["code"] == "protectedpage"
        assert (await nb.edit("Sandbox", "first edit"))["edit"]["result"] == "Success"
        assert (await nb.edit("Semi2", "now"))["edit"]["result"] == "Success"


async def test_cascade_protection(app: WikigateApp, new_client: NewClient, make_user: MakeUser,
                                  admin: Actor) -> None:
    await admin.edit("Template:Tpl", "tpl")
    await admin.edit("Template:Other", "tpl")
    await admin.edit("Casc one", "{{Tpl}} {{Other|x=1}}")
    await admin.edit("Casc two", "{{ Tpl }}")
    await admin.protect("Casc one", "edit=sysop", cascade="1")
    user = await actor(app, new_client, make_user, "Editor")
    data = await user.edit("Template:Tpl", "vandal")
    assert data["error"] == {"code": "cascadeprotected", "info": (
        "This page has been protected from editing because it is transcluded in the following page, which is "
        'protected with the "cascading" option turned on: * [[:Casc one]]'), "*": data["error"]["*"]}
    await admin.protect("Casc two", "edit=sysop", cascade="1")
    plain = await user.post(action="edit", title="Template:Tpl", text="v", errorformat="plaintext",
                            formatversion="2")
    # MediaWiki's plaintext keeps the newlines for one source but not for two (as the reference).
    assert plain["errors"][0]["text"] == (
        "This page has been protected from editing because it is transcluded in the following pages, which are "
        'protected with the "cascading" option turned on: * [[:Casc one]] * [[:Casc two]]')
    wikitext = await user.post(action="edit", title="Template:Tpl", text="v", errorformat="wikitext",
                               formatversion="2")
    assert wikitext["errors"][0]["text"].endswith('turned on:\n* [[:Casc one]]\n* [[:Casc two]]\n')
    # removing the transclusion from the source lifts the cascade for that template
    await admin.edit("Casc one", "no templates")
    await admin.edit("Casc two", "none either")
    assert (await user.edit("Template:Other", "fine"))["edit"]["result"] == "Success"
    assert (await user.edit("Template:Tpl", "fine"))["edit"]["result"] == "Success"


async def test_create_protection(app: WikigateApp, new_client: NewClient, admin: Actor) -> None:
    await admin.protect("Salted", "create=sysop")
    anon = await actor(app, new_client, None, None)
    data = await anon.edit("Salted", "x", errorformat="plaintext", formatversion="2")
    assert data["errors"] == [{"code": "protectedpage",
                               "text": "This page has been protected to prevent editing or other actions.",
                               "module": "edit"}]
    created = await admin.edit("Salted", "admin can", formatversion="2")
    assert created["edit"]["new"] is True


async def test_expired_protection_is_ignored(app: WikigateApp, new_client: NewClient, make_user: MakeUser,
                                             admin: Actor) -> None:
    await admin.edit("Short", "x")
    await admin.protect("Short", "edit=sysop", expiry="1 hour")
    user = await actor(app, new_client, make_user, "Later")
    assert (await user.edit("Short", "no"))["error"]["code"] == "protectedpage"
    clock = app.services.clock
    real = clock.time
    clock.time = lambda: real() + 7200  # type: ignore[method-assign]
    try:
        assert (await user.edit("Short", "yes"))["edit"]["result"] == "Success"
        page = info_page(await user.get(action="query", prop="info", inprop="protection", titles="Short"))
        assert page["protection"] == []
    finally:
        clock.time = real  # type: ignore[method-assign]


async def test_software_tags_and_autosummaries(admin: Actor) -> None:
    await admin.edit("Tagged", "some text")
    await admin.edit("Tagged", "")
    await admin.edit("Tagged", "#REDIRECT [[Elsewhere]]")
    await admin.edit("Long", "\u00ff" * 300)
    revs = info_page(await admin.get(action="query", prop="revisions", titles="Tagged", rvprop="comment|tags",
                                     rvlimit="3", formatversion="2"))["revisions"]
    assert [(r["comment"], r["tags"]) for r in revs] == [
        ("Redirected page to [[Elsewhere]]", ["mw-new-redirect"]),
        ("Blanked the page", ["mw-blank"]),
        ('Created page with "some text"', []),
    ]
    long = info_page(await admin.get(action="query", prop="revisions", titles="Long", rvprop="comment",
                                     formatversion="2"))["revisions"][0]["comment"]
    # 500-byte comment limit minus the message: 475 bytes of text plus "..." (as the reference)
    assert long == 'Created page with "' + "\u00ff" * 237 + '..."'
