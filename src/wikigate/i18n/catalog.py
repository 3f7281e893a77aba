"""The message catalogue and its renderers (text, plaintext, html, bc, raw).

Every ``messages/<lang>/*.json`` file is merged at load time so that each module
owner ships its own file (``en/login.json`` …) and nobody edits a shared one. A key
defined twice with different texts in one language is a start-up error: silently
picking one would make API texts depend on file order.

Rendering follows MediaWiki's ``Message`` class: parameters are substituted
*before* wikitext processing (plain strings, numbers, durations, …) or *after*
it (plaintext, raw and nested-message parameters, escaped for HTML), and the
API error formatter derives ``plaintext``/``bc`` from the ``text`` form.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from wikigate.i18n.message import (
    Bitrate,
    Duration,
    Expiry,
    ListParam,
    Message,
    Num,
    Plaintext,
    RawMessage,
    RawMsgParam,
    RawParam,
    Size,
    TimePeriod,
)
from wikigate.i18n.plural import format_num, php_number_str
from wikigate.i18n.render import (
    LinkContext,
    PreprocessContext,
    preprocess,
    strip_markup,
    strip_outer_paragraph,
    to_html,
)
from wikigate.util.clock import from_mw_timestamp

__all__ = ["Catalog", "api_code_for_key", "format_duration", "normalize_lang"]

# ApiMessageTrait::$messageMap (MediaWiki 1.39): legacy message keys whose API code
# is not derived from the key.
_MESSAGE_MAP: dict[str, str] = {
    "actionthrottledtext": "ratelimited",
    "autoblockedtext": "autoblocked",
    "badaccess-group0": "permissiondenied",
    "badaccess-groups": "permissiondenied",
    "badipaddress": "invalidip",
    "blankpage": "emptypage",
    "blockedtext": "blocked",
    "blockedtext-composite": "blocked",
    "blockedtext-partial": "blocked",
    "cannotdelete": "cantdelete",
    "cannotundelete": "cantundelete",
    "cantmove-titleprotected": "protectedtitle",
    "cantrollback": "onlyauthor",
    "confirmedittext": "confirmemail",
    "content-not-allowed-here": "contentnotallowedhere",
    "deleteprotected": "cantedit",
    "delete-toobig": "bigdelete",
    "edit-conflict": "editconflict",
    "imagenocrossnamespace": "nonfilenamespace",
    "imagetypemismatch": "filetypemismatch",
    "importbadinterwiki": "badinterwiki",
    "importcantopen": "cantopenfile",
    "import-noarticle": "badinterwiki",
    "importnofile": "nofile",
    "importuploaderrorpartial": "partialupload",
    "importuploaderrorsize": "filetoobig",
    "importuploaderrortemp": "notempdir",
    "ipb_already_blocked": "alreadyblocked",
    "ipb_blocked_as_range": "blockedasrange",
    "ipb_cant_unblock": "cantunblock",
    "ipb_expiry_invalid": "invalidexpiry",
    "ip_range_invalid": "invalidrange",
    "mailnologin": "cantsend",
    "markedaspatrollederror-noautopatrol": "noautopatrol",
    "movenologintext": "cantmove-anon",
    "movenotallowed": "cantmove",
    "movenotallowedfile": "cantmovefile",
    "namespaceprotected": "protectednamespace",
    "nocreate-loggedin": "cantcreate",
    "nocreatetext": "cantcreate-anon",
    "noname": "invaliduser",
    "nosuchusershort": "nosuchuser",
    "notanarticle": "missingtitle",
    "nouserspecified": "invaliduser",
    "ns-specialprotected": "unsupportednamespace",
    "protect-cantedit": "cantedit",
    "protectedinterface": "protectednamespace-interface",
    "protectedpagetext": "protectedpage",
    "range_block_disabled": "rangedisabled",
    "rcpatroldisabled": "patroldisabled",
    "readonlytext": "readonly",
    "sessionfailure": "badtoken",
    "systemblockedtext": "blocked",
    "titleprotected": "protectedtitle",
    "undo-failure": "undofailure",
    "userrights-nodatabase": "nosuchdatabase",
    "userrights-no-interwiki": "nointerwikiuserrights",
}


def api_code_for_key(key: str, params: Sequence[Any] = ()) -> str:
    """``ApiMessageTrait::getApiCode`` for a message without an explicit code.

    The legacy map wins, ``apierror-missingparam`` becomes ``no<param>`` (old
    behaviour; ParamValidator errors carry explicit codes such as ``missingparam``
    and must not go through here), ``apiwarn-``/``apierror-`` prefixes are dropped,
    and any character outside ``[A-Za-z0-9_-]`` becomes ``_`` — so the synthetic
    multi-error key ``"* $1\\n* $2"`` yields ``___1____2``.
    """
    if key in _MESSAGE_MAP:
        code = _MESSAGE_MAP[key]
    elif key == "apierror-missingparam" and params:
        first = params[0]
        code = "no" + (str(first.value) if isinstance(first, Plaintext) else str(first))
    elif key.startswith("apiwarn-"):
        code = key[8:]
    elif key.startswith("apierror-"):
        code = key[9:]
    else:
        code = key
    return re.sub(r"[^a-zA-Z0-9_-]", "_", code)


_LANG_CODE_RE = re.compile(r"^[a-z0-9-]+$")


def normalize_lang(code: str | None, default: str = "en") -> str:
    """``RequestContext::sanitizeLangCode``: lower-case a valid code, else the default.

    Unknown but well-formed codes (``fr``) are kept — MediaWiki echoes them in
    ``responselanginfo`` and falls back to English texts — while garbage, empty
    values and the documentation pseudo-language ``qqq`` give ``default``.
    """
    if not code:
        return default
    code = code.strip().lower()
    if not _LANG_CODE_RE.match(code) or code == "qqq" or len(code) > 35:
        return default
    return code


def fallback_chain(lang: str) -> list[str]:
    """Languages searched for a key: ``de-at`` → ``de`` → ``en``."""
    chain: list[str] = []
    parts = lang.split("-")
    for end in range(len(parts), 0, -1):
        candidate = "-".join(parts[:end])
        if candidate not in chain:
            chain.append(candidate)
    if "en" not in chain:
        chain.append("en")
    return chain


_MONTHS: dict[str, list[str]] = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
    "de": ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez."],
    "tr": ["Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim",
           "Kasım", "Aralık"],
}  # fmt: skip

_INFINITY = frozenset({"", "infinity", "infinite", "indefinite", "never"})

_DURATION_INTERVALS: tuple[tuple[str, int], ...] = (
    ("millennia", 31556952000),
    ("centuries", 3155695200),
    ("decades", 315569520),
    ("years", 31556952),
    ("days", 86400),
    ("hours", 3600),
    ("minutes", 60),
    ("seconds", 1),
)


def _parse_timestamp(value: str) -> dt.datetime | None:
    """Accept MediaWiki (``YYYYMMDDHHMMSS``) and ISO 8601 timestamps."""
    value = value.strip()
    if re.fullmatch(r"\d{14}", value):
        return from_mw_timestamp(value)
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _default_messages_dir() -> Path:
    return Path(str(resources.files("wikigate.i18n").joinpath("messages")))


class Catalog:
    """All interface messages of the configured languages, loaded once.

    ``sitename`` fills ``{{SITENAME}}`` and the project namespace; ``server`` is
    kept for callers that build absolute URLs (docref). Link rendering in HTML can
    be tuned with ``article_path``, ``script`` and ``page_exists``.
    """

    def __init__(
        self,
        sitename: str = "MediaWiki",
        server: str = "",
        languages: Iterable[str] = ("en", "de", "tr"),
        *,
        article_path: str = "/index.php/$1",
        script: str = "/index.php",
        page_exists: Callable[[str], bool] | None = None,
        messages_dir: Path | None = None,
    ) -> None:
        self.sitename = sitename
        self.server = server
        self._languages = list(dict.fromkeys(["en", *languages]))
        self._messages: dict[str, dict[str, str]] = {}
        self._article_path = article_path
        self._script = script
        self._page_exists: Callable[[str], bool] = page_exists or (lambda _title: False)
        base = messages_dir or _default_messages_dir()
        for lang in self._languages:
            self._messages[lang] = self._load_language(base / lang)

    @staticmethod
    def _load_language(directory: Path) -> dict[str, str]:
        merged: dict[str, str] = {}
        origin: dict[str, str] = {}
        if not directory.is_dir():
            return merged
        for path in sorted(directory.glob("*.json")):
            with path.open(encoding="utf-8") as handle:
                data = json.load(handle)
            for key, value in data.items():
                if key.startswith("@"):
                    continue
                if not isinstance(value, str):
                    raise ValueError(f"{path}: message {key!r} is not a string")
                if key in merged and merged[key] != value:
                    raise ValueError(f"message {key!r} defined differently in {origin[key]} and {path.name}")
                merged[key] = value
                origin[key] = path.name
        return merged

    # ------------------------------------------------------------------ lookup

    def languages(self) -> list[str]:
        """The loaded language codes, English first."""
        return list(self._languages)

    def keys(self, lang: str = "en") -> set[str]:
        """Keys defined in exactly this language (no fallback); used by tests."""
        return set(self._messages.get(lang, {}))

    def _lookup(self, key: str, lang: str) -> str | None:
        for candidate in fallback_chain(lang):
            table = self._messages.get(candidate)
            if table is not None and key in table:
                return _fix_whitespace(table[key])
        return None

    def exists(self, key: str, lang: str = "en") -> bool:
        """True if the key has a text in ``lang`` or, failing that, in English."""
        return self._lookup(key, lang) is not None

    # ------------------------------------------------------------------ public renderers

    def wikitext(self, msg: Message, lang: str = "en") -> str:
        """``Message::text()``: what ``errorformat=wikitext`` and ``messageformat=wikitext`` show."""
        return self._format(msg, lang, "text")

    def plaintext(self, msg: Message, lang: str = "en") -> str:
        """``errorformat=plaintext``: ``stripMarkup`` of the text (newlines become spaces)."""
        return strip_markup(self._format(msg, lang, "text"))

    def html(self, msg: Message, lang: str = "en") -> str:
        """``Message::parse()``: HTML without the outer ``<p>``."""
        return self._format(msg, lang, "html")

    def bc(self, msg: Message) -> str:
        """``errorformat=bc`` ``info``: always English, ``stripMarkup`` of the text."""
        return strip_markup(self._format(msg, "en", "text"))

    def raw(self, msg: Message) -> dict[str, Any]:
        """``errorformat=raw``: the key and the parameters as MediaWiki serialises them."""
        return {"key": msg.key, "params": [self._raw_param(p) for p in msg.params]}

    def format_duration(self, seconds: int, lang: str = "en") -> str:
        """``Language::formatDuration`` with the default intervals (no weeks)."""
        segments: list[str] = []
        remaining = seconds
        last = _DURATION_INTERVALS[-1][0]
        for name, length in _DURATION_INTERVALS:
            value = remaining // length
            if value > 0 or (name == last and not segments):
                remaining -= value * length
                segments.append(self._format(Message(f"duration-{name}", (Num(value),)), lang, "text"))
        return self._list_to_text(segments, lang)

    # ------------------------------------------------------------------ internals

    def _sep(self, key: str, lang: str) -> str:
        """A separator message (``comma-separator`` …); ``&#32;`` is already a space here."""
        return self._lookup(key, lang) or ""

    def _list_to_text(self, items: list[str], lang: str) -> str:
        if not items:
            return ""
        if len(items) == 1:
            return items[0]
        comma = self._sep("comma-separator", lang) if len(items) > 2 else ""
        return comma.join(items[:-1]) + self._sep("and", lang) + self._sep("word-separator", lang) + items[-1]

    def _join_list(self, items: list[str], list_type: str, lang: str) -> str:
        if list_type == "text":
            return self._list_to_text(items, lang)
        separator = {"comma": "comma-separator", "semicolon": "semicolon-separator", "pipe": "pipe-separator"}
        if list_type not in separator:
            return "[INVALID]"
        return self._sep(separator[list_type], lang).join(items)

    def _format_expiry(self, value: str, lang: str) -> str:
        if value in _INFINITY:
            return self._lookup("infiniteblock", lang) or "infinite"
        stamp = _parse_timestamp(value)
        if stamp is None:
            return value
        base = lang.split("-")[0]
        months = _MONTHS.get(base, _MONTHS["en"])
        month = months[stamp.month - 1]
        if base == "de":
            return f"{stamp:%H:%M}, {stamp.day}. {month} {stamp.year}"
        if base == "tr":
            return f"{stamp:%H.%M}, {stamp.day} {month} {stamp.year}"
        return f"{stamp:%H:%M}, {stamp.day} {month} {stamp.year}"

    def _format_time_period(self, seconds: float, lang: str) -> str:
        """``Language::formatTimePeriod`` with abbreviations and no 'avoid' option."""

        def unit(key: str, value: str) -> str:
            return (self._lookup(key, lang) or "$1").replace("$1", value)

        if round(seconds * 10) < 100:
            return unit("seconds-abbrev", format_num(float(f"{round(seconds * 10) / 10:.1f}"), lang))
        if round(seconds) < 60:
            return unit("seconds-abbrev", format_num(round(seconds), lang))
        if round(seconds) < 3600:
            minutes = int(seconds // 60)
            secs = round(seconds % 60)
            if secs == 60:
                secs, minutes = 0, minutes + 1
            return " ".join(
                [
                    unit("minutes-abbrev", format_num(minutes, lang)),
                    unit("seconds-abbrev", format_num(secs, lang)),
                ]
            )
        if round(seconds) <= 2 * 86400:
            hours = int(seconds // 3600)
            minutes = int((seconds - hours * 3600) // 60)
            secs = round(seconds - hours * 3600 - minutes * 60)
            if secs == 60:
                secs, minutes = 0, minutes + 1
            if minutes == 60:
                minutes, hours = 0, hours + 1
            return " ".join(
                [
                    unit("hours-abbrev", format_num(hours, lang)),
                    unit("minutes-abbrev", format_num(minutes, lang)),
                    unit("seconds-abbrev", format_num(secs, lang)),
                ]
            )
        days = int(seconds // 86400)
        rest = self._format_time_period(seconds - days * 86400, lang)
        return f"{unit('days-abbrev', format_num(days, lang))} {rest}"

    def _format_computing(self, size: int, boundary: int, pattern: str, lang: str) -> str:
        """``Language::formatComputingNumbers`` (sizes and bitrates)."""
        if size <= 0:
            text = self._lookup(pattern.replace("$1", ""), lang) or "$1"
            return self._format(RawMessage(text, (Num(size),)), lang, "text")
        prefixes = ["", "kilo", "mega", "giga", "tera", "peta", "exa", "zetta", "yotta", "ronna", "quetta"]
        index = 0
        value: float = size
        while value >= boundary and index < len(prefixes) - 1:
            index += 1
            value /= boundary
        rounded: int | float = round(value, 2 if index > 1 else 0)
        if isinstance(rounded, float) and rounded.is_integer():
            rounded = int(rounded)
        text = self._lookup(pattern.replace("$1", prefixes[index]), lang) or "$1"
        return self._format(RawMessage(text, (Num(rounded),)), lang, "text")

    def _extract(self, param: Any, lang: str, fmt: str) -> tuple[bool, str]:
        """Return (substitute after processing?, value) like ``Message::extractParam``."""
        if isinstance(param, Message):
            return True, self._format(param, lang, fmt)
        if isinstance(param, RawMsgParam):
            return True, self._format(param.message, lang, fmt)
        if isinstance(param, Plaintext):
            if fmt == "html":
                return True, html.escape(str(param.value), quote=True).replace("&#x27;", "&#039;")
            return True, str(param.value)
        if isinstance(param, RawParam):
            return True, param.value
        if isinstance(param, Num):
            return False, format_num(param.value, lang)
        if isinstance(param, Duration):
            return False, self.format_duration(param.seconds, lang)
        if isinstance(param, Expiry):
            return False, self._format_expiry(param.value, lang)
        if isinstance(param, TimePeriod):
            return False, self._format_time_period(param.seconds, lang)
        if isinstance(param, Size):
            return False, self._format_computing(param.value, 1024, "size-$1bytes", lang)
        if isinstance(param, Bitrate):
            return False, self._format_computing(param.value, 1000, "bitrate-$1bits", lang)
        if isinstance(param, ListParam):
            return self._extract_list(param, lang, fmt)
        if isinstance(param, bool | int | float):
            return False, php_number_str(param)
        if param is None:
            return False, ""
        return False, str(param)

    def _extract_list(self, param: ListParam, lang: str, fmt: str) -> tuple[bool, str]:
        if not param.items:
            return False, self._join_list([], param.type, lang)
        extracted = [self._extract(item, lang, fmt) for item in param.items]
        kinds = {after for after, _ in extracted}
        if len(kinds) == 1:
            return kinds.pop(), self._join_list([value for _, value in extracted], param.type, lang)
        # Mixed kinds: MediaWiki formats "$1, $2 and $3" as a RawMessage parameter.
        template = self._join_list([f"${n + 1}" for n in range(len(param.items))], param.type, lang)
        return True, self._format(RawMessage(template, param.items), lang, fmt)

    def _raw_param(self, param: Any) -> Any:
        if isinstance(param, Message):
            return {"message": self.raw(param)}
        if isinstance(param, RawMsgParam):
            return {"message": self.raw(param.message)}
        if isinstance(param, Plaintext):
            return {"plaintext": param.value}
        if isinstance(param, RawParam):
            return {"raw": param.value}
        if isinstance(param, Num):
            return {"num": param.value}
        if isinstance(param, Duration):
            return {"duration": param.seconds}
        if isinstance(param, Expiry):
            return {"expiry": param.value}
        if isinstance(param, TimePeriod):
            return {"period": param.seconds}
        if isinstance(param, Size):
            return {"size": param.value}
        if isinstance(param, Bitrate):
            return {"bitrate": param.value}
        if isinstance(param, ListParam):
            items = [self._raw_param(item) for item in param.items]
            listed: Any = items
            if param.keys is not None:
                listed = {str(k): v for k, v in zip(param.keys, items, strict=True)}
            return {"list": listed, "type": param.type}
        return param

    def _template(self, msg: Message, lang: str) -> str | None:
        if isinstance(msg, RawMessage):
            return msg.key
        if lang == "qqx":
            # uselang=qqx shows keys instead of texts, a MediaWiki debugging aid.
            args = ""
            if msg.params:
                args = ": " + ", ".join(f"${n + 1}" for n in range(len(msg.params)))
            return f"({msg.key}{args})"
        return self._lookup(msg.key, lang)

    def _format(self, msg: Message, lang: str, fmt: str) -> str:
        template = self._template(msg, lang)
        if template is None:
            # '⧼' avoids double escaping and keeps user-controlled keys HTML-safe.
            return "⧼" + html.escape(msg.key, quote=True).replace("&#x27;", "&#039;") + "⧽"
        before: dict[str, str] = {}
        after: dict[str, str] = {}
        for index, param in enumerate(msg.params):
            is_after, value = self._extract(param, lang, fmt)
            placeholder = f"${index + 1}"
            if is_after:
                marker = f"\ue000{index + 1}\ue001"
                before[placeholder] = marker
                after[marker] = value
            else:
                before[placeholder] = value
        text = _strtr(template, before)
        ctx = PreprocessContext(lang=lang, sitename=self.sitename, message=self._int_message(lang))
        text = preprocess(text, ctx)
        if fmt == "html":
            text = strip_outer_paragraph(to_html(text, self._link_context(lang)))
        return _strtr(text, after)

    def _int_message(self, lang: str) -> Callable[[str, Sequence[str]], str]:
        def resolve(key: str, args: Sequence[str]) -> str:
            return self._format(Message(key, tuple(args)), lang, "text")

        return resolve

    def _link_context(self, lang: str) -> LinkContext:
        red = self._lookup("red-link-title", lang) or "$1 (page does not exist)"
        return LinkContext(
            sitename=self.sitename,
            article_path=self._article_path,
            script=self._script,
            exists=self._page_exists,
            red_link_title=lambda title: red.replace("$1", title),
        )


def _fix_whitespace(text: str) -> str:
    """``MessageCache::get`` post-processing: translators write ``&#32;`` for spaces
    that a textarea would trim, and ``&nbsp;``/``&shy;`` become the characters."""
    return text.replace("&#32;", " ").replace("&nbsp;", "\u00a0").replace("&#160;", "\u00a0").replace("&shy;", "\u00ad")


def _strtr(text: str, replacements: dict[str, str]) -> str:
    """PHP ``strtr`` with an array: longest match first, replaced text is not rescanned."""
    if not replacements:
        return text
    pattern = re.compile("|".join(re.escape(k) for k in sorted(replacements, key=len, reverse=True)))
    return pattern.sub(lambda m: replacements[m.group(0)], text)


@functools.lru_cache(maxsize=1)
def _duration_catalog() -> Catalog:
    """Catalogue for :func:`format_duration`; durations do not depend on site settings."""
    return Catalog()


def format_duration(seconds: int, lang: str) -> str:
    """``Language::formatDuration``: ``300`` → "5 minutes", ``90000`` → "1 day and 1 hour"."""
    return _duration_catalog().format_duration(seconds, lang)
