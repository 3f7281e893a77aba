"""Unit tests for user-name canonicalisation, validity levels and IP detection.

REFERENCE_USERS was recorded from the reference wiki with
``action=query&list=users&ususers=...&usprop=cancreate&formatversion=2``: the canonical name (None
when the API flagged the name ``invalid``) and ``cancreate`` (None for names that already exist
there, such as ``Admin``).
"""

from __future__ import annotations

import pytest

from wikigate.auth.usernames import (
    canonical_username,
    is_creatable_username,
    is_ip_address,
    is_usable_username,
    is_valid_username,
)
from wikigate.pages.namespaces import Namespaces
from wikigate.util.ips import is_ip_address_or_range, is_valid_ip, sanitize_ip

NS = Namespaces("RefWiki")

REFERENCE_USERS: list[tuple[str, str | None, bool | None]] = [
    ('Foo', 'Foo', True),
    ('foo', 'Foo', True),
    ('  spec   probe__q1  ', 'Spec probe q1', True),
    ('Spec\u200eProbe1', 'SpecProbe1', True),
    ('Spec&amp;Probe', 'Spec&Probe', True),
    ('&#65;lice', None, None),
    ('User:Bob', 'Bob', True),
    ('user:bob', 'Bob', True),
    ('User talk:Bob', None, None),
    ('Talk:Foo', None, None),
    ('Special:Foo', None, None),
    ('Project:Foo', None, None),
    ('RefWiki:Foo', None, None),
    ('Image:Foo', None, None),
    ('wikipedia:Foo', None, None),
    ('Foo:Bar', 'Foo:Bar', False),
    ('Spec:Probe', 'Spec:Probe', False),
    ('Foo@Bar', 'Foo@Bar', False),
    ('Foo>Bar', None, None),
    ('Spec/Probe', None, None),
    ('Spec[Probe]', None, None),
    ('Spec{P}', None, None),
    ('Spec<P', None, None),
    ('Spec\tP', None, None),
    ('Spec%20Probe', None, None),
    ('~~~', None, None),
    ('#', None, None),
    ('a#b', None, None),
    ('1.2.3.4', None, None),
    ('1.2.3.xxx', None, None),
    ('999.999.999.999', None, None),
    ('1.2.3', '1.2.3', True),
    ('2001:db8::1', None, None),
    ('::1', None, None),
    ('::', None, None),
    ('1:2:3:4:5:6:7:8', None, None),
    ('1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8:9', False),
    ('2001:db8::1::2', '2001:db8::1::2', False),
    ('fe80::1%eth0', 'Fe80::1%eth0', False),
    ('::ffff:1.2.3.4', None, None),
    ('192.168.0.1/24', None, None),
    ('ßx', 'SSx', True),
    ('ǆx', 'Ǆx', True),
    ('ıx', 'Ix', True),
    ('ǅa', 'Ǆa', True),
    ('Foo\xa0Bar', 'Foo Bar', True),
    ('Foo\u2000Bar', 'Foo Bar', True),
    ('Foo\u3000Bar', 'Foo Bar', True),
    ('Foo\ue000Bar', None, None),
    ('Foo\x85Bar', None, None),
    ('Foo\u200bBar', None, None),
    ('😀Smile', '😀Smile', True),
    ('Redirect fixer', 'Redirect fixer', False),
    ('redirect fixer', 'Redirect fixer', False),
    ('Unknown user', 'Unknown user', False),
    ('DNSBL', 'DNSBL', False),
    ('MediaWiki spam cleanup', 'MediaWiki spam cleanup', False),
    ('Maintenance script', 'Maintenance script', False),
    ('ADMIN', 'ADMIN', True),
    ('Ab_c', 'Ab c', True),
    ('Abc_', 'Abc', True),
    (':Foo', None, None),
    ('Foo:', 'Foo:', False),
    ('..', None, None),
    ('Foo/..', None, None),
    ('A.B', 'A.B', True),
    ('Foo&bar', 'Foo&bar', True),
    ('Foo&bogus;', None, None),
    ('été', 'Été', True),
    ('été', 'Été', True),
]


