"""action=protect (spec protect.md §1–8): every error code, replacement semantics, cascade,
null revisions, log entries, no-op writes. Expected answers were captured from the reference
MediaWiki 1.39 with the same requests."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.pages_support import Actor, MakeUser, NewClient, actor, info_page
from wikigate.app import WikigateApp

DOCREF_START = "See http://wiki.test/api.php for API usage."


@pytest.fixture
async def admin(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Admin", ("sysop", "bureaucrat"))


async def test_seed_example(admin: Actor) -> None:
    await admin.edit("Main Page", "welcome")
    data = await admin.protect("Main_Page", "edit=autoconfirmed|move=sysop", expiry="infinite")
    assert data == {"protect": {"title": "Main Page", "reason": "", "protections": [
        {"edit": "autoconfirmed", "expiry": "infinite"}, {"move": "sysop", "expiry": "infinite"}]}}


async def test_cascade_fv1_fv2_and_info(admin: Actor) -> None:
    await admin.edit("Casc", "{{Tpl}}")
    await admin.edit("Template:Tpl", "x")
    fv1 = await admin.protect("Casc", "edit=sysop|move=sysop", cascade="1")
    assert fv1["protect"] == {"title": "Casc", "reason": "", "cascade": "", "protections": [
        {"edit": "sysop", "expiry": "infinite"}, {"move": "sysop", "expiry": "infinite"}]}
    fv2 = await admin.protect("Casc", "edit=sysop", cascade="1", formatversion="2")
    assert fv2["protect"]["cascade"] is True
    src = info_page(await admin.get(action="query", prop="info", inprop="protection", titles="Casc"))
    assert src["protection"] == [{"type": "edit", "level": "sysop", "expiry": "infinity", "cascade": ""}]
    tpl = info_page(await admin.get(action="query", prop="info", inprop="protection", titles="Template:Tpl",
                                    formatversion="2"))
    assert tpl["protection"] == [{"type": "edit", "level": "sysop", "expiry": "infinity", "source": "Casc"}]
    assert tpl["restrictiontypes"] == ["edit", "move"]


async def test_cascade_dropped_below_sysop(admin: Actor) -> None:
    await admin.edit("Semi", "x")
    data = await admin.protect("Semi", "edit=autoconfirmed", cascade="1")
    assert "cascade" not in data["protect"]
    page = info_page(await admin.get(action="query", prop="info", inprop="protection", titles="Semi",
                                     formatversion="2"))
    assert page["protection"] == [{"type": "edit", "level": "autoconfirmed", "expiry": "infinity"}]


async def test_replacement_duplicates_and_null_level(admin: Actor) -> None:
    await admin.edit("Repl", "x")
    await admin.protect("Repl", "edit=sysop|move=sysop")
    data = await admin.protect("Repl", "edit=sysop|edit=autoconfirmed")
    assert data["protect"]["protections"] == [{"edit": "sysop", "expiry": "infinite"},
                                              {"edit": "autoconfirmed", "expiry": "infinite"}]
    page = info_page(await admin.get(action="query", prop="info", inprop="protection", titles="Repl"))
    # the last duplicate wins and move (not listed) lost its protection
    assert page["protection"] == [{"type": "edit", "level": "autoconfirmed", "expiry": "infinity"}]
    null = await admin.protect("Repl", "edit", formatversion="2")
    assert null["protect"]["protections"] == [{"edit": None, "expiry": "infinite"}]
    empty = await admin.protect("Repl", "")
    assert empty["protect"] == {"title": "Repl", "reason": "", "protections": []}


async def test_all_level_unprotects(admin: Actor) -> None:
    await admin.edit("AllLv", "x")
    await admin.protect("AllLv", "edit=sysop")
    data = await admin.protect("AllLv", "edit=all|move=all")
    assert data["protect"]["protections"] == [{"edit": "", "expiry": "infinite"}, {"move": "", "expiry": "infinite"}]
    page = info_page(await admin.get(action="query", prop="info", inprop="protection", titles="AllLv"))
    assert page["protection"] == []


async def test_null_revisions_and_logs(app: WikigateApp, admin: Actor) -> None:
    await admin.edit("Logged", "text")
    await admin.protect("Logged", "edit=sysop|move=autoconfirmed", expiry="infinite|2099-01-01T00:00:00Z",
                        reason="why", cascade="1")
    # same settings, other reason: nothing is written
    again = await admin.protect("Logged", "edit=sysop|move=autoconfirmed", expiry="infinite|2099-01-01T00:00:00Z",
                                reason="other", cascade="1")
    assert again["protect"]["reason"] == "other"
    await admin.protect("Logged", "edit=sysop")
    await admin.protect("Logged", "", reason="done")
    revs = await admin.get(action="query", prop="revisions", titles="Logged", rvprop="comment|flags|size",
                           rvlimit="10", formatversion="2")
    comments = [r["comment"] for r in info_page(revs)["revisions"]]
    assert comments == [
        'Removed protection from "[[Logged]]": done',
        'Changed protection settings for "[[Logged]]" ([Edit=Allow only administrators] (indefinite))',
        'Protected "[[Logged]]": why ([Edit=Allow only administrators] (indefinite) '
        "[Move=Allow only autoconfirmed users] (expires 00:00, 1 January 2099 (UTC))) [cascading]",
        'Created page with "text"',
    ]
    assert [r["minor"] for r in info_page(revs)["revisions"]] == [True, True, True, False]
    log = await admin.get(action="query", list="logevents", letype="protect", formatversion="2")
    entries = log["query"]["logevents"]
    assert [e["action"] for e in entries] == ["unprotect", "modify", "protect"]
    assert entries[0]["params"] == {} and entries[0]["comment"] == "done"
    assert entries[1]["params"] == {"description": "\u200e[edit=sysop] (indefinite)", "cascade": False,
                                    "details": [{"type": "edit", "level": "sysop", "expiry": "infinite",
                                                 "cascade": False}]}
    assert entries[2]["params"]["description"] == (
        "\u200e[edit=sysop] (indefinite)\u200e[move=autoconfirmed] (expires 00:00, 1 January 2099 (UTC))")
    assert entries[2]["params"]["details"][1] == {"type": "move", "level": "autoconfirmed",
                                                  "expiry": "2099-01-01T00:00:00Z", "cascade": False}
    fv1 = await admin.get(action="query", list="logevents", letype="protect", leaction="protect/protect")
    assert fv1["query"]["logevents"][0]["params"]["cascade"] == ""
    assert fv1["query"]["logevents"][0]["params"]["details"][0]["cascade"] == ""
    assert "cascade" not in fv1["query"]["logevents"][0]["params"]["details"][1]


async def test_title_protection(admin: Actor) -> None:
    data = await admin.protect("Salted", "create=sysop", expiry="2099-01-01", reason="salt")
    assert data["protect"]["protections"] == [{"create": "sysop", "expiry": "2099-01-01T00:00:00Z"}]
    page = info_page(await admin.get(action="query", prop="info", inprop="protection", titles="Salted",
                                     formatversion="2"))
    assert page["missing"] is True
    assert page["protection"] == [{"type": "create", "level": "sysop", "expiry": "2099-01-01T00:00:00Z"}]
    assert page["restrictiontypes"] == ["create"]
    pt = await admin.get(action="query", list="protectedtitles", ptprop="comment|expiry|level|user|userid",
                         formatversion="2")
    assert pt["query"]["protectedtitles"][0]["title"] == "Salted"
    assert pt["query"]["protectedtitles"][0]["comment"] == "salt"
    log = await admin.get(action="query", list="logevents", letitle="Salted", formatversion="2")
    entry = log["query"]["logevents"][0]
    assert entry["pageid"] == 0 and entry["logpage"] == 0
    assert entry["params"] == {"description": "\u200e[create=sysop] (expires 00:00, 1 January 2099 (UTC))",
                               "cascade": False,
                               "details": [{"type": "create", "level": "sysop", "expiry": "2099-01-01T00:00:00Z"}]}
    removed = await admin.protect("Salted", "create=all")
    assert removed["protect"]["protections"] == [{"create": "", "expiry": "infinite"}]
    pt = await admin.get(action="query", list="protectedtitles")
    assert pt["query"]["protectedtitles"] == []


ERRORS: list[tuple[dict[str, str], str, str]] = [
    ({"protections": "edit=sysop"}, "missingparam", 'One of the parameters "title" and "pageid" is required.'),
    ({"title": "Err", "pageid": "1", "protections": "edit=sysop"}, "invalidparammix",
     'The parameters "title" and "pageid" can not be used together.'),
    ({"title": "Foo[bar]", "protections": "edit=sysop"}, "invalidtitle", 'Bad title "Foo[bar]".'),
    ({"title": "Special:Foo", "protections": "edit=sysop"}, "pagecannotexist", "Namespace doesn't allow actual pages."),
    ({"pageid": "999999", "protections": "edit=sysop"}, "nosuchpageid", "There is no page with ID 999999."),
    ({"title": "Err", "protections": "edit=sysop|move=sysop", "expiry": "1 day|2 days|3 days"}, "toofewexpiries",
     "3 expiry timestamps were provided where 2 were needed."),
    ({"title": "Err", "protections": "edit=sysop", "expiry": "infinite|infinite"}, "toofewexpiries",
     "2 expiry timestamps were provided where 1 was needed."),
    ({"title": "Err", "protections": "edit=sysop", "expiry": ""}, "toofewexpiries",
     "0 expiry timestamps were provided where 1 was needed."),
    ({"title": "Err", "protections": "create=sysop"}, "create-titleexists",
     "Existing titles can't be protected with \"create\"."),
    ({"title": "Nonexistent page", "protections": "edit=sysop"}, "missingtitle-createonly",
     "Missing titles can only be protected with \"create\"."),
    ({"title": "Err", "protections": "dance=sysop"}, "protect-invalidaction", 'Invalid protection type "dance".'),
    ({"title": "Err", "protections": "upload=sysop"}, "protect-invalidaction", 'Invalid protection type "upload".'),
    ({"title": "Err", "protections": "edit=superhero"}, "protect-invalidlevel",
     'Invalid protection level "superhero".'),
    ({"title": "Err", "protections": "edit=sysop", "expiry": "next blue moon"}, "invalidexpiry",
     'Invalid expiry time "next blue moon".'),
    ({"title": "Err", "protections": "edit=sysop", "expiry": "foo[bar]"}, "invalidexpiry",
     'Invalid expiry time "foo[bar]".'),
    ({"title": "Err", "protections": "edit=sysop", "expiry": "Infinite"}, "invalidexpiry",
     'Invalid expiry time "Infinite".'),
    ({"title": "Err", "protections": "edit=sysop", "expiry": "2001-01-01"}, "pastexpiry",
     'Expiry time "2001-01-01" is in the past.'),
    ({"title": "Err", "protections": "edit=sysop", "tags": "nonexistenttag"}, "badtags",
     'The tag "nonexistenttag" is not allowed to be manually applied.'),
]


@pytest.mark.parametrize(("params", "code", "info"), ERRORS, ids=[f"{e[1]}-{i}" for i, e in enumerate(ERRORS)])
async def test_errors_bc(admin: Actor, params: dict[str, str], code: str, info: str) -> None:
    await admin.edit("Err", "x")
    r = await admin.client.post(action="protect", token=admin.csrf, **params)
    data = r.json()
    assert data["error"]["code"] == code
    assert data["error"]["info"] == info
    assert r.headers["MediaWiki-API-Error"] == code
    if code == "badtags":
        assert data["error"]["disallowedtags"] == ["nonexistenttag"]


async def test_missing_protections_before_token(admin: Actor) -> None:
    data = await admin.client.jpost(action="protect", title="Err")
    assert data["error"] == {"code": "missingparam", "info": 'The "protections" parameter must be set.',
                             "*": data["error"]["*"]}
    assert data["error"]["*"].startswith(DOCREF_START)


async def test_errors_plaintext_fv2(admin: Actor) -> None:
    await admin.edit("Err", "x")
    data = await admin.post(action="protect", title="Err", protections="edit=sysop", expiry="2001-01-01",
                            errorformat="plaintext", formatversion="2")
    assert data["errors"] == [{"code": "pastexpiry", "text": 'Expiry time "2001-01-01" is in the past.',
                               "module": "protect"}]


async def test_permission_denied_lists_every_reason(app: WikigateApp, new_client: NewClient,
                                                    make_user: MakeUser, admin: Actor) -> None:
    await admin.edit("Semi page", "x")
    await admin.protect("Semi page", "edit=autoconfirmed")
    anon = await actor(app, new_client, None, None)
    bc = await anon.protect("Semi page", "edit=sysop")
    assert bc["error"]["code"] == "permissiondenied"
    assert bc["error"]["info"] == ("The action you have requested is limited to users in the group: "
                                   "[[RefWiki:Administrators|Administrators]].")
    plain = await anon.protect("Semi page", "edit=sysop", errorformat="plaintext", formatversion="2")
    assert [e["code"] for e in plain["errors"]] == ["permissiondenied", "cantedit"]
    assert plain["errors"][1]["text"] == ("You cannot change the protection settings of this page because you "
                                          "do not have permission to edit it.")
    user = await actor(app, new_client, make_user, "Plain user")
    assert (await user.protect("Semi page", "edit=sysop"))["error"]["code"] == "permissiondenied"


async def test_watch_deprecated(admin: Actor) -> None:
    await admin.edit("Watched", "x")
    data = await admin.protect("Watched", "edit=sysop", watch="1")
    assert data["warnings"]["protect"] == {"*": 'The parameter "watch" has been deprecated.'}
    assert "main" in data["warnings"]


async def test_expiry_forms(admin: Actor) -> None:
    await admin.edit("Exp", "x")
    data = await admin.protect("Exp", "edit=sysop|move=sysop", expiry="31 November 2030|@1900000000")
    assert data["protect"]["protections"] == [{"edit": "sysop", "expiry": "2030-12-01T00:00:00Z"},
                                              {"move": "sysop", "expiry": "2030-03-17T17:46:40Z"}]
    page = info_page(await admin.get(action="query", prop="info", inprop="protection", titles="Exp"))
    assert page["protection"][0]["expiry"] == "2030-12-01T00:00:00Z"


async def test_custom_levels_from_settings(tmp_path: Any) -> None:
    from tests.conftest import make_settings, tweak
    from wikigate.app import build_services

    s = make_settings(tmp_path)
    s = tweak(s, protection__levels=["", "autoconfirmed", "templateeditor", "sysop"],
              rights__group_permissions={**s.rights.group_permissions,
                                         "sysop": [*s.rights.group_permissions["sysop"], "templateeditor"]})
    application = WikigateApp(s, build_services(s))
    await application.startup()
    try:
        import httpx

        from tests.api.test_main import login_as
        from tests.conftest import ApiClient

        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 1))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
            client = ApiClient(http)
            svc = application.services
            user = await svc.users.create("Admin")
            await svc.users.set_group(user.id, "sysop", None)
            fresh = await svc.users.get_by_id(user.id)
            assert fresh is not None
            await login_as(application, client, fresh)
            a = Actor(client, await client.token())
            await a.edit("Custom", "x")
            data = await a.protect("Custom", "edit=templateeditor")
            assert data["protect"]["protections"] == [{"edit": "templateeditor", "expiry": "infinite"}]
            log = await a.get(action="query", list="logevents", letype="protect")
            assert log["query"]["logevents"][0]["params"]["description"] == "\u200e[edit=templateeditor] (indefinite)"
    finally:
        await application.shutdown()


async def test_xml_output(admin: Actor) -> None:
    await admin.edit("Xml", "x")
    r = await admin.client.post(action="protect", title="Xml", protections="edit=sysop", token=admin.csrf,
                                format="xml")
    assert ('<protect title="Xml" reason=""><protections><protection edit="sysop" expiry="infinite" />'
            "</protections></protect>") in r.text


# -- fuzzing: random parameters never produce a 500 or a malformed answer ------------------------

_TYPES = st.sampled_from(["edit", "move", "create", "upload", "", "dance", "edit=", "all"])
_LEVELS = st.sampled_from(["sysop", "autoconfirmed", "", "all", "superhero", "=", "sysop=x"])
_ITEM = st.one_of(st.builds(lambda t, lv: f"{t}={lv}", _TYPES, _LEVELS), _TYPES, st.text(max_size=8))
_EXPIRY = st.one_of(st.sampled_from(["infinite", "1 week", "2001-01-01", "foo", "", "now", "@0",
                                     "2099-02-30", "next monday", "24:05", "a day"]),
                    st.text(max_size=12))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=st.lists(_ITEM, max_size=4), expiries=st.lists(_EXPIRY, max_size=4),
       title=st.sampled_from(["Fuzz", "Missing fuzz", "File:Fuzz.png", "Special:X", "Foo[", "Talk:Fuzz"]),
       cascade=st.booleans(), fv=st.sampled_from(["1", "2"]), ef=st.sampled_from(["bc", "plaintext", "raw"]))
async def test_fuzz_protect(admin: Actor, items: list[str], expiries: list[str], title: str, cascade: bool,
                            fv: str, ef: str) -> None:
    await admin.edit("Fuzz", "x")
    params: dict[str, str] = {"action": "protect", "title": title, "protections": "|".join(items),
                              "expiry": "|".join(expiries), "token": admin.csrf, "formatversion": fv,
                              "errorformat": ef}
    if cascade:
        params["cascade"] = "1"
    r = await admin.client.post(**params)
    assert r.status_code == 200
    data = r.json()
    if "error" in data or "errors" in data:
        code = data["error"]["code"] if "error" in data else data["errors"][0]["code"]
        assert not code.startswith("internal_api_error"), data
        assert r.headers["MediaWiki-API-Error"] == code
    else:
        result = data["protect"]
        assert set(result) <= {"title", "reason", "cascade", "protections"}
        # ParamValidator drops exact duplicates of a multi-value parameter before ApiProtect sees them.
        assert len(result["protections"]) == len(dict.fromkeys(items)) or items == [""]


async def test_bot_password_grants_limit_protect(app: WikigateApp, new_client: NewClient, make_user: MakeUser,
                                                 admin: Actor) -> None:
    """A sysop's bot password without the ``protect`` grant cannot protect; with it, it can."""
    await admin.edit("Grant page", "x")
    sysop = await app.services.users.get_by_name("Admin")
    assert sysop is not None
    bps = app.services.botpasswords
    results = {}
    for app_id, grants in (("editonly", ("editpage",)), ("protector", ("protect",))):
        _, secret = await bps.create(sysop.id, app_id, grants)
        client = new_client()
        lt = await client.token("login")
        login = await client.jpost(action="login", lgname=f"Admin@{app_id}", lgpassword=str(secret), lgtoken=lt)
        assert login["login"]["result"] == "Success"
        bot = Actor(client, await client.token())
        results[app_id] = await bot.protect("Grant page", "edit=sysop")
    assert results["editonly"]["error"]["code"] == "permissiondenied"
    assert results["protector"]["protect"]["protections"] == [{"edit": "sysop", "expiry": "infinite"}]
