"""Protection expiry parsing with PHP ``strtotime`` semantics, as ApiProtect uses it.

MediaWiki accepts four case-sensitive infinity words and hands everything else to PHP's
``strtotime()`` (timelib), so ``next monday``, ``@1900000000``, ``31 November 2030`` (rolls over)
and even ``a day`` (military zone "A" plus a stray word: one hour in the *past*) are all legal
expiries.  To answer exactly like the reference this module re-implements timelib's scanner: every
format is a regular expression, the longest match at the cursor wins (ties go to the earlier
rule, as with re2c), and each rule's action updates a parsed-time record that is finally resolved
against "now" the way ``timelib_fill_holes`` + ``timelib_update_ts`` do.  All times are UTC.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import regex

INFINITY_WORDS = frozenset({"infinite", "indefinite", "infinity", "never"})


class ExpiryError(ValueError):
    """An expiry MediaWiki rejects; ``text`` is the user's input, echoed in the error message."""

    code = "invalidexpiry"

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__(text)


class InvalidExpiry(ExpiryError):
    """Unparsable, or not a positive unix time (API code ``invalidexpiry``)."""

    code = "invalidexpiry"


class PastExpiry(ExpiryError):
    """Parsed fine but earlier than now (API code ``pastexpiry``)."""

    code = "pastexpiry"


# --- time-zone abbreviations (timelib's timezonemap.h: first entry per name, total offset) ------

_ABBR_DATA = """acdt=37800 acst=34200 addt=-7200 adt=-10800 aedt=39600 aest=36000 ahdt=-32400
ahst=-36000 akdt=-28800 akst=-32400 amt=-13840 apt=-10800 ast=-14400 awdt=32400 awst=28800
awt=-10800 bdst=7200 bdt=-36000 bmt=-14309 bst=3600 cast=34200 cat=7200 cddt=-14400 cdt=-18000
cemt=10800 cest=7200 cet=3600 cmt=-15408 cpt=-18000 cst=-21600 cwt=-18000 chst=36000 dmt=-1521
eat=10800 eddt=-10800 edt=-14400 eest=10800 eet=7200 emt=-26248 ept=-14400 est=-18000 ewt=-14400
ffmt=-14660 fmt=-4056 gdt=39600 gmt=0 gst=36000 hdt=-34200 hkst=32400 hkt=28800 hmt=-19776
hpt=-34200 hst=-36000 hwt=-34200 iddt=14400 idt=10800 imt=25025 ist=7200 jdt=36000 jmt=8440
jst=32400 kdt=36000 kmt=5736 kst=30600 lst=9394 mddt=-18000 mdst=16279 mdt=-21600 mest=7200
met=3600 mmt=9017 mpt=-21600 msd=14400 msk=10800 mst=-25200 mwt=-21600 nddt=-5400 ndt=-9052
npt=-9000 nst=-12600 nwt=-9000 nzdt=46800 nzmt=41400 nzst=43200 pddt=-21600 pdt=-25200
pkst=21600 pkt=18000 plmt=25590 pmt=-13236 ppmt=-17340 ppt=-25200 pst=-28800 pwt=-25200
qmt=-18840 rmt=5794 sast=7200 sdmt=-16800 sjmt=-20173 smt=-13884 sst=-39600 tbmt=10751
tmt=12344 uct=0 utc=0 wast=7200 wat=3600 wemt=7200 west=3600 wet=0 wib=25200 wita=28800
wit=32400 wmt=5040 yddt=-25200 ydt=-28800 ypt=-28800 yst=-32400 ywt=-28800 a=3600 b=7200
c=10800 d=14400 e=18000 f=21600 g=25200 h=28800 i=32400 k=36000 l=39600 m=43200 n=-3600
o=-7200 p=-10800 q=-14400 r=-18000 s=-21600 t=-25200 u=-28800 v=-32400 w=-36000 x=-39600
y=-43200 z=0"""
_ABBR = {k: int(v) for k, v in (item.split("=") for item in _ABBR_DATA.split())}


