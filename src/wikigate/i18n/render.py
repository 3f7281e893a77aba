"""Wikitext → text / plain text / HTML for interface messages.

MediaWiki runs messages through its full parser; API texts only use a small subset
(``{{PLURAL}}``, ``{{GENDER}}``, ``{{int:}}``, ``[[links]]``, ``''``/``'''``, a few inline
HTML tags, bullet lists and paragraphs), so this module implements exactly that
subset and is checked against the reference wiki's ``action=parse`` output.

Three entry points:

* :func:`preprocess` — ``Message::text()``: expand ``{{…}}`` constructs, leave the
  rest of the wikitext alone.
* :func:`strip_markup` — ``ApiErrorFormatter::stripMarkup``: what ``errorformat=bc``
  and ``plaintext`` show.
* :func:`to_html` — ``Message::parse()`` without the outer ``<p>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from wikigate.i18n.plural import convert_plural, format_num, parse_formatted_number

__all__ = [
    "LinkContext",
    "PreprocessContext",
    "preprocess",
    "strip_markup",
    "strip_outer_paragraph",
    "to_html",
]


# --------------------------------------------------------------------------- namespaces

# Canonical (English) namespace names; the project namespace is the site name.
_NAMESPACES: dict[str, str] = {
    "media": "Media",
    "special": "Special",
    "talk": "Talk",
    "user": "User",
    "user_talk": "User talk",
    "project": "$PROJECT",
    "project_talk": "$PROJECT talk",
    "file": "File",
    "image": "File",
    "file_talk": "File talk",
    "image_talk": "File talk",
    "mediawiki": "MediaWiki",
    "mediawiki_talk": "MediaWiki talk",
    "template": "Template",
    "template_talk": "Template talk",
    "help": "Help",
    "help_talk": "Help talk",
    "category": "Category",
    "category_talk": "Category talk",
}
_NS_BY_NUMBER: dict[str, str] = {
    "-2": "media", "-1": "special", "0": "", "1": "talk", "2": "user", "3": "user_talk",
    "4": "project", "5": "project_talk", "6": "file", "7": "file_talk", "8": "mediawiki",
    "9": "mediawiki_talk", "10": "template", "11": "template_talk", "12": "help",
    "13": "help_talk", "14": "category", "15": "category_talk",
}  # fmt: skip


def namespace_name(name: str, sitename: str) -> str | None:
    """Resolve ``{{ns:…}}`` / a link prefix to the canonical namespace text."""
    key = name.strip().replace(" ", "_").lower()
    key = _NS_BY_NUMBER.get(key, key)
    if key == "":
        return ""
    project = sitename.replace(" ", "_").lower()
    if key == project:
        key = "project"
    elif key == project + "_talk":
        key = "project_talk"
    if key not in _NAMESPACES:
        return None
    return _NAMESPACES[key].replace("$PROJECT", sitename.replace("_", " "))


# --------------------------------------------------------------------------- preprocessor


@dataclass
class PreprocessContext:
    """What the brace expander needs from the catalogue.

    ``message`` returns the *text* of another message (for ``{{int:}}``) in the same
    language, given its key and string parameters.
    """

    lang: str
    sitename: str
    message: Callable[[str, Sequence[str]], str]
    gender: Callable[[str], str] = field(default=lambda _user: "unknown")


def _find_close(text: str, start: int) -> int:
    """Index just past the ``}}`` matching the ``{{`` at ``start``, or -1."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        if text.startswith("{{", i):
            depth += 1
            i += 2
        elif text.startswith("}}", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return -1


def _split_args(inner: str) -> list[str]:
    """Split template arguments on ``|`` outside nested ``{{…}}`` and ``[[…]]``.

    MediaWiki's preprocessor protects pipes inside links, so
    ``{{PLURAL:$1|see [[A|b]]|c}}`` has two forms.
    """
    parts: list[str] = []
    braces = links = 0
    current: list[str] = []
    i = 0
    while i < len(inner):
        two = inner[i : i + 2]
        if two == "{{":
            braces += 1
            current.append(two)
            i += 2
            continue
        if two == "}}" and braces:
            braces -= 1
            current.append(two)
            i += 2
            continue
        if two == "[[":
            links += 1
            current.append(two)
            i += 2
            continue
        if two == "]]" and links:
            links -= 1
            current.append(two)
            i += 2
            continue
        char = inner[i]
        if char == "|" and braces == 0 and links == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def preprocess(text: str, ctx: PreprocessContext) -> str:
    """Expand ``{{…}}`` like ``Message::text()`` (HTML comments are kept, as there)."""
    return _expand(text, ctx)


def _expand(text: str, ctx: PreprocessContext) -> str:
    out: list[str] = []
    i = 0
    while True:
        j = text.find("{{", i)
        if j < 0:
            out.append(text[i:])
            break
        end = _find_close(text, j)
        if end < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        out.append(_call(text[j + 2 : end - 2], text[j:end], ctx))
        i = end
    return "".join(out)


def _call(inner: str, original: str, ctx: PreprocessContext) -> str:
    """Evaluate one ``{{name:arg|…}}``; unknown constructs stay verbatim."""
    parts = _split_args(inner)
    head = _expand(parts[0], ctx).strip()
    rest = parts[1:]

    def args() -> list[str]:
        return [_expand(p, ctx).strip() for p in rest]

    if ":" in head:
        name, first = head.split(":", 1)
        first = first.strip()
    else:
        name, first = head, ""
    upper = name.strip().upper()
    lower = name.strip().lower()
    if head in ("SITENAME",):
        return ctx.sitename
    if head == "!":
        return "|"
    if ":" not in head:
        return original
    if lower in ("mediawiki", "msg"):
        # {{MediaWiki:Grouppage-sysop}} transcludes another message.
        return ctx.message(first[:1].lower() + first[1:], args())
    if upper == "PLURAL":
        count = parse_formatted_number(first, ctx.lang)
        return convert_plural(count, args(), ctx.lang)
    if upper == "GENDER":
        forms = args()
        if not forms:
            return ""
        gender = ctx.gender(first)
        if len(forms) < 2:
            forms = [*forms, forms[-1]]
        if gender == "male":
            return forms[0]
        if gender == "female":
            return forms[1]
        return forms[2] if len(forms) > 2 else forms[0]
    if upper == "GRAMMAR":
        # No grammar transformations for en/de/tr: MediaWiki returns the word.
        values = args()
        return values[0] if values else ""
    if lower == "int":
        return ctx.message(first[:1].lower() + first[1:] if first else first, args())
    if lower == "ns":
        resolved = namespace_name(first, ctx.sitename)
        return original if resolved is None else resolved
    if lower == "#special":
        return "Special:" + first
    if lower == "lc":
        return first.lower()
    if lower == "uc":
        return first.upper()
    if lower == "lcfirst":
        return first[:1].lower() + first[1:]
    if lower == "ucfirst":
        return first[:1].upper() + first[1:]
    if lower == "formatnum":
        return format_num(first, ctx.lang) if re.fullmatch(r"-?\d+(\.\d+)?", first) else first
    return original


# --------------------------------------------------------------------------- stripMarkup

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "canvas", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hgroup", "hr", "li", "main", "nav", "noscript", "ol", "output", "p", "pre",
        "section", "table", "td", "tfoot", "th", "tr", "ul", "video",
    }
)  # fmt: skip
_TAG_RE = re.compile(r"</?([A-Za-z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S)


# Numeric character references with more digits than any code point: html.unescape()
# would call int() on them, which raises past 4 300 digits ("&#999…;" in a title).
_LONG_CHARREF = re.compile(r"&#(?:([0-9]{8,})|[xX]([0-9a-fA-F]{7,}))(;?)")


def _shorten_charref(m: re.Match[str]) -> str:
    dec, hexa, semi = m.group(1), m.group(2), m.group(3)
    digits = (dec or hexa).lstrip("0") or "0"
    if len(digits) > (7 if dec else 6):
        return "\ufffd"  # what html.unescape makes of a reference beyond U+10FFFF
    return f"&#{'' if dec else 'x'}{digits}{semi}"


def unescape(text: str) -> str:
    """``html.unescape`` that cannot be made to raise by an overlong numeric reference."""
    if "&#" in text:
        text = _LONG_CHARREF.sub(_shorten_charref, text)
    return html.unescape(text)


def strip_markup(text: str) -> str:
    """``ApiErrorFormatter::stripMarkup``.

    ``<var>``/``<kbd>``/``<samp>``/``<code>`` become ``"``; every other tag is dropped
    (block-level ones leave a space), character references are decoded, runs of
    whitespace — newlines included — collapse to one space and the ends are trimmed.
    Wiki markup such as ``[[links]]`` is left as it is.
    """
    text = re.sub(r"</?(var|kbd|samp|code)>", '"', text)
    out: list[str] = []
    i = 0
    hidden = False
    n = len(text)
    while i < n:
        lt = text.find("<", i)
        if lt < 0:
            if not hidden:
                out.append(unescape(text[i:]))
            break
        if not hidden:
            out.append(unescape(text[i:lt]))
        if text.startswith("<!--", lt):
            end = text.find("-->", lt + 4)
            i = n if end < 0 else end + 3
            continue
        if text.startswith("<!", lt) or text.startswith("<?", lt):
            end = text.find(">", lt)
            i = n if end < 0 else end + 1
            continue
        match = _TAG_RE.match(text, lt)
        if match is None:
            if not hidden:
                out.append("<")
            i = lt + 1
            continue
        name = match.group(1).lower()
        if name in ("script", "style"):
            hidden = not match.group(0).startswith("</")
        if name in _BLOCK_TAGS:
            out.append(" ")
        i = match.end()
    return re.sub(r"[ \r\n\t]+", " ", "".join(out)).strip()


# --------------------------------------------------------------------------- HTML


@dataclass
class LinkContext:
    """How links render: article path, script path and page existence.

    The defaults match a stock MediaWiki at the web root (``/index.php/Title``), like
    the reference wiki. ``exists`` decides blue vs red links; special pages are
    always treated as existing.
    """

    sitename: str = "MediaWiki"
    article_path: str = "/index.php/$1"
    script: str = "/index.php"
    exists: Callable[[str], bool] = field(default=lambda _title: False)
    red_link_title: Callable[[str], str] = field(default=lambda title: f"{title} (page does not exist)")
    interwiki: dict[str, str] = field(
        default_factory=lambda: {
            "mw": "https://www.mediawiki.org/wiki/$1",
            "mediawikiwiki": "https://www.mediawiki.org/wiki/$1",
            "wikipedia": "https://en.wikipedia.org/wiki/$1",
            "meta": "https://meta.wikimedia.org/wiki/$1",
        }
    )


_ALLOWED_TAGS = frozenset(
    {
        "b", "i", "u", "s", "em", "strong", "small", "big", "sub", "sup", "code", "kbd", "var",
        "samp", "tt", "span", "div", "p", "br", "hr", "ul", "ol", "li", "dl", "dt", "dd",
        "blockquote", "pre", "q", "cite", "abbr", "del", "ins", "mark", "strike", "bdi", "bdo",
        "data", "time", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td", "th", "caption",
        "thead", "tbody", "tfoot",
    }
)  # fmt: skip
_VOID_TAGS = frozenset({"br", "hr"})
_URL_PROTOCOLS = r"(?:https?://|ftp://|mailto:|//)"
_FREE_URL_RE = re.compile(r"(?<![\w/])(?:https?|ftp)://[^\][<>\"\x00-\x20\x7F\s]+")
_ENTITY_RE = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def _wfurlencode(text: str) -> str:
    """``wfUrlencode``: percent-encode but keep ``;@$!*(),/~:``."""
    return quote(text, safe=";@$!*(),/~:")


def _escape_attr(text: str) -> str:
    return html.escape(text, quote=True).replace("&#x27;", "&#039;")


def _normalize_entity(match: re.Match[str]) -> str:
    """Keep valid character references, escape the ``&`` of invalid ones."""
    body = match.group(1)
    if body[:2] in ("#x", "#X"):
        return "&#x" + body[2:].lower() + ";"
    if body.startswith("#"):
        return match.group(0)
    if unescape(match.group(0)) != match.group(0):
        return match.group(0)
    return "&amp;" + match.group(0)[1:]


def _escape_text(text: str) -> str:
    """Escape literal text the way the parser leaves it: quotes stay as they are."""
    out: list[str] = []
    i = 0
    for match in _ENTITY_RE.finditer(text):
        out.append(text[i : match.start()].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        out.append(_normalize_entity(match))
        i = match.end()
    out.append(text[i:].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
    return "".join(out)


def _do_quotes(line: str) -> str:
    """Simplified ``Parser::doQuotes``: ``'''''``, ``'''`` and ``''`` toggle b / i."""
    if "''" not in line:
        return line
    parts = re.split(r"('{2,5})", line)
    out: list[str] = []
    bold = italic = False
    for index, part in enumerate(parts):
        if index % 2 == 0:
            out.append(part)
            continue
        extra = ""
        if len(part) == 4:
            extra, part = "'", "'''"
        elif len(part) > 5:
            extra, part = "'" * (len(part) - 5), "'''''"
        out.append(extra)
        if len(part) == 2:
            out.append("</i>" if italic else "<i>")
            italic = not italic
        elif len(part) == 3:
            out.append("</b>" if bold else "<b>")
            bold = not bold
        else:
            if italic and bold:
                out.append("</b></i>")
            elif italic:
                out.append("</i><b>")
            elif bold:
                out.append("</b><i>")
            else:
                out.append("<i><b>")
            italic = not italic
            bold = not bold
    if bold:
        out.append("</b>")
    if italic:
        out.append("</i>")
    return "".join(out)


def _normalize_title(target: str, links: LinkContext) -> tuple[str, str] | None:
    """Return (prefixed text with spaces, page part) for a link target, or None if invalid."""
    target = target.replace("_", " ")
    target = re.sub(r" +", " ", target).strip()
    if not target:
        return None
    if ":" in target:
        prefix, rest = target.split(":", 1)
        ns = namespace_name(prefix, links.sitename)
        if ns:
            rest = rest.strip()
            rest = rest[:1].upper() + rest[1:]
            return f"{ns}:{rest}", rest
    return target[:1].upper() + target[1:], target


def _internal_link(inner: str, links: LinkContext, render_label: Callable[[str], str]) -> str | None:
    if "|" in inner:
        target, label = inner.split("|", 1)
    else:
        target, label = inner, ""
    target = target.strip()
    if target.startswith(":"):
        target = target[1:]
    shown = label if label else target
    if re.search(r"[<>\[\]{}|]", target):
        return None
    fragment = ""
    page = target
    if "#" in target:
        page, fragment = target.split("#", 1)
    if ":" in page:
        prefix, rest = page.split(":", 1)
        base = links.interwiki.get(prefix.strip().lower())
        if base is not None:
            title = f"{prefix.strip()}:{rest.replace('_', ' ')}"
            url = base.replace("$1", _wfurlencode(rest.strip().replace(" ", "_")))
            if fragment:
                url += "#" + fragment.replace(" ", "_")
            return (
                f'<a href="{_escape_attr(url)}" class="extiw" title="{_escape_attr(title)}">{render_label(shown)}</a>'
            )
    if not page.strip():
        return f'<a href="#{_escape_attr(fragment.replace(" ", "_"))}">{render_label(shown)}</a>'
    normalized = _normalize_title(page, links)
    if normalized is None:
        return None
    title, _ = normalized
    db_key = title.replace(" ", "_")
    is_special = title.startswith("Special:")
    if is_special or links.exists(title):
        href = links.article_path.replace("$1", _wfurlencode(db_key))
        if fragment:
            href += "#" + fragment.replace(" ", "_")
        return f'<a href="{_escape_attr(href)}" title="{_escape_attr(title)}">{render_label(shown)}</a>'
    href = f"{links.script}?title={_wfurlencode(db_key)}&action=edit&redlink=1"
    return (
        f'<a href="{_escape_attr(href)}" class="new" title="{_escape_attr(links.red_link_title(title))}">'
        f"{render_label(shown)}</a>"
    )


_NOFOLLOW_EXCEPTIONS = ("mediawiki.org",)


def _rel(url: str) -> str:
    """``rel="nofollow"`` unless the host is in ``$wgNoFollowDomainExceptions`` (mediawiki.org)."""
    match = re.match(r"(?:[a-z]+:)?//([^/?#:]+)", url, flags=re.I)
    host = match.group(1).lower() if match else ""
    if any(host == d or host.endswith("." + d) for d in _NOFOLLOW_EXCEPTIONS):
        return ""
    return 'rel="nofollow" '


def _free_link(url: str) -> tuple[str, str]:
    """Split a free URL into (link, trailing text) like ``Parser::makeFreeExternalLink``."""
    trail = ""
    cut = re.search(r"&(lt|gt);", url)
    if cut:
        trail = url[cut.start() :]
        url = url[: cut.start()]
    seps = ",;.:!?"
    if "(" not in url:
        seps += ")"
    stripped = url.rstrip(seps)
    trail = url[len(stripped) :] + trail
    return stripped, trail


def _inline(text: str, links: LinkContext, counter: list[int]) -> str:
    """Render one paragraph/list item's inline markup to HTML."""
    out: list[str] = []
    i = 0
    n = len(text)
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            out.append(_escape_text("".join(buffer)))
            buffer.clear()

    def label(raw: str) -> str:
        return _inline(raw, links, counter)

    while i < n:
        if text.startswith("[[", i):
            end = text.find("]]", i + 2)
            if end > 0:
                rendered = _internal_link(text[i + 2 : end], links, label)
                if rendered is not None:
                    flush()
                    out.append(rendered)
                    i = end + 2
                    continue
        if text[i] == "[":
            match = re.match(r"\[(" + _URL_PROTOCOLS + r"[^\][<>\"\x00-\x20\x7F]+)( *)([^\]]*)\]", text[i:])
            if match:
                flush()
                url, label_text = match.group(1), match.group(3)
                if label_text:
                    out.append(
                        f'<a {_rel(url)}class="external text" href="{_escape_attr(url)}">{label(label_text)}</a>'
                    )
                else:
                    counter[0] += 1
                    out.append(
                        f'<a {_rel(url)}class="external autonumber" href="{_escape_attr(url)}">[{counter[0]}]</a>'
                    )
                i += match.end()
                continue
        if text[i] in "hf":
            match = _FREE_URL_RE.match(text, i)
            if match and (i == 0 or not text[i - 1].isalnum()):
                url, trail = _free_link(match.group(0))
                flush()
                out.append(
                    f'<a {_rel(url)}class="external free" href="{_escape_attr(unescape(url))}">'
                    f"{_escape_text(url)}</a>"
                )
                i = match.end() - len(trail)
                continue
        if text[i] == "<":
            tag = _TAG_RE.match(text, i)
            if tag:
                name = tag.group(1).lower()
                if name in _ALLOWED_TAGS:
                    flush()
                    raw = tag.group(0)
                    if name in _VOID_TAGS:
                        raw = f"<{name} />"
                    out.append(raw)
                    i = tag.end()
                    continue
        buffer.append(text[i])
        i += 1
    flush()
    return "".join(out)


_LIST_TAGS = {"*": ("ul", "li"), "#": ("ol", "li"), ":": ("dl", "dd"), ";": ("dl", "dt")}


def to_html(text: str, links: LinkContext) -> str:
    """Block-level rendering (``Parser::doBlockLevels`` subset) plus inline markup.

    Blank lines separate ``<p>`` paragraphs (each closed with ``"\\n</p>"``, as the
    parser does), ``*``/``#``/``:`` lines become lists. The result still has its
    outer ``<p>``; see :func:`strip_outer_paragraph`.
    """
    counter = [0]
    text = re.sub(r"<!--.*?(-->|$)", "", text, flags=re.S)
    lines = text.split("\n")
    out: list[str] = []
    para: list[str] = []
    stack: list[str] = []  # open list prefix characters

    def close_para() -> None:
        if para:
            out.append("<p>" + "\n".join(para) + "\n</p>")
            para.clear()

    def close_lists(depth: int) -> None:
        while len(stack) > depth:
            char = stack.pop()
            outer, item = _LIST_TAGS[char]
            out.append(f"</{item}></{outer}>")

    for raw_line in lines:
        line = _do_quotes(raw_line)
        match = re.match(r"[*#:;]+", line)
        if match:
            close_para()
            prefix = match.group(0)
            common = 0
            while common < min(len(prefix), len(stack)) and prefix[common] == stack[common]:
                common += 1
            if stack and common == len(prefix) == len(stack):
                _, item = _LIST_TAGS[stack[-1]]
                out.append(f"</{item}>\n<{item}>")
            else:
                if len(stack) > common:
                    close_lists(common)
                    if stack:
                        _, item = _LIST_TAGS[stack[-1]]
                        if len(prefix) == len(stack):
                            out.append(f"</{item}>\n<{item}>")
                elif not stack and out and not out[-1].endswith("\n"):
                    out.append("\n")
                elif stack:
                    out.append("\n")  # a nested list starts on its own line
                for char in prefix[len(stack) :]:
                    outer, item = _LIST_TAGS[char]
                    out.append(f"<{outer}><{item}>")
                    stack.append(char)
            out.append(_inline(line[len(prefix) :].strip(), links, counter))
            continue
        if stack:
            close_lists(0)
            out.append("\n")
        if line.strip() == "":
            close_para()
            continue
        para.append(_inline(line, links, counter))
    close_lists(0)
    close_para()
    result = "".join(out)
    return result


def strip_outer_paragraph(text: str) -> str:
    """``Parser::stripOuterParagraph``: unwrap a single ``<p>…</p>``."""
    match = re.fullmatch(r"<p>(.*?)\n?</p>\n?", text, flags=re.S)
    if match and "</p>" not in match.group(1):
        return match.group(1)
    return text
