"""``strtotime``: scan, apply the actions, resolve the record against "now" (UTC)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from wikigate.util.expiry.actions import _act
from wikigate.util.expiry.civil import _cdiv, _civil_from_days, _days_from_civil, _weekday
from wikigate.util.expiry.record import (
    _SPECIAL_DOW_IN_MONTH,
    _SPECIAL_LAST_DOW_IN_MONTH,
    _SPECIAL_WEEKDAY,
    _Abort,
    _Cur,
    _Time,
)
from wikigate.util.expiry.rules import _longest_match

#: Longest expiry accepted, in UTF-8 bytes. PHP's strtotime has no limit, but no real
#: expiry comes near it ("2030-01-01T00:00:00+00:00" is 25; a list of relative terms
#: such as "next monday 12:00 +3 weeks 2 days" is 33). The scan is linear but not free
#: (tens of microseconds per token), and a module may parse up to 500 expiries in one
#: request, so a hostile value is turned away before scanning: longer values are
#: "invalidexpiry".
MAX_EXPIRY_BYTES = 255


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
