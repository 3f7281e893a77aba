"""Time in MediaWiki's formats, behind an injectable clock so tests control "now"."""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    """Wall clock; tests use :class:`FakeClock`."""

    def time(self) -> float:
        return time.time()


class FakeClock(Clock):
    def __init__(self, start: float = 1_795_315_013.0) -> None:
        self.now = start

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


#: TS_MW, MediaWiki's 14-digit storage form.
TS_MW = "%Y%m%d%H%M%S"
#: TS_ISO_8601 as the API prints it.
TS_ISO = "%Y-%m-%dT%H:%M:%SZ"


def mw_timestamp(t: float) -> str:
    """14-digit TS_MW of unix seconds, e.g. ``20261122023145``."""
    return time.strftime(TS_MW, time.gmtime(int(t)))


def iso_timestamp(t: float) -> str:
    """TS_ISO_8601 of unix seconds as the API prints it, e.g. ``2026-11-22T02:31:45Z``."""
    return time.strftime(TS_ISO, time.gmtime(int(t)))


def to_mw_timestamp(dt: datetime) -> str:
    """14-digit TS_MW of a datetime in UTC; naive datetimes are taken as UTC. Years below
    1000 keep their four digits (``strftime`` does not pad them everywhere)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return f"{dt.year:04d}{dt.month:02d}{dt.day:02d}{dt.hour:02d}{dt.minute:02d}{dt.second:02d}"


def to_iso_timestamp(dt: datetime) -> str:
    """TS_ISO_8601 of a datetime (converted to UTC; naive ones are taken as UTC)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC)
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}Z"


def from_mw_timestamp(ts: str) -> datetime:
    """Parse a 14-digit TS_MW string into an aware UTC datetime (ValueError if malformed)."""
    if len(ts) != 14 or not ts.isascii() or not ts.isdigit():
        raise ValueError(f"not a 14-digit MediaWiki timestamp: {ts!r}")
    return datetime.strptime(ts, TS_MW).replace(tzinfo=UTC)


def parse_mw_timestamp(ts: str) -> float:
    """Unix seconds of a 14-digit TS_MW string (ValueError if malformed)."""
    return from_mw_timestamp(ts).timestamp()


def mw_to_iso(ts: str | None) -> str | None:
    """A stored TS_MW value as the API prints it; ``infinity`` stays; empty/None is None."""
    if not ts:
        return None
    if ts == "infinity":
        return "infinity"
    return f"{ts[0:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}Z"