@cache
def _zone_ids() -> dict[str, str]:
    """Case-insensitive map of IANA zone ids (timelib looks ids up case-insensitively)."""
    return {name.lower(): name for name in available_timezones()}


# --- grammar (timelib parse_date.re); the input is scanned as latin-1 decoded UTF-8 bytes -------

_D = {
    "space": r"(?:[ \t]+|(?:\xc2\xa0)+|(?:\xe2\x80\xaf)+)",
    "frac": r"\.[0-9]+",
    "hour24": r"(?:[01]?[0-9]|2[0-4])",
    "hour24lz": r"(?:[01][0-9]|2[0-4])",
    "hour12": r"(?:0?[1-9]|1[0-2])",
    "minute": r"[0-5]?[0-9]",
    "minutelz": r"[0-5][0-9]",
    "meridian": r"(?:[AaPp]\.?[Mm]\.?[\x00\t ])",
    "month": r"(?:0?[0-9]|1[0-2])",
    "year": r"[0-9]{1,4}",
    "year2": r"[0-9]{2}",
    "year4": r"[0-9]{4}",
    "monthlz": r"(?:0[0-9]|1[0-2])",
    "daylz": r"(?:0[0-9]|[12][0-9]|3[01])",
    "dayofyear": r"(?:00[1-9]|0[1-9][0-9]|[12][0-9][0-9]|3[0-5][0-9]|36[0-6])",
    "weekofyear": r"(?:0[1-9]|[1-4][0-9]|5[0-3])",
    "dayfull": r"(?i:sunday|monday|tuesday|wednesday|thursday|friday|saturday)",
    "dayfulls": r"(?i:sundays|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays)",
    "dayabbr": r"(?i:sun|mon|tue|wed|thu|fri|sat)",
    "monthfull": r"(?i:january|february|march|april|may|june|july|august|september|october"
    r"|november|december)",
    "monthabbr": r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)",
    "reltextnumber": r"(?i:first|second|third|fourth|fifth|sixth|seventh|eighth|eight|ninth|tenth"
    r"|eleventh|twelfth)",
    "reltexttext": r"(?i:next|last|previous|this)",
}
_D["second"] = rf"(?:{_D['minute']}|60)"
_D["secondlz"] = rf"(?:{_D['minutelz']}|60)"
_D["day"] = r"(?:[0-2]?[0-9]|3[01])(?:st|nd|rd|th)?"
_D["tz"] = r"(?:\(?[A-Za-z]{1,6}\)?|[A-Z][a-z]+(?:[_/-][A-Za-z]+)+)"
_D["tzcorrection"] = (
    r"(?:(?:GMT)?[+-](?:{hour24}(?::?{minute})?|{hour24lz}{minutelz}{secondlz}"
    r"|{hour24lz}:{minutelz}:{secondlz}))"
).format(**_D)
_D["monthtext"] = r"(?:{monthfull}|{monthabbr}|XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)".format(**_D)
_D["daytext"] = r"(?:{dayfulls}|{dayfull}|{dayabbr}|(?i:weekdays?))".format(**_D)
_D["reltextunit"] = (
    r"(?:(?i:ms|\xc2\xb5s|(?:msec|millisecond|\xc2\xb5sec|microsecond|usec|sec|second|min|minute"
    r"|hour|day|fortnight|forthnight|month|year)s?|weeks)|{daytext})"
).format(**_D)
_D["datenoyear"] = r"{monthtext}[ .\t-]*{day}(?:[,.stndrh\t ]+|\x00)".format(**_D)
_D["timeshort12"] = r"{hour12}[:.]{minutelz}{space}?{meridian}".format(**_D)
_D["timelong12"] = r"{hour12}[:.]{minute}[:.]{secondlz}{space}?{meridian}".format(**_D)
_D["timeshort24"] = r"[tT]?{hour24}[:.]{minute}".format(**_D)
_D["timelong24"] = r"[tT]?{hour24}[:.]{minute}[:.]{second}".format(**_D)
_D["iso8601normtz"] = (
    r"[tT]?{hour24}[:.]{minute}[:.]{secondlz}{space}?(?:{tzcorrection}|{tz})".format(**_D)
)

