"""Unit tests for protection expiry parsing (PHP strtotime semantics) and expiry formatting.

PHP_STRTOTIME holds PHP 8.2's own answers (``strtotime($expr, NOW)`` with the default time zone
UTC; None = false), recorded once with the php binary; the tests do not need PHP.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wikigate.util.clock import from_mw_timestamp, to_mw_timestamp
from wikigate.util.expiry import (
    ExpiryError,
    InvalidExpiry,
    PastExpiry,
    expiry_from_db,
    expiry_to_db,
    format_expiry_api,
    format_expiry_info,
    parse_expiry,
    strtotime,
)

NOW_TS = 1795315013  # 2026-11-22T02:36:53Z, a Sunday; the "now" of protect.md section 6
NOW = datetime.fromtimestamp(NOW_TS, UTC)

PHP_STRTOTIME: list[tuple[str, int | None]] = [
    ('2030', 1795379400),
    ('1230', 1795350600),
    ('20300101000000', 1893456000),
    ('a day', 1795311413),
    ('0', None),
    ('1', None),
    ('99', None),
    ('1900000000', None),
    ('1 decade', None),
    ('Sat, 01 Jan 2030 00:00:00 GMT', 1893801600),
    ('2030-W05', 1895788800),
    ('2030W05', 1895788800),
    ('2030-W05-3', 1895961600),
    ('10000-01-01', 946720800),
    ('+1 week 2 days 4 hours 2 seconds', 1796107015),
    ('1.5 days', None),
    ('P1D', None),
    ('25:00', None),
    ('24:05', 1795392300),
    ('last day of next month', 1798684613),
    ('first monday of next month', 1796601600),
    ('last friday of next month', 1798156800),
    ('first monday of january 2031', 1925424000),
    ('monday next week', 1795392000),
    ('3 October 2030 10am', 1917252000),
    ('10.5.2030', 1904601600),
    ('1 jan', 1767225600),
    ('jan 1', 1767225600),
    ('2030-01-01 12:34:56.789', 1893501296),
    ('9999-12-31', 253402214400),
    ('tue', 1795478400),
    ('2030-01-01 a', 1893452400),
    ('2030-01-01 z', 1893456000),
    ('2030-01-01 j', None),
    ('next monday', 1795392000),
    ('last monday', 1794787200),
    ('this monday', 1795392000),
    ('monday', 1795392000),
    ('sunday', 1795305600),
    ('tomorrow', 1795392000),
    ('yesterday', 1795219200),
    ('today', 1795305600),
    ('midnight', 1795305600),
    ('noon', 1795348800),
    ('now', 1795315013),
    ('now + 1 hour', 1795318613),
    ('yesterday noon', 1795262400),
    ('noon yesterday', 1795219200),
    ('1 hour ago', 1795311413),
    ('-1 hour', 1795311413),
    ('1 day', 1795401413),
    ('1 days', 1795401413),
    ('+1 day', 1795401413),
    ('2 weeks', 1796524613),
    ('1 fortnight', 1796524613),
    ('1 month', 1797907013),
    ('1 year', 1826851013),
    ('3 hours', 1795325813),
    ('90 minutes', 1795320413),
    ('1 min', 1795315073),
    ('1 sec', 1795315014),
    ('1 second', 1795315014),
    ('1 week 2 days', 1796092613),
    ('1 days 1 days', 1795487813),
    ('2030-01-01', 1893456000),
    ('20300101', 1893456000),
    ('2030/01/02', 1893542400),
    ('01/02/2030', 1893542400),
    ('1/2/30', 1893542400),
    ('1 January 2030', 1893456000),
    ('January 1, 2030', 1893456000),
    ('January 1 2030', 1893456000),
    ('Jan 1st, 2030', 1893456000),
    ('1st January 2030', 1893456000),
    ('2030-01-01 12:34:56', 1893501296),
    ('2030-01-01T00:00:00Z', 1893456000),
    ('2030-01-01T00:00:00+02:00', 1893448800),
    ('2030-01-01T00:00:00-0530', 1893475800),
    ('2030-01-01T10:00:00.5+01:00', 1893488400),
    ('@1900000000', 1900000000),
    ('@-1', -1),
    ('@1900000000.5', 1900000000),
    ('31 November 2030', 1922313600),
    ('2030-02-30', 1898640000),
    ('1969-12-31', -86400),
    ('1970-01-01 00:00:00', 0),
    ('1970-01-01 00:00:01', 1),
    ('3000-01-01', 32503680000),
    ('2038-01-19T03:14:08Z', 2147483648),
    ('other', None),
    ('one day', None),
    ('infinite', None),
    ('Infinite', None),
    (' infinite', None),
    ('--1 day', 1795401413),
    ('+-1 day', 1795228613),
    ('-+1 day', 1795228613),
    ('2030-01-01 +0530', 1893436200),
    ('2030-01-01 GMT+2', 1893448800),
    ('2030-01-01 Europe/Paris', 1893452400),
    ('2030-07-01 Europe/London', 1909090800),
    ('2030-01-01 10:00:00 America/New_York', 1893510000),
    ('2030-01-01 europe/paris', None),
    ('2030-01-01 EST', 1893474000),
    ('2030-01-01 est', 1893474000),
    ('2030-01-01 (CET)', 1893452400),
    ('2030-01-01 10:00 cest', 1893484800),
    ('next week', 1795401413),
    ('this week', 1794796613),
    ('last week', 1794191813),
    ('sunday this week', 1795305600),
    ('monday this week', 1794787200),
    ('+2 weekdays', 1795487813),
    ('-3 weekdays', 1794969413),
    ('5 weekdays', 1795747013),
    ('weekday', 1795392000),
    ('a week ago', 1795311413),
    ('1 day ago ago', 1795401413),
    ('monday 10:00', 1795428000),
    ('10:00 monday', 1795392000),
    ('first day of', 1793500613),
    ('last day of february', 1772236800),
    ('2030-01-31 +1 month', 1898726400),
    ('+1 month -1 day', 1797820613),
    ('+1500 ms', 1795315014),
    ('+1 µs', 1795315013),
    ('10am', 1795341600),
    ('10:30pm', 1795386600),
    ('10:30:45 p.m.', 1795386645),
    ('12am', 1795305600),
    ('12pm tomorrow', 1795392000),
    ('back of 7pm', 1795374900),
    ('front of 7', 1795329900),
    ('t1030', 1795343400),
    ('T10:30', 1795343400),
    ('103045', 1795343445),
    ('2030-001', 1893456000),
    ('2030.365', 1924905600),
    ('2030-365', 1924905600),
    ('Jan-01-2030', 1893456000),
    ('2030-Jan-01', 1893456000),
    ('01/Jan/2030:10:00:00 +0100', 1893488400),
    ('2030:01:02 10:11:12', 1893579072),
    ('2030-01-01T10:11:12.5Z', 1893492672),
    ('20300101T101112', 1893492672),
    ('20300101t101112', 1893492672),
    ('jan', 1769040000),
    ('January 2030', 1893456000),
    ('2030 January', 1893456000),
    ('XII 2030', 1922313600),
    ('1 XII 2030', 1922313600),
    ('May 5', 1777939200),
    ('5 May', 1777939200),
    ('5th may', 1777939200),
    ('next year', 1826851013),
    ('last month', 1792636613),
    ('third friday of march 2031', 1931817600),
    ('second sunday', 1796515200),
    ('+1 week -2 days +3 hours', 1795757813),
    ('+ 1 day', 1795401413),
    ('+1day', 1795401413),
    ('1 day 2 hours ago', 1795221413),
    ('6 months ago', 1779417413),
    ('2030-06-15 noon', 1907755200),
    ('tomorrow noon', 1795435200),
    ('noon tomorrow', 1795392000),
    ('midnight tomorrow', 1795392000),
    ('+2 days midnight', 1795478400),
    ('2030-01-01 10:00 10:00', None),
    ('2030-01-01 2030-01-02', None),
    ('jan 2030 feb', None),
    ('10:00 2031', 1953108000),
    ('2031 10:00', None),
    ('1.1.2031', 1924992000),
    ('01-01-2031', 1924992000),
    ('1.1.31', 1795309291),
    ('31.12.30', 1924905600),
    ('2030-1-1', 1893456000),
    ('30-1-1', 1893456000),
    ('2030-13-01', None),
    ('2030-12-32', None),
    ('0000-00-00', -62169984000),
    ('2030-00-00', 1890691200),
    ('2030-06-31 25:00', None),
    ('2030-06-30 24:00', 1909094400),
    ('2030-06-30 23:59:60', 1909094400),
    ('@0', 0),
    ('+0 days', 1795315013),
    ('2030-01-01 ago', 1893456000),
    ('tomorrow -1 sec', 1795391999),
    ('yesterday 23:59:59', 1795305599),
    ('2030-W53', 1924819200),
    ('2026-W53', 1798416000),
    ('2027-W01', 1799020800),
    ('second monday of', 1794182400),
    ('fri 13:00', 1795784400),
]


@pytest.mark.parametrize(("expr", "expected"), PHP_STRTOTIME)
def test_matches_php(expr: str, expected: int | None) -> None:
    assert strtotime(expr, NOW) == expected


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 day", "2026-11-23T02:36:53Z"),
        ("1 fortnight", "2026-12-06T02:36:53Z"),
        ("1 month", "2026-12-22T02:36:53Z"),
        ("now", "2026-11-22T02:36:53Z"),
        ("next monday", "2026-11-23T00:00:00Z"),
        ("noon", "2026-11-22T12:00:00Z"),
        ("last day of next month", "2026-12-31T02:36:53Z"),
        ("01/02/2030", "2030-01-02T00:00:00Z"),
        ("2030-01-01T00:00:00+02:00", "2029-12-31T22:00:00Z"),
        ("@1900000000", "2030-03-17T17:46:40Z"),
        ("31 November 2030", "2030-12-01T00:00:00Z"),
        ("2030-02-30", "2030-03-02T00:00:00Z"),
        ("24:05", "2026-11-23T00:05:00Z"),
        ("Sat, 01 Jan 2030 00:00:00 GMT", "2030-01-05T00:00:00Z"),
        ("2030-W05", "2030-01-28T00:00:00Z"),
        ("9999-12-31", "9999-12-31T00:00:00Z"),
        ("2038-01-19T03:14:08Z", "2038-01-19T03:14:08Z"),
    ],
)
def test_protect_spec_accepted(expr: str, expected: str) -> None:
    assert parse_expiry(expr, NOW) == at(expected)


@pytest.mark.parametrize(
    ("expr", "error"),
    [
        ("midnight", PastExpiry), ("yesterday noon", PastExpiry), ("1 hour ago", PastExpiry),
        ("-1 hour", PastExpiry), ("a day", PastExpiry), ("1970-01-01 00:00:01", PastExpiry),
        ("10000-01-01", PastExpiry), ("2001-01-01", PastExpiry),
        ("1900000000", InvalidExpiry), ("0", InvalidExpiry), ("1", InvalidExpiry), ("99", InvalidExpiry),
        ("other", InvalidExpiry), ("one day", InvalidExpiry), ("1.5 days", InvalidExpiry),
        ("1 decade", InvalidExpiry), ("P1D", InvalidExpiry), ("2030-13-01", InvalidExpiry),
        ("25:00", InvalidExpiry), ("1969-12-31", InvalidExpiry), ("1970-01-01 00:00:00", InvalidExpiry),
        ("Infinite", InvalidExpiry), ("INFINITY", InvalidExpiry), (" infinite", InvalidExpiry),
        ("", InvalidExpiry), ("+100000 years", InvalidExpiry),
    ],
)
def test_protect_spec_rejected(expr: str, error: type[ExpiryError]) -> None:
    with pytest.raises(error) as exc:
        parse_expiry(expr, NOW)
    assert type(exc.value) is error
    assert exc.value.text == expr
    assert exc.value.code == ("pastexpiry" if error is PastExpiry else "invalidexpiry")


@pytest.mark.parametrize("word", ["infinite", "indefinite", "infinity", "never"])
def test_infinity_words(word: str) -> None:
    assert parse_expiry(word, NOW) is None


def test_now_is_compared_at_second_precision() -> None:
    now = NOW + timedelta(microseconds=999_999)
    assert parse_expiry("now", now) == NOW
    naive = datetime(2026, 11, 22, 2, 36, 53)
    assert parse_expiry("+1 sec", naive) == NOW + timedelta(seconds=1)


def test_formatting_and_mw_timestamps() -> None:
    when = at("2030-01-02T03:04:05Z")
    assert format_expiry_api(None) == "infinite"
    assert format_expiry_info(None) == "infinity"
    assert format_expiry_api(when) == format_expiry_info(when) == "2030-01-02T03:04:05Z"
    assert to_mw_timestamp(when) == "20300102030405"
    assert from_mw_timestamp("20300102030405") == when
    assert expiry_to_db(None) == "infinity" and expiry_from_db("infinity") is None
    assert expiry_from_db(expiry_to_db(when)) == when
    with pytest.raises(ValueError):
        from_mw_timestamp("2030-01-02")


# --- property tests against an independent calendar model ----------------------------------------

_SECONDS = {"sec": 1, "second": 1, "min": 60, "minute": 60, "hour": 3600, "day": 86400,
            "week": 604800, "fortnight": 1209600}
_UNITS = [*_SECONDS, "month", "year"]


def model_relative(now: datetime, steps: list[tuple[int, str]]) -> int:
    """timelib adds relative parts field-wise, then rolls day overflow into the next month."""
    months = sum(n * (12 if u == "year" else 1) for n, u in steps if u in ("month", "year"))
    seconds = sum(n * _SECONDS[u] for n, u in steps if u in _SECONDS)
    total = now.year * 12 + now.month - 1 + months
    first = datetime(total // 12, total % 12 + 1, 1, tzinfo=UTC)
    base = first + timedelta(days=now.day - 1, hours=now.hour, minutes=now.minute, seconds=now.second)
    return calendar.timegm(base.utctimetuple()) + seconds


@settings(max_examples=300, deadline=None)
@given(
    steps=st.lists(st.tuples(st.integers(-500, 500), st.sampled_from(_UNITS)), min_size=1, max_size=4),
    plural=st.booleans(),
    explicit_plus=st.booleans(),
    now_ts=st.integers(0, 4_000_000_000),
)
def test_relative_sequences(
    steps: list[tuple[int, str]], plural: bool, explicit_plus: bool, now_ts: int
) -> None:
    now = datetime.fromtimestamp(now_ts, UTC)
    # The model computes with datetime (years 1..9999); timelib goes further (year 0 and
    # before), which the model cannot follow: four -500 year steps from 1970 reach year 0.
    months = sum(n * (12 if u == "year" else 1) for n, u in steps if u in ("month", "year"))
    assume(1 <= (now.year * 12 + now.month - 1 + months) // 12 <= 9998)
    parts = []
    for n, unit in steps:
        sign = "+" if n >= 0 and explicit_plus else ""
        parts.append(f"{sign}{n} {unit}{'s' if plural else ''}")
    assert strtotime(" ".join(parts), now) == model_relative(now, steps)


def test_relative_years_reach_year_zero() -> None:
    # Outside the model's range above: 1970-01-01 minus 1970 years is 0000-01-01
    # (proleptic Gregorian, 719 528 days before the epoch), as PHP answers.
    epoch = datetime.fromtimestamp(0, UTC)
    assert strtotime("-470 year -500 year -500 year -500 year", epoch) == -719_528 * 86400


_MONTH_NAMES = [calendar.month_name[i] for i in range(1, 13)]


@settings(max_examples=300, deadline=None)
@given(
    year=st.integers(1971, 9998),
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    hms=st.tuples(st.integers(0, 23), st.integers(0, 59), st.integers(0, 59)),
    offset_min=st.integers(-12 * 60, 14 * 60),
    style=st.integers(0, 7),
)
def test_absolute_dates(
    year: int, month: int, day: int, hms: tuple[int, int, int], offset_min: int, style: int
) -> None:
    h, i, s = hms
    name = _MONTH_NAMES[month - 1]
    # Out-of-range days roll over into the next month, exactly like PHP.
    midnight = datetime(year, month, 1, tzinfo=UTC) + timedelta(days=day - 1)
    exact = midnight + timedelta(hours=h, minutes=i, seconds=s)
    sign = "-" if offset_min < 0 else "+"
    offset = f"{sign}{abs(offset_min) // 60:02d}:{abs(offset_min) % 60:02d}"
    cases = {
        0: (f"{year:04d}-{month:02d}-{day:02d}", midnight),
        1: (f"{year:04d}/{month:02d}/{day:02d}", midnight),
        2: (f"{month}/{day}/{year:04d}", midnight),
        3: (f"{day} {name} {year:04d}", midnight),
        4: (f"{name} {day}, {year:04d}", midnight),
        5: (f"{year:04d}{month:02d}{day:02d}{h:02d}{i:02d}{s:02d}", exact),
        6: (f"{year:04d}-{month:02d}-{day:02d}T{h:02d}:{i:02d}:{s:02d}Z", exact),
        7: (f"{year:04d}-{month:02d}-{day:02d} {h:02d}:{i:02d}:{s:02d} {offset}",
            exact - timedelta(minutes=offset_min)),
    }
    text, expected = cases[style]
    assert strtotime(text, NOW) == calendar.timegm(expected.utctimetuple())


def test_length_limit_and_linear_scan() -> None:
    """Values past MAX_EXPIRY_BYTES are refused before scanning; within it, the scan is
    linear (the old longest-match search tried every end: 8 000 digits took 2 s)."""
    import time

    from wikigate.util.expiry import MAX_EXPIRY_BYTES

    limit = MAX_EXPIRY_BYTES
    assert strtotime("1 day" + " " * (limit - 5), NOW) == NOW_TS + 86400
    assert strtotime("1 day" + " " * (limit - 4), NOW) is None
    assert strtotime("é" * (limit // 2 + 1), NOW) is None  # the limit counts UTF-8 bytes
    started = time.perf_counter()
    for text in ("9" * limit, "." * limit, "a" * limit, ("1 day " * 50)[:limit], " 1" * (limit // 2)):
        strtotime(text, NOW)
    assert time.perf_counter() - started < 0.5
