"""Expiry values as MediaWiki takes and shows them: infinity words, ``parse_expiry`` and
the API/database forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wikigate.util.clock import from_mw_timestamp, to_iso_timestamp, to_mw_timestamp
from wikigate.util.expiry.strtotime import strtotime

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
    return "infinite" if expiry is None else to_iso_timestamp(expiry)


def format_expiry_info(expiry: datetime | None) -> str:
    """Expiry as prop=info / list=protectedtitles report it: ``infinity`` or ISO 8601."""
    return "infinity" if expiry is None else to_iso_timestamp(expiry)


def expiry_to_db(expiry: datetime | None) -> str:
    """Storage form used by page_restrictions/protected_titles: ``infinity`` or TS_MW."""
    return "infinity" if expiry is None else to_mw_timestamp(expiry)


def expiry_from_db(value: str) -> datetime | None:
    """Inverse of expiry_to_db; any infinity word maps to None."""
    return None if is_infinity(value) else from_mw_timestamp(value)
