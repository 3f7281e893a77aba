"""Unicode clean-up of request input, done once at the edge (MediaWiki 1.39 behaviour).

MediaWiki passes every request value through ``UtfNormal\\Validator::cleanUp`` before
anything reads it (``WebRequest::getGPCVal``): invalid UTF-8 becomes U+FFFD, C0 control
characters other than TAB, LF and CR become U+FFFD, as do U+FFFE and U+FFFF, and the text
is put in NFC. Values that came from the query string and are not valid UTF-8 at all are
first re-read as windows-1252 (``Language::checkTitleEncoding``). The API warns
(``badutf8``) when the cleaned value differs from what was sent.

Doing this once, where the request is parsed, means no later code (request ids, error
texts, XML attributes …) can echo a character that XML forbids or that a client did not
send as valid text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from wikigate.util.multivalue import MULTI_SEP

#: Characters UtfNormal replaces: C0 controls except HT/LF/CR, and the non-characters
#: U+FFFE/U+FFFF (all of them are forbidden in XML 1.0 as well).
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
REPLACEMENT = "\ufffd"
#: The alternative multi-value separator: a value that starts with it keeps it (MediaWiki
#: normalises the pieces one by one, ``ApiParamValidatorCallbacks::getValue``).
_MULTI_SEP_BYTES = MULTI_SEP.encode("ascii")


def _tail_count(lead: int) -> int:
    """Continuation bytes UtfNormal expects after ``lead`` (it still accepts the old 5- and
    6-byte forms syntactically, then rejects the code point as too large)."""
    if lead < 0xC0:
        return 0
    if lead < 0xE0:
        return 1
    if lead < 0xF0:
        return 2
    if lead < 0xF8:
        return 3
    if lead < 0xFC:
        return 4
    if lead < 0xFE:
        return 5
    return 0


def _utfnormal_errors(exc: UnicodeError) -> tuple[str, int]:
    """Decode error handler replacing one malformed *sequence* by one U+FFFD, as UtfNormal's
    ``quickIsNFCVerify`` does: a lead byte and the continuation bytes that follow it (up to
    the count the lead announces) form one sequence, even when the code point is a
    surrogate, overlong or beyond U+10FFFF. Python's own ``replace`` would emit one U+FFFD
    per byte for some of those, so the cleaned text would differ from the reference's."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    data = exc.object
    pos = exc.start
    tails = _tail_count(data[pos])
    end = pos + 1
    while tails and end < len(data) and 0x80 <= data[end] < 0xC0:
        end += 1
        tails -= 1
    return REPLACEMENT, end


def _drop_undefined(exc: UnicodeError) -> tuple[str, int]:
    """The five bytes windows-1252 leaves undefined are dropped, as MediaWiki's conversion
    drops them (measured on the reference)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "", exc.end


codecs.register_error("wikigate-utfnormal", _utfnormal_errors)
codecs.register_error("wikigate-drop", _drop_undefined)


def clean_text(text: str) -> str:
    """Replace characters UtfNormal refuses and apply NFC."""
    if text.isascii():
        # ASCII is NFC already; only the control characters can need replacing.
        return _BAD_CHARS.sub(REPLACEMENT, text) if not text.isprintable() else text
    return unicodedata.normalize("NFC", _BAD_CHARS.sub(REPLACEMENT, text))


def _decode_piece(raw: bytes, legacy_fallback: bool) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        if legacy_fallback:
            # The site's fallback 8-bit encoding (windows-1252).
            text = raw.decode("cp1252", errors="wikigate-drop")
        else:
            text = raw.decode("utf-8", errors="wikigate-utfnormal")
    return clean_text(text)


def decode_value(raw: bytes, *, from_query: bool) -> tuple[str, bool]:
    """Decode a parameter value; return ``(text, changed)``, ``changed`` meaning the client
    did not send valid, clean, NFC UTF-8 (the ``badutf8`` warning)."""
    if raw.isascii() and (not raw or raw.isalnum()):
        return raw.decode("ascii"), False  # the common case: nothing to check
    if raw.startswith(_MULTI_SEP_BYTES):
        text = MULTI_SEP.join(_decode_piece(p, from_query) for p in raw.split(_MULTI_SEP_BYTES))
    else:
        text = _decode_piece(raw, from_query)
    return text, text.encode("utf-8", errors="surrogatepass") != raw


def decode_name(raw: bytes) -> str:
    """Decode a parameter name (invalid sequences → U+FFFD, controls → U+FFFD, NFC)."""
    if raw.isascii() and raw.isalnum():
        return raw.decode("ascii")
    return _decode_piece(raw, False)


def php_name(name: str) -> str:
    """A parameter name as PHP registers it (``$_GET``/``$_POST`` keys, which MediaWiki
    reads): leading spaces dropped, ``.`` and space before any ``[`` turned into ``_``,
    an unmatched ``[`` turned into ``_`` (``fo.o`` → ``fo_o``, ``a[b`` → ``a_b``; measured
    on the reference)."""
    name = name.lstrip(" ")
    i = name.find("[")
    head = name if i < 0 else name[:i]
    if " " in head or "." in head:
        head = head.replace(" ", "_").replace(".", "_")
    if i < 0:
        return head
    rest = name[i:]
    return head + rest if "]" in rest else head + "_" + rest[1:]


def clean_header(value: str) -> str:
    """A header value (decoded as latin-1) without C0 controls or DEL: the HTTP parsers
    refuse most of them already; this keeps the rest out of anything echoed back."""
    if value.isprintable():
        return value
    return _HEADER_BAD.sub(REPLACEMENT, value)


_HEADER_BAD = re.compile("[\x00-\x08\x0a-\x1f\x7f]")

#: Everything XML 1.0 does not allow in a document (``Char`` production): C0 controls
#: except HT/LF/CR, lone surrogates, U+FFFE and U+FFFF.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 forbids replaced by U+FFFD (the XML writer's
    own defence: input is cleaned at the edge, but module output must not break XML
    whatever its source)."""
    if text.isascii() and text.isprintable():
        return text
    return _XML_FORBIDDEN.sub(REPLACEMENT, text)
