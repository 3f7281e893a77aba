"""Unit tests for the namespace table and MediaWiki title parsing.

The big table was produced by asking the reference wiki (MediaWiki 1.39.17,
``action=query&titles=...&formatversion=2``) and records either the normalised title or the
``invalidreason`` text it answered; the parser must reproduce every row.
"""

from __future__ import annotations

import pytest

from wikigate.pages.namespaces import NS_FILE, NS_PROJECT, NS_TALK, NS_USER, Namespaces
from wikigate.pages.titles import InvalidTitle, Title, decode_char_references, parse_title, uc_first

NS = Namespaces("RefWiki")

# (input, "ok" -> normalised prefixed title | "invalid" -> invalidreason text) from the reference.
RELATIVE = (
    "Title has relative path. Relative page titles (./, ../) are invalid, because they will often be "
    "unreachable when handled by user's browser."
)

REFERENCE_TITLES: list[tuple[str, str, str]] = [
    ('Foo', 'ok', 'Foo'),
    ('foo', 'ok', 'Foo'),
    ('foo bar', 'ok', 'Foo bar'),
    ('foo_bar', 'ok', 'Foo bar'),
    ('  foo   bar__baz  ', 'ok', 'Foo bar baz'),
    ('Foo#bar', 'ok', 'Foo'),
    ('Foo_#_bar', 'ok', 'Foo'),
    ('#foo', 'ok', ''),
    ('Talk:foo', 'ok', 'Talk:Foo'),
    ('talk:foo', 'ok', 'Talk:Foo'),
    ('TALK:Foo', 'ok', 'Talk:Foo'),
    ('User talk:foo', 'ok', 'User talk:Foo'),
    ('User_talk:foo', 'ok', 'User talk:Foo'),
    ('user talk : foo', 'ok', 'User talk:Foo'),
    ('Project:Foo', 'ok', 'RefWiki:Foo'),
    ('RefWiki:foo', 'ok', 'RefWiki:Foo'),
    ('refwiki talk:Foo', 'ok', 'RefWiki talk:Foo'),
    ('Project talk:foo', 'ok', 'RefWiki talk:Foo'),
    ('Image:Foo.png', 'ok', 'File:Foo.png'),
    ('image talk:x', 'ok', 'File talk:X'),
    ('File:foo', 'ok', 'File:Foo'),
    ('Special:RecentChanges', 'ok', 'Special:RecentChanges'),
    ('special:foo', 'ok', 'Special:Foo'),
    ('Media:Foo.png', 'ok', 'Media:Foo.png'),
    ('MediaWiki:Common.css', 'ok', 'MediaWiki:Common.css'),
    ('Template:foo', 'ok', 'Template:Foo'),
    ('Help:foo', 'ok', 'Help:Foo'),
    ('Category:foo', 'ok', 'Category:Foo'),
    ('Category talk:foo', 'ok', 'Category talk:Foo'),
    ('Talk:User:Foo', 'invalid', 'The requested page title refers to a talk page that cannot exist.'),
    ('Talk:Foo:Bar', 'ok', 'Talk:Foo:Bar'),
    ('User:Talk:Foo', 'ok', 'User:Talk:Foo'),
    ('Talk:wikipedia:x', 'invalid', 'The requested page title refers to a talk page that cannot exist.'),
    ('wikipedia:Foo', 'ok', 'wikipedia:Foo'),
    ('Wikipedia:foo', 'ok', 'wikipedia:foo'),
    ('mw:Help:Foo', 'ok', 'mw:Help:Foo'),
    ('wikipedia::Foo', 'ok', 'wikipedia:Foo'),
    ('Foo:Bar', 'ok', 'Foo:Bar'),
    (':Foo', 'ok', 'Foo'),
    ('::Foo', 'invalid', 'The requested page title contains an invalid colon at the beginning.'),
    (':Talk:Foo', 'ok', 'Talk:Foo'),
    ('Talk::foo', 'invalid', 'The requested page title contains an invalid colon at the beginning.'),
    ('Talk:', 'invalid', 'The requested page title is empty or contains only the name of a namespace.'),
    ('User:', 'invalid', 'The requested page title is empty or contains only the name of a namespace.'),
    (':', 'invalid', 'The requested page title is empty or contains only the name of a namespace.'),
    ('_', 'invalid', 'The requested page title is empty or contains only the name of a namespace.'),
    ('Foo[bar]', 'invalid', 'The requested page title contains invalid characters: "[".'),
    ('Foo{bar}', 'invalid', 'The requested page title contains invalid characters: "{".'),
    ('Foo<bar>', 'invalid', 'The requested page title contains invalid characters: "<".'),
    ('Foo|bar', 'invalid', 'The requested page title contains invalid characters: "|".'),
    ('Foo\tbar', 'invalid', 'The requested page title contains invalid characters: "\t".'),
    ('Foo\x7fbar', 'invalid', 'The requested page title contains invalid characters: "\x7f".'),
    ('Foo%20bar', 'invalid', 'The requested page title contains invalid characters: "%20".'),
    ('Foo%zz', 'ok', 'Foo%zz'),
    ('100%', 'ok', '100%'),
    ('Foo&amp;bar', 'ok', 'Foo&bar'),
    ('&#65;b', 'ok', 'Ab'),
    ('&#x41;b', 'ok', 'Ab'),
    ('a&bogus;b', 'invalid', 'The requested page title contains invalid characters: "&bogus;".'),
    ('a&b', 'ok', 'A&b'),
    ('&#0;x', 'invalid', 'The requested page title contains an invalid UTF-8 sequence.'),
    ('a&#12345678;b', 'invalid', 'The requested page title contains an invalid UTF-8 sequence.'),
    ('Spec\u200eProbe', 'ok', 'SpecProbe'),
    ('a\xa0b', 'ok', 'A b'),
    ('a\u3000b', 'ok', 'A b'),
    ('ßx', 'ok', 'SSx'),
    ('ǆx', 'ok', 'Ǆx'),
    ('ŉx', 'ok', 'ʼNx'),
    ('été', 'ok', 'Été'),
    ('été', 'ok', 'Été'),
    ('ıx', 'ok', 'Ix'),
    ('ǅx', 'ok', 'Ǆx'),
    ('.', 'invalid', RELATIVE),
    ('..', 'invalid', RELATIVE),
    ('./Foo', 'invalid', RELATIVE),
    ('../Foo', 'invalid', RELATIVE),
    ('Foo/./bar', 'invalid', RELATIVE),
    ('Foo/../bar', 'invalid', RELATIVE),
    ('Foo/.', 'invalid', RELATIVE),
    ('Foo/..', 'invalid', RELATIVE),
    ('Foo.bar', 'ok', 'Foo.bar'),
    ('...', 'ok', '...'),
    ('~~~', 'invalid', 'The requested page title contains invalid magic tilde sequence (<nowiki>~~~</nowiki>).'),
    ('a~~~~b', 'invalid', 'The requested page title contains invalid magic tilde sequence (<nowiki>~~~</nowiki>).'),
    ('~~', 'ok', '~~'),
    ('User:::1', 'ok', 'User:0:0:0:0:0:0:0:1'),
    ('User:01.002.3.4', 'ok', 'User:1.2.3.4'),
    ('User talk:2001:db8::1', 'ok', 'User talk:2001:DB8:0:0:0:0:0:1'),
    ('User:1.2.3.xxx', 'ok', 'User:1.2.3.xxx'),
    ('Talk:::1', 'invalid', 'The requested page title contains an invalid colon at the beginning.'),
    ('123', 'ok', '123'),
    ('1.2.3.4', 'ok', '1.2.3.4'),
    ('😀 emoji', 'ok', '😀 emoji'),
    ('Foo:', 'ok', 'Foo:'),
    ('Foo\u2028bar', 'ok', 'Foo bar'),
]

