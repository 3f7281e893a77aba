"""Integers from client input, bounded the way PHP (and so MediaWiki) bounds them.

Python's ``int()`` accepts any length (or raises ``ValueError`` past 4 300 digits),
Unicode digits (``int("١")`` is 1, ``"²".isdigit()`` is true but ``int("²")`` fails) and
surrounding whitespace; databases then overflow on values past 64 bits. Every integer that
comes from a request goes through :func:`parse_int64`, which accepts only ASCII digits with
an optional sign and only values that fit a signed 64-bit column.
"""

from __future__ import annotations

import re

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# fullmatch, not "$": "$" would also match before a trailing newline (PHP's /D does not).
_INT_RE = re.compile(r"[+-]?[0-9]+")
_UINT_RE = re.compile(r"[0-9]+")


def is_int_string(value: str, *, signed: bool = True) -> bool:
    """True if ``value`` is ASCII digits, with an optional sign when ``signed``."""
    return (_INT_RE if signed else _UINT_RE).fullmatch(value) is not None


def parse_int64(value: str, *, signed: bool = True) -> int | None:
    """The integer ``value`` spells, or None if it is not an integer or does not fit 64 bits.

    The length is checked before conversion, so a 100 KB digit string costs nothing.
    """
    if not is_int_string(value, signed=signed):
        return None
    digits = value.lstrip("+-").lstrip("0")
    if len(digits) > 19:
        return None
    n = int(value)
    if n < INT64_MIN or n > INT64_MAX:
        return None
    return n
