"""meta=siteinfo and action=paraminfo: the shapes clients parse at start-up (compared
with the reference's key sets and fv1/fv2 conventions)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.conftest import ApiClient
from wikigate.users.model import User

GENERAL_KEYS = {
    "mainpage", "base", "sitename", "mainpageisdomainroot", "logo", "generator", "dbtype", "dbversion",
    "imagewhitelistenabled", "langconversion", "linkconversion", "titleconversion", "linkprefixcharset",
    "linkprefix", "linktrail", "legaltitlechars", "invalidusernamechars", "allunicodefixes",
    "fixarabicunicode", "fixmalayalamunicode", "case", "lang", "fallback", "rtl", "fallback8bitEncoding",
    "readonly", "writeapi", "maxarticlesize", "timezone", "timeoffset", "articlepath", "scriptpath",
    "script", "variantarticlepath", "server", "servername", "wikiid", "time", "misermode", "uploadsenabled",
    "maxuploadsize", "minuploadchunksize", "galleryoptions", "thumblimits", "imagelimits", "favicon",
    "centralidlookupprovider", "allcentralidlookupproviders", "interwikimagic", "magiclinks",
    "categorycollation", "nofollowlinks", "nofollownsexceptions", "nofollowdomainexceptions",
    "externallinktarget",
}


async def test_general_fv2(client: ApiClient) -> None:
    g = (await client.jget(action="query", meta="siteinfo", formatversion="2"))["query"]["general"]
    assert set(g) == GENERAL_KEYS
    assert g["generator"].startswith("MediaWiki 1.39.")
    assert (g["sitename"], g["server"], g["articlepath"], g["script"]) == (
        "RefWiki", "http://wiki.test", "/index.php/$1", "/index.php")
    assert g["base"] == "http://wiki.test/index.php/Main_Page"
    assert g["thumblimits"] == {"0": 120, "1": 150, "2": 180, "3": 200, "4": 250, "5": 300}
    assert g["readonly"] is False and g["writeapi"] is True and g["variantarticlepath"] is False


async def test_general_fv1_booleans(client: ApiClient) -> None:
    g = (await client.jget(action="query", meta="siteinfo"))["query"]["general"]
    assert g["writeapi"] == "" and "readonly" not in g and "rtl" not in g
    assert g["variantarticlepath"] is False  # printed as a real false even in fv1
    assert g["magiclinks"] == [] and g["thumblimits"] == [120, 150, 180, 200, 250, 300]


async def test_other_props(client: ApiClient, make_user: Callable[..., Awaitable[User]]) -> None:
    await make_user("Sysop one", groups=("sysop",))
    q = (await client.jget(action="query", meta="siteinfo", formatversion="2", sinumberingroup="1",
                           siprop="namespaces|namespacealiases|usergroups|restrictions|statistics|dbrepllag"
                                  "|languages|magicwords|interwikimap|rightsinfo|languagevariants"))["query"]
    assert q["namespaces"]["4"]["name"] == "RefWiki"
    assert q["namespacealiases"] == [{"id": 6, "alias": "Image"}, {"id": 7, "alias": "Image talk"}]
    groups = {g["name"]: g for g in q["usergroups"]}
    assert groups["sysop"]["number"] == 1 and groups["user"]["number"] == 1 and "number" not in groups["*"]
    assert "add" not in groups["bureaucrat"]
    assert q["restrictions"] == {"types": ["create", "edit", "move", "upload"],
                                 "levels": ["", "autoconfirmed", "sysop"],
                                 "cascadinglevels": ["sysop"], "semiprotectedlevels": ["autoconfirmed"]}
    assert q["statistics"]["users"] == 1 and q["statistics"]["admins"] == 1
    assert q["dbrepllag"] == [{"host": "", "lag": -1}]
    assert {"code": "de", "bcp47": "de", "name": "Deutsch"} in q["languages"]
    assert q["magicwords"] == [] and q["interwikimap"] == [] and q["languagevariants"] == {}
    assert q["rightsinfo"] == {"url": "", "text": ""}
    fv1 = (await client.jget(action="query", meta="siteinfo", siprop="languages|languagevariants"))["query"]
    assert {"code": "en", "bcp47": "en", "*": "English"} in fv1["languages"]
    assert fv1["languagevariants"] == []


async def test_siteinfo_xml(client: ApiClient) -> None:
    r = await client.get(action="query", meta="siteinfo", siprop="namespaces|restrictions", format="xml")
    assert '<ns _idx="-2" id="-2"' in r.text
    assert "<levels><level /><level>autoconfirmed</level>" in r.text


async def test_paraminfo_main_query_tokens(client: ApiClient) -> None:
    data = await client.jget(action="paraminfo", modules="main|query|query+tokens|userrights", formatversion="2")
    mods = {m["path"]: m for m in data["paraminfo"]["modules"]}
    main = mods["main"]
    action = main["parameters"][0]
    assert action["name"] == "action" and action["default"] == "help"
    assert action["submodules"]["userrights"] == "userrights"
    assert main["parameters"][1]["submodules"]["json"] == "json"
    query = {p["name"]: p for p in mods["query"]["parameters"]}
    assert query["meta"]["submodules"]["siteinfo"] == "query+siteinfo"
    assert query["generator"]["submoduleparamprefix"] == "g"
    assert set(query["generator"]["type"]) <= set(query["prop"]["type"]) | set(query["list"]["type"])
    tok = mods["query+tokens"]
    assert tok["group"] == "meta"
    assert tok["parameters"][0] == {
        "index": 1, "name": "type", "type": ["createaccount", "csrf", "login", "patrol", "rollback", "userrights",
                                             "watch"],
        "required": False, "default": "csrf", "multi": True, "lowlimit": 50, "highlimit": 500, "limit": 50,
        "allspecifier": "*"}
    ur = {p["name"]: p for p in mods["userrights"]["parameters"]}
    assert mods["userrights"]["mustbeposted"] is True and mods["userrights"]["writerights"] is True
    assert ur["token"] == {"index": 7, "name": "token", "type": "string", "required": True, "sensitive": True,
                           "multi": False, "tokentype": "userrights"}
    assert ur["user"]["subtypes"] == ["name", "id"] and ur["userid"]["deprecated"] is True
    assert ur["expiry"]["allowsduplicates"] is True and ur["expiry"]["default"] == "infinite"
    assert ur["tags"]["type"] == []


async def test_paraminfo_fv1_and_patterns(client: ApiClient) -> None:
    data = await client.jget(action="paraminfo", modules="query+tokens|foo|query+*")
    info = data["paraminfo"]
    first = info["modules"][0]["parameters"][0]
    assert first["multi"] == "" and "required" not in first
    assert data["warnings"]["paraminfo"]["*"] == 'The module "main" does not have a submodule "foo".'
    paths = [m["path"] for m in info["modules"]]
    assert "query+siteinfo" in paths and "query+users" in paths


async def test_paraminfo_helpformat_and_deprecated(client: ApiClient) -> None:
    data = await client.jget(action="paraminfo", modules="query+tokens", helpformat="wikitext", formatversion="2")
    assert data["paraminfo"]["modules"][0]["description"] == "Get tokens for actions that change data."
    raw = await client.jget(action="paraminfo", modules="help", helpformat="raw", formatversion="2")
    assert raw["paraminfo"]["modules"][0]["description"][0] == {"key": "apihelp-help-summary",
                                                                 "params": ["", "help", "help"]}
    fm = await client.jget(action="paraminfo", formatmodules="json", formatversion="2")
    assert fm["paraminfo"]["formatmodules"][0]["parameters"][3]["name"] == "formatversion"
    assert fm["warnings"]["paraminfo"]["warnings"] == 'The parameter "formatmodules" has been deprecated.'
