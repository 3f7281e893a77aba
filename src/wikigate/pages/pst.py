"""The pre-save transform (``Parser::preSaveTransform``) for what wikigate's store supports.

What MediaWiki does to wikitext before it saves a revision, in its order:

1. NUL characters are removed, line endings become ``\\n`` and trailing whitespace goes
   (``TextContent::normalizeLineEndings``);
2. ``{{subst:…}}`` and ``{{safesubst:…}}`` are replaced: templates (pages, fetched through
   a ``lookup`` callable, with their ``{{{parameters}}}`` and the inclusion rules of
   ``<noinclude>``/``<includeonly>``/``<onlyinclude>``), the page and time variables
   (``PAGENAME``, ``CURRENTYEAR``, …) and the case functions ``lc:``/``uc:``/``lcfirst:``/
   ``ucfirst:``. A name that is none of these stays as written, as in MediaWiki when the
   template does not exist; ``subst:`` inside ``<includeonly>`` on the saved page stays;
3. signatures: ``~~~`` the user's signature, ``~~~~`` signature and date, ``~~~~~`` the date;
4. the pipe trick: ``[[Foo (bar)|]]`` → ``[[Foo (bar)|Foo]]``, ``[[|Foo]]`` with the page's
   context;
5. trailing whitespace is removed again.

Comments, ``<nowiki>``, ``<pre>`` and the other core extension tags are left alone, as the
preprocessor's strip markers leave them. Other parser functions, ``{{#if:}}`` and the like,
are not evaluated (wikigate has no parser): ``{{subst:#if:…}}`` stays as written.

Everything here is pure: the caller fetches templates (see :func:`templates_needed`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from wikigate.pages.wikitext import escape_wikitext
from wikigate.util.clock import to_mw_timestamp

#: PHP rtrim's default character set (what MediaWiki trims: not Unicode whitespace).
PHP_WS = " \t\n\r\0\x0b"
#: $wgMaxSigChars
MAX_SIG_CHARS = 255
#: $wgMaxTemplateDepth
MAX_DEPTH = 40
#: Brackets nested deeper than this are plain text (no real wikitext nests so deep; it
#: keeps the tree walks within Python's recursion limit).
MAX_NESTING = 40
#: Longer runs of braces or brackets are plain text too (each pair nests a level).
MAX_RUN = 8
#: Expansion depth (MediaWiki's $wgMaxPPExpandDepth is 100; Python's stack is the limit here).
MAX_EXPAND_DEPTH = 60
#: $wgMaxArticleSize (2048 KiB) as the budget of substituted template text, in characters.
MAX_INCLUDE_SIZE = 2048 * 1024
#: Core's extension tags (Parser::$mStripList without extensions) and comments: not transformed.
_STRIP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(nowiki|pre|gallery|indicator|langconvert)(?:\s[^>]*)?/>"
    r"|<(nowiki|pre|gallery|indicator|langconvert)(?:\s[^>]*)?>.*?(?:</\2\s*>|\Z)",
    re.S | re.I,
)
_INCLUDEONLY = re.compile(r"<includeonly\s*>.*?(?:</includeonly\s*>|\Z)", re.S | re.I)
_SUBST = re.compile(r"^\s*(safesubst|subst):", re.I)
_MARK = re.compile("\0(\\d+)\0")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def php_rtrim(text: str) -> str:
    return text.rstrip(PHP_WS)


def normalize_line_endings(text: str) -> str:
    """``TextContent::normalizeLineEndings``: ``\\r\\n``/``\\r`` → ``\\n``, trailing whitespace off."""
    return php_rtrim(text).replace("\r\n", "\n").replace("\r", "\n")


def signature_date(ts: datetime, tz_name: str = "UTC") -> str:
    """The date of ``~~~~``/``~~~~~``: ``Language::timeanddate`` (English) plus the zone."""
    ts = ts.astimezone(UTC)
    return f"{ts:%H:%M}, {ts.day} {_MONTHS[ts.month - 1]} {ts.year} ({tz_name})"


def clean_sig_in_sig(text: str) -> str:
    """``Parser::cleanSigInSig``: no signature inside a signature."""
    return re.sub(r"~{3,5}", "", text)


def _well_formed_fragment(text: str) -> bool:
    import xml.etree.ElementTree as ET

    try:
        ET.fromstring(f"<html>{text}</html>")
    except ET.ParseError:
        return False
    return True


def user_signature(name: str, *, registered: bool, nickname: str = "", fancysig: bool = False,
                   user_ns: str = "User", user_talk_ns: str = "User talk",
                   contributions: str = "Special:Contributions") -> str:
    """``Parser::getUserSig`` with the English ``signature``/``signature-anon`` messages.

    A fancy signature must be a well-formed XML fragment (else the default is used); its
    transclusions become ``subst:`` and are expanded by the transform that inserts it.
    """
    if not nickname or len(nickname) > MAX_SIG_CHARS:
        nickname = name
    elif fancysig:
        if _well_formed_fragment(nickname):
            return clean_sig_in_sig(re.sub(r"\{\{(?!\s*(?:safesubst|subst):)", "{{subst:", nickname, flags=re.I))
        nickname = name
    nickname = clean_sig_in_sig(nickname)
    user_text, nick_text = escape_wikitext(name), escape_wikitext(nickname)
    if not registered:
        return f"[[{contributions}/{user_text}|{nick_text}]]"
    return f"[[{user_ns}:{user_text}|{nick_text}]] ([[{user_talk_ns}:{user_text}|talk]])"


@dataclass(frozen=True)
class PstContext:
    """What the transform needs to know about the edit."""

    #: The page's title: namespace text ("" for the main namespace) and text without it.
    namespace: str
    title_text: str
    #: The user's signature (:func:`user_signature`); "" when it is not needed.
    signature: str
    timestamp: datetime
    sitename: str = "wikigate"
    tz_name: str = "UTC"
    #: Template name (as written after ``subst:``) → wikitext, or None if there is no such page.
    lookup: Callable[[str], str | None] = field(default=lambda name: None)

    @property
    def full_title(self) -> str:
        return f"{self.namespace}:{self.title_text}" if self.namespace else self.title_text


# ---------------------------------------------------------------- preprocessor tree

@dataclass
class _Brace:
    kind: str  # "{" or "["
    count: int  # 2 (template, link) or 3 (template parameter)
    parts: list[list[_Node]]


_Node = str | _Brace


@dataclass
class _Frame:
    kind: str
    count: int
    parts: list[list[_Node]]


def _run(text: str, i: int) -> int:
    """How many times ``text[i]`` repeats from ``i``."""
    j = i
    while j < len(text) and text[j] == text[i]:
        j += 1
    return j - i


def _add(stack: list[_Frame], node: _Node) -> None:
    """Append ``node`` to the innermost open part (merging adjacent text)."""
    part = stack[-1].parts[-1]
    if isinstance(node, str) and part and isinstance(part[-1], str):
        part[-1] += node
    else:
        part.append(node)


def _close(stack: list[_Frame], ch: str, run: int) -> None:
    """A run of ``run`` closing ``ch`` characters: close what it matches, the rest is text."""
    opener = "{" if ch == "}" else "["
    while run > 0 and len(stack) > 1 and stack[-1].kind == opener:
        top = stack[-1]
        matched = min(run, top.count, 3 if opener == "{" else 2)
        if matched < 2:
            break
        node = _Brace(opener, matched, top.parts)
        top.count -= matched
        run -= matched
        if top.count >= 2:
            top.parts = [[node]]
        else:
            stack.pop()
            if top.count:
                _add(stack, opener * top.count)
            _add(stack, node)
    if run:
        _add(stack, ch * run)


def _parse(text: str) -> list[_Node]:
    """Braces and brackets as the preprocessor matches them (runs of ``{``: 2 = template,
    3 = parameter, longer runs nest; ``[[ ]]`` only so that pipes inside links do not split
    arguments)."""
    root = _Frame("", 0, [[]])
    stack = [root]
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "{[}]":
            run = _run(text, i)
            i += run
            if ch in "}]":
                _close(stack, ch, run)
            elif 2 <= run <= MAX_RUN and len(stack) <= MAX_NESTING:
                stack.append(_Frame(ch, run, [[]]))
            else:
                _add(stack, ch * run)
            continue
        if ch == "|" and len(stack) > 1 and stack[-1].kind == "{":
            stack[-1].parts.append([])
            i += 1
            continue
        j = i + 1
        while j < n and text[j] not in "{[}]|":
            j += 1
        _add(stack, text[i:j])
        i = j
    while len(stack) > 1:  # unclosed: literal text
        top = stack.pop()
        _add(stack, top.kind * top.count)
        for k, part in enumerate(top.parts):
            if k:
                _add(stack, "|")
            for item in part:
                _add(stack, item)
    return root.parts[0]


def _serialize(nodes: list[_Node]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        else:
            close = "}" if node.kind == "{" else "]"
            out.append(node.kind * node.count + "|".join(_serialize(p) for p in node.parts) + close * node.count)
    return "".join(out)


# ---------------------------------------------------------------- expansion

class _TooBig(Exception):
    """The substituted text outgrew :data:`MAX_INCLUDE_SIZE`."""


class _Expander:
    def __init__(self, ctx: PstContext, strip: dict[int, str]) -> None:
        self.ctx = ctx
        self.strip = strip
        #: Characters of template text substituted so far ($wgMaxArticleSize-like budget:
        #: MediaWiki stops at its include-size limit, templates past it stay as written).
        self.budget = MAX_INCLUDE_SIZE
        self.depth = 0

    def protect(self, text: str, *, includeonly: bool = False) -> str:
        def keep(m: re.Match[str]) -> str:
            self.strip[len(self.strip)] = m.group(0)
            return f"\0{len(self.strip) - 1}\0"

        text = _STRIP.sub(keep, text)
        return _INCLUDEONLY.sub(keep, text) if includeonly else text

    def expand(self, nodes: list[_Node], args: Mapping[str, str] | None, chain: tuple[str, ...]) -> str:
        if self.depth >= MAX_EXPAND_DEPTH:  # $wgMaxPPExpandDepth: deeper text stays as written
            return _serialize(nodes)
        self.depth += 1
        try:
            return self._expand(nodes, args, chain)
        finally:
            self.depth -= 1

    def _expand(self, nodes: list[_Node], args: Mapping[str, str] | None, chain: tuple[str, ...]) -> str:
        out = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif node.kind == "[":
                out.append("[[" + "|".join(self.expand(p, args, chain) for p in node.parts) + "]]")
            elif node.count == 3:
                out.append(self._param(node, args, chain))
            else:
                out.append(self._template(node, args, chain))
        return "".join(out)

    def _param(self, node: _Brace, args: Mapping[str, str] | None, chain: tuple[str, ...]) -> str:
        name = self.expand(node.parts[0], args, chain)
        if args is not None:
            key = name.strip(PHP_WS)
            if key in args:
                self._spend(len(args[key]))
                return args[key]
            if len(node.parts) > 1:
                return self.expand(node.parts[1], args, chain)
        return "{{{" + "|".join([name, *(self.expand(p, args, chain) for p in node.parts[1:])]) + "}}}"

    def _template(self, node: _Brace, args: Mapping[str, str] | None, chain: tuple[str, ...]) -> str:
        name = self.expand(node.parts[0], args, chain)
        rest = [self.expand(p, args, chain) for p in node.parts[1:]]
        literal = "{{" + "|".join([name, *rest]) + "}}"
        m = _SUBST.match(name)
        if m is None or len(chain) >= MAX_DEPTH:
            return literal
        target = name[m.end():]
        value = self._function(target, rest)
        if value is None and not rest:
            value = self._variable(target.strip(PHP_WS))
        if value is not None:
            return value
        title = target.strip(PHP_WS)
        if not title or title in chain:
            return literal
        body = self.ctx.lookup(title)
        if body is None or len(body) > self.budget:
            return literal
        try:
            self._spend(len(body))
            return self.expand(_parse(self.protect(_for_inclusion(body))),
                               self._arguments(node.parts[1:], args, chain), (*chain, title))
        except _TooBig:
            if chain:
                raise
            return literal

    def _spend(self, chars: int) -> None:
        self.budget -= chars
        if self.budget < 0:
            raise _TooBig

    def _arguments(self, parts: list[list[_Node]], args: Mapping[str, str] | None,
                   chain: tuple[str, ...]) -> dict[str, str]:
        """Named (``a=b``, both trimmed) and numbered (untrimmed) arguments of a call; only an
        ``=`` outside nested braces names an argument."""
        result: dict[str, str] = {}
        number = 0
        for part in parts:
            split = next((k for k, nd in enumerate(part) if isinstance(nd, str) and "=" in nd), None)
            if split is None:
                number += 1
                result[str(number)] = self.expand(part, args, chain)
                continue
            head, _, tail = str(part[split]).partition("=")
            name = self.expand([*part[:split], head], args, chain).strip(PHP_WS)
            result[name] = self.expand([tail, *part[split + 1:]], args, chain).strip(PHP_WS)
        return result

    def _function(self, target: str, rest: list[str]) -> str | None:
        fn, colon, first = target.partition(":")
        if not colon:
            return None
        fn = fn.strip(PHP_WS).lower()
        arg = first.strip(PHP_WS)
        if fn == "lc":
            return arg.lower()
        if fn == "uc":
            return arg.upper()
        if fn == "lcfirst":
            return arg[:1].lower() + arg[1:]
        if fn == "ucfirst":
            return arg[:1].upper() + arg[1:]
        return None

    def _variable(self, name: str) -> str | None:
        c, ts = self.ctx, self.ctx.timestamp.astimezone(UTC)
        text = c.title_text
        values = {
            "PAGENAME": escape_wikitext(text),
            "FULLPAGENAME": escape_wikitext(c.full_title),
            "NAMESPACE": c.namespace,
            "BASEPAGENAME": escape_wikitext(text.rsplit("/", 1)[0]),
            "SUBPAGENAME": escape_wikitext(text.rsplit("/", 1)[-1]),
            "SITENAME": c.sitename,
            "CURRENTYEAR": f"{ts.year}",
            "CURRENTMONTH": f"{ts.month:02d}",
            "CURRENTMONTH1": f"{ts.month}",
            "CURRENTMONTHNAME": _MONTHS[ts.month - 1],
            "CURRENTDAY": f"{ts.day}",
            "CURRENTDAY2": f"{ts.day:02d}",
            "CURRENTDAYNAME": _DAYS[ts.weekday()],
            "CURRENTHOUR": f"{ts.hour:02d}",
            "CURRENTTIME": f"{ts:%H:%M}",
            "CURRENTTIMESTAMP": to_mw_timestamp(ts),
        }
        return values.get(name)


def _for_inclusion(body: str) -> str:
    """A template's text as a transclusion sees it."""
    only = re.findall(r"<onlyinclude>(.*?)</onlyinclude>", body, re.S | re.I)
    if only:
        body = "".join(only)
    body = re.sub(r"<noinclude\s*>.*?(?:</noinclude\s*>|\Z)", "", body, flags=re.S | re.I)
    return re.sub(r"</?includeonly\s*>", "", body, flags=re.I)


# ---------------------------------------------------------------- pipe trick

_TC = r"[ %!\"$&'()*,\-./0-9:;=?@A-Z\\^_`a-z~\u0080-\U0010ffff+]"
_NC = r"[ _0-9A-Za-z\u0080-\U0010ffff-]"
_P2 = re.compile(rf"\[\[\|({_TC}+)]]")
_NC_RUN = re.compile(rf":?{_NC}+:")
#: A link the pipe trick can apply to: legal title characters only between ``[[`` and ``]]``.
_PIPE_LINK = re.compile(rf"\[\[{_TC}*\|{_TC}*]]")
_SEPARATORS = (", ", "，", "، ")


def pipe_trick(text: str, full_title: str) -> str:
    """The "pipe trick" of ``Parser::pstPass2``: ``[[ns:page (context)|]]`` and
    ``[[page, context|]]`` get their label, ``[[|page]]`` the context of the saved page.

    MediaWiki writes it as four regular expressions with a lazy page name; evaluated
    literally they backtrack quadratically on long candidates. Here every candidate link
    (``[[…|]]`` or ``[[|…]]``, title characters only) is decided in linear time with the
    same leftmost-shortest semantics (tests/unit/pages/test_pst.py checks the two agree).
    """
    m = re.fullmatch(rf"({_NC}+:|){_TC}+?( \({_TC}+\))", full_title)
    if m is None:
        m = re.fullmatch(rf"({_NC}+:|){_TC}+?(, {_TC}+|)", full_title)
        if m is not None and not (m.group(1) + m.group(2)):
            m = None
    context = (m.group(1), m.group(2)) if m is not None else None

    def one(match: re.Match[str]) -> str:
        link = match.group(0)
        if link.endswith("|]]") and len(link) > 5:
            label = _pipe_label(link[2:-3])
            return f"{link[:-2]}{label}]]" if label is not None else link
        if link.startswith("[[|"):
            page = link[3:-2]
            if not page:
                return link
            return f"[[{context[0]}{page}{context[1]}|{page}]]" if context else f"[[{page}]]"
        return link

    return _PIPE_LINK.sub(one, text)


def _prefixes(target: str) -> list[str]:
    """The alternatives of ``(:?NC+:|:|)`` in the order the regex tries them."""
    out = []
    m = _NC_RUN.match(target)
    if m:
        out.append(m.group(0))
    if target.startswith(":"):
        out.append(":")
    out.append("")
    return out


def _name_before(rest: str, open_: str, last_ok: int) -> int | None:
    """The shortest name (at least one character) followed by `` ?(``: the index where the
    optional space or the bracket starts, for the first bracket at or after 1 whose
    position is at most ``last_ok``."""
    o = rest.find(open_, 1)
    if o < 0 or o > last_ok:
        return None
    return o - 1 if o >= 2 and rest[o - 1] == " " else o


def _pipe_label(target: str) -> str | None:
    """The label ``[[target|]]`` gets: patterns p1 (``(context)``), p4 (full-width
    parentheses) and p3 (``, context``, or else the whole title), tried in MediaWiki's
    order, each with the shortest name its lazy ``TC+?`` would take."""
    for open_, close in (("(", ")"), ("（", "）")):
        for prefix in _prefixes(target):
            rest = target[len(prefix):]
            if rest.endswith(close):
                i = _name_before(rest, open_, len(rest) - 3)
                if i is not None:
                    return rest[:i]
    for prefix in _prefixes(target):
        rest = target[len(prefix):]
        n = len(rest)
        if not n:
            continue
        best = n  # both optional groups empty: the whole rest is the name
        for sep in _SEPARATORS:  # a ", context" group right after the name
            p = rest.find(sep, 1)
            if p >= 0 and n - p > len(sep):
                best = min(best, p)
        # a "(context)" group: its ")" must end the text or precede a ", context" group
        last_close = n - 1 if rest.endswith(")") else -1
        for sep in _SEPARATORS:
            last_close = max(last_close, rest.rfind(")" + sep, 0, n - 1))
        i = _name_before(rest, "(", last_close - 2)
        if i is not None:
            best = min(best, i)
        return rest[:best]
    return None


# ---------------------------------------------------------------- the transform

def pre_save_transform(text: str, ctx: PstContext) -> str:
    """``Parser::preSaveTransform`` for ``text`` saved by ``ctx``'s user to ``ctx``'s page."""
    text = normalize_line_endings(text.replace("\0", ""))
    strip: dict[int, str] = {}
    ex = _Expander(ctx, strip)
    text = ex.expand(_parse(ex.protect(text, includeonly=True)), None, ())
    if "~~~" in text:
        sig = ctx.signature
        if "{{" in sig:  # a fancy signature's transclusions, made subst: by user_signature
            sig = ex.expand(_parse(ex.protect(sig)), None, ())
        date = signature_date(ctx.timestamp, ctx.tz_name)
        text = re.sub(r"~~~~~|~~~~|~~~", lambda m: {5: date, 4: f"{sig} {date}", 3: sig}[len(m.group(0))], text)
    text = pipe_trick(text, ctx.full_title)
    while _MARK.search(text):  # protected text may itself hold markers (a comment in a template)
        text = _MARK.sub(lambda m: strip[int(m.group(1))], text)
    return php_rtrim(text)


def templates_needed(text: str, ctx: PstContext, known: Mapping[str, str | None]) -> set[str]:
    """The template names the transform of ``text`` would look up that ``known`` lacks.

    Call repeatedly, fetching what it names, until it returns nothing (templates can
    substitute templates)."""
    missing: set[str] = set()

    def lookup(name: str) -> str | None:
        if name in known:
            return known[name]
        missing.add(name)
        return None

    probe = PstContext(ctx.namespace, ctx.title_text, ctx.signature, ctx.timestamp, ctx.sitename, ctx.tz_name,
                       lookup)
    pre_save_transform(text, probe)
    return missing
