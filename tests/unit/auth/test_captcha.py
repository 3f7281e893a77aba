"""Captcha kinds and the captcha store (wikigate.auth.providers.captcha)."""

from __future__ import annotations

import asyncio
from typing import Any

from wikigate.auth.providers.captcha import (
    ArithmeticCaptcha,
    CaptchaService,
    NullCaptcha,
    QuestionCaptcha,
    ascii_lower,
)
from wikigate.auth.sessions import Session
from wikigate.config import CaptchaSettings
from wikigate.storage.kv import MemoryKeyValueStore


def test_question_answers_compare_like_php_strtolower() -> None:
    q = QuestionCaptcha({"Name?": "RefWiki", "Colour?": ["red", "Rot"]})
    assert q.matches("refwiki", {"answer": ["RefWiki"]})
    assert q.matches("REFWIKI", {"answer": ["RefWiki"]})
    assert q.matches("rot", {"answer": ["red", "Rot"]})
    assert not q.matches("refwiki ", {"answer": ["RefWiki"]})  # no trimming in ConfirmEdit
    # Only A-Z fold: "Ä" and "ä" differ, as in PHP 8's strtolower.
    assert ascii_lower("ÄB") == "Äb"
    assert not q.matches("ä", {"answer": ["Ä"]})
    data = q.generate()
    assert data["question"] in ("Name?", "Colour?")
    assert q.info(data) == data["question"]


def test_arithmetic_compares_like_php_loose_equality() -> None:
    a = ArithmeticCaptcha()
    data = {"question": "74+9", "answer": 83}
    assert a.info(data) == "74+9 ="
    for good in ("83", " 83", "83 ", "083", "83.0", "8.3e1", "+83"):
        assert a.matches(good, data), good
    for bad in ("84", "0x53", "83a", "", "eighty-three", "8 3"):
        assert not a.matches(bad, data), bad
    for _ in range(50):
        d = a.generate()
        q = d["question"]
        x, op, y = (q.partition("+") if "+" in q else q.partition("\u2212"))
        assert d["answer"] == (int(x) + int(y) if op == "+" else int(x) - int(y))
        assert 0 <= int(x) <= 100 and 0 <= int(y) <= 10


def _service(now: list[float], kv: MemoryKeyValueStore | None = None,
             **overrides: Any) -> tuple[CaptchaService, MemoryKeyValueStore]:
    kv = kv or MemoryKeyValueStore(lambda: now[0])
    settings = CaptchaSettings(kind="question", questions={"Name?": "refwiki"}, expiry_seconds=60, **overrides)
    return CaptchaService(settings, kv, QuestionCaptcha(settings.questions)), kv


async def test_captcha_single_use_session_bound_and_expiring() -> None:
    now = [1000.0]
    svc, _ = _service(now)
    s1, s2 = Session(), Session()
    req = await svc.create_request(s1)
    assert s1.id is not None and req.captchaId.isdigit()
    assert req.info == "Name?" and req.metadata() == {"type": "question", "mime": "text/html"}
    # Another session cannot use it, and trying does not consume it.
    s2.persist()
    assert not await svc.check(s2, req.captchaId, "refwiki")
    assert await svc.check(s1, req.captchaId, "refwiki")
    assert not await svc.check(s1, req.captchaId, "refwiki")  # used
    # A wrong answer consumes the captcha too.
    req = await svc.create_request(s1)
    assert not await svc.check(s1, req.captchaId, "wrong")
    assert not await svc.check(s1, req.captchaId, "refwiki")
    # Expired.
    req = await svc.create_request(s1)
    now[0] += 61
    assert not await svc.check(s1, req.captchaId, "refwiki")
    # Malformed ids.
    assert not await svc.check(s1, "", "refwiki")
    assert not await svc.check(s1, "9" * 100, "refwiki")


async def test_concurrent_checks_of_one_captcha_pass_once() -> None:
    svc, _ = _service([1000.0])
    s = Session()
    req = await svc.create_request(s)
    results = await asyncio.gather(*(svc.check(s, req.captchaId, "refwiki") for _ in range(5)))
    assert results.count(True) == 1


async def test_bad_login_counters() -> None:
    now = [1000.0]
    svc, kv = _service(now, bad_login_per_user_attempts=2)
    assert not await svc.bad_login_triggered("10.0.0.1")
    for _ in range(3):
        await svc.increase_bad_login("10.0.0.1", "Some user")
    assert await svc.bad_login_triggered("10.0.0.1")
    assert not await svc.bad_login_triggered("10.0.0.2")
    # Spelling variants share the per-user counter.
    assert await svc.bad_login_per_user_triggered("some_user")
    await svc.reset_bad_login("Some user")
    assert not await svc.bad_login_per_user_triggered("Some user")
    now[0] += 301  # the IP window ends
    assert not await svc.bad_login_triggered("10.0.0.1")
    svc, _ = _service(now, kv, bad_login_per_user_attempts=2, triggers=["createaccount"])
    await svc.increase_bad_login("10.0.0.3", "X")
    await svc.increase_bad_login("10.0.0.3", "X")
    await svc.increase_bad_login("10.0.0.3", "X")
    assert not await svc.bad_login_triggered("10.0.0.3")


async def test_null_captcha_never_asks() -> None:
    n = NullCaptcha()
    assert not n.enabled and not n.trigger_on("createaccount") and n.can_skip([])
    assert not await n.bad_login_triggered("1.2.3.4")
    await n.increase_bad_login("1.2.3.4", "X")
    assert not await n.bad_login_triggered("1.2.3.4")


async def test_badcaptcha_limit_counts_wrong_answers_per_ip() -> None:
    now = [1000.0]
    svc, _ = _service(now)
    s = Session()
    s.persist()
    for _ in range(20):  # unknown ids are not even loaded by ConfirmEdit: they do not count
        assert not await svc.check(s, "12345", "refwiki", "10.0.0.1")
    for _ in range(15):
        req = await svc.create_request(s)
        assert not await svc.check(s, req.captchaId, "wrong", "10.0.0.1")
    req = await svc.create_request(s)
    assert not await svc.check(s, req.captchaId, "refwiki", "10.0.0.1")  # over the limit
    assert await svc.check(s, req.captchaId, "refwiki", "10.0.0.2")  # not consumed; other IP fine
    now[0] += 61
    req = await svc.create_request(s)
    assert await svc.check(s, req.captchaId, "refwiki", "10.0.0.1")
