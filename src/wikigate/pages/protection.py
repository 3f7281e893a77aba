"""Protection rules: applicable types, levels, rights, and the texts MediaWiki writes.

Pure functions over :class:`~wikigate.config.ProtectionSettings` (``$wgRestrictionTypes``,
``$wgRestrictionLevels``, ``$wgCascadingRestrictionLevels``) so that action=protect,
prop=info and the edit/move enforcement share one definition (spec protect.md §4, §5, §7).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC

from wikigate.config import ProtectionSettings
from wikigate.pages.namespaces import NS_FILE
from wikigate.util.expiry import expiry_from_db, format_expiry_api

#: A level's right: MediaWiki maps the two historical level names to their rights.
_LEVEL_RIGHTS = {"sysop": "editprotected", "autoconfirmed": "editsemiprotected"}

#: English labels used in the null-revision comment (interface facts of MediaWiki 1.39).
_TYPE_LABELS = {"edit": "Edit", "move": "Move", "create": "Create", "upload": "Upload"}
_LEVEL_LABELS = {"sysop": "Allow only administrators", "autoconfirmed": "Allow only autoconfirmed users"}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


@dataclass(frozen=True)
class Restriction:
    """One row of page_restrictions or protected_titles; expiry is ``infinity`` or TS_MW."""

    type: str
    level: str
    expiry: str = "infinity"
    cascade: bool = False


@dataclass(frozen=True)
class CascadeSource:
    """A cascading ``edit`` restriction of a page that transcludes the protected one."""

    namespace: int
    dbkey: str
    level: str
    expiry: str


def level_right(level: str) -> str:
    """The right needed to act on a page protected at ``level`` (custom levels are rights)."""
    return _LEVEL_RIGHTS.get(level, level)


def user_can_level(level: str, rights: Collection[str]) -> bool:
    return level == "" or level_right(level) in rights


def applicable_types(settings: ProtectionSettings, namespace: int, exists: bool, *,
                     for_info: bool = False) -> list[str]:
    """``Title::getRestrictionTypes``: ``create`` alone for missing pages.

    prop=info also lists ``upload`` for a missing File page, but action=protect only
    accepts ``create`` there (spec §4), hence ``for_info``.
    """
    if namespace < 0:
        return []
    types = [t for t in settings.types if t != "create"] if exists else ["create"]
    if not exists and for_info and namespace == NS_FILE and "upload" in settings.types:
        types.append("upload")
    if exists and namespace != NS_FILE:
        types = [t for t in types if t != "upload"]
    return types


def levels_for_user(settings: ProtectionSettings, rights: Collection[str]) -> list[str]:
    """Levels a protector may set: ``""`` plus those whose right they hold (spec §5)."""
    return [lv for lv in settings.levels if user_can_level(lv, rights)]


def is_live(expiry: str, now_ts: str) -> bool:
    """Whether a stored expiry (``infinity`` or TS_MW) is still in force at ``now_ts``."""
    return expiry == "infinity" or expiry >= now_ts


def expiry_phrase(expiry: str) -> str:
    """``indefinite`` or ``expires 04:05, 29 November 2026 (UTC)`` (user date format, UTC)."""
    dt = expiry_from_db(expiry)
    if dt is None:
        return "indefinite"
    dt = dt.astimezone(UTC)
    return f"expires {dt:%H:%M}, {dt.day} {_MONTHS[dt.month - 1]} {dt.year} (UTC)"


def expiry_api(expiry: str) -> str:
    """action=protect / logevents details form: ``infinite`` or ISO 8601."""
    return format_expiry_api(expiry_from_db(expiry))


def expiry_info(expiry: str) -> str:
    """prop=info / protectedtitles form: ``infinity`` or ISO 8601."""
    return "infinity" if expiry == "infinity" else expiry_api(expiry)


def log_description(restrictions: Iterable[Restriction]) -> str:
    """``description`` log parameter: ``\u200e[edit=sysop] (indefinite)`` per restriction."""
    return "".join(f"\u200e[{r.type}={r.level}] ({expiry_phrase(r.expiry)})"
                   for r in restrictions if r.level)


def comment_description(restrictions: Iterable[Restriction]) -> str:
    """``[Edit=Allow only administrators] (indefinite)`` parts joined by spaces (protect-summary-desc)."""
    parts = []
    for r in restrictions:
        if not r.level:
            continue
        label = _TYPE_LABELS.get(r.type, r.type)
        level = _LEVEL_LABELS.get(r.level, r.level)
        parts.append(f"[{label}={level}] ({expiry_phrase(r.expiry)})")
    return " ".join(parts)


def null_revision_comment(action: str, title: str, reason: str, restrictions: Sequence[Restriction],
                          cascade: bool) -> str:
    """Comment of the null revision protect writes (protectedarticle / modified… / unprotected…)."""
    head = {
        "protect": f'Protected "[[{title}]]"',
        "modify": f'Changed protection settings for "[[{title}]]"',
        "unprotect": f'Removed protection from "[[{title}]]"',
    }[action]
    if reason:
        head += f": {reason}"
    if action == "unprotect":
        return head
    desc = comment_description(restrictions)
    if desc:
        head += f" ({desc})"
    if cascade:
        head += " [cascading]"
    return head


def log_params(restrictions: Sequence[Restriction], cascade: bool, *, title_protection: bool) -> dict[str, object]:
    """``params`` of a protect/protect or protect/modify entry as list=logevents prints them."""
    details: list[dict[str, object]] = []
    for r in restrictions:
        if not r.level:
            continue
        item: dict[str, object] = {"type": r.type, "level": r.level, "expiry": expiry_api(r.expiry)}
        if not title_protection:
            item["cascade"] = bool(r.cascade)
        details.append(item)
    return {"description": log_description(restrictions), "cascade": cascade, "details": details}

