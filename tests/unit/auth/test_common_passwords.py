"""Common-password Bloom filter (same data and probing as wikimedia/common-passwords) and
random password generation."""

from __future__ import annotations

import re

import pytest

from wikigate.auth.passwords.common import is_common_password
from wikigate.auth.passwords.randompw import bot_password_secret, random_password


@pytest.mark.parametrize("password", ["password", "Passw0rd", "short1", "123456", "qwerty"])
def test_common(password: str) -> None:
    assert is_common_password(password)


@pytest.mark.parametrize(
    "password", ["x", "Xyzzy-Unique-2026", "AdminPassw0rd!2026", "PASSWORD-not-really", "", "pässwörd✓"]
)
def test_not_common(password: str) -> None:
    assert not is_common_password(password)


def test_case_sensitive() -> None:
    assert is_common_password("password")
    assert not is_common_password("pAsSwOrD-Zz9")


def test_lone_surrogate_does_not_raise() -> None:
    assert is_common_password("\ud800") in (True, False)


_BASE32 = re.compile(r"[0-9a-v]+")


def test_random_password_shape() -> None:
    for n in (0, 1, 10, 13, 20, 64):
        pw = random_password(n)
        assert len(pw) == max(10, n)
        assert _BASE32.fullmatch(pw)
    assert len(random_password()) == 10


def test_random_password_uses_whole_alphabet_and_varies() -> None:
    seen = {random_password() for _ in range(200)}
    assert len(seen) == 200
    assert set("".join(seen)) == set("0123456789abcdefghijklmnopqrstuv")


def test_bot_password_secret() -> None:
    secret = bot_password_secret()
    assert len(secret) == 32 and _BASE32.fullmatch(secret)
    assert secret != bot_password_secret()
