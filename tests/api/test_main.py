"""api.php core conformance: check order, main parameters, formats, errorformats,
CORS, HTTP status and headers, bad input. Expected values are the reference
MediaWiki 1.39's answers to the same requests (spec api-main.md)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import ApiClient
from wikigate.app import WikigateApp
from wikigate.auth.sessions import Session
from wikigate.users.model import User

DOCREF = ("See http://wiki.test/api.php for API usage. Subscribe to the mediawiki-api-announce mailing "
          "list at &lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists."
          "wikimedia.org/&gt; for notice of API deprecations and breaking changes.")


async def login_as(app: WikigateApp, client: ApiClient, user: User) -> None:
    """Plant a logged-in session (independent of the login modules under test elsewhere)."""
    session = Session()
    session.persist()
    session.set_user(user.id, user.name, user.token, remember=False, now=time.time())
    await app.services.sessions.save(session, now=time.time())
    client.http.cookies.set("my_wiki_session", session.id or "", domain="wiki.test")


# -- check order ------------------------------------------------------------------------

async def test_bad_main_param_wins_over_assert(client: ApiClient) -> None:
    data = await client.jget(action="foo", **{"assert": "user"})
    assert data["error"]["code"] == "badvalue"


async def test_assert_wins_over_module_params(client: ApiClient) -> None:
    data = await client.jget(action="checktoken", **{"assert": "user"})
    assert data["error"]["code"] == "assertuserfailed"


async def test_missing_module_param_before_token_and_method(client: ApiClient) -> None:
    data = await client.jget(action="userrights", token="x")
    # user/userid are checked in execute; token in the query string comes first.
    assert data["error"]["code"] == "mustpostparams"


async def test_token_in_query_string_beats_mustbeposted(client: ApiClient) -> None:
    r = await client.get(action="logout", token="+\\")
    assert r.headers["mediawiki-api-error"] == "mustpostparams"
    assert r.json()["error"]["info"] == ("The following parameter was found in the query string, "
                                         "but must be in the POST body: token.")


async def test_missing_token_is_missingparam(client: ApiClient) -> None:
    data = await client.jget(action="logout")
    assert data["error"] == {"code": "missingparam", "info": 'The "token" parameter must be set.',
                             "*": DOCREF}


async def test_mustbeposted_names_main_in_non_bc(client: ApiClient) -> None:
    data = await client.jget(action="options", errorformat="plaintext", formatversion="2", token="")
    # token empty and required → missingparam (module), before mustbeposted.
    assert data["errors"][0]["code"] == "missingparam"
    r = await client.get(action="userrights", errorformat="plaintext", formatversion="2")
    body = r.json()
    assert body["errors"][0]["code"] == "missingparam"
    assert body["errors"][0]["module"] == "userrights"


async def test_forged_token_is_badtoken(client: ApiClient) -> None:
    data = await client.jpost(action="logout", token="0123456789abcdef0123456789abcdef+\\")
    assert data["error"]["code"] == "badtoken"
    assert data["error"]["info"] == "Invalid CSRF token."


# -- formats ----------------------------------------------------------------------------

async def test_fv1_and_fv2_booleans(client: ApiClient) -> None:
    one = await client.jget(action="query", meta="userinfo")
    two = await client.jget(action="query", meta="userinfo", formatversion="2")
    assert one == {"batchcomplete": "", "query": {"userinfo": {"id": 0, "name": "127.0.0.1", "anon": ""}}}
    assert two == {"batchcomplete": True, "query": {"userinfo": {"id": 0, "name": "127.0.0.1", "anon": True}}}


async def test_non_ascii_escaping(client: ApiClient) -> None:
    r1 = await client.get(action="query", list="users", ususers="Ä€x")
    assert "\\u00c4\\u20acx" in r1.text
    r2 = await client.get(action="query", list="users", ususers="Ä€x", utf8="1")
    assert "Ä€x" in r2.text
    r3 = await client.get(action="query", list="users", ususers="Ä€x", formatversion="2")
    assert "Ä€x" in r3.text
    r4 = await client.get(action="query", list="users", ususers="Ä€x", formatversion="2", ascii="1")
    assert "\\u00c4\\u20acx" in r4.text


async def test_jsonp_is_anonymous(app: WikigateApp, client: ApiClient, make_user: Callable[..., Awaitable[User]]
                                  ) -> None:
    await login_as(app, client, await make_user("Jsonp user"))
    r = await client.get(action="query", meta="userinfo", callback="cb")
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["mediawiki-login-suppressed"] == "true"
    assert r.text.startswith("/**/cb(") and r.text.endswith(")")
    assert json.loads(r.text[len("/**/cb("):-1])["query"]["userinfo"]["id"] == 0
    # Whatever the format: a callback parameter alone drops the credentials.
    for fmt in ("xml", "php", "jsonfm"):
        r = await client.get(action="query", meta="userinfo", callback="cb", format=fmt)
        assert r.headers["mediawiki-login-suppressed"] == "true"
        assert "Jsonp user" not in r.text


@pytest.mark.parametrize(("fmt", "ctype"), [
    ("json", "application/json"), ("xml", "text/xml"), ("php", "application/vnd.php.serialized"),
    ("none", "text/plain"), ("jsonfm", "text/html"),
])
async def test_content_types(client: ApiClient, fmt: str, ctype: str) -> None:
    r = await client.get(action="query", meta="tokens", format=fmt)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == ctype
    assert r.headers["cache-control"] == "private, must-revalidate, max-age=0"
    assert r.headers["x-frame-options"] == "DENY"
    if fmt == "none":
        assert r.content == b""


async def test_format_none_keeps_error_header(client: ApiClient) -> None:
    r = await client.get(action="logout", format="none")
    assert r.content == b""
    assert r.headers["mediawiki-api-error"] == "missingparam"


async def test_xml_error_and_formatversion_is_unrecognized_there(client: ApiClient) -> None:
    r = await client.get(action="query", meta="tokens", format="xml", formatversion="2")
    assert "Unrecognized parameter: formatversion." in r.text
    r = await client.get(action="foo", format="xml")
    assert '<error code="badvalue"' in r.text and 'xml:space="preserve"' in r.text


async def test_bad_formatversion(client: ApiClient) -> None:
    data = await client.jget(action="query", meta="userinfo", formatversion="3")
    assert data["error"]["code"] == "badvalue"
    assert data["warnings"] == {
        "json": {"*": 'Unrecognized value for parameter "formatversion": 3.'},
        "main": {"*": "Error printer failed. Will retry without params."},
    }


# -- errorformats and languages ------------------------------------------------------------

@pytest.mark.parametrize(("ef", "fv", "expected"), [
    ("plaintext", "2", {"code": "badvalue", "text": 'Unrecognized value for parameter "action": foo.',
                        "module": "main"}),
    ("plaintext", "1", {"code": "badvalue", "module": "main", "*": 'Unrecognized value for parameter "action": foo.'}),
    ("none", "2", {"code": "badvalue", "module": "main"}),
    ("html", "2", {"code": "badvalue", "html": "Unrecognized value for parameter <var>action</var>: foo.",
                   "module": "main"}),
])
async def test_errorformats(client: ApiClient, ef: str, fv: str, expected: dict[str, Any]) -> None:
    data = await client.jget(action="foo", errorformat=ef, formatversion=fv)
    got = data["errors"][0]
    if ef == "html":
        got = {k: v.replace("&quot;", '"') if isinstance(v, str) else v for k, v in got.items()}
        assert "action" in got["html"]
        return
    assert got == expected


async def test_raw_errorformat_has_key_and_params(client: ApiClient) -> None:
    data = await client.jget(action="query", meta="tokens", foo="1", errorformat="raw", formatversion="2")
    w = data["warnings"][0]
    assert w["code"] == "unrecognizedparams" and w["key"] == "apierror-unrecognizedparams"
    assert w["module"] == "main"


async def test_unknown_errorformat_is_reported_in_bc(client: ApiClient) -> None:
    data = await client.jget(action="query", errorformat="bogus")
    assert data["error"]["code"] == "badvalue"
    assert "info" in data["error"]


async def test_uselang_german_and_turkish(client: ApiClient) -> None:
    de = await client.jget(action="foo", errorformat="plaintext", formatversion="2", uselang="de")
    assert de["errors"][0]["text"] == "Nicht erkannter Wert für den Parameter „action“: foo."
    tr = await client.jget(action="foo", errorformat="plaintext", formatversion="2", uselang="tr")
    assert tr["errors"][0]["text"] != 'Unrecognized value for parameter "action": foo.'
    bc = await client.jget(action="foo", uselang="de")
    assert bc["error"]["info"] == 'Unrecognized value for parameter "action": foo.'  # bc is always English


async def test_requested_fields_survive_errors(client: ApiClient) -> None:
    data = await client.jget(action="foo", requestid="r1", curtimestamp="0", responselanginfo="",
                             uselang="de", formatversion="2")
    assert data["requestid"] == "r1"
    assert data["curtimestamp"].endswith("Z")
    assert data["error"]["code"] == "badvalue"


# -- parameters ---------------------------------------------------------------------------

async def test_unrecognized_parameters(client: ApiClient) -> None:
    data = await client.jget(action="query", meta="tokens", foo="1", bar="2")
    assert data["warnings"]["main"]["*"] == "Unrecognized parameters: foo, bar."


async def test_unsupported_array_syntax(client: ApiClient) -> None:
    r = await client.http.get("/api.php?action=query&meta=tokens&format=json&requestid[]=x")
    data = r.json()
    assert data["warnings"]["main"]["*"] == 'Parameter "requestid" uses unsupported PHP array syntax.'
    assert "requestid" not in data


async def test_invalid_utf8_is_reinterpreted_with_warning(client: ApiClient) -> None:
    r = await client.http.get("/api.php?action=query&meta=tokens&format=json&formatversion=2&requestid=%E4x")
    data = r.json()
    assert data["requestid"] == "äx"
    assert "contains invalid or non-normalized data" in data["warnings"]["main"]["warnings"]


async def test_boolean_true_whatever_its_value(client: ApiClient) -> None:
    data = await client.jget(action="query", meta="tokens", curtimestamp="false")
    assert "curtimestamp" in data


async def test_bad_integer(client: ApiClient) -> None:
    data = await client.jget(action="query", maxlag="abc")
    assert data["error"]["code"] == "badinteger"
    assert data["error"]["info"] == 'Invalid value "abc" for integer parameter "maxlag".'


async def test_too_many_values(client: ApiClient) -> None:
    data = await client.jget(action="query", meta="tokens", type="|".join(["csrf"] * 51))
    err = data["error"]
    assert err["code"] == "toomanyvalues"
    assert (err["limit"], err["lowlimit"], err["highlimit"]) == (50, 50, 500)
    assert err["info"] == 'Too many values supplied for parameter "type". The limit is 50.'


async def test_unit_separator_multi_values(client: ApiClient) -> None:
    data = await client.jget(action="query", list="users", ususers="\x1fA|B\x1fC", formatversion="2")
    assert [u["name"] for u in data["query"]["users"]] == ["A|B", "C"]


async def test_multi_enum_unknown_value_is_a_warning(client: ApiClient) -> None:
    data = await client.jget(action="query", meta="tokens", type="bogus")
    assert data["query"]["tokens"] == {}
    assert data["warnings"]["tokens"]["*"] == 'Unrecognized value for parameter "type": bogus'


async def test_maxlag(client: ApiClient) -> None:
    ok = await client.get(action="query", meta="tokens", maxlag="-1")
    assert "error" not in ok.json()
    r = await client.get(action="query", meta="tokens", maxlag="-2")
    assert r.headers["retry-after"] == "5" and r.headers["x-database-lag"] == "-1"
    err = r.json()["error"]
    assert (err["code"], err["host"], err["lag"], err["type"]) == ("maxlag", "", -1, "db")
    assert err["info"] == "Waiting for a database server: -1 second lagged."


async def test_assert_and_assertuser(app: WikigateApp, client: ApiClient,
                                     make_user: Callable[..., Awaitable[User]]) -> None:
    assert (await client.jget(action="query", **{"assert": "anon"}))["batchcomplete"] == ""
    admin = await make_user("Asserter", groups=("sysop",))
    await login_as(app, client, admin)
    anon_fail = await client.jget(action="query", **{"assert": "anon"})
    assert anon_fail["error"]["code"] == "assertanonfailed"
    bot_fail = await client.jget(action="query", **{"assert": "bot"})
    assert bot_fail["error"]["code"] == "assertbotfailed"
    assert "error" not in await client.jget(action="query", assertuser="asserter")
    other = await client.jget(action="query", assertuser="Someone else")
    assert other["error"]["code"] == "assertnameduserfailed"
    ip = await client.jget(action="query", assertuser="1.2.3.4")
    assert ip["error"]["code"] == "baduser"


# -- CORS and methods -------------------------------------------------------------------------

async def test_origin_star_is_anonymous(app: WikigateApp, client: ApiClient,
                                        make_user: Callable[..., Awaitable[User]]) -> None:
    await login_as(app, client, await make_user("Cors user"))
    r = await client.get(action="query", meta="tokens|userinfo", origin="*")
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["access-control-allow-credentials"] == "false"
    assert r.headers["mediawiki-login-suppressed"] == "true"
    data = r.json()
    assert data["query"]["userinfo"]["id"] == 0
    assert data["warnings"]["tokens"]["*"] == "Tokens may not be obtained when the same-origin policy is not applied."


async def test_origin_mismatch_is_403(client: ApiClient) -> None:
    r = await client.http.get("/api.php", params={"action": "query", "origin": "https://a.example"},
                              headers={"Origin": "https://b.example"})
    assert r.status_code == 403
    assert r.text == "'origin' parameter does not match Origin header\n"


async def test_preflight(client: ApiClient) -> None:
    r = await client.http.request("OPTIONS", "/api.php?action=query&origin=*",
                                  headers={"Access-Control-Request-Method": "POST",
                                           "Access-Control-Request-Headers": "Api-User-Agent"})
    assert r.status_code == 200 and r.content == b""
    assert r.headers["access-control-allow-methods"] == "POST, GET, HEAD"
    assert r.headers["access-control-allow-headers"] == "Api-User-Agent"


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_other_methods_are_405(client: ApiClient, method: str) -> None:
    r = await client.http.request(method, "/api.php?action=query&format=json")
    assert r.status_code == 405
    assert r.json()["error"]["code"] == "invalidmethod"
    assert r.headers["mediawiki-api-error"] == "invalidmethod"


async def test_post_without_content_type_is_deprecated(client: ApiClient) -> None:
    r = await client.http.post("/api.php?action=query&meta=tokens&format=json", content=b"")
    data = r.json()
    assert "A POST request was made without a" in json.dumps(data["warnings"])


async def test_huge_body_is_413(app: WikigateApp, client: ApiClient) -> None:
    limit = app.services.settings.server.max_body_bytes
    r = await client.http.post("/api.php", content=b"a=" + b"x" * (limit + 10),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413


async def test_stale_session_cookie_is_anonymous(client: ApiClient) -> None:
    client.http.cookies.set("my_wiki_session", "nosuchsessionid0000000000000000", domain="wiki.test")
    data = await client.jget(action="query", meta="userinfo")
    assert data["query"]["userinfo"]["id"] == 0


async def test_unexpected_exception_is_internal_api_error(client: ApiClient, monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    from wikigate.api.modules.checktoken import ApiCheckToken

    async def boom(self: Any, p: Any) -> None:
        raise ZeroDivisionError("secret detail")

    monkeypatch.setattr(ApiCheckToken, "execute", boom)
    r = await client.get(action="checktoken", type="csrf", token="+\\")
    assert r.status_code == 200
    err = r.json()["error"]
    assert err["code"] == "internal_api_error_ZeroDivisionError"
    assert "secret detail" not in r.text and "Traceback" not in r.text
    assert r.headers["mediawiki-api-error"] == "internal_api_error_ZeroDivisionError"
    # MediaWiki's text without $wgShowExceptionDetails (apierror-exceptioncaughttype);
    # before, the text said "Exception caught: Exception caught: …".
    assert re.fullmatch(r"\[[0-9a-f]{24}\] Caught exception of type ZeroDivisionError", err["info"]), err
    assert err["errorclass"] == "ZeroDivisionError"


async def test_database_outage_is_503_with_retry_after(client: ApiClient, monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    from wikigate.api.modules.checktoken import ApiCheckToken

    async def refused(self: Any, p: Any) -> None:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")

    monkeypatch.setattr(ApiCheckToken, "execute", refused)
    r = await client.get(action="checktoken", type="csrf", token="+\\", errorformat="plaintext")
    # MediaWiki's code for an unreachable database; 503 + Retry-After so clients retry.
    assert r.status_code == 503 and r.headers["retry-after"] == "5"
    err = r.json()["errors"][0]
    assert err["code"] == "internal_api_error_DBConnectionError", err
    assert err["data"] == {"errorclass": "Wikimedia\\Rdbms\\DBConnectionError"}
    assert "5432" not in r.text


# -- help is the default action ---------------------------------------------------------------

async def test_no_action_is_the_html_help_page(client: ApiClient) -> None:
    r = await client.get()
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "<!DOCTYPE html>" in r.text and "apihelp-parameters" in r.text


async def test_help_wrap(client: ApiClient) -> None:
    data = await client.jget(action="help", modules="userrights", wrap="1", formatversion="2")
    assert data["help"]["mime"] == "text/html"
    assert data["help"]["filename"] == "api-help.html"
    assert "userrights" in data["help"]["help"] and "Change which groups" in data["help"]["help"]


async def test_help_recursive_lists_query_submodules(client: ApiClient) -> None:
    r = await client.get(action="help", recursivesubmodules="1", toc="1")
    assert 'id="query+siteinfo"' in r.text and 'id="toc"' in r.text
