"""Three-way merges (pages/merge.py) as MediaWiki's wfMerge (GNU diff3) decides them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wikigate.pages.merge import merge_texts, undo_text

BASE = "Intro\n\n== A ==\na text\n\n== B ==\nb text\n\n== C ==\nc"


def test_changes_in_different_sections_merge() -> None:
    mine = BASE.replace("a text", "a text, mine")
    yours = BASE.replace("c", "c, yours").replace("== C, yours ==", "== C ==")
    assert merge_texts(BASE, mine, yours) == BASE.replace("a text", "a text, mine").replace("\nc", "\nc, yours") + "\n"


def test_overlapping_and_adjacent_changes_conflict() -> None:
    assert merge_texts("a\nb\nc", "a\nB\nc", "a\nX\nc") is None
    assert merge_texts("a\nb\nc", "a\nB\nc", "a\nb\nC") is None  # adjacent lines: diff3 calls it overlap
    assert merge_texts("a\nb\nc\nd", "a\nB\nc\nd", "a\nb\nc\nD") == "a\nB\nc\nD\n"


def test_identical_changes_are_no_conflict() -> None:
    assert merge_texts("a\nb", "a\nX", "a\nX") == "a\nX\n"


def test_trailing_whitespace_is_ignored_and_empty_result_conflicts() -> None:
    assert merge_texts("a\n\n\n", "a", "a  \n") == "a\n"
    assert merge_texts("x", "", "") == "\n"  # one empty line is not an empty result


def test_undo() -> None:
    # api-testing's Undo.js: undo revision 2 of three, where revision 3 kept its change
    r1, r2, r3 = "Undo Page\n\nFoo", "Undo Pages\n\nFoo", "Undo Page\n\nFoo\n\nBar"
    assert undo_text(r3, r2, r1) == "Undo Page\n\nFoo\n\nBar\n"
    assert undo_text(r2, r2, r1) == r1  # the latest revision: a plain revert
    assert undo_text("Undo Pagez\n\nFoo", r2, r1) is None  # a later edit changed the same line


@st.composite
def _edited(draw: st.DrawFn, base: list[str], tag: str) -> list[str]:
    """``base`` with some lines replaced, deleted or inserted (new lines are unique too)."""
    out: list[str] = []
    for i, line in enumerate(base):
        op = draw(st.sampled_from(["keep", "keep", "keep", "replace", "delete", "insert"]))
        if op == "keep":
            out.append(line)
        elif op == "replace":
            out.append(f"{line}-{tag}{i}")
        elif op == "insert":
            out += [f"new-{tag}{i}", line]
    if draw(st.booleans()):
        out.append(f"end-{tag}")
    return out


@st.composite
def _three(draw: st.DrawFn) -> tuple[str, str, str]:
    # Lines are unique within each text, so every alignment is unambiguous: where several
    # equally short diffs exist (repeated lines), GNU diff and difflib may pick different
    # ones (docs/compatibility.md).
    base = [f"line{i}" for i in range(draw(st.integers(0, 8)))]
    return "\n".join(base), "\n".join(draw(_edited(base, "m"))), "\n".join(draw(_edited(base, "y")))


@pytest.mark.skipif(shutil.which("diff3") is None, reason="GNU diff3 not installed")
@settings(max_examples=200, deadline=None)
@given(_three())
def test_agrees_with_gnu_diff3(three: tuple[str, str, str]) -> None:
    """The decision and the text of ``wfMerge``, which runs diff3 the same way."""
    import tempfile

    texts = list(three)
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, text in zip(("old", "mine", "yours"), texts, strict=True):
            path = Path(tmp) / name
            path.write_text(text.rstrip(" \t\n\r\0\x0b") + "\n")
            paths.append(str(path))
        o, m, y = paths
        overlap = subprocess.run(["diff3", "-a", "--overlap-only", m, o, y], capture_output=True, text=True).stdout
        merged = subprocess.run(["diff3", "-a", "-e", "--merge", m, o, y], capture_output=True, text=True).stdout
    conflict = overlap != "" or (merged == "" and texts[0] != "")
    assert merge_texts(*texts) == (None if conflict else merged)
