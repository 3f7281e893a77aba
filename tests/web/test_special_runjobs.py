"""Special:RunJobs: the signed endpoint api-testing's runAllJobs() posts to.

The signature is checked against one computed the way the Node library computes it
(``querystring.stringify`` of the sorted parameters, HMAC-SHA1 with the secret key), so a
wrong encoding on our side would fail here, not only in the mocha suite.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import quote

import pytest
from tests.conftest import ApiClient

from wikigate.app import WikigateApp
from wikigate.web.pages.runjobs import query_signature


def node_signature(params: dict[str, str], secret: str) -> str:
    """api-testing's sig(): querystring.stringify over the sorted keys, then HMAC-SHA1."""
    qs = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in sorted(params.items()))
    return hmac.new(secret.encode(), qs.encode(), hashlib.sha1).hexdigest()


def signed(secret: str = "test-secret", **extra: str) -> dict[str, str]:
    params = {"title": "Special:RunJobs", "maxjobs": "10", "maxtime": "100", "async": "", "stats": "1",
              "tasks": "", "sigexpiry": str(int(time.time()) + 3600), **extra}
    params["signature"] = node_signature(params, secret)
    return params


def test_signature_matches_the_node_library() -> None:
    params = signed()
    params.pop("signature")
    assert query_signature(params, "test-secret") == node_signature(params, "test-secret")
    # PHP's urlencode writes a space as "+" and "~" as %7E.
    assert query_signature({"a": "x y~"}, "k") == hmac.new(b"k", b"a=x+y%7E", hashlib.sha1).hexdigest()


async def test_signed_call_reports_no_jobs_left(client: ApiClient) -> None:
    r = await client.http.post("/index.php", data=signed())
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["reached"] == "none-ready" and body["jobs"] == [] and body["backoffs"] == []
    # Without stats: MediaWiki prints "Done".
    r = await client.http.post("/index.php", data=signed(stats=""))
    assert r.text == "Done\n"
    # async (the default): accepted, run after the response.
    params = signed()
    del params["async"]
    params["signature"] = node_signature({k: v for k, v in params.items() if k != "signature"}, "test-secret")
    r = await client.http.post("/index.php", data=params)
    assert r.status_code == 202


async def test_signed_call_delivers_due_mail(app: WikigateApp, client: ApiClient) -> None:
    mailer = app.services.mailer
    await mailer.send("Someone", "someone@example.org", "Subject", "Body")
    r = await client.http.post("/index.php", data=signed())
    assert r.json()["reached"] == "none-ready"
    assert [m.recipient for m in mailer.transport.outbox] == ["someone@example.org"]


@pytest.mark.parametrize(("mutate", "status", "text"), [
    (lambda p: p.pop("signature"), 400, "Missing parameters: signature"),
    (lambda p: (p.pop("tasks"), p.pop("sigexpiry")), 400, "Missing parameters: tasks, sigexpiry"),
    (lambda p: p.update(signature="0" * 40), 400, "Invalid or stale signature provided."),
    (lambda p: p.update(maxjobs="11"), 400, "Invalid or stale signature provided."),  # tampered
])
async def test_refusals(client: ApiClient, mutate: object, status: int, text: str) -> None:
    params = signed()
    mutate(params)  # type: ignore[operator]
    r = await client.http.post("/index.php", data=params)
    assert r.status_code == status and f"<p>{text}</p>" in r.text


async def test_stale_wrong_key_and_get_are_refused(client: ApiClient) -> None:
    r = await client.http.post("/index.php", data=signed(sigexpiry=str(int(time.time()) - 5)))
    assert r.status_code == 400 and "Invalid or stale signature provided." in r.text
    r = await client.http.post("/index.php", data=signed(secret="another-secret"))
    assert r.status_code == 400
    r = await client.http.get("/index.php", params=signed())
    assert r.status_code == 400 and "Request must be POSTed." in r.text


async def test_generated_secret_is_the_key(tmp_path: object) -> None:
    """Without a configured secret_key the one generated at first start (wikigate's
    $wgSecretKey) signs, and an empty signature key never verifies."""
    from pathlib import Path

    import httpx
    from tests.conftest import make_settings

    from wikigate.app import build_services

    settings = make_settings(Path(str(tmp_path)), site__secret_key="")
    application = WikigateApp(settings, build_services(settings))
    await application.startup()
    try:
        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
            r = await http.post("/index.php", data=signed(secret=""))
            assert r.status_code == 400 and "Invalid or stale signature provided." in r.text
            generated = application.services.secret_key.decode()
            assert len(generated) >= 32
            r = await http.post("/index.php", data=signed(secret=generated))
            assert r.status_code == 200 and r.json()["reached"] == "none-ready"
    finally:
        await application.shutdown()
