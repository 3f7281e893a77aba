"""User preferences: MediaWiki 1.39's defaults ($wgDefaultUserOptions) plus stored changes."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from wikigate.config import Settings
from wikigate.i18n import Message, Num

#: As the reference reports them for an account without stored preferences.
DEFAULT_OPTIONS: dict[str, Any] = {
    'ccmeonemails': 0,
    'date': 'default',
    'diffonly': 0,
    'disablemail': 0,
    'editfont': 'monospace',
    'editondblclick': 0,
    'editsectiononrightclick': 0,
    'email-allow-new-users': 1,
    'enotifminoredits': 0,
    'enotifrevealaddr': 0,
    'enotifusertalkpages': 1,
    'enotifwatchlistpages': 1,
    'extendwatchlist': 1,
    'fancysig': 0,
    'forceeditsummary': 0,
    'gender': 'unknown',
    'hideminor': 0,
    'hidepatrolled': 0,
    'hidecategorization': 1,
    'imagesize': 2,
    'minordefault': 0,
    'newpageshidepatrolled': 0,
    'nickname': '',
    'pst-cssjs': 1,
    'norollbackdiff': 0,
    'previewonfirst': 0,
    'previewontop': 1,
    'rcdays': 7,
    'rcenhancedfilters-disable': 0,
    'rclimit': 50,
    "search-match-redirect": True,
    'search-special-page': 'Search',
    'searchlimit': 20,
    'showhiddencats': 0,
    'shownumberswatching': 1,
    'showrollbackconfirmation': 0,
    'skin': 'vector',
    'thumbsize': 5,
    'underline': 2,
    'uselivepreview': 0,
    'usenewrc': 1,
    'watchcreations': 1,
    'watchdefault': 1,
    'watchdeletion': 0,
    'watchuploads': 1,
    'watchlistdays': 7,
    'watchlisthideanons': 0,
    'watchlisthidebots': 0,
    'watchlisthideliu': 0,
    'watchlisthideminor': 0,
    'watchlisthideown': 0,
    'watchlisthidepatrolled': 0,
    'watchlisthidecategorization': 1,
    'watchlistreloadautomatically': 0,
    'watchlistunwatchlinks': 0,
    'watchmoves': 0,
    'watchrollback': 0,
    'wlenhancedfilters-disable': 0,
    'wllimit': 250,
    'useeditwarning': 1,
    'prefershttps': 1,
    'requireemail': 0,
    'skin-responsive': 1,
    'timecorrection': 'System|0',
    'language': 'en',
    'variant': 'en',
    'variant-ban': 'ban',
    'variant-en': 'en',
    'variant-crh': 'crh',
    'variant-gan': 'gan',
    'variant-iu': 'iu',
    'variant-kk': 'kk',
    'variant-ku': 'ku',
    'variant-shi': 'shi',
    'variant-sr': 'sr',
    'variant-tg': 'tg',
    'variant-uz': 'uz',
    'variant-zh': 'zh',
    'searchNs0': 1,
    'searchNs1': 0,
    'searchNs2': 0,
    'searchNs3': 0,
    'searchNs4': 0,
    'searchNs5': 0,
    'searchNs6': 0,
    'searchNs7': 0,
    'searchNs8': 0,
    'searchNs9': 0,
    'searchNs10': 0,
    'searchNs11': 0,
    'searchNs12': 0,
    'searchNs13': 0,
    'searchNs14': 0,
    'searchNs15': 0,
}


def _typed(default: Any, value: str) -> Any:
    if isinstance(default, bool):
        return value not in ("", "0")
    if isinstance(default, int):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def effective_options(settings: Settings, stored: dict[str, str]) -> dict[str, Any]:
    out = dict(DEFAULT_OPTIONS)
    out["language"] = settings.site.language
    for key, value in stored.items():
        out[key] = _typed(DEFAULT_OPTIONS.get(key, ""), value)
    return out


# -- changing preferences (action=options, Special:Preferences) --------------------

#: Shown on Special:Preferences but stored outside the options table.
SPECIAL_OPTIONS = frozenset({
    "emailaddress", "password", "realname", "registrationdate", "editcount", "usergroups",
    "username", "userid", "emailauthentication", "downloaddata", "skin-prefs",
})

#: UserOptionsManager::MAX_BYTES_OPTION_VALUE.
MAX_VALUE_BYTES = 65530

#: Registered preferences edited through a select: the values that form offers.
SELECT_CHOICES: dict[str, tuple[str, ...]] = {
    "gender": ("male", "female", "unknown"),
    # wikigate renders no skins; the default is the only value that means anything.
    "skin": ("vector",),
    "editfont": ("monospace", "sans-serif", "serif"),
    "underline": ("0", "1", "2"),
    "imagesize": ("0", "1", "2", "3", "4", "5"),
    "thumbsize": ("0", "1", "2", "3", "4", "5"),
}

#: Registered preferences edited through an integer field.
INT_OPTIONS = frozenset({"rclimit", "rcdays", "wllimit", "watchlistdays", "searchlimit"})

_FLOAT_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_USERJS_KEY_RE = re.compile(r"[^a-zA-Z0-9_-]")


def option_kind(key: str) -> str:
    """``registered``, ``special``, ``userjs`` or ``unused`` (UserOptionsManager's kinds)."""
    if key in DEFAULT_OPTIONS or (key.startswith("searchNs") and key[8:].isdigit()):
        return "registered"
    if key in SPECIAL_OPTIONS:
        return "special"
    if key.startswith("userjs-"):
        return "userjs"
    return "unused"


def _validate(key: str, value: str | None, languages: Collection[str]) -> Message | None:
    kind = option_kind(key)
    if kind == "registered":
        if value is None:
            return None
        if key == "language":
            return None if value in languages else Message("htmlform-select-badoption")
        choices = SELECT_CHOICES.get(key)
        if choices is not None and value not in choices:
            return Message("htmlform-select-badoption")
        if key in INT_OPTIONS:
            if not _FLOAT_RE.match(value):
                return Message("htmlform-float-invalid")
            if not re.fullmatch(r"\s*[+-]?\d+\s*", value):
                return Message("htmlform-int-invalid")
        return None
    if kind == "userjs":
        if len(key.encode("utf-8")) > 255:
            return Message("apiwarn-validationfailed-keytoolong", (Num(255),))
        if _USERJS_KEY_RE.search(key):
            return Message("apiwarn-validationfailed-badchars")
        return None
    if kind == "special":
        return Message("apiwarn-validationfailed-cannotset")
    return Message("apiwarn-validationfailed-badpref")


def _same(default: Any, value: str) -> bool:
    if isinstance(default, bool):
        return value not in ("", "0") if default else value in ("", "0")
    return str(default) == value


def check_option(key: str, value: str | None, languages: Collection[str]) -> Message | None:
    """Why ``key=value`` cannot be stored (the API's ``validationfailed`` reason), or None.

    One rule for action=options and Special:Preferences: what the preference's form field
    would accept (selects and numbers), and MediaWiki's value size limit."""
    problem = _validate(key, value, languages)
    if problem is None and value is not None and len(value.encode("utf-8")) > MAX_VALUE_BYTES:
        problem = Message("apiwarn-validationfailed-valuetoolong", (Num(MAX_VALUE_BYTES),))
    return problem


def stored_value(key: str, value: str | None) -> str | None:
    """What to store for a checked change: None (no row) for a reset or the default."""
    default = DEFAULT_OPTIONS.get(key)
    # Storing the default is the same as resetting (MediaWiki keeps no row for it).
    if value is None or (default is not None and _same(default, value)):
        return None
    return value
