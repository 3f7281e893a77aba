"""The request edge through the whole app: hostile characters never reach the output,
internal errors do not leak details, refused bodies get a clear API error.

Expected texts are the reference MediaWiki 1.39's (measured on it): input is cleaned once
(U+FFFD for invalid UTF-8, C0 controls, U+FFFE/U+FFFF; NFC) with a ``badutf8`` warning."""

from __future__ import annotations

import json
import random
import re
import xml.parsers.expat
from typing import Any
from urllib.parse import quote_from_bytes

import pytest

from tests.conftest import ApiClient
from wikigate.api.main import ApiMain
from wikigate.app import WikigateApp

F = "\ufffd"
BADUTF8 = ("The value passed for \"requestid\" contains invalid or non-normalized data. Textual data should "
           "be valid, NFC-normalized Unicode without C0 control characters other than HT (\\t), LF (\\n), "
           "and CR (\\r).")
#: Characters XML 1.0 forbids (what must never appear in any output).
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
HOSTILE = [b"\x00", b"\x01", b"\x08", b"\x0b", b"\x1b", b"\x1f", b"\x7f", b"\xef\xbf\xbe", b"\xef\xbf\xbf",
           b"\xed\xa0\x80", b"\xff", b"\xc0\x80", b"\xe2\x82", b"e\xcc\x81", b"<", b"&", b"\"", b"]]>", b"|",
           b"\xf4\x90\x80\x80", b"a", b" "]


