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
