"""User-name canonicalisation and validity levels of MediaWiki 1.39 (UserNameUtils, IPUtils).

A name is canonicalised by parsing it as a title in the User namespace, then checked at one of
three increasing levels: *valid* (could be a registered name at all), *usable* (not reserved,
used for login) and *creatable* (account creation: stricter length and character rules).  IP
addresses are never valid user names because anonymous edits are attributed to them.
"""

from __future__ import annotations

import re
from typing import Literal

from wikigate.pages.namespaces import NS_MAIN, NS_USER, Namespaces
from wikigate.pages.titles import InvalidTitle, parse_title, uc_first
from wikigate.util.ips import is_valid_ip

Rigor = Literal["none", "valid", "usable", "creatable"]

MAX_NAME_BYTES = 255  # $wgMaxNameChars (counted in bytes by strlen)
MAX_CREATABLE_BYTES = 235  # UserNameUtils::isCreatable, so user JS/CSS subpages still fit
INVALID_USERNAME_CHARACTERS = "@:>"  # $wgInvalidUsernameCharacters

# $wgReservedUsernames of 1.39 with the ``msg:`` entries resolved to their English texts.
RESERVED_USERNAMES: frozenset[str] = frozenset(
    {
        "MediaWiki default",
        "Conversion script",
        "Maintenance script",
        "Template namespace initialisation script",
        "ScriptImporter",
        "Delete page script",
        "Move page script",
        "Command line script",
        "Unknown user",
        "Redirect fixer",
        "System messenger",
        "Proxy blocker",
        "DNSBL",
        "MediaWiki spam cleanup",
        "MediaWiki automatic change",
    }
)

# --- IP addresses as user names ---------------------------------------------------------------

_ANY_IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.(?:xxx|\d{1,3})")


def is_ip_address(s: str) -> bool:
    """Whether a would-be user name denotes an IP (UserNameUtils::isIP).

    Besides real addresses this matches any ``d.d.d.d`` with 1-3 digit groups and the
    ``1.2.3.xxx`` form MediaWiki used to mask addresses, so such names can never be registered.
    """
    return is_valid_ip(s) or _ANY_IPV4.fullmatch(s) is not None


# --- validity levels -----------------------------------------------------------------------------

# Characters isValid rejects although titles allow them: C1 controls, NBSP, various spaces and
# format characters, line/paragraph separators, ideographic space and the BMP private use area.
_TROUBLEMAKERS = re.compile("[\u0080-\u009f\u00a0\u2000-\u200f\u2028-\u202f\u3000\ue000-\uf8ff]")

_default_namespaces = Namespaces("Project")


def is_valid_username(name: str, namespaces: Namespaces | None = None) -> bool:
    """UserNameUtils::isValid: could ``name`` (already canonical) be a registered user name?"""
    ns_table = namespaces or _default_namespaces
    if (
        name == ""
        or is_ip_address(name)
        or "/" in name
        or len(name.encode("utf-8")) > MAX_NAME_BYTES
        or name != uc_first(name)
    ):
        return False
    try:
        title = parse_title(name, ns_table)
    except InvalidTitle:
        return False
    if title.namespace != NS_MAIN or title.interwiki or name != title.text:
        return False
    return _TROUBLEMAKERS.search(name) is None


def is_usable_username(name: str, namespaces: Namespaces | None = None) -> bool:
    """UserNameUtils::isUsable: valid and not reserved for maintenance scripts (login level)."""
    return is_valid_username(name, namespaces) and name not in RESERVED_USERNAMES


def is_creatable_username(name: str, namespaces: Namespaces | None = None) -> bool:
    """UserNameUtils::isCreatable: usable, at most 235 bytes and free of ``@:>``.

    Temporary-account names do not exist in a default 1.39 install, so there is no check for them.
    """
    if len(name.encode("utf-8")) > MAX_CREATABLE_BYTES:
        return False
    if any(c in name for c in INVALID_USERNAME_CHARACTERS):
        return False
    return is_usable_username(name, namespaces)


def canonical_username(
    name: str, namespaces: Namespaces | None = None, rigor: Rigor = "valid"
) -> str | None:
    """UserNameUtils::getCanonical: the canonical spelling of ``name``, or None if unacceptable.

    The first letter is upper-cased *before* title parsing (so ``ß…`` becomes ``SS…``), names with
    ``#`` are rejected outright, a ``User:`` prefix is dropped, any other namespace or an
    interwiki prefix makes the name invalid, and the result is then checked at ``rigor``
    ("valid" is what list=users uses, "creatable" what createaccount uses).
    """
    ns_table = namespaces or _default_namespaces
    name = uc_first(name)
    if "#" in name:
        return None
    if rigor == "none":
        prefix = ns_table.by_id(NS_USER).name + ":"
        if name.startswith(prefix):
            name = name.replace(prefix, "")
        return name.replace("_", " ")
    try:
        title = parse_title(name, ns_table, NS_USER)
    except InvalidTitle:
        return None
    if title.namespace != NS_USER or title.interwiki:
        return None
    name = title.text
    check = {
        "valid": is_valid_username,
        "usable": is_usable_username,
        "creatable": is_creatable_username,
    }[rigor]
    return name if check(name, ns_table) else None


def login_username(name: str, namespaces: Namespaces | None = None) -> str | None:
    """The account a login names: the one canonicalisation every login path uses.

    ``action=login``, ``clientlogin``, bot-password login and the login throttles all call
    this, so a spelling variant (``name_``, `` Name``, ``Name`` + U+200E …) is the same
    account to the password check *and* to the throttle counting guesses against it
    (issue 9: each spelling used to get its own five guesses). None: not a usable name.
    """
    return canonical_username(name, namespaces, rigor="usable")
