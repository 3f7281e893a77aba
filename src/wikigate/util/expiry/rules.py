"""The scanner's grammar: timelib's formats (parse_date.re) as regular expressions, the
time-zone abbreviations, and the longest-match scan over them."""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

import regex

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
