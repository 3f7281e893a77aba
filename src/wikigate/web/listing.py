"""Shared helpers of the read-only listing pages (Special:ProtectedPages,
Special:ProtectedTitles, Special:Log): filter fields, dates, levels, page sizes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from wikigate.util.clock import parse_mw_timestamp
from wikigate.util.expiry import expiry_from_db
from wikigate.web.ui import PageContext

#: Rows per page (``limit=`` may ask for 1…500, as MediaWiki's pagers).
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def limit_of(ctx: PageContext) -> int:
    raw = ctx.request.params.get("limit", "")
    try:
        n = int(raw) if raw.isdigit() else DEFAULT_LIMIT
    except ValueError:
        n = DEFAULT_LIMIT
    return max(1, min(n, MAX_LIMIT))


def when(ts: str) -> str:
    """A 14-digit timestamp as ``YYYY-MM-DD HH:MM (UTC)``."""
    try:
        dt = datetime.fromtimestamp(parse_mw_timestamp(ts), UTC)
    except (ValueError, OverflowError):
        return ts
    return f"{dt:%Y-%m-%d %H:%M} (UTC)"


def expiry_text(ctx: PageContext, expiry: str, t: dict[str, str]) -> str:
    dt = expiry_from_db(expiry)
    if dt is None:
        return t["forever"]
    return t["until"].format(expiry=f"{dt.astimezone(UTC):%Y-%m-%d %H:%M} (UTC)")


def level_text(level: str, t: dict[str, str]) -> str:
    if not level:
        return t["level_all"]
    key = f"level_{level}"
    return t[key] if key in t else t["level_other"].format(level=level)


def select_field(name: str, label: str, options: list[tuple[str, str]], value: str) -> dict[str, Any]:
    return {"name": name, "id": f"mw-{name}", "type": "select", "input_type": "text", "label": label, "help": "",
            "optional": False, "optional_text": "", "value": value, "checked": False, "options": options,
            "autocomplete": "", "error": "", "autofocus": False}


def text_field(name: str, label: str, value: str, *, error: str = "", help_text: str = "",
               optional: bool = True, autocomplete: str = "off") -> dict[str, Any]:
    return {"name": name, "id": f"mw-{name}", "type": "string", "input_type": "text", "label": label,
            "help": help_text, "optional": optional, "optional_text": "", "value": value, "checked": False,
            "options": [], "autocomplete": autocomplete, "error": error, "autofocus": False}
