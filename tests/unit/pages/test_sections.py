"""Sections (pages/edit_rules.py): replace and remove as MediaWiki 1.39 saved them."""

from __future__ import annotations

import pytest

from wikigate.pages.edit_rules import get_section, replace_section

BASE = "Intro\n\n== A ==\na text\n\n== B ==\nb text\n=== B1 ===\nb1\n\n== C ==\nc"


@pytest.mark.parametrize(("number", "new", "expected"), [
    (2, "", "Intro\n\n== A ==\na text\n\n== C ==\nc"),
    (1, "", "Intro\n\n== B ==\nb text\n=== B1 ===\nb1\n\n== C ==\nc"),
    (3, "", "Intro\n\n== A ==\na text\n\n== B ==\nb text\n== C ==\nc"),
    (4, "", "Intro\n\n== A ==\na text\n\n== B ==\nb text\n=== B1 ===\nb1"),
    (0, "", "== A ==\na text\n\n== B ==\nb text\n=== B1 ===\nb1\n\n== C ==\nc"),
    (2, "== B2 ==\nnew\n\n\n", "Intro\n\n== A ==\na text\n\n== B2 ==\nnew\n\n== C ==\nc"),
    (1, "x", "Intro\n\nx\n\n== B ==\nb text\n=== B1 ===\nb1\n\n== C ==\nc"),
    (4, "== C ==\nc2\n\n", "Intro\n\n== A ==\na text\n\n== B ==\nb text\n=== B1 ===\nb1\n\n== C ==\nc2"),
])
def test_replace_and_remove(number: int, new: str, expected: str) -> None:
    assert replace_section(BASE, number, new) == expected


def test_get_section() -> None:
    assert get_section(BASE, 0) == "Intro"
    assert get_section(BASE, 2) == "== B ==\nb text\n=== B1 ===\nb1"
    assert get_section(BASE, 3) == "=== B1 ===\nb1"
    assert get_section(BASE, 5) is None
    assert replace_section(BASE, 5, "x") is None