# (rule name, pattern) in parse_date.re order: on equal match length the earlier rule wins.
_RULE_SOURCES: list[tuple[str, str]] = [
    ("yesterday", r"(?i:yesterday)"),
    ("now", r"(?i:now)"),
    ("noon", r"(?i:noon)"),
    ("midnight", r"(?i:midnight|today)"),
    ("tomorrow", r"(?i:tomorrow)"),
    ("timestamp", r"@-?[0-9]+"),
    ("timestampms", r"@-?[0-9]+\.[0-9]{{0,6}}"),
    ("firstlastdayof", r"(?i:first day of|last day of)"),
    ("backfrontof", r"(?i:back of |front of ){hour24}(?:{space}?{meridian})?"),
    ("weekdayof", r"(?:{reltextnumber}|{reltexttext}){space}(?:{dayfulls}|{dayfull}|{dayabbr})"
     r"{space}(?i:of)"),
    ("time12", r"{hour12}{space}?{meridian}|{timeshort12}|{timelong12}"),
    ("mssqltime", r"{hour12}:{minutelz}:{secondlz}[:.][0-9]+{meridian}"),
    ("time24", r"[tT]{hour24}|{timeshort24}|{timelong24}|[tT]?{hour24}[:.]{minute}[:.]{second}{frac}"),
    ("gnunocolon", r"[tT]?{hour24lz}{minutelz}"),
    ("iso8601nocolon", r"[tT]?{hour24lz}{minutelz}{secondlz}"),
    ("american", r"{month}/{day}(?:/{year})?"),
    ("iso8601date4", r"[+-]?{year4}-{monthlz}-{daylz}|{year4}/{monthlz}/{daylz}/?|{year4}/{month}/{day}"),
    ("iso8601date2", r"{year2}-{monthlz}-{daylz}"),
    ("iso8601datex", r"[+-][0-9]{{5,19}}-{monthlz}-{daylz}"),
    ("gnudateshorter", r"{year4}-{month}"),
    ("gnudateshort", r"{year}-{month}-{day}"),
    ("datefull", r"{day}[ \t.-]*{monthtext}[ \t.-]*{year}"),
    ("pointeddate4", r"{day}[.\t-]{month}[.-]{year4}"),
    ("pointeddate2", r"{day}[.\t]{month}\.{year2}"),
    ("datenoday", r"{monthtext}[ .\t-]*{year4}"),
    ("datenodayrev", r"{year4}[ .\t-]*{monthtext}"),
    ("datetextual", r"{monthtext}[ .\t-]*{day}[,.stndrh\t ]+{year}|{datenoyear}"),
    ("datenoyearrev", r"{day}[ .\t-]*{monthtext}"),
    ("datenocolon", r"{year4}{monthlz}{daylz}"),
    ("xmlrpc", r"{year4}{monthlz}{daylz}T{hour24}:{minutelz}:{secondlz}"
     r"|{year4}{monthlz}{daylz}[tT]{hour24}{minutelz}{secondlz}"
     r"|{year4}-{monthlz}-{daylz}T{hour24lz}:{minutelz}:{secondlz}{frac}{tzcorrection}?"
     r"|{year4}-{month}-{day}T{hour24}:{minute}:{second}"
     r"|{year4}:{monthlz}:{daylz} {hour24lz}:{minutelz}:{secondlz}"),
    ("pgydotd", r"{year4}[.-]?{dayofyear}"),
    ("isoweekday", r"{year4}-?W{weekofyear}-?[0-7]"),
    ("isoweek", r"{year4}-?W{weekofyear}"),
    ("pgtextshort", r"{monthabbr}-{daylz}-{year}"),
    ("pgtextreverse", r"{year}-{monthabbr}-{daylz}"),
    ("clf", r"{day}/{monthabbr}/{year4}:{hour24lz}:{minutelz}:{secondlz}{space}{tzcorrection}"),
    ("year4", r"{year4}"),
    ("ago", r"(?i:ago)"),
    ("daytext", r"{daytext}"),
    ("relativetextweek", r"{reltexttext}{space}(?i:week)"),
    ("relativetext", r"(?:{reltextnumber}|{reltexttext}){space}{reltextunit}"),
    ("monthtext", r"{monthfull}|{monthabbr}"),
    ("tz", r"{tzcorrection}|{tz}"),
    ("dateshortwithtime12", r"{datenoyear}(?:{timeshort12}|{timelong12})"),
    ("dateshortwithtime", r"{datenoyear}(?:{timeshort24}|{timelong24}|{iso8601normtz})"),
    ("relative", r"[+-]*[ \t]*[0-9]{{1,13}}{space}?(?:{reltextunit}|(?i:week))"),
    ("skip", r"[.,]|{space}|[\x00\n]"),
]


