"""Page-title parsing and normalisation with MediaWiki 1.39's rules (MediaWikiTitleCodec).

Every API parameter that names a page (``title``, ``titles``) and every user name goes through
this parser, so the order of the checks matters: it decides which ``invalidreason`` the API
reports.  The steps follow ``Title::newFromTextThrow`` + ``splitTitleString``: character
references are decoded, bidi marks dropped, whitespace collapsed, a namespace or interwiki prefix
split off, a ``#fragment`` cut, and only then illegal characters, relative paths, ``~~~`` and the
byte length are checked before the first letter is upper-cased.
"""

from __future__ import annotations

import html.entities
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from wikigate.pages.namespaces import NS_MAIN, NS_SPECIAL, NS_TALK, NS_USER, NS_USER_TALK, Namespaces
from wikigate.util.ips import sanitize_ip

# The interwiki table a 1.39 installer fills from maintenance/interwiki.list.  A prefix in this
# set turns "wikipedia:Foo" into an interwiki title instead of a local page named so.
DEFAULT_INTERWIKI_PREFIXES: frozenset[str] = frozenset(
    [
        "acronym", "advogato", "arxiv", "c2find", "cache", "commons", "dictionary", "doi",
        "drumcorpswiki", "dwjwiki", "elibre", "emacswiki", "foldoc", "foxwiki", "freebsdman",
        "gentoo-wiki", "google", "googlegroups", "hammondwiki", "hrwiki", "imdb", "kmwiki",
        "linuxwiki", "lojban", "lqwiki", "meatball", "mediawikiwiki", "memoryalpha", "metawiki",
        "metawikimedia", "mozillawiki", "mw", "oeis", "openwiki", "pmid", "pythoninfo", "rfc",
        "s23wiki", "seattlewireless", "senseislibrary", "shoutwiki", "squeak", "theopedia", "tmbw",
        "tmnet", "twiki", "uncyclopedia", "unreal", "usemod", "wiki", "wikia", "wikibooks",
        "wikidata", "wikif1", "wikihow", "wikimedia", "wikinews", "wikinfo", "wikipedia",
        "wikiquote", "wikisource", "wikispecies", "wikiversity", "wikivoyage", "wikt", "wiktionary"
    ]
)

# English texts of the title-invalid-* messages, as the API's ``invalidreason`` shows them.
INVALID_REASON_TEXTS: dict[str, str] = {
    "title-invalid": "The requested page title is invalid",
    "title-invalid-characters": 'The requested page title contains invalid characters: "$1".',
    "title-invalid-empty": "The requested page title is empty or contains only the name of a namespace.",
    "title-invalid-interwiki": (
        "The requested page title contains an interwiki link which cannot be used in titles."
    ),
    "title-invalid-leading-colon": "The requested page title contains an invalid colon at the beginning.",
    "title-invalid-magic-tilde": (
        "The requested page title contains invalid magic tilde sequence (<nowiki>~~~</nowiki>)."
    ),
    "title-invalid-relative": (
        "Title has relative path. Relative page titles (./, ../) are invalid, because they will "
        "often be unreachable when handled by user's browser."
    ),
    "title-invalid-talk-namespace": "The requested page title refers to a talk page that cannot exist.",
    "title-invalid-too-long": (
        "The requested page title is too long. It must be no longer than $1 bytes in UTF-8 encoding."
    ),
    "title-invalid-utf8": "The requested page title contains an invalid UTF-8 sequence.",
}


class InvalidTitle(ValueError):
    """A title MediaWiki would reject; ``reason_key`` is the title-invalid-* message key."""

    def __init__(self, reason_key: str, text: str, *params: str) -> None:
        self.reason_key = reason_key
        self.text = text
        self.params = params
        super().__init__(f"{reason_key}: {text!r}")

    @property
    def message(self) -> str:
        """English message text with parameters substituted (the API's ``invalidreason``)."""
        msg = INVALID_REASON_TEXTS.get(self.reason_key, INVALID_REASON_TEXTS["title-invalid"])
        for i, param in enumerate(self.params, start=1):
            msg = msg.replace(f"${i}", param)
        if self.reason_key == "title-invalid-too-long" and self.params == ("1",):
            msg = msg.replace("bytes", "byte")
        return msg


_FALLBACK_NAMESPACES = Namespaces("Project")