def _qs(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"&".join(quote_from_bytes(n).encode() + b"=" + quote_from_bytes(v).encode() for n, v in pairs)


def _multipart(pairs: list[tuple[bytes, bytes]]) -> bytes:
    out = b"".join(b"--B0und\r\nContent-Disposition: form-data; name=\"" + n.replace(b"\"", b"") + b"\"\r\n\r\n"
                   + v + b"\r\n" for n, v in pairs)
    return out + b"--B0und--\r\n"


async def _send(client: ApiClient, pairs: list[tuple[bytes, bytes]], how: str) -> Any:
    if how == "get":
        return await client.http.get("/api.php?" + _qs(pairs).decode())
    if how == "form":
        return await client.http.post("/api.php", content=_qs(pairs),
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    return await client.http.post("/api.php", content=_multipart(pairs),
                                  headers={"Content-Type": "multipart/form-data; boundary=B0und"})


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [str(k), *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


async def test_requestid_is_cleaned_with_a_badutf8_warning(client: ApiClient) -> None:
    r = await client.http.get("/api.php?action=query&format=json&requestid=a%00b%01c%EF%BF%BEd")
    assert r.json() == {"batchcomplete": "", "warnings": {"main": {"*": BADUTF8}}, "requestid": f"a{F}b{F}c{F}d"}
    r = await client.http.get("/api.php?action=query&format=json&requestid=a%FFb")  # query: windows-1252
    assert r.json()["requestid"] == "a\u00ffb"
    r = await client.http.post("/api.php", content=b"action=query&format=json&requestid=a%FFb%00",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.json() == {"batchcomplete": "", "warnings": {"main": {"*": BADUTF8}}, "requestid": f"a{F}b{F}"}
    r = await client.http.get("/api.php?action=query&format=xml&requestid=a%00b&foo%01x=1")
    assert 'requestid="a\ufffdb"' in r.text
    assert "\nUnrecognized parameter: foo\ufffdx.</main>" in r.text
    xml.parsers.expat.ParserCreate().Parse(r.content, True)


async def test_hostile_characters_never_reach_any_output(app: WikigateApp, client: ApiClient) -> None:
    """Every module, hostile bytes in the request id, a module parameter, an unknown
    parameter's name and an enum (error texts echo it); query string, urlencoded and
    multipart; xml parsed by a real parser, json checked for forbidden characters."""
    rng = random.Random(16)
    actions = sorted(app.api.registry.actions)
    assert len(actions) >= 15
    info = (await client.jget(action="paraminfo", modules="|".join(actions)))["paraminfo"]["modules"]
    names = {m["name"]: [p["name"] for p in m["parameters"]] for m in info}
    checked = 0
    for action in actions:
        params = [m.get("prefix", "") + p for m in info if m["name"] == action for p in names[action]] or ["x"]
        for i in range(12):
            def hostile() -> bytes:
                return b"".join(rng.choice(HOSTILE) for _ in range(rng.randint(1, 6)))
            fmt = (b"xml", b"json", b"xmlfm")[i % 3]
            pairs = [(b"action", action.encode()), (b"format", fmt),
                     (b"errorformat", rng.choice([b"bc", b"plaintext", b"wikitext", b"html", b"raw"])),
                     (b"requestid", hostile()), (rng.choice(params).encode(), hostile()),
                     (b"x" + hostile(), b"1"), (b"formatversion", rng.choice([b"1", b"2"]))]
            if i % 4 == 0:
                pairs.append((b"uselang", hostile()))
            r = await _send(client, pairs, ("get", "form", "multipart")[i % 3])
            assert r.status_code < 500, (action, pairs)
            assert "internal_api_error" not in r.headers.get("MediaWiki-API-Error", ""), (action, pairs, r.text)
            text = r.content.decode("utf-8")
            if r.headers["content-type"].startswith("application/json"):
                # (U+001F survives at the start of a value: the multi-value separator.)
                bad = [s for s in _strings(json.loads(text)) if FORBIDDEN.search(s.replace("\x1f", ""))]
                assert not bad, (action, bad)
            else:
                assert not FORBIDDEN.search(text), (action, pairs, text)
                if fmt == b"xml" and r.headers["content-type"].startswith("text/xml"):
                    xml.parsers.expat.ParserCreate().Parse(r.content, True)
                    checked += 1
    assert checked >= len(actions) * 3


async def test_internal_errors_name_the_class_only(app: WikigateApp, client: ApiClient,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    def broken(self: ApiMain, ctx: Any, p: Any) -> None:
        raise RuntimeError("SELECT secret FROM /srv/private")

    monkeypatch.setattr(ApiMain, "_check_asserts", broken)
    data = await client.jget(action="query", meta="siteinfo")
    err = data["error"]
    assert err["code"] == "internal_api_error_RuntimeError"
    assert err["errorclass"] == "RuntimeError"
    m = re.fullmatch(r"\[([0-9a-f]{24})\] Caught exception of type RuntimeError", err["info"])
    assert m, err["info"]
    assert "secret" not in json.dumps(data)
    # The details are in the server log under the same request id.
    assert any(m.group(1) in rec.getMessage() and "SELECT secret" in rec.getMessage() for rec in caplog.records)
    data = await client.jget(action="query", meta="siteinfo", errorformat="plaintext", formatversion="2")
    assert data["errors"][0]["text"].endswith("] Caught exception of type RuntimeError")
    assert data["errors"][0]["data"] == {"errorclass": "RuntimeError"}


async def test_refused_bodies_get_an_api_error(client: ApiClient) -> None:
    body = "&".join(f"x{i}=1" for i in range(1001)) + "&action=query&format=json"
    r = await client.http.post("/api.php", content=body.encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert r.headers["MediaWiki-API-Error"] == "toomanyparams"
    assert r.json() == {"error": {"code": "toomanyparams", "info": "The request has more than 1000 parameters; "
                                                                   "this server accepts at most 1000."}}
    ok = "&".join(f"x{i}=1" for i in range(990)) + "&action=query&format=json"
    r = await client.http.post("/api.php", content=ok.encode(),
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    data = r.json()
    assert r.status_code == 200 and data["warnings"]["main"]["*"].startswith("Unrecognized parameters: x0, x1,")
    r = await client.http.post("/api.php", content=b"--B\r\nbroken", headers={"Content-Type": "multipart/form-data"})
    assert (r.status_code, r.headers["MediaWiki-API-Error"]) == (400, "badmultipart")


async def test_parameter_names_are_mangled_as_php_does(client: ApiClient) -> None:
    # Reference: {"warnings":{"main":{"*":"Unrecognized parameters: fo_o, b_ar, lead, a_b, meta_x."}}, …}
    r = await client.http.get("/api.php?action=query&format=json&fo.o=1&b%20ar=2&%20lead=3&a%5Bb=4&meta.x=1")
    assert r.json()["warnings"]["main"]["*"] == "Unrecognized parameters: fo_o, b_ar, lead, a_b, meta_x."