_RULES = [(name, re.compile(src.format(**_D), re.ASCII)) for name, src in _RULE_SOURCES]
#: The same rules for the scanner, in the regex module's POSIX mode (leftmost-longest).
_POSIX_RULES = [(name, regex.compile(rx.pattern, regex.POSIX | regex.ASCII | regex.V0)) for name, rx in _RULES]

#: Longest expiry accepted, in UTF-8 bytes. PHP's strtotime has no limit, but no real
#: expiry comes near it ("2030-01-01T00:00:00+00:00" is 25; a list of relative terms
#: such as "next monday 12:00 +3 weeks 2 days" is 33). The scan is linear but not free
#: (tens of microseconds per token), and a module may parse up to 500 expiries in one
#: request, so a hostile value is turned away before scanning: longer values are
#: "invalidexpiry".
MAX_EXPIRY_BYTES = 255


def _longest_match(text: str, pos: int) -> tuple[str, int]:
    """(rule, end) of the longest token at ``pos``; ("any", pos+1) if no rule matches.

    Each rule is matched once in POSIX (leftmost-longest) mode, which is what re2c's
    scanner does. Python's ``re`` takes the first alternative instead, and finding the
    longest with it meant trying every possible end: quadratic per token, cubic overall.
    """
    best_name, best_end = "any", pos + 1
    best_len = 0
    for name, rx in _POSIX_RULES:
        m = rx.match(text, pos)
        if m is not None and m.end() - pos > best_len:
            best_name, best_end, best_len = name, m.end(), m.end() - pos
    return best_name, best_end

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