@dataclass(frozen=True)
class Title:
    """A parsed page title: namespace id plus dbkey (underscores, first letter upper-cased).

    Equality and hashing use namespace, dbkey and interwiki only; the fragment and the namespace
    table (needed to spell the project namespace) ride along without affecting identity.
    """

    namespace: int
    dbkey: str
    interwiki: str = ""
    fragment: str = field(default="", compare=False)
    namespaces: Namespaces | None = field(default=None, compare=False, repr=False)

    def _ns_table(self) -> Namespaces:
        return self.namespaces if self.namespaces is not None else _FALLBACK_NAMESPACES

    @property
    def text(self) -> str:
        """Title text without namespace, spaces instead of underscores."""
        return self.dbkey.replace("_", " ")

    @property
    def ns_text(self) -> str:
        """Local name of the namespace ("" for the main namespace)."""
        return self._ns_table().by_id(self.namespace).name

    @property
    def prefixed_text(self) -> str:
        """Full display title, e.g. ``Talk:Foo bar`` (what the API reports as ``title``)."""
        return self.prefixed_dbkey.replace("_", " ")

    @property
    def prefixed_dbkey(self) -> str:
        """Full title in dbkey form, e.g. ``User_talk:Foo_bar``; interwiki prefix first if any."""
        ns = self.ns_text.replace(" ", "_")
        out = f"{ns}:{self.dbkey}" if ns else self.dbkey
        return f"{self.interwiki}:{out}" if self.interwiki else out

    def can_exist(self) -> bool:
        """Pages can be stored only in namespaces >= 0 (Special and Media are virtual)."""
        return self.namespace >= 0 and not self.interwiki

    def is_talk_page(self) -> bool:
        """Whether the title lives in a talk namespace (odd, positive id)."""
        return self.namespace > 0 and self.namespace % 2 == 1

    def talk_page(self) -> Title:
        """The associated talk page; a talk page is its own talk page.

        Raises ValueError for Special/Media titles, which have no talk namespace (MediaWiki throws
        too).
        """
        if self.namespace < 0:
            raise ValueError(f"namespace {self.namespace} has no talk namespace")
        ns = self.namespace if self.is_talk_page() else self.namespace + 1
        return Title(ns, self.dbkey, self.interwiki, namespaces=self.namespaces)

    def subject_page(self) -> Title:
        """The subject (non-talk) page belonging to this title."""
        ns = self.namespace - 1 if self.is_talk_page() else self.namespace
        return Title(ns, self.dbkey, self.interwiki, namespaces=self.namespaces)


def make_title(namespace: int, dbkey: str, namespaces: Namespaces | None = None) -> Title:
    """Build a Title from trusted stored parts (no validation), bound to a namespace table."""
    return Title(namespace, dbkey, namespaces=namespaces)


# --- character references (Sanitizer::decodeCharReferencesAndNormalize) -------------------------

_CHAR_REFS = re.compile(r"&([A-Za-z0-9\x80-\U0010FFFF]+;)|&#([0-9]+);|&#[xX]([0-9A-Fa-f]+);|(&)")
# MediaWiki-specific aliases for the right-to-left mark, in Hebrew and Arabic script.
_ENTITY_ALIASES = {"רלמ;": "rlm;", "رلم;": "rlm;"}
_REPLACEMENT = "\ufffd"


def _valid_codepoint(cp: int) -> bool:
    """Code points HTML5/XML allow in decoded references; others become U+FFFD."""
    return (
        cp in (0x09, 0x0A)
        or 0x20 <= cp <= 0x7E
        or 0xA0 <= cp <= 0xD7FF
        or 0xE000 <= cp <= 0xFFFD
        or 0x10000 <= cp <= 0x10FFFF
    )


def _decode_ref(m: re.Match[str]) -> str:
    name, dec, hexa = m.group(1), m.group(2), m.group(3)
    if name:
        name = _ENTITY_ALIASES.get(name, name)
        return html.entities.html5.get(name, "&" + name)
    # A reference longer than any code point is invalid whatever its value; checking the
    # length first keeps int() off 100 KB digit strings (past 4 300 digits it raises).
    if dec:
        dec = dec.lstrip("0")
        cp = int(dec or "0") if len(dec) <= 8 else -1
    elif hexa:
        hexa = hexa.lstrip("0")
        cp = int(hexa or "0", 16) if len(hexa) <= 8 else -1
    else:
        return m.group(0)
    return chr(cp) if _valid_codepoint(cp) else _REPLACEMENT


def decode_char_references(text: str) -> str:
    """Decode ``&amp;``, ``&#65;`` and ``&#x41;`` like MediaWiki, leaving unknown entities as is."""
    return _CHAR_REFS.sub(_decode_ref, text)


# --- title syntax --------------------------------------------------------------------------------

_BIDI = re.compile("[\u200e\u200f\u202a-\u202e]+")
_SPACES = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_PREFIX = re.compile(r"^(.+?)_*:_*(.*)$")
# $wgLegalTitleChars works on UTF-8 bytes; every byte >= 0x80 is legal, i.e. any non-ASCII char.
_ILLEGAL = re.compile(
    r"[^ %!\"$&'()*,\-./0-9:;=?@A-Z\\^_`a-z~\x80-\U0010FFFF+]"
    r"|%[0-9A-Fa-f]{2}"
    r"|&[A-Za-z0-9\x80-\U0010FFFF]+;"
)
_BAD_DBKEY = re.compile(r"^_|[\r\n\t]|_$")


