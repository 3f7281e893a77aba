"""Input clean-up at the edge: the expected texts are the reference MediaWiki 1.39's
answers (``requestid`` echoed back, ``badutf8`` warning or not) for the same bytes."""

from __future__ import annotations

import xml.parsers.expat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wikigate.api.output import encode_xml
from wikigate.http.normalize import clean_header, decode_name, decode_value, xml_safe

F = "\ufffd"

# (raw bytes, expected from the body, expected from the query string, badutf8?)
REFERENCE = [
    (b"abc", "abc", "abc", False),
    (b"a\tb\nc\rd", "a\tb\nc\rd", "a\tb\nc\rd", False),
    (b"a\x00b", f"a{F}b", f"a{F}b", True),
    (b"\x1b[31m", f"{F}[31m", f"{F}[31m", True),
    (b"\xef\xbf\xbe", F, F, True),
    (b"\xef\xbf\xbf", F, F, True),
    (b"e\xcc\x81", "\u00e9", "\u00e9", True),                  # NFC
    (b"\x7f\xc2\x85", "\x7f\u0085", "\x7f\u0085", False),      # DEL and C1 stay, as in MediaWiki
    (b"\xef\xb7\x90", "\ufdd0", "\ufdd0", False),              # other non-characters stay
    (b"\xf0\x9f\x98\x80", "\U0001f600", "\U0001f600", False),
    # Invalid UTF-8: one U+FFFD per malformed sequence in a body; the whole value re-read
    # as windows-1252 in the query string (undefined bytes dropped).
    (b"a\xffb", f"a{F}b", "a\u00ffb", True),
    (b"a\xed\xa0\x80b", f"a{F}b", "a\u00ed\u00a0\u20acb", True),   # a surrogate: one U+FFFD
    (b"\xc0\x80", F, "\u00c0\u20ac", True),                         # overlong
    (b"\xf4\x90\x80\x80", F, "\u00f4\u20ac\u20ac", True),           # beyond U+10FFFF
    (b"\xe2\x82", F, "\u00e2\u201a", True),                         # truncated
    (b"\xe2\x82g", f"{F}g", "\u00e2\u201ag", True),
    (b"\x80\x80", F + F, "\u20ac\u20ac", True),
    (b"\x81\x8d", F + F, "", True),
]


@pytest.mark.parametrize(("raw", "body", "query", "bad"), REFERENCE)
def test_values_are_cleaned_as_the_reference_cleans_them(raw: bytes, body: str, query: str, bad: bool) -> None:
    assert decode_value(raw, from_query=False) == (body, bad)
    assert decode_value(raw, from_query=True) == (query, bad)


def test_multi_value_separator_is_kept_and_the_pieces_cleaned() -> None:
    assert decode_value(b"\x1fa\x1fb", from_query=False) == ("\x1fa\x1fb", False)
    assert decode_value(b"\x1fa\x00\x1fe\xcc\x81", from_query=False) == (f"\x1fa{F}\x1f\u00e9", True)
    # Not at the start: the separator is a control character like any other.
    assert decode_value(b"a\x1fb", from_query=False) == (f"a{F}b", True)


def test_names_and_headers_are_cleaned() -> None:
    assert decode_name(b"foo\x01x") == f"foo{F}x"
    assert decode_name(b"n\xffme") == f"n{F}me"
    assert clean_header("a\x00b\tc\x7f") == f"a{F}b\tc{F}"


def test_xml_safe_replaces_what_xml_forbids() -> None:
    assert xml_safe("ok \t\n\r é \U0001f600") == "ok \t\n\r é \U0001f600"
    assert xml_safe("a\x00\x08\x0b\x0c\x1f\ufffe\uffff\ud800b") == "a" + F * 8 + "b"


def _parses(doc: str) -> None:
    parser = xml.parsers.expat.ParserCreate()
    parser.Parse(doc.encode("utf-8"), True)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=40))
def test_xml_writer_output_always_parses(text: str) -> None:
    """Whatever a module puts in a result (attribute, content, list item), the document
    is well-formed XML: the writer's own defence, independent of the edge clean-up."""
    doc = encode_xml({"requestid": text, "warnings": {"main": {"*": text}}, "list": [text, {"a": text}]})
    _parses(doc)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_cleaned_input_is_valid_xml_text(raw: bytes) -> None:
    for from_query in (False, True):
        text, _ = decode_value(raw, from_query=from_query)
        assert xml_safe(text) == text or text.startswith("\x1f")
        _parses(encode_xml({"requestid": text.replace("\x1f", "|")}))


@pytest.mark.parametrize(("raw", "registered"), [
    ("fo.o", "fo_o"), ("b ar", "b_ar"), (" lead", "lead"), ("a[b", "a_b"), ("c.d[]", "c_d[]"),
    ("x[a.b]", "x[a.b]"), ("plain", "plain"), ("  ", ""),
])
def test_names_are_registered_as_php_registers_them(raw: str, registered: str) -> None:
    from wikigate.http.normalize import php_name

    assert php_name(raw) == registered