@pytest.mark.parametrize(("name", "canonical", "cancreate"), REFERENCE_USERS)
def test_matches_reference(name: str, canonical: str | None, cancreate: bool | None) -> None:
    assert canonical_username(name, NS) == canonical
    if cancreate is not None:
        assert (canonical_username(name, NS, "creatable") is not None) is cancreate


@pytest.mark.parametrize(
    ("length", "valid", "creatable"),
    [(235, True, True), (236, True, False), (255, True, False), (256, False, False)],
)
def test_length_limits(length: int, valid: bool, creatable: bool) -> None:
    # Verified on the reference: 236 bytes is "invalid" for creation, 256 invalid outright.
    name = "X" * length
    assert (canonical_username(name, NS) is not None) is valid
    assert is_creatable_username(name, NS) is creatable
    two_byte = "\u00e9" * (length // 2)
    assert is_creatable_username("X" + two_byte, NS) is (len(("X" + two_byte).encode()) <= 235)


def test_levels() -> None:
    assert is_valid_username("Redirect fixer", NS)
    assert not is_usable_username("Redirect fixer", NS)
    assert is_usable_username("Foo@bar", NS)
    assert not is_creatable_username("Foo@bar", NS)
    assert not is_valid_username("foo", NS)  # not canonical: lower-case first letter
    assert not is_valid_username("Foo_bar", NS)  # dbkey form is not the text form
    assert not is_valid_username("", NS)
    assert canonical_username("Redirect fixer", NS, "usable") is None
    assert canonical_username("user:foo_bar", NS, "usable") == "Foo bar"
    # RIGOR_NONE only strips the prefix; MediaWiki upper-cases before stripping it.
    assert canonical_username("User:foo_bar", NS, "none") == "foo bar"
    assert canonical_username("a#b", NS, "none") is None
    assert canonical_username("Foo bar") == "Foo bar"  # default namespace table


@pytest.mark.parametrize(
    ("text", "is_ip"),
    [
        ("1.2.3.4", True), ("255.255.255.255", True), ("256.1.1.1", True), ("1.2.3.xxx", True),
        ("01.002.003.004", True), ("1.2.3", False), ("1.2.3.4.5", False), ("1.2.3.4/24", False),
        ("::", True), ("::1", True), ("1::", True), ("1:2:3:4:5:6:7:8", True), ("1:2:3:4:5:6:7::", True),
        ("1::2:3:4:5:6:7", True), ("1:2:3:4:5:6::7:8", False), ("1:2:3:4:5:6:7:8:9", False),
        ("1::2::3", False), ("12345::", False), ("::ffff:1.2.3.4", False), ("g::1", False),
        ("2001:DB8::1", True), ("", False), ("abc", False),
    ],
)
def test_is_ip_address(text: str, is_ip: bool) -> None:
    assert is_ip_address(text) is is_ip


def test_ip_helpers() -> None:
    assert is_valid_ip("2001:db8::1") and not is_valid_ip("1.2.3.xxx")
    assert is_ip_address_or_range("10.0.0.0/8") and is_ip_address_or_range("2001:db8::/32")
    assert not is_ip_address_or_range("10.0.0.0/33")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("::1", "0:0:0:0:0:0:0:1"), ("::", "0:0:0:0:0:0:0:0"), ("2001:db8::", "2001:DB8:0:0:0:0:0:0"),
        ("2001:0db8::0001", "2001:DB8:0:0:0:0:0:1"), ("01.002.3.4", "1.2.3.4"), ("10.0.0.0", "10.0.0.0"),
        (" 1.2.3.4 ", "1.2.3.4"), ("Foo", "Foo"), ("2001:db8::/32", "2001:DB8:0:0:0:0:0:0/32"),
    ],
)
def test_sanitize_ip(raw: str, clean: str) -> None:
    assert sanitize_ip(raw) == clean
