"""User preferences: MediaWiki 1.39's defaults ($wgDefaultUserOptions) plus stored changes."""

from __future__ import annotations

from typing import Any

from wikigate.config import Settings

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
