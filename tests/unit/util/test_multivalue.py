"""Multi-value parameters: one splitter (api/params, http/normalize and protect use it)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wikigate.util.multivalue import MULTI_SEP, join_multi, split_multi


@pytest.mark.parametrize(("raw", "values"), [
    ("", []),
    ("a", ["a"]),
    ("a|b|c", ["a", "b", "c"]),
    ("a||b", ["a", "", "b"]),
    ("|", ["", ""]),
    ("\x1fa|b\x1fc", ["a|b", "c"]),
    ("\x1f", [""]),
    ("\x1f\x1f", ["", ""]),
])
def test_split_multi(raw: str, values: list[str]) -> None:
    assert split_multi(raw) == values


def test_join_multi_uses_the_alternative_form_only_when_needed() -> None:
    assert join_multi(["a", "b"]) == "a|b"
    assert join_multi(["a|b", "c"]) == "\x1fa|b\x1fc"
    assert join_multi([""]) == MULTI_SEP
    assert join_multi([]) == ""


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters=MULTI_SEP)), max_size=6))
def test_join_then_split_round_trips(values: list[str]) -> None:
    assert split_multi(join_multi(values)) == values


def test_no_module_splits_multi_values_itself() -> None:
    from pathlib import Path

    src = Path(__file__).resolve().parents[3] / "src" / "wikigate"
    offenders = [
        p.relative_to(src).as_posix()
        for p in src.rglob("*.py")
        if p.name != "multivalue.py" and ('"\\x1f"' in (text := p.read_text(encoding="utf-8")) or "b\"\\x1f\"" in text)
    ]
    assert offenders == [], f"use wikigate.util.multivalue (MULTI_SEP, split_multi) in {offenders}"
