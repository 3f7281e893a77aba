"""The quick fuzz run (issue 16): every module and parameter from action=paraminfo,
hostile values, every format and error format, anonymous and sysop sessions, in-process.

``WIKIGATE_FUZZ_REQUESTS`` and ``WIKIGATE_FUZZ_SEED`` (a number or ``random``) change the
run; the long run is ``python -m tests.fuzz --requests 500000`` (docs/security.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from tests.fuzz import checks, engine, targets

QUICK_SEED = 20261203
QUICK_REQUESTS = 20_000


def _seed() -> int:
    raw = os.environ.get("WIKIGATE_FUZZ_SEED", "").strip()
    if raw == "random":
        return secrets.randbelow(2**32)
    return int(raw) if raw else QUICK_SEED


async def test_fuzz_in_process(tmp_path: Path) -> None:
    requests = int(os.environ.get("WIKIGATE_FUZZ_REQUESTS", QUICK_REQUESTS))
    seed = _seed()
    target, close = await targets.in_process(tmp_path)
    try:
        report = await engine.run(target, seed=seed, requests=requests)
    finally:
        await close()
    print(report.summary())
    assert report.requests == requests
    assert not report.real_failures, report.summary()


# -- the checks themselves must be able to fail -------------------------------------------------


@pytest.mark.parametrize("body", [b'a:1:{s:1:"a";s:2:"x";}', b"a:2:{i:0;N;}", b"s:1:\"ab\";", b"i:1", b"N;x",
                                  b'a:1:{d:1;N;}', b"b:2;"])
def test_php_check_rejects(body: bytes) -> None:
    with pytest.raises(checks.Malformed):
        checks.check_php(body)


def test_php_check_accepts() -> None:
    checks.check_php('a:3:{s:2:"é";s:2:"é";i:0;b:1;s:1:"x";a:1:{i:-5;d:1.5E+25;}}'.encode())


@pytest.mark.parametrize("body", ['<?xml version="1.0"?><api a="\x01"/>', '<?xml version="1.0"?><api><0 /></api>',
                                  '<?xml version="1.0"?><api>&#0;</api>', "<api>\ufffe</api>", "<api><b></api>"])
def test_xml_check_rejects(body: str) -> None:
    with pytest.raises(checks.Malformed):
        checks.check_xml(body.encode("utf-8"))


def test_fm_and_jsonp_checks() -> None:
    checks.check_fm(b'<pre class="api-pretty-content">{&quot;a&quot;: 1}</pre>', "json")
    with pytest.raises(checks.Malformed):
        checks.check_fm(b'<pre class="api-pretty-content">&lt;api&gt;&lt;0/&gt;&lt;/api&gt;</pre>', "xml")
    checks.check_json(b'/**/cb.x[0]({"a":1})', jsonp=True)
    with pytest.raises(checks.Malformed):
        checks.check_json(b'cb({"a":1})', jsonp=True)


def test_request_model_follows_php_parameter_rules() -> None:
    req = engine.FuzzRequest(0, "/api.php", "GET", "query",
                             [("action", "query"), ("format", "xml"), ("format[]", "x")], "anon")
    assert req.format() == "jsonfm"  # an array is no format: the default
    req.params.append(("format", "php"))
    assert req.format() == "php"
    req.params.append(("action[]", "x"))
    assert req.action() == "help"
