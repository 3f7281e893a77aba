"""Multi-value parameters as MediaWiki sends and reads them (ParamValidator).

Values are separated by ``|``; a value that itself contains ``|`` is sent in the
alternative form: the whole string starts with U+001F, which then separates the values.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The alternative separator (the string begins with it when it is used).
MULTI_SEP = "\x1f"


def split_multi(value: str) -> list[str]:
    """The values of a multi-value parameter (``""`` is none, ``"\\x1f"`` is one empty value)."""
    if value.startswith(MULTI_SEP):
        return value[1:].split(MULTI_SEP)
    if value == "":
        return []
    return value.split("|")


def join_multi(values: Iterable[str]) -> str:
    """The inverse of :func:`split_multi`: ``|``-joined, or the U+001F form when a value
    contains ``|`` (or the list is a single empty value, which ``|`` cannot express)."""
    items = list(values)
    if any("|" in v for v in items) or items == [""]:
        return MULTI_SEP + MULTI_SEP.join(items)
    return "|".join(items)