def _act(name: str, c: _Cur) -> None:
    """Apply one scanned token (the C actions of parse_date.re, rule by rule)."""
    t = c.t
    if name in ("yesterday", "tomorrow"):
        t.have_relative = True
        t.unhave_time()
        t.rd = -1 if name == "yesterday" else 1
    elif name == "noon":
        t.unhave_time()
        t.set_have_time()
        t.h = 12
    elif name == "midnight":
        t.unhave_time()
    elif name in ("timestamp", "timestampms"):
        t.have_relative = True
        t.have_date, t.y, t.m, t.d = 0, 0, 0, 0
        t.unhave_time()
        t.set_have_tz()
        negative = c.ch(1) == "-"
        t.rs += c.signed(24)
        if name == "timestampms":
            before = c.p
            us = c.signed(6) * 10 ** (7 - (c.p - before))
            t.rus = -us if negative else us
        t.y, t.m, t.d, t.h, t.i, t.s, t.us, t.z, t.zone_id = 1970, 1, 1, 0, 0, 0, 0, 0, None
    elif name == "firstlastdayof":
        t.have_relative = True
        t.first_last = 2 if c.ch() in "lL" else 1
    elif name == "backfrontof":
        t.unhave_time()
        t.set_have_time()
        back = c.ch() == "b"
        t.h = (c.nr(2) or 0) - (0 if back else 1)
        t.i = 15 if back else 45
        if c.ch() != "\x00":
            c.eat_spaces()
            t.h += c.meridian(t.h)
    elif name == "weekdayof":
        t.have_relative = t.have_special = True
        amount, behavior = c.reltext()
        c.eat_spaces()
        if amount > 0:
            t.special_type = _SPECIAL_DOW_IN_MONTH
            c.set_relative(amount, 1, False)
        else:
            t.special_type = _SPECIAL_LAST_DOW_IN_MONTH
            c.set_relative(amount, behavior, False)
    elif name in ("time12", "mssqltime", "time24", "iso8601nocolon"):
        t.set_have_time()
        t.h = c.nr(2)
        if name in ("mssqltime", "iso8601nocolon"):
            t.i = c.nr(2)
            t.s = c.nr(2) if name == "iso8601nocolon" or c.ch() in ":." else t.s
            if name == "mssqltime" and c.ch() in ":.":
                t.us = c.frac()
        elif c.ch() in ":.":
            t.i = c.nr(2)
            if c.ch() in ":.":
                t.s = c.nr(2)
                if name == "time24" and c.ch() == ".":
                    t.us = c.frac()
        if name in ("time12", "mssqltime"):
            c.eat_spaces()
            t.h = (t.h or 0) + c.meridian(t.h or 0)
        elif c.ch() != "\x00":
            c.zone()
    elif name == "gnunocolon":
        if t.have_time == 0:
            t.h, t.i, t.s = c.nr(2), c.nr(2), 0
        elif t.have_time == 1:
            t.y = c.nr(4)
        else:
            raise t.error()
        t.have_time += 1
    elif name == "american":
        t.set_have_date()
        t.m, t.d = c.nr(2), c.nr(2)
        if c.ch() == "/":
            t.y = _year(*c.nr_ex(4))
    elif name in ("iso8601date4", "iso8601datex"):
        t.set_have_date()
        t.y = c.signed(4 if name == "iso8601date4" else 19)
        t.m, t.d = c.nr(2), c.nr(2)
    elif name in ("iso8601date2", "gnudateshort", "gnudateshorter", "pgydotd"):
        t.set_have_date()
        y, length = c.nr_ex(4)
        if name == "pgydotd":
            t.m, t.d = 1, c.nr(3)
        else:
            t.m = c.nr(2)
            t.d = 1 if name == "gnudateshorter" else c.nr(2)
        t.y = _year(y, length)
    elif name in ("datefull", "datenoyearrev"):
        t.set_have_date()
        t.d = c.nr(2)
        c.skip_day_suffix()
        t.m = c.month()
        if name == "datefull":
            t.y = _year(*c.nr_ex(4))
    elif name in ("pointeddate4", "pointeddate2"):
        t.set_have_date()
        t.d, t.m = c.nr(2), c.nr(2)
        t.y = c.nr(4) if name == "pointeddate4" else _year(*c.nr_ex(2))
    elif name in ("datenoday", "datenodayrev"):
        t.set_have_date()
        if name == "datenoday":
            t.m = c.month()
            t.y = _year(*c.nr_ex(4))
        else:
            y, length = c.nr_ex(4)
            t.m, t.y = c.month(), _year(y, length)
        t.d = 1
    elif name in ("datetextual", "pgtextshort"):
        t.set_have_date()
        t.m, t.d = c.month(), c.nr(2)
        t.y = _year(*c.nr_ex(4))
    elif name == "pgtextreverse":
        t.set_have_date()
        y, length = c.nr_ex(4)
        t.m, t.d, t.y = c.month(), c.nr(2), _year(y, length)
    elif name == "datenocolon":
        t.set_have_date()
        t.y, t.m, t.d = c.nr(4), c.nr(2), c.nr(2)
    elif name == "xmlrpc":
        t.set_have_time()
        t.set_have_date()
        t.y, t.m, t.d, t.h, t.i, t.s = c.nr(4), c.nr(2), c.nr(2), c.nr(2), c.nr(2), c.nr(2)
        if c.ch() == ".":
            t.us = c.frac()
            if c.ch() != "\x00":
                c.zone()
    elif name in ("isoweekday", "isoweek"):
        t.set_have_date()
        t.have_relative = True
        y, w = c.nr(4) or 0, c.nr(2) or 0
        wd = (c.nr(1) or 0) if name == "isoweekday" else 1
        t.y, t.m, t.d = y, 1, 1
        jan1 = _weekday(_days_from_civil(y, 1, 1))
        t.rd = -(jan1 - 7 if jan1 > 4 else jan1) + (w - 1) * 7 + wd
    elif name == "clf":
        t.set_have_time()
        t.set_have_date()
        t.d, t.m, t.y = c.nr(2), c.month(), c.nr(4)
        t.h, t.i, t.s = c.nr(2), c.nr(2), c.nr(2)
        c.eat_spaces()
        c.zone()
    elif name == "year4":
        t.y = c.nr(4)
    elif name == "ago":
        t.ry, t.rm, t.rd, t.rh, t.ri, t.rs = -t.ry, -t.rm, -t.rd, -t.rh, -t.ri, -t.rs
        t.weekday = -t.weekday or -7
        if t.have_special and t.special_type == _SPECIAL_WEEKDAY:
            t.special_amount = -t.special_amount
    elif name == "daytext":
        t.have_relative = t.have_weekday = True
        t.unhave_time()
        unit = c.relunit()
        t.weekday = unit[1] if unit else 0
        if t.weekday_behavior != 2:
            t.weekday_behavior = 1
    elif name in ("relativetext", "relativetextweek"):
        t.have_relative = True
        while c.ch() != "\x00":
            amount, behavior = c.reltext()
            c.eat_spaces()
            c.set_relative(amount, behavior, False)
            if name == "relativetextweek":
                t.weekday_behavior = 2
                if not t.have_weekday:
                    t.have_weekday, t.weekday = True, 1
    elif name == "monthtext":
        t.set_have_date()
        t.m = _MONTHS.get(_lower(c.letters()), 0)
    elif name == "tz":
        t.set_have_tz()
        c.eat_spaces()
        c.zone()
    elif name in ("dateshortwithtime12", "dateshortwithtime"):
        t.set_have_date()
        t.m, t.d = c.month(), c.nr(2)
        t.set_have_time()
        t.h, t.i = c.nr(2), c.nr(2)
        if c.ch() == ":" or (name == "dateshortwithtime12" and c.ch() == "."):
            t.s = c.nr(2)
            if c.ch() == ".":
                t.us = c.frac()
        if name == "dateshortwithtime12":
            t.h = (t.h or 0) + c.meridian(t.h or 0)
        elif c.ch() != "\x00":
            c.zone()
    elif name == "relative":
        t.have_relative = True
        while c.ch() != "\x00":
            amount = c.signed(24)
            c.eat_spaces()
            c.set_relative(amount, 1, True)
    elif name == "any":
        raise t.error()  # "Unexpected character"


