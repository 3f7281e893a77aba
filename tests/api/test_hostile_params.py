"""Hostile parameter values (issue 16): integers past 64 bits, huge digit strings,
huge prefixes, XML element names from data. Expected answers are the reference
MediaWiki 1.39's (asked on the same requests)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.pages_support import Actor, MakeUser, NewClient, actor
from tests.conftest import ApiClient
from wikigate.app import WikigateApp

BIG = "9" * 5000


@pytest.fixture
async def admin(app: WikigateApp, new_client: NewClient, make_user: MakeUser) -> Actor:
    return await actor(app, new_client, make_user, "Admin", ("sysop",))


def _code(data: Any) -> str | None:
    err = data.get("error") if isinstance(data, dict) else None
    return err.get("code") if isinstance(err, dict) else None


@pytest.mark.parametrize("value", ["9223372036854775808", "-9223372036854775809", "+9223372036854775807",
                                   "99999999999999999999999999", BIG, "1\n", "\u0661", "\u00b2"])
async def test_integer_out_of_64_bits_is_badinteger(client: ApiClient, value: str) -> None:
    for params in ({"action": "query", "revids": value}, {"action": "query", "pageids": value},
                   {"action": "query", "list": "allpages", "apminsize": value},
                   {"action": "query", "list": "allpages", "aplimit": value},
                   {"action": "query", "prop": "revisions", "titles": "X", "rvstartid": value}):
        data = await client.jpost(**params)
        assert _code(data) == "badinteger", (params, data)
        assert data["error"]["info"].startswith("Invalid value "), data


@pytest.mark.parametrize("value", ["9223372036854775807", "-9223372036854775808", "2147483648",
                                   "-1", "0009", "-0"])
async def test_integer_within_64_bits_is_accepted(client: ApiClient, value: str) -> None:
    data = await client.jget(action="query", revids=value)
    assert "error" not in data, data
    rev = int(value)
    assert data["query"]["badrevids"][str(rev)] == {"revid": rev, "missing": ""}


@pytest.mark.parametrize("cont", ["1|" + BIG, "1|99999999999999999999999", "1|\u00b2", "1|\u0661"])
async def test_continue_with_hostile_ids_is_badcontinue(admin: Actor, cont: str) -> None:
    await admin.edit("Cont", "x")
    for params in ({"list": "logevents", "lecontinue": cont},
                   {"prop": "revisions", "titles": "Cont", "rvcontinue": cont},
                   {"list": "protectedtitles", "ptcontinue": cont + "|X"}):
        data = await admin.get(action="query", **params)
        assert _code(data) == "badcontinue", (params, data)


async def test_user_id_past_64_bits_names_nobody(client: ApiClient) -> None:
    # The reference: PHP saturates the id, finds nobody, and names "Unknown user".
    data = await client.jpost(action="validatepassword", password="Abcdefgh1!xyz", user="#" + BIG)
    assert _code(data) == "baduser_user", data
    assert data["error"]["info"] == 'Invalid value "Unknown user" for user parameter "user".'


async def test_huge_character_reference_in_title(client: ApiClient) -> None:
    data = await client.jget(action="query", titles="A&#" + BIG + ";", formatversion="2")
    assert "error" not in data, data
    data = await client.jget(action="query", titles="A&#x" + "f" * 5000 + ";", formatversion="2")
    assert "error" not in data, data


# -- meta=userinfo&uiprop=latestcontrib ------------------------------------------------------


async def test_userinfo_latestcontrib(admin: Actor, app: WikigateApp) -> None:
    before = await admin.get(action="query", meta="userinfo", uiprop="latestcontrib")
    assert "latestcontrib" not in before["query"]["userinfo"], before
    edited = await admin.edit("Contrib", "x")
    data = await admin.get(action="query", meta="userinfo", uiprop="*", formatversion="2")
    info = data["query"]["userinfo"]
    assert info["latestcontrib"] == edited["edit"]["newtimestamp"], data


# -- prefixes -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [256, 60_000])
async def test_allpages_long_prefix_is_invalid_title(client: ApiClient, size: int) -> None:
    # The reference appends "x" to the part and parses it as a title: 255 bytes or more fail.
    for param in ("apprefix", "apfrom", "apto"):
        data = await client.jpost(action="query", list="allpages", **{param: "a" * size})
        assert _code(data) == "invalidtitle", (param, data)


@pytest.mark.parametrize("part", ["Foo[bar", "Foo#x", "Talk:Foo"])
async def test_allpages_part_that_cannot_start_a_title(client: ApiClient, part: str) -> None:
    data = await client.jget(action="query", list="allpages", apprefix=part)
    assert data["error"]["code"] == "invalidtitle"
    assert data["error"]["info"] == f'Bad title "{part}".'


async def test_allpages_prefix_escapes_like_wildcards(admin: Actor) -> None:
    for t in ("A%b", "Axb", "A_c", "Ayc", "A b"):
        await admin.edit(t, "x")
    titles = lambda d: [p["title"] for p in d["query"]["allpages"]]  # noqa: E731
    assert titles(await admin.get(action="query", list="allpages", apprefix="A%")) == ["A%b"]
    assert titles(await admin.get(action="query", list="allpages", apprefix="A_")) == ["A b", "A c"]
    assert titles(await admin.get(action="query", list="allpages", apprefix="")) == ["A%b", "A b", "A c", "Axb", "Ayc"]


# -- XML element names ----------------------------------------------------------------------


async def test_xml_badrevids_are_rev_elements(client: ApiClient) -> None:
    r = await client.get(action="query", format="xml", revids="0|5555")
    assert r.text == ('<?xml version="1.0"?><api batchcomplete=""><query><badrevids>'
                      '<rev _idx="0" revid="0" missing="" /><rev _idx="5555" revid="5555" missing="" />'
                      "</badrevids></query></api>")
    data = await client.jget(action="query", revids="0|5555", formatversion="2")
    assert data["query"]["badrevids"] == {"0": {"revid": 0, "missing": True},
                                          "5555": {"revid": 5555, "missing": True}}


def test_xml_writer_mangles_names_like_the_reference() -> None:
    from xml.dom.minidom import parseString

    from wikigate.api.output import encode_xml, xml_name

    assert [xml_name(n) for n in ("0", "a b", "", "_idx", "foo.bar", "é", ":x", "x.y z")] == [
        "_0", "_a.20.b", "_", "_idx", "foo.bar", "é", "_.3A.x", "_x.2E.y.20.z"]
    doc = encode_xml({"m": {"1": {"2 3": "x", "<": {"&": 1}}, "": [1]}})
    parseString(doc)  # well-formed
    assert doc == ('<?xml version="1.0"?><api><m><_1 _2.20.3="x"><_.3C. _.26.="1" /></_1>'
                   "<_><_v>1</_v></_></m></api>")


# -- expiry: bounded length, linear scan -----------------------------------------------------


async def test_huge_expiry_is_invalid_at_once(client: ApiClient, admin: Actor) -> None:
    import time

    # Anonymous with the anonymous token: the reference parses the expiry (and fails it)
    # before checking rights, so this reached the parser: 100 KB took minutes.
    for value in ("9" * 100_000, "1 day " * 20_000):
        started = time.monotonic()
        data = await client.jpost(action="userrights", user="Admin", add="bot", token="+\\", expiry=value)
        assert _code(data) == "invalidexpiry", data
        assert time.monotonic() - started < 1.0
    started = time.monotonic()
    data = await admin.post(action="protect", title="Foo", protections="create=sysop", expiry="1 day " * 1333)
    assert _code(data) == "invalidexpiry", data
    assert time.monotonic() - started < 1.0


async def test_expiry_token_checked_before_parsing(admin: Actor) -> None:
    # The reference answers badtoken, not invalidexpiry, for a bad token and a bad expiry.
    for params in ({"action": "protect", "title": "Foo", "protections": "edit=sysop"},
                   {"action": "userrights", "user": "Admin", "add": "bot"}):
        data = await admin.client.jpost(**params, token="+\\", expiry="9" * 100_000)
        assert _code(data) == "badtoken", data


async def test_remember_me_cookie_with_huge_user_id(app: WikigateApp) -> None:
    import httpx

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
        r = await http.get("/api.php", params={"action": "query", "meta": "userinfo", "format": "json"},
                           headers={"Cookie": "my_wikiUserID=" + "9" * 30 + "; my_wikiToken=" + "x" * 32})
    assert r.json()["query"]["userinfo"]["id"] == 0, r.text


async def test_php_array_syntax_last_assignment_wins(client: ApiClient) -> None:
    # PHP (so the reference): format=json&format[]=x makes "format" an array → jsonfm
    # with an unsupportedarray warning; format[]=x&format=json is plain json.
    r = await client.http.get("/api.php?action=query&meta=tokens&format=json&format[]=x")
    assert r.headers["content-type"].startswith("text/html")
    assert "unsupported PHP array syntax" in r.text
    r = await client.http.get("/api.php?action=query&format[]=x&format=json")
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"batchcomplete": ""}


async def test_error_text_with_huge_character_reference(admin: Actor) -> None:
    # The error message echoes the title; stripping its markup ran html.unescape, whose
    # int() raised past 4 300 digits: HTTP 500 outside the API's error handling.
    title = "&#" + "9" * 5000 + ";"
    for errorformat in ("bc", "plaintext", "html", "wikitext"):
        data = await admin.post(action="edit", title=title, undo="1", errorformat=errorformat)
        assert "error" in data or "errors" in data, data


def test_unescape_matches_the_standard_library() -> None:
    import html

    from wikigate.i18n.render import unescape

    for text in ("&#65;&amp;&lt", "&#0000000065;", "&#x0000000041", "&#99999999;", "&#x110000;", "&#1114111;",
                 "&#xD800;", "&#0;", "a&#12345678901;b"):
        assert unescape(text) == html.unescape(text), text
    assert unescape("&#" + "0" * 5000 + "65;") == "A"
    assert unescape("x&#" + "9" * 5000 + ";y") == "x\ufffdy"
    assert unescape("&#x" + "f" * 5000) == "\ufffd"


@pytest.mark.parametrize("value", ["\u00b2", "\u0661\u0662", "\u0661" * 14])
async def test_timestamp_with_other_digits_is_badtimestamp(client: ApiClient, value: str) -> None:
    data = await client.jget(action="query", list="protectedtitles", ptend=value)
    assert _code(data) == "badtimestamp", data


async def test_parameter_errors_name_the_declaring_module_and_limits_clamp(client: ApiClient) -> None:
    """ParamValidator as in MediaWiki: errors/warnings of a submodule parameter name
    query+<module>; limits out of range are clamped with the min-max text and its data;
    limit=max is reported under "limits"; namespaces are an enum (badvalue)."""
    r = await client.jget(action="query", list="allpages", aplimit="abc", errorformat="plaintext")
    assert r["errors"][0]["code"] == "badinteger" and r["errors"][0]["module"] == "query+allpages"
    r = await client.jget(action="query", list="allpages", aplimit="0", errorformat="plaintext")
    w = r["warnings"][0]
    assert w["*"] == 'The value "0" for parameter "aplimit" must be between 1 and 500.'
    assert w["data"] == {"min": 1, "curmax": 500, "max": 500, "highmax": 5000}
    r = await client.jget(action="query", list="allpages", aplimit="max")
    assert r["limits"] == {"allpages": 500}
    r = await client.jget(action="query", list="allpages", apnamespace="abc")
    assert r["error"]["code"] == "badvalue"
    r = await client.jget(action="query", list="protectedtitles", ptnamespace="0|abc", errorformat="plaintext")
    assert r["warnings"][0]["code"] == "unrecognizedvalues" and r["warnings"][0]["module"] == "query+protectedtitles"
    r = await client.jget(action="query", list="allpages", apprlevel="sysop")
    assert r["error"]["code"] == "invalidparammix"
    r = await client.jget(action="query", generator="allpages", redirects="1")
    assert r["error"]["code"] == "params"
