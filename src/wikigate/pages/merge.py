"""Three-way merges of wikitext: edit conflicts and undo.

MediaWiki merges with GNU diff3 (``wfMerge``): the three texts are right-trimmed and end
with one newline, a merge with any overlapping change — two different changes to the
same or to adjacent lines — is a conflict, and a change made identically on both sides
is no conflict. The ``merge3`` library (Python's port of bzr's merge) draws its regions
the same way (changes without an unchanged line between them form one conflict region),
so the answers match diff3's. Where a text repeats lines, several equally short diffs
can exist; GNU diff and difflib may then align them differently (a documented difference).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from typing import Any, cast

from merge3 import Merge3

from wikigate.pages.pst import php_rtrim


class _Matcher(difflib.SequenceMatcher[str]):
    def __init__(self, isjunk: Callable[[str], bool] | None = None, a: Sequence[str] = "",
                 b: Sequence[str] = "", autojunk: bool = False) -> None:
        super().__init__(isjunk, a, b, autojunk=False)  # never: see merge_texts


def _lines(text: str) -> list[str]:
    """diff3's view of a text: ``\\n``-terminated lines of the right-trimmed text."""
    return [line + "\n" for line in php_rtrim(text).split("\n")]


def merge_texts(old: str, mine: str, yours: str) -> str | None:
    """``wfMerge(old, mine, yours)``: the merged text, or None on a conflict."""
    base, a, b = _lines(old), _lines(mine), _lines(yours)
    out: list[str] = []
    # No "autojunk": difflib would otherwise ignore lines frequent in a long text (blank
    # lines of a long page) when it aligns them.
    # (difflib's typeshed stubs type get_matching_blocks as list[Match], merge3's protocol as
    # list[tuple[int, int, int]]: the same values, a NamedTuple.)
    merger = Merge3(base, a, b, sequence_matcher=cast(Any, _Matcher))
    for region in merger.merge_regions():
        kind = region[0]
        if kind == "conflict":
            return None
        if kind == "unchanged":
            out.extend(base[region[1]:region[2]])
        elif kind in ("a", "same"):
            out.extend(a[region[1]:region[2]])
        elif kind == "b":
            out.extend(b[region[1]:region[2]])
    result = "".join(out)
    if result == "" and old != "":  # what wfMerge treats as a failed merge
        return None
    return result


def undo_text(current: str, undone: str, undo_after: str) -> str | None:
    """``ContentHandler::getUndoContent``: the text after undoing the change from
    ``undo_after`` to ``undone`` on a page whose latest text is ``current``; None when
    later edits conflict with it (``undofailure``)."""
    if current == undone:
        return undo_after
    return merge_texts(undone, undo_after, current)
