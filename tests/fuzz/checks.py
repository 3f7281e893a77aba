"""Well-formedness checks for every output format: JSON (and JSONP), XML through expat,
PHP ``serialize()`` through a strict parser, and the HTML ``*fm`` wrappers (their
``<pre>`` is unescaped and checked as the wrapped format)."""

from __future__ import annotations

import html
import json
import re
import xml.parsers.expat


class Malformed(ValueError):
    """The body is not valid in the format it claims."""


def check_json(body: bytes, *, jsonp: bool = False) -> None:
    text = _utf8(body)
    if jsonp:
        m = re.fullmatch(r"/\*\*/[\w.\[\]$]*\((.*)\)", text, re.DOTALL)
        if m is None:
            raise Malformed("JSONP body is not /**/name(...)")
        text = m.group(1)
    try:
        json.loads(text)
    except ValueError as e:
        raise Malformed(f"JSON: {e}") from None


def check_xml(body: bytes) -> None:
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as e:
        raise Malformed(f"XML: {e}") from None


def check_php(body: bytes) -> None:
    """A strict ``unserialize()``: every length and count must be right, nothing may trail."""
    end = _php_value(body, 0)
    if end != len(body):
        raise Malformed(f"PHP: trailing data at byte {end}")


_PHP_INT = re.compile(rb"-?[0-9]+")
_PHP_FLOAT = re.compile(rb"-?(?:[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|INF|NAN)")


def _php_value(b: bytes, i: int) -> int:
    if i >= len(b):
        raise Malformed("PHP: truncated")
    tag = b[i:i + 1]
    if tag == b"N":
        return _expect(b, i + 1, b";")
    if b[i + 1:i + 2] != b":":
        raise Malformed(f"PHP: bad value at byte {i}")
    if tag == b"b":
        if b[i + 2:i + 3] not in (b"0", b"1"):
            raise Malformed(f"PHP: bad boolean at byte {i}")
        return _expect(b, i + 3, b";")
    if tag == b"i":
        m = _PHP_INT.match(b, i + 2)
        if m is None:
            raise Malformed(f"PHP: bad integer at byte {i}")
        return _expect(b, m.end(), b";")
    if tag == b"d":
        m = _PHP_FLOAT.match(b, i + 2)
        if m is None:
            raise Malformed(f"PHP: bad float at byte {i}")
        return _expect(b, m.end(), b";")
    if tag == b"s":
        m = _PHP_INT.match(b, i + 2)
        if m is None:
            raise Malformed(f"PHP: bad string length at byte {i}")
        n = int(m.group(0))
        j = _expect(b, m.end(), b':"')
        if j + n > len(b):
            raise Malformed(f"PHP: string at byte {i} runs past the end")
        return _expect(b, j + n, b'";')
    if tag == b"a":
        m = _PHP_INT.match(b, i + 2)
        if m is None:
            raise Malformed(f"PHP: bad array count at byte {i}")
        j = _expect(b, m.end(), b":{")
        for _ in range(int(m.group(0))):
            if b[j:j + 1] not in (b"i", b"s"):
                raise Malformed(f"PHP: bad array key at byte {j}")
            j = _php_value(b, j)
            j = _php_value(b, j)
        return _expect(b, j, b"}")
    raise Malformed(f"PHP: unknown type {tag!r} at byte {i}")


def _expect(b: bytes, i: int, lit: bytes) -> int:
    if b[i:i + len(lit)] != lit:
        raise Malformed(f"PHP: expected {lit!r} at byte {i}")
    return i + len(lit)


_PRE = re.compile(r'<pre class="api-pretty-content">(.*)</pre>', re.DOTALL)


def check_fm(body: bytes, base: str) -> None:
    """An HTML-wrapped result: the <pre> content, unescaped, must be valid ``base``."""
    text = _utf8(body)
    m = _PRE.search(text)
    if m is None:
        raise Malformed("fm: no <pre> block")
    inner = html.unescape(m.group(1)).encode("utf-8", "surrogatepass")
    if base in ("json", "raw"):
        check_json(inner)
    elif base == "xml":
        check_xml(inner)
    elif base == "php":
        check_php(inner)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Malformed(f"not UTF-8: {e}") from None


#: Characters XML 1.0 forbids anywhere (C0 controls but TAB/LF/CR, surrogates, U+FFFE/F).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def has_xml_invalid_chars(body: bytes) -> bool:
    text = body.decode("utf-8", "surrogatepass") if _is_utf8ish(body) else body.decode("latin-1")
    return XML_INVALID.search(text) is not None or "&#0;" in text


def _is_utf8ish(body: bytes) -> bool:
    try:
        body.decode("utf-8", "surrogatepass")
        return True
    except UnicodeDecodeError:
        return False
