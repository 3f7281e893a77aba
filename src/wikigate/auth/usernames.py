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

# --- IP addresses (wikimedia/ip-utils) -----------------------------------------------------------

_IP_BYTE = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|0?[0-9]?[0-9])"
_IPV4 = re.compile(rf"{_IP_BYTE}\.{_IP_BYTE}\.{_IP_BYTE}\.{_IP_BYTE}")
_IPV4_PREFIX = r"(?:3[0-2]|[12][0-9]|[0-9])"
_IPV6_PREFIX = r"(?:12[0-8]|1[01][0-9]|[1-9][0-9]|[0-9])"
_IPV6_WORD = re.compile(r"[0-9A-Fa-f]{1,4}")
_ANY_IPV4 = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.(?:xxx|\d{1,3})")
_IPV4_LEADING_ZEROS = re.compile(r"(?:^|(?<=\.))0+(?=[1-9]|0[./]|0$)")
_IPV6_LEADING_ZEROS = re.compile(r"(^|:)0+([0-9A-Fa-f]{1,4})")


def _words_ok(part: str) -> int | None:
    """Number of colon-separated hex words in ``part`` ('' -> 0), None if any word is malformed."""
    if part == "":
        return 0
    words = part.split(":")
    if all(_IPV6_WORD.fullmatch(w) for w in words):
        return len(words)
    return None


def is_valid_ipv4(s: str) -> bool:
    """Dotted quad with each byte 0-255 (leading zeros tolerated, as IPUtils::isValidIPv4)."""
    return _IPV4.fullmatch(s) is not None


def is_valid_ipv6(s: str) -> bool:
    """Plain IPv6 address as IPUtils::isValidIPv6 (no embedded IPv4, no zone, no prefix).

    At most one ``::``; without it exactly 8 words, with it 1..7 explicit words (or none: ``::``).
    """
    if s.count("::") > 1:
        return False
    if "::" in s:
        head, tail = s.split("::", 1)
        nh, nt = _words_ok(head), _words_ok(tail)
        if nh is None or nt is None:
            return False
        return nh + nt <= 7
    n = _words_ok(s)
    return n == 8


def is_valid_ip(s: str) -> bool:
    """A single IPv4 or IPv6 address (IPUtils::isValid)."""
    return is_valid_ipv4(s) or is_valid_ipv6(s)


def _split_prefix(s: str, prefix_re: str) -> str | None:
    """Address part of ``addr[/prefix]`` if the prefix (when present) matches, else None."""
    if "/" not in s:
        return s
    addr, _, prefix = s.partition("/")
    return addr if re.fullmatch(prefix_re, prefix) else None


def is_ipv4_address(s: str) -> bool:
    """IPv4 address or CIDR range (IPUtils::isIPv4)."""
    addr = _split_prefix(s, _IPV4_PREFIX)
    return addr is not None and is_valid_ipv4(addr)


def is_ipv6_address(s: str) -> bool:
    """IPv6 address or CIDR range (IPUtils::isIPv6)."""
    addr = _split_prefix(s, _IPV6_PREFIX)
    return addr is not None and is_valid_ipv6(addr)


def is_ip_address_or_range(s: str) -> bool:
    """IPv4/IPv6 address, optionally with a CIDR prefix (IPUtils::isIPAddress)."""
    return is_ipv4_address(s) or is_ipv6_address(s)


def is_ip_address(s: str) -> bool:
    """Whether a would-be user name denotes an IP (UserNameUtils::isIP).

    Besides real addresses this matches any ``d.d.d.d`` with 1-3 digit groups and the
    ``1.2.3.xxx`` form MediaWiki used to mask addresses, so such names can never be registered.
    """
    return is_valid_ip(s) or _ANY_IPV4.fullmatch(s) is not None


def sanitize_ip(ip: str) -> str:
    """Canonical form of an IP (IPUtils::sanitizeIP); non-IP input is returned trimmed.

    IPv4 loses leading zeros per octet; IPv6 is upper-cased, ``::`` expanded and words stripped of
    leading zeros, so every spelling of one address maps to one user page.
    """
    ip = ip.strip()
    if ip == "" or not is_ip_address_or_range(ip):
        return ip
    if is_ipv4_address(ip):
        return _IPV4_LEADING_ZEROS.sub("", ip)
    ip = ip.upper()
    pos = ip.find("::")
    if pos >= 0:
        cidr = ip.find("/")
        address_end = cidr - 1 if cidr >= 0 else len(ip) - 1
        if pos == 0:
            repeat, extra, pad = "0:", "0" if ip == "::" else "", 9
        elif pos == address_end - 1:
            repeat, extra, pad = ":0", "", 9
        else:
            repeat, extra, pad = ":0", ":", 8
        ip = ip.replace("::", repeat * (pad - ip.count(":")) + extra)
    return _IPV6_LEADING_ZEROS.sub(r"\1\2", ip)


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
