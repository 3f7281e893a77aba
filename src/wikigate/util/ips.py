"""IP addresses and ranges as MediaWiki's IPUtils (wikimedia/ip-utils) sees them: validity
and the canonical spelling. User names (auth/usernames.py) and user-page titles
(pages/titles.py) both need them."""

from __future__ import annotations

import re

_IP_BYTE = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|0?[0-9]?[0-9])"
_IPV4 = re.compile(rf"{_IP_BYTE}\.{_IP_BYTE}\.{_IP_BYTE}\.{_IP_BYTE}")
_IPV4_PREFIX = r"(?:3[0-2]|[12][0-9]|[0-9])"
_IPV6_PREFIX = r"(?:12[0-8]|1[01][0-9]|[1-9][0-9]|[0-9])"
_IPV6_WORD = re.compile(r"[0-9A-Fa-f]{1,4}")
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