def uc_first(text: str) -> str:
    """Upper-case the first character as Language::ucfirst does for English.

    ASCII goes through PHP ``ucfirst``; anything else through ``mb_strtoupper`` on the first code
    point, whose full case mapping may expand it (``ß`` -> ``SS``, ``ŉ`` -> ``ʼN``).
    """
    if not text:
        return text
    first = text[0]
    if first < "\x80":
        return first.upper() + text[1:] if "a" <= first <= "z" else text
    return first.upper() + text[1:]


def _is_relative(dbkey: str) -> bool:
    if "." not in dbkey:
        return False
    return (
        dbkey in (".", "..")
        or dbkey.startswith("./")
        or dbkey.startswith("../")
        or "/./" in dbkey
        or "/../" in dbkey
        or dbkey.endswith("/.")
        or dbkey.endswith("/..")
    )


def _is_interwiki(prefix: str, interwiki: Collection[str]) -> bool:
    return prefix.lower() in interwiki


def parse_title(
    text: str,
    namespaces: Namespaces,
    default_ns: int = NS_MAIN,
    interwiki: Collection[str] = DEFAULT_INTERWIKI_PREFIXES,
) -> Title:
    """Parse user input into a Title or raise InvalidTitle with MediaWiki's reason key.

    ``interwiki`` is the set of (lower-case) interwiki prefixes; pass ``()`` for a wiki without an
    interwiki table.  A ``#fragment`` is split off into ``Title.fragment``.  An input that is only
    a fragment (``#foo``) yields a main-namespace title with an empty dbkey, as in MediaWiki;
    callers that need a real page should check ``dbkey``.
    """
    original = text
    if text == "":
        raise InvalidTitle("title-invalid-empty", original)
    decoded = decode_char_references(text)
    text = unicodedata.normalize("NFC", decoded)

    namespace = default_ns
    iw = ""
    dbkey = _BIDI.sub("", text.replace(" ", "_"))
    dbkey = _SPACES.sub("_", dbkey).strip("_")
    if _REPLACEMENT in dbkey:
        raise InvalidTitle("title-invalid-utf8", original)
    if dbkey.startswith(":"):
        namespace = NS_MAIN
        dbkey = dbkey[1:].strip("_")
    if dbkey == "":
        raise InvalidTitle("title-invalid-empty", original)

    m = _PREFIX.match(dbkey)
    if m:
        prefix = m.group(1)
        ns = namespaces.lookup(prefix)
        if ns is not None:
            dbkey = m.group(2)
            namespace = ns
            if ns == NS_TALK:
                x = _PREFIX.match(dbkey)
                if x and (namespaces.lookup(x.group(1)) or _is_interwiki(x.group(1), interwiki)):
                    raise InvalidTitle("title-invalid-talk-namespace", original)
        elif _is_interwiki(prefix, interwiki):
            dbkey = m.group(2)
            iw = prefix.lower()
            if dbkey.startswith(":"):
                namespace = NS_MAIN
                dbkey = dbkey[1:].strip("_")

    fragment = ""
    hash_pos = dbkey.find("#")
    if hash_pos >= 0:
        fragment = dbkey[hash_pos + 1 :].replace("_", " ")
        dbkey = dbkey[:hash_pos].rstrip("_")

    bad = _ILLEGAL.search(dbkey)
    if bad:
        raise InvalidTitle("title-invalid-characters", original, bad.group(0))
    if _is_relative(dbkey):
        raise InvalidTitle("title-invalid-relative", original)
    if "~~~" in dbkey:
        raise InvalidTitle("title-invalid-magic-tilde", original)
    max_len = 512 if namespace == NS_SPECIAL else 255
    if len(dbkey.encode("utf-8")) > max_len:
        raise InvalidTitle("title-invalid-too-long", original, str(max_len))
    if iw == "":
        dbkey = uc_first(dbkey)
    if dbkey == "" and iw == "" and namespace != NS_MAIN:
        raise InvalidTitle("title-invalid-empty", original)
    if namespace in (NS_USER, NS_USER_TALK):
        dbkey = sanitize_ip(dbkey)
    if dbkey.startswith(":"):
        raise InvalidTitle("title-invalid-leading-colon", original)
    # TitleValue::assertValidSpec; an empty main-namespace dbkey ("#", "#foo") is allowed there.
    if _BAD_DBKEY.search(dbkey):
        raise InvalidTitle("title-invalid", original)
    return Title(namespace, dbkey, iw, fragment, namespaces)