TOO_LONG = "The requested page title is too long. It must be no longer than {} bytes in UTF-8 encoding."


def outcome(text: str) -> tuple[str, str]:
    try:
        return "ok", parse_title(text, NS).prefixed_text
    except InvalidTitle as exc:
        return "invalid", exc.message


@pytest.mark.parametrize(("text", "kind", "expected"), REFERENCE_TITLES)
def test_matches_reference(text: str, kind: str, expected: str) -> None:
    assert outcome(text) == (kind, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 255, ("ok", "X" + "x" * 254)),
        ("x" * 256, ("invalid", TOO_LONG.format(255))),
        ("\u00e9" * 127, ("ok", "\u00c9" + "\u00e9" * 126)),
        ("\u00e9" * 128, ("invalid", TOO_LONG.format(255))),
        ("Special:" + "x" * 512, ("ok", "Special:X" + "x" * 511)),
        ("Special:" + "x" * 513, ("invalid", TOO_LONG.format(512))),
    ],
    ids=["255", "256", "254-bytes", "256-bytes", "special-512", "special-513"],
)
def test_byte_length_limits(text: str, expected: tuple[str, str]) -> None:
    # Verified on the reference: the limit counts UTF-8 bytes and is 512 for Special pages.
    assert outcome(text) == expected