# --- calendar arithmetic (proleptic Gregorian, any year) ------------------------------------------


def _days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 for a normalised month and any day offset (d may be out of range)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468 + d - 1


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def _weekday(days: int) -> int:
    """0 = Sunday, like timelib_day_of_week (1970-01-01 was a Thursday)."""
    return (days + 4) % 7


def _cdiv(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


class _Clock:
    """Fully resolved y-m-d h:i:s.us with timelib_do_normalize's carrying."""

    def __init__(self, t: _Time) -> None:
        self.y, self.m, self.d = t.y or 0, t.m or 0, t.d or 0
        self.h, self.i, self.s, self.us = t.h or 0, t.i or 0, t.s or 0, t.us or 0
        self.normalize()

    def normalize(self) -> None:
        carry, self.us = divmod(self.us, 1_000_000)
        carry, self.s = divmod(self.s + carry, 60)
        carry, self.i = divmod(self.i + carry, 60)
        carry, self.h = divmod(self.h + carry, 24)
        years, m0 = divmod(self.m - 1, 12)
        days = _days_from_civil(self.y + years, m0 + 1, 1) + self.d + carry - 1
        self.y, self.m, self.d = _civil_from_days(days)

    @property
    def days(self) -> int:
        return _days_from_civil(self.y, self.m, self.d)


def _resolve(t: _Time, now: datetime) -> int:
    """timelib_fill_holes + timelib_update_ts: unix seconds for the parsed record."""
    if t.have_date and not t.have_time:
        t.h, t.i, t.s, t.us = 0, 0, 0, 0
    for f in ("y", "m", "d", "h", "i", "s"):
        if getattr(t, f) is None:
            setattr(t, f, getattr(now, {"y": "year", "m": "month", "d": "day", "h": "hour",
                                         "i": "minute", "s": "second"}[f]))
    if t.z is None and t.zone_id is None:
        t.z = 0
    if t.have_special and t.special_type == _SPECIAL_DOW_IN_MONTH:
        t.d, t.m, t.rm = 1, (t.m or 0) + t.rm, 0
    elif t.have_special and t.special_type == _SPECIAL_LAST_DOW_IN_MONTH:
        t.d, t.m, t.rm = 1, (t.m or 0) + t.rm + 1, 0
    # "first/last day of" is applied before the first normalisation as well, so that an
    # overflowing date ("last day of 2030-02-30") stays in its month.
    if t.first_last == 1:
        t.d = 1
    elif t.first_last == 2:
        t.d, t.m = 0, (t.m or 0) + 1
    c = _Clock(t)
    if t.have_weekday:
        dow = _weekday(c.days)
        if t.weekday_behavior == 2:
            weekday = t.weekday
            if dow == 0 and weekday != 0:
                weekday -= 7
            if weekday == 0 and dow != 0:
                weekday = 7
            c.d += weekday - dow
        else:
            diff = t.weekday - dow
            if (t.rd < 0 and diff < 0) or (t.rd >= 0 and diff <= -t.weekday_behavior):
                diff += 7
            c.d += diff if t.weekday >= 0 else -(7 - (abs(t.weekday) - dow))
        c.normalize()
    if t.have_relative:
        c.us, c.s, c.i, c.h = c.us + t.rus, c.s + t.rs, c.i + t.ri, c.h + t.rh
        c.d, c.m, c.y = c.d + t.rd, c.m + t.rm, c.y + t.ry
    if t.first_last == 1:
        c.d = 1
    elif t.first_last == 2:
        c.d, c.m = 0, c.m + 1
    c.normalize()
    if t.have_special and t.special_type == _SPECIAL_WEEKDAY:
        count, dow = t.special_amount, _weekday(c.days)
        c.d += _cdiv(count, 5) * 7
        rem = count - _cdiv(count, 5) * 5
        if count > 0:
            if rem == 0:
                c.d -= 2 if dow == 0 else (1 if dow == 6 else 0)
            elif dow == 6:
                c.d += 1
            elif dow + rem > 5:
                c.d += 2
        elif rem == 0:
            c.d += 2 if dow == 6 else (1 if dow == 0 else 0)
        elif dow == 0:
            c.d -= 1
        elif dow + rem < 1:
            c.d -= 2
        c.d += rem
        c.normalize()
    local = c.days * 86400 + c.h * 3600 + c.i * 60 + c.s
    if t.zone_id is not None:
        if not 1 <= c.y <= 9999:
            raise _Abort()
        wall = datetime(c.y, c.m, c.d, c.h, c.i, c.s, tzinfo=ZoneInfo(t.zone_id))
        offset = wall.utcoffset()
        return local - int(offset.total_seconds() if offset else 0)
    return local - (t.z or 0)


def strtotime(text: str, now: datetime) -> int | None:
    """PHP ``strtotime(text, now)`` in UTC: unix seconds, or None where PHP returns false."""
    if len(text) > MAX_EXPIRY_BYTES or len(text.encode("utf-8")) > MAX_EXPIRY_BYTES:
        return None
    raw = text.encode("utf-8").decode("latin-1")
    raw = raw.strip(" \t\n\r\v\f")
    if raw == "":
        return None
    scan = raw + "\x00\x00"
    t = _Time()
    pos = 0
    try:
        while pos < len(raw):
            name, end = _longest_match(scan, pos)
            if name != "skip":
                with contextlib.suppress(_Abort):  # an aborted action only skips its token
                    _act(name, _Cur(scan[pos:end].rstrip("\x00"), t))
            pos = end
        if t.errors:
            return None
        return _resolve(t, now.astimezone(UTC) if now.tzinfo else now)
    except (_Abort, ValueError, OverflowError):
        return None


# --- public API -----------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def is_infinity(text: str) -> bool:
    """wfIsInfinity: exactly one of the four words, case-sensitive, no surrounding spaces."""
    return text in INFINITY_WORDS


def parse_expiry(text: str, now: datetime) -> datetime | None:
    """Parse an ``expiry`` value as ApiProtect does; None means infinity.

    Raises InvalidExpiry when strtotime fails or yields a time <= 0, PastExpiry when the result is
    earlier than ``now`` at second precision (so ``now`` itself is accepted).  Naive ``now`` is
    taken as UTC.  Results beyond year 9999 (which MediaWiki cannot store as a 14-digit
    timestamp either) are reported as InvalidExpiry.
    """
    if is_infinity(text):
        return None
    now_utc = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    ts = strtotime(text, now_utc)
    if ts is None or ts <= 0:
        raise InvalidExpiry(text)
    try:
        result = _EPOCH + timedelta(seconds=ts)
    except OverflowError:
        raise InvalidExpiry(text) from None
    if result.year > 9999:
        raise InvalidExpiry(text)
    if ts < int((now_utc - _EPOCH).total_seconds() // 1):
        raise PastExpiry(text)
    return result


def format_expiry_api(expiry: datetime | None) -> str:
    """Expiry as action=protect reports it: ``infinite`` or ``YYYY-MM-DDTHH:MM:SSZ``."""
    return "infinite" if expiry is None else _iso(expiry)


def format_expiry_info(expiry: datetime | None) -> str:
    """Expiry as prop=info / list=protectedtitles report it: ``infinity`` or ISO 8601."""
    return "infinity" if expiry is None else _iso(expiry)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_mw_timestamp(dt: datetime) -> str:
    """14-digit ``YYYYMMDDHHMMSS`` (TS_MW) in UTC; naive datetimes are taken as UTC."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return f"{dt.year:04d}{dt.month:02d}{dt.day:02d}{dt.hour:02d}{dt.minute:02d}{dt.second:02d}"


def from_mw_timestamp(ts: str) -> datetime:
    """Parse a 14-digit TS_MW string into an aware UTC datetime (ValueError if malformed)."""
    if len(ts) != 14 or not ts.isdigit():
        raise ValueError(f"not a 14-digit MediaWiki timestamp: {ts!r}")
    return datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def expiry_to_db(expiry: datetime | None) -> str:
    """Storage form used by page_restrictions/protected_titles: ``infinity`` or TS_MW."""
    return "infinity" if expiry is None else to_mw_timestamp(expiry)


def expiry_from_db(value: str) -> datetime | None:
    """Inverse of expiry_to_db; any infinity word maps to None."""
    return None if is_infinity(value) else from_mw_timestamp(value)
