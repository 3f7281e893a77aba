"""Token wire format and validation (sessions-tokens.md §4)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from wikigate.auth.tokens import ANON_TOKEN, check_token, make_token, token_timestamp

SECRET = "0123456789abcdef0123456789abcdef"


def test_shape_matches_mediawiki() -> None:
    tok = make_token(SECRET, "", 1795315013)
    assert re.fullmatch(r"[0-9a-f]{32}6b025545\+\\", tok)
    assert token_timestamp(tok) == 1795315013


def test_valid_wrong_salt_wrong_secret_and_age() -> None:
    tok = make_token(SECRET, "", 1000)
    assert check_token(SECRET, "", tok, now=2000)
    assert not check_token(SECRET, "watch", tok, now=2000)
    assert not check_token("f" * 32, "", tok, now=2000)
    assert not check_token(None, "", tok, now=2000)
    assert check_token(SECRET, "", tok, now=2000, max_age=1000)
    assert not check_token(SECRET, "", tok, now=2000, max_age=999)


def test_garbage_and_anonymous_token() -> None:
    assert not check_token(SECRET, "", ANON_TOKEN, now=0)
    assert token_timestamp(ANON_TOKEN) is None
    assert token_timestamp("0" * 32 + "5f000000+\\") == 0x5F000000


@given(st.text(max_size=80))
def test_random_strings_never_validate_or_raise(s: str) -> None:
    assert not check_token(SECRET, "", s, now=10**9)