def test_reason_keys_and_fragment() -> None:
    with pytest.raises(InvalidTitle) as exc:
        parse_title("Foo[bar]", NS)
    assert exc.value.reason_key == "title-invalid-characters"
    assert exc.value.params == ("[",)
    assert exc.value.text == "Foo[bar]"
    with pytest.raises(InvalidTitle) as exc:
        parse_title("", NS)
    assert exc.value.reason_key == "title-invalid-empty"
    title = parse_title("foo_bar#Some_section", NS)
    assert (title.namespace, title.dbkey, title.fragment) == (0, "Foo_bar", "Some section")
    assert title == Title(0, "Foo_bar")


def test_interwiki_can_be_disabled() -> None:
    assert parse_title("wikipedia:Foo", NS).interwiki == "wikipedia"
    plain = parse_title("wikipedia:Foo", NS, interwiki=())
    assert (plain.interwiki, plain.dbkey) == ("", "Wikipedia:Foo")


def test_default_namespace_and_leading_colon() -> None:
    assert parse_title("Foo", NS, default_ns=NS_USER) == Title(NS_USER, "Foo")
    assert parse_title(":Foo", NS, default_ns=NS_USER) == Title(0, "Foo")
    assert parse_title("Talk:Foo", NS, default_ns=NS_USER) == Title(NS_TALK, "Foo")


def test_title_accessors() -> None:
    title = parse_title("refwiki_talk:foo_bar", NS)
    assert title.namespace == 5
    assert title.text == "Foo bar"
    assert title.prefixed_text == "RefWiki talk:Foo bar"
    assert title.prefixed_dbkey == "RefWiki_talk:Foo_bar"
    assert title.subject_page().prefixed_text == "RefWiki:Foo bar"
    assert title.talk_page() == title
    assert title.subject_page().talk_page() == title
    assert title.can_exist()
    special = parse_title("Special:Log", NS)
    assert not special.can_exist()
    with pytest.raises(ValueError):
        special.talk_page()
    # Without a bound namespace table the canonical name is used.
    assert Title(NS_PROJECT, "X").prefixed_text == "Project:X"
    assert Title(NS_FILE, "A_b.png").talk_page().prefixed_dbkey == "File_talk:A_b.png"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a&amp;b", "a&b"), ("&#65;&#x42;&#X43;", "ABC"), ("&bogus;", "&bogus;"), ("&", "&"),
     ("&#0;", "\ufffd"), ("&rlm;", "\u200f"), ("&#1114112;", "\ufffd")],
)
def test_decode_char_references(text: str, expected: str) -> None:
    assert decode_char_references(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("abc", "Abc"), ("1abc", "1abc"), ("\u00dfx", "SSx"), ("\u01c6x", "\u01c4x"),
     ("\u0149x", "\u02bcNx"), ("\u00e9", "\u00c9"), ("", "")],
)
def test_uc_first(text: str, expected: str) -> None:
    assert uc_first(text) == expected


def test_namespace_lookup() -> None:
    assert NS.lookup("user_TALK") == 3
    assert NS.lookup("Project") == NS.lookup("refwiki") == 4
    assert NS.lookup("Image talk") == 7
    assert NS.lookup("") is None
    assert NS.lookup("Nope") is None
    assert [info.id for info in NS.all()] == list(range(-2, 16))
    assert NS.aliases() == [("Image", 6), ("Image talk", 7)]


def test_siteinfo_structures() -> None:
    # Key order and values as returned by the reference for fv1 and fv2.
    fv1 = NS.siteinfo_namespaces(1)
    assert fv1["0"] == {"id": 0, "case": "first-letter", "content": "", "*": ""}
    assert fv1["8"] == {
        "id": 8, "case": "first-letter", "subpages": "", "canonical": "MediaWiki",
        "namespaceprotection": "editinterface", "*": "MediaWiki",
    }
    assert list(fv1["4"]) == ["id", "case", "subpages", "canonical", "*"]
    assert fv1["4"]["*"] == "RefWiki"
    fv2 = NS.siteinfo_namespaces(2)
    assert fv2["5"] == {
        "id": 5, "case": "first-letter", "name": "RefWiki talk", "subpages": True,
        "canonical": "Project talk", "content": False, "nonincludable": False,
    }
    assert "canonical" not in fv2["0"]
    assert NS.siteinfo_aliases(1) == [{"id": 6, "*": "Image"}, {"id": 7, "*": "Image talk"}]
    assert NS.siteinfo_aliases(2) == [{"id": 6, "alias": "Image"}, {"id": 7, "alias": "Image talk"}]
