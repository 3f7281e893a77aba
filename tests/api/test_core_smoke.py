"""Smoke tests of the api.php core through the whole app."""

from __future__ import annotations

from tests.conftest import ApiClient


async def test_anonymous_csrf_token_is_constant(client: ApiClient) -> None:
    r = await client.get(action="query", meta="tokens")
    assert r.status_code == 200
    assert r.json() == {"batchcomplete": "", "query": {"tokens": {"csrftoken": "+\\"}}}
    assert "set-cookie" not in r.headers


async def test_login_token_persists_session(client: ApiClient) -> None:
    r = await client.get(action="query", meta="tokens", type="login")
    assert "my_wiki_session=" in r.headers["set-cookie"]
    first = r.json()["query"]["tokens"]["logintoken"]
    assert first.endswith("+\\") and len(first) > 34
    check = await client.jget(action="checktoken", type="login", token=first)
    assert check["checktoken"]["result"] == "valid"


async def test_unknown_action_is_badvalue(client: ApiClient) -> None:
    r = await client.get(action="nosuchaction")
    assert r.headers["mediawiki-api-error"] == "badvalue"
    err = r.json()["error"]
    assert err["code"] == "badvalue"
    assert err["info"] == 'Unrecognized value for parameter "action": nosuchaction.'
