"""$wgRateLimits on page writes (User::pingLimiter): which key applies to whom, the
``ratelimited`` answers, and ``meta=userinfo&uiprop=ratelimits``. The answers for the
default configuration are compared with the reference by tests/mwdiff/ratelimit-edit.yaml;
these cover what the reference's configuration cannot show (new users, groups, settings)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.pages_support import Actor, admin_and_newbie
from tests.conftest import ApiClient, make_settings
from wikigate.app import WikigateApp
from wikigate.auth.ratelimit import effective_rate_limits


@pytest.fixture
async def wiki(tmp_path: Path) -> AsyncIterator[tuple[WikigateApp, Actor, Actor, ApiClient]]:
    """Admin (sysop), a new user (not autoconfirmed: autoconfirm_count 100) and anon."""
    limits = effective_rate_limits(make_settings(tmp_path).throttle)
    limits["edit"] = {**limits["edit"], "user": [2, 60], "sysop": [1, 60], "&can-bypass": True}
    s = make_settings(tmp_path, rights__autoconfirm_count=100, throttle__rate_limits=limits)
    async with admin_and_newbie(s, "192.0.2.9") as wiki:
        yield wiki


def _limits(answer: Any) -> Any:
    return answer["query"]["userinfo"]


async def test_userinfo_lists_the_keys_of_each_kind_of_user(
        wiki: tuple[WikigateApp, Actor, Actor, ApiClient]) -> None:
    _, admin, newbie, anon = wiki
    q = {"action": "query", "meta": "userinfo", "uiprop": "ratelimits|theoreticalratelimits"}
    nb = _limits(await newbie.get(**q))
    assert nb["ratelimits"]["edit"] == {"ip": {"hits": 8, "seconds": 60}, "newbie": {"hits": 8, "seconds": 60},
                                        "user": {"hits": 2, "seconds": 60}}
    assert list(nb["ratelimits"]["move"]) == ["user", "newbie"]  # the configuration's order
    assert nb["ratelimits"] == nb["theoreticalratelimits"]
    sysop = _limits(await admin.get(**q))
    # noratelimit: nothing applies; the theoretical limits name the group keys too.
    assert sysop["ratelimits"] == {}
    assert sysop["theoreticalratelimits"]["edit"] == {"user": {"hits": 2, "seconds": 60},
                                                      "sysop": {"hits": 1, "seconds": 60}}
    an = _limits(await anon.jget(**q))
    assert an["ratelimits"]["edit"] == {"ip": {"hits": 8, "seconds": 60}}


async def test_new_users_are_limited_by_newbie_and_ip_keys(
        wiki: tuple[WikigateApp, Actor, Actor, ApiClient]) -> None:
    app, admin, newbie, _ = wiki
    await admin.edit("RL source", "x")
    # move: newbie 2 per 120 s replaces user 8 per 60 s. Every attempt counts, even a
    # refused one (the move is checked after the limit).
    codes = [(await newbie.post(action="move", **{"from": "RL source", "to": "RL source"}))["error"]["code"]
             for _ in range(3)]
    assert codes == ["selfmove", "selfmove", "ratelimited"]
    answer = await newbie.post(action="move", **{"from": "RL source", "to": "RL source"})
    assert answer["error"]["info"] == "You've exceeded your rate limit. Please wait some time and try again."
    # edit: the ip key (8 per 60 s) is shared with anonymous users of the same address.
    results = [await newbie.post(action="edit", title=f"RL {i}", text="x") for i in range(9)]
    assert [r.get("edit", {}).get("result") for r in results[:8]] == ["Success"] * 8
    err = results[8]["error"]
    assert err["code"] == "ratelimited"
    assert err["info"].startswith("As an anti-abuse measure, you are limited from performing this action")
    kv = app.services.kv
    assert await kv.get_int("ratelimit:edit:ip:192.0.2.9") == 8  # the refused attempt gave its count back


async def test_noratelimit_exempts_unless_the_action_cannot_be_bypassed(
        wiki: tuple[WikigateApp, Actor, Actor, ApiClient]) -> None:
    app, admin, _, _ = wiki
    answers = [await admin.edit(f"S {i}", "x") for i in range(3)]
    assert [a["edit"]["result"] for a in answers] == ["Success"] * 3
    app.services.settings.throttle.rate_limits["edit"]["&can-bypass"] = False
    # Now the user key applies (2 per minute; the sysop group's 1 per minute is stricter,
    # so it does not replace it), counted from zero: exempt edits were not counted.
    assert [(await admin.edit(f"S {i}", "x")).get("edit", {}).get("result") for i in range(3, 5)] == ["Success"] * 2
    assert (await admin.edit("S 9", "x"))["error"]["code"] == "ratelimited"
