"""MediaWiki timestamps: the helpers of util/clock.py are the only implementation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wikigate.util.clock import (
    from_mw_timestamp,
    iso_timestamp,
    mw_timestamp,
    mw_to_iso,
    parse_mw_timestamp,
    to_iso_timestamp,
    to_mw_timestamp,
)

T = 1795315013  # 2026-11-22T02:36:53Z


def test_unix_seconds_forms() -> None:
    assert mw_timestamp(T) == "20261122023653"
    assert mw_timestamp(T + 0.999) == "20261122023653"  # truncated, not rounded
    assert iso_timestamp(T) == "2026-11-22T02:36:53Z"
    assert parse_mw_timestamp("20261122023653") == T


def test_datetime_forms() -> None:
    aware = datetime(2026, 11, 22, 3, 36, 53, tzinfo=timezone(timedelta(hours=1)))
    assert to_mw_timestamp(aware) == "20261122023653"
    assert to_iso_timestamp(aware) == "2026-11-22T02:36:53Z"
    naive = datetime(2026, 11, 22, 2, 36, 53)
    assert to_mw_timestamp(naive) == "20261122023653"  # naive is UTC
    assert to_iso_timestamp(naive) == "2026-11-22T02:36:53Z"
    assert from_mw_timestamp("20261122023653") == datetime(2026, 11, 22, 2, 36, 53, tzinfo=UTC)
    assert to_mw_timestamp(datetime(999, 1, 2, 3, 4, 5)) == "09990102030405"


@pytest.mark.parametrize("bad", ["", "2026112202365", "202611220236531", "2026-11-22T02",
                                 "２０２６１１２２０２３６５３", "20261322023653"])
def test_malformed_mw_timestamps_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        from_mw_timestamp(bad)
    with pytest.raises(ValueError):
        parse_mw_timestamp(bad)


def test_mw_to_iso() -> None:
    assert mw_to_iso("20261122023653") == "2026-11-22T02:36:53Z"
    assert mw_to_iso("infinity") == "infinity"
    assert mw_to_iso("") is None and mw_to_iso(None) is None


@given(st.integers(min_value=0, max_value=253402300799))
def test_forms_agree(t: int) -> None:
    ts = mw_timestamp(t)
    assert parse_mw_timestamp(ts) == t
    assert to_mw_timestamp(from_mw_timestamp(ts)) == ts
    assert mw_to_iso(ts) == iso_timestamp(t) == to_iso_timestamp(from_mw_timestamp(ts))


def test_no_module_formats_mw_timestamps_itself() -> None:
    src = Path(__file__).resolve().parents[3] / "src" / "wikigate"
    pattern = re.compile(r"%Y%m%d%H%M%S|%Y-%m-%dT%H:%M:%SZ")
    offenders = [p.relative_to(src).as_posix() for p in src.rglob("*.py")
                 if p.name != "clock.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == [], f"use wikigate.util.clock in {offenders}"
