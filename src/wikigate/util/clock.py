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


def mw_timestamp(t: float) -> str:
    """14-digit TS_MW, e.g. ``20261122023145``."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime(int(t)))


def iso_timestamp(t: float) -> str:
    """TS_ISO_8601 as the API prints it, e.g. ``2026-11-22T02:31:45Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(t)))


def parse_mw_timestamp(ts: str) -> float:
    return datetime.strptime(ts, "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp()


def mw_to_iso(ts: str | None) -> str | None:
    if not ts:
        return None
    if ts == "infinity":
        return "infinity"
    return f"{ts[0:4]}-{ts[4:6]}-{ts[6:8]}T{ts[8:10]}:{ts[10:12]}:{ts[12:14]}Z"
