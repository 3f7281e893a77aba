"""Protection expiry parsing with PHP ``strtotime`` semantics, as ApiProtect uses it.

MediaWiki accepts four case-sensitive infinity words and hands everything else to PHP's
``strtotime()`` (timelib), so ``next monday``, ``@1900000000``, ``31 November 2030`` (rolls over)
and even ``a day`` (military zone "A" plus a stray word: one hour in the *past*) are all legal
expiries.  To answer exactly like the reference this package re-implements timelib's scanner: every
format is a regular expression, the longest match at the cursor wins (ties go to the earlier
rule, as with re2c), and each rule's action updates a parsed-time record that is finally resolved
against "now" the way ``timelib_fill_holes`` + ``timelib_update_ts`` do.  All times are UTC.

The package: ``rules`` (the grammar and the longest-match scan), ``record`` (the
parsed-time record), ``actions`` (what each token does to it), ``civil`` (calendar
arithmetic), ``strtotime`` (scan + resolve) and ``parse`` (the expiry API below).
"""

from wikigate.util.expiry.parse import (
    INFINITY_WORDS,
    ExpiryError,
    InvalidExpiry,
    PastExpiry,
    expiry_from_db,
    expiry_to_db,
    format_expiry_api,
    format_expiry_info,
    is_infinity,
    parse_expiry,
)
from wikigate.util.expiry.strtotime import MAX_EXPIRY_BYTES, strtotime

__all__ = [
    "INFINITY_WORDS",
    "MAX_EXPIRY_BYTES",
    "ExpiryError",
    "InvalidExpiry",
    "PastExpiry",
    "expiry_from_db",
    "expiry_to_db",
    "format_expiry_api",
    "format_expiry_info",
    "is_infinity",
    "parse_expiry",
    "strtotime",
]
