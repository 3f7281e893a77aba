"""The parsed-time record the rule actions fill, and the word tables they read."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from wikigate.util.expiry.rules import _ABBR, _zone_ids

# --- parsed-time record and rule actions ----------------------------------------------------------

_SPECIAL_WEEKDAY, _SPECIAL_DOW_IN_MONTH, _SPECIAL_LAST_DOW_IN_MONTH = 1, 2, 3
_WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
_RELUNITS: dict[str, tuple[str, int]] = {}
for _names, _unit, _mult in (
    ("sec secs second seconds", "s", 1), ("min mins minute minutes", "i", 1), ("hour hours", "h", 1),
    ("day days", "d", 1), ("week weeks", "d", 7),
    ("fortnight fortnights forthnight forthnights", "d", 14), ("month months", "m", 1),
    ("year years", "y", 1), ("ms msec msecs millisecond milliseconds", "us", 1000),
    ("\xc2\xb5s usec usecs \xc2\xb5sec \xc2\xb5secs microsecond microseconds", "us", 1),
    ("weekday weekdays", "special", _SPECIAL_WEEKDAY),
):
    _RELUNITS.update({n: (_unit, _mult) for n in _names.split()})
for _n, _day in enumerate(_WEEKDAYS):
    _RELUNITS.update({k: ("wd", _n) for k in (_day, _day + "s", _day[:3])})
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
_MONTH_NAMES = "january february march april may june july august september october november december"
_ROMAN = "i ii iii iv v vi vii viii ix x xi xii"
_RELTEXT = {w: (n + 1, 0) for n, w in enumerate(_ORDINALS.split(" "))}
_RELTEXT.update({"eight": (8, 0), "next": (1, 0), "last": (-1, 0), "previous": (-1, 0), "this": (0, 1)})
_MONTHS = {m: n + 1 for n, m in enumerate(_MONTH_NAMES.split(" "))}
_MONTHS.update({m[:3]: n for m, n in list(_MONTHS.items())})
_MONTHS.update({"sept": 9} | {r: n + 1 for n, r in enumerate(_ROMAN.split(" "))})


def _lower(word: str) -> str:
    """ASCII-only lower-casing, like timelib_strcasecmp (the text is latin-1 decoded UTF-8)."""
    return word.encode("latin-1").lower().decode("latin-1")


class _Abort(Exception):
    """Ends the current rule action early (timelib's ``return TIMELIB_ERROR``)."""


@dataclass
class _Time:
    y: int | None = None
    m: int | None = None
    d: int | None = None
    h: int | None = None
    i: int | None = None
    s: int | None = None
    us: int | None = None
    z: int | None = None
    zone_id: str | None = None
    have_time: int = 0
    have_date: int = 0
    have_zone: int = 0
    have_relative: bool = False
    errors: int = 0
    ry: int = 0
    rm: int = 0
    rd: int = 0
    rh: int = 0
    ri: int = 0
    rs: int = 0
    rus: int = 0
    weekday: int = 0
    weekday_behavior: int = 0
    have_weekday: bool = False
    special_type: int = 0
    special_amount: int = 0
    have_special: bool = False
    first_last: int = 0

    def error(self) -> _Abort:
        self.errors += 1
        return _Abort()

    def set_have_time(self) -> None:
        if self.have_time:
            raise self.error()  # "Double time specification"
        self.have_time, self.h, self.i, self.s, self.us = 1, 0, 0, 0, 0

    def unhave_time(self) -> None:
        self.have_time, self.h, self.i, self.s, self.us = 0, 0, 0, 0, 0

    def set_have_date(self) -> None:
        if self.have_date:
            raise self.error()  # "Double date specification"
        self.have_date = 1

    def set_have_tz(self) -> None:
        self.have_zone += 1
        if self.have_zone > 1:
            if self.have_zone > 2:
                self.errors += 1  # the second zone is only a warning, later ones are errors
            raise _Abort()


class _Cur:
    """Cursor over one token's text with timelib's number/word readers."""

    def __init__(self, text: str, t: _Time) -> None:
        self.s, self.p, self.t = text + "\x00", 0, t

    def ch(self, k: int = 0) -> str:
        return self.s[self.p + k] if self.p + k < len(self.s) else "\x00"

    def nr_ex(self, max_len: int) -> tuple[int | None, int]:
        while not "0" <= self.ch() <= "9":
            if self.ch() == "\x00":
                return None, 0
            self.p += 1
        start = self.p
        while "0" <= self.ch() <= "9" and self.p - start < max_len:
            self.p += 1
        return int(self.s[start : self.p]), self.p - start

    def nr(self, max_len: int) -> int | None:
        return self.nr_ex(max_len)[0]

    def signed(self, max_len: int) -> int:
        while not ("0" <= self.ch() <= "9" or self.ch() in "+-"):
            if self.ch() == "\x00":
                raise self.t.error()
            self.p += 1
        sign = 1
        while self.ch() in "+-":
            sign = -sign if self.ch() == "-" else sign
            self.p += 1
        value = self.nr(max_len)
        if value is None:
            raise self.t.error()
        return sign * value

    def frac(self) -> int:
        while self.ch() not in ".:" and not "0" <= self.ch() <= "9":
            if self.ch() == "\x00":
                return 0
            self.p += 1
        start = self.p
        while self.ch() in ".:" or "0" <= self.ch() <= "9":
            self.p += 1
        digits = self.s[start + 1 : self.p]
        m = re.match(r"[0-9]*(?:\.[0-9]*)?", digits)
        value = float(m.group(0)) if m and m.group(0) not in ("", ".") else 0.0
        return int(value * 10 ** (7 - (self.p - start)))

    def word(self, stop: Callable[[str], bool]) -> str:
        start = self.p
        while self.ch() != "\x00" and not stop(self.ch()):
            self.p += 1
        return self.s[start : self.p]

    def letters(self) -> str:
        return self.word(lambda c: not ("A" <= c <= "Z" or "a" <= c <= "z"))

    def skip(self, chars: str) -> None:
        while self.ch() != "\x00" and self.ch() in chars:
            self.p += 1

    def eat_spaces(self) -> None:
        while True:
            if self.ch() in " \t" and self.ch() != "\x00":
                self.p += 1
            elif self.s.startswith("\xe2\x80\xaf", self.p):
                self.p += 3
            elif self.s.startswith("\xc2\xa0", self.p):
                self.p += 2
            else:
                return

    def month(self) -> int:
        self.skip(" \t-./")
        return _MONTHS.get(_lower(self.letters()), 0)

    def reltext(self) -> tuple[int, int]:
        self.skip(" \t-/")
        return _RELTEXT.get(_lower(self.letters()), (0, 0))

    def skip_day_suffix(self) -> None:
        if not self.ch().isspace() and _lower(self.s[self.p : self.p + 2]) in ("nd", "rd", "st", "th"):
            self.p += 2

    def meridian(self, h: int) -> int:
        while self.ch() == "\x00" or self.ch() not in "AaPp":
            if self.ch() == "\x00":
                return 0
            self.p += 1
        delta = (-12 if h == 12 else 0) if self.ch() in "Aa" else (12 if h != 12 else 0)
        self.p += 1
        for expected in (".", "Mm", "."):
            if self.ch() != "\x00" and self.ch() in expected:
                self.p += 1
        return delta

    def relunit(self) -> tuple[str, int] | None:
        return _RELUNITS.get(_lower(self.word(lambda c: c in " ,\t;:/.-()")))

    def set_relative(self, amount: int, behavior: int, keep_time: bool) -> None:
        t, unit = self.t, self.relunit()
        if unit is None:
            return
        kind, mult = unit
        if kind in ("s", "i", "h", "d", "m", "y", "us"):
            setattr(t, "r" + kind, getattr(t, "r" + kind) + amount * mult)
            return
        t.have_relative = True
        if not keep_time:
            t.unhave_time()
        if kind == "wd":
            t.have_weekday = True
            t.rd += (amount - 1 if amount > 0 else amount) * 7
            t.weekday, t.weekday_behavior = mult, behavior
        else:
            t.have_special, t.special_type, t.special_amount = True, mult, amount

    def zone(self) -> None:
        """timelib_parse_zone: offset, abbreviation or zone id; unknown -> error."""
        t = self.t
        self.skip(" \t(")
        if self.s.startswith("GMT", self.p) and self.ch(3) in "+-" and self.ch(3) != "\x00":
            self.p += 3
        found = True
        if self.ch() in "+-" and self.ch() != "\x00":
            sign = 1 if self.ch() == "+" else -1
            self.p += 1
            offset, found = _tz_correction(self.word(lambda c: not (c.isdigit() or c == ":")))
            t.z, t.zone_id = sign * offset, None
        else:
            word = self.word(lambda c: not (c.isascii() and (c.isalnum() or c in "/_+-")))
            low = _lower(word)
            found = low in _ABBR
            if found:
                t.z, t.zone_id = _ABBR[low], None
            if not found or word == "UTC":
                zone_id = _zone_ids().get(low)
                if zone_id is not None:
                    t.zone_id, found = zone_id, True
        self.skip(")")
        if not found:
            raise t.error()


def _atoi(s: str) -> int:
    m = re.match(r"[0-9]+", s)
    return int(m.group(0)) if m else 0


def _tz_correction(text: str) -> tuple[int, bool]:
    """timelib_parse_tz_cor: ``H``, ``HH``, ``H:MM``, ``HHMM``, ``HH:MM``, ``HHMMSS``, ``HH:MM:SS``."""
    n = len(text)
    if n in (1, 2):
        return _atoi(text) * 3600, True
    if n in (3, 4):
        if text[1] == ":":
            return _atoi(text) * 3600 + _atoi(text[2:]) * 60, True
        if text[2] == ":":
            return _atoi(text) * 3600 + _atoi(text[3:]) * 60, True
        v = _atoi(text)
        return (v // 100) * 3600 + (v % 100) * 60, True
    if n == 5 and text[2] == ":":
        return _atoi(text) * 3600 + _atoi(text[3:]) * 60, True
    if n == 6:
        v = _atoi(text)
        return (v // 10000) * 3600 + (v // 100 % 100) * 60 + v % 100, True
    if n == 8 and text[2] == ":" and text[5] == ":":
        return _atoi(text) * 3600 + _atoi(text[3:]) * 60 + _atoi(text[6:]), True
    return 0, False


def _year(y: int | None, length: int) -> int | None:
    """TIMELIB_PROCESS_YEAR: 1-3 digit years below 100 mean 19xx (>= 70) or 20xx."""
    if y is None or length >= 4 or y >= 100:
        return y
    return y + (2000 if y < 70 else 1900)
