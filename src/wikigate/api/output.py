"""Result values and their serialisation: formatversion 1/2, json/xml/php/none and *fm.

Modules build results from plain Python values; three conventions cover the differences
between formatversion 1 and 2:

* ``bool`` — fv1 prints true as ``""`` and omits false; fv2 prints real booleans;
* :class:`ContentKey` keys — fv1 names them ``"*"``, fv2 uses their own name
  (``docref``, ``warnings``, ``text`` …); XML prints them as element text;
* :class:`Indexed` lists carry the element name XML uses for their items.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from wikigate.http.normalize import xml_safe


class ContentKey(str):
    """A key printed as ``*`` in formatversion 1 and as itself in formatversion 2."""

    __slots__ = ()


class Indexed(list[Any]):
    """A list whose items XML prints as ``<tag …/>`` elements."""

    def __init__(self, items: Any = (), tag: str = "_v") -> None:
        super().__init__(items)
        self.tag = tag


class IndexedMap(dict[str, Any]):
    """An object keyed by id (siteinfo namespaces) that XML prints as a list of
    ``<tag _idx="key" …/>`` elements, as MediaWiki's BC_SUBELEMENTS/indexed maps do."""

    def __init__(self, items: Any = (), tag: str = "_v") -> None:
        super().__init__(items)
        self.tag = tag


class KeyedMap(dict[str, Any]):
    """An object keyed by name (MediaWiki's ``kvp`` array type, e.g. revision slots by
    role): JSON prints it as an object; XML as ``<tag … key="name">`` elements."""

    def __init__(self, items: Any = (), tag: str = "_v", key: str = "name") -> None:
        super().__init__(items)
        self.tag = tag
        self.key = key


class RealBool:
    """A boolean printed as JSON true/false even in formatversion 1."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value


class BcBool(RealBool):
    """A boolean of a ``META_BC_BOOLS`` key (user options): JSON true/false in both
    formatversions, but XML prints it as any boolean (``""`` when true, omitted when false)."""

    __slots__ = ()


def for_version(value: Any, fv: int) -> Any:
    """Apply the formatversion conventions, producing plain JSON-able data."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if fv == 1 and v is False:
                continue
            key = "*" if (fv == 1 and isinstance(k, ContentKey)) else str(k)
            out[key] = for_version(v, fv)
        return out
    if isinstance(value, list | tuple):
        return [for_version(v, fv) for v in value]
    if value is True and fv == 1:
        return ""
    if isinstance(value, RealBool):
        return value.value
    return value


# -- JSON ------------------------------------------------------------------------------

def encode_json(data: Any, *, fv: int, utf8: bool, ascii: bool, pretty: bool = False) -> str:
    ensure_ascii = (not utf8) if fv == 1 else ascii
    text = json.dumps(data, ensure_ascii=ensure_ascii, separators=(",", ":") if not pretty else None,
                      indent=4 if pretty else None)
    if not ensure_ascii:
        # PHP's json_encode always escapes the two JavaScript line terminators.
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text


# -- XML -------------------------------------------------------------------------------

# Characters XML allows to start a name and within a name, as ApiFormatXml::mangleName
# has them: ":" is left out (namespaces) and "_" may not start a name (reserved for the
# mangled form).
_NAME_START = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF"
               "\u200C-\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD"
               "\U00010000-\U000EFFFF")
_NAME_CHAR = _NAME_START + "_\\-.0-9\u00B7\u0300-\u036F\u203F-\u2040"
_VALID_NAME = re.compile(f"[{_NAME_START}][{_NAME_CHAR}]*")
_NOT_NAME_CHAR = re.compile(f"[^{_NAME_CHAR}]")
#: The writer's own names (ApiFormatXml's $preserveKeys): kept although "_" starts them.
_PRESERVED_NAMES = frozenset({"_idx", "_v", "xml:space"})


def xml_name(name: str) -> str:
    """A data key made a valid XML element or attribute name, the way MediaWiki mangles
    it: ``_`` then the key with "." as ``.2E.`` and every other disallowed character as
    ``.<hex code point>.`` (``0`` → ``_0``, ``a b`` → ``_a.20.b``, "" → ``_``)."""
    if name == "":
        return "_"
    if name in _PRESERVED_NAMES or _VALID_NAME.fullmatch(name):
        return name
    return "_" + _NOT_NAME_CHAR.sub(lambda m: f".{ord(m.group(0)):X}.", name.replace(".", ".2E."))


def _xml_attr(value: Any) -> str:
    if value is True or isinstance(value, BcBool):
        return ""
    if isinstance(value, RealBool):
        return "true" if value.value else "false"
    return _esc_attr(str(value))


#: ``Sanitizer::encodeAttribute``: htmlspecialchars with ENT_QUOTES (``'`` as ``&#039;``),
#: and the whitespace an XML parser would normalise in an attribute as character references.
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#039;",
                               "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _esc_attr(text: str) -> str:
    return xml_safe(text).translate(_ATTR_ESCAPES)


def _esc(text: str, *, quote: bool) -> str:
    """Escape for XML, replacing characters XML 1.0 forbids (defence in depth: input is
    cleaned at the edge, but no module output may make the document ill-formed)."""
    return html.escape(xml_safe(text), quote=quote)


def _xml_element(name: str, value: Any) -> str:
    """One element, as ``ApiFormatXml::recXmlPrint`` prints it: scalars become attributes,
    objects and lists child elements (named ones first, then list items), and the content
    value the element's text — or, when the element also has children, a child element
    named after the content key (``<docref>``, ``<text>``) after the others."""
    if isinstance(value, IndexedMap | KeyedMap):
        return _xml_map(name, value)
    if isinstance(value, dict):
        return _xml_object(name, value)
    if isinstance(value, list):
        tag = value.tag if isinstance(value, Indexed) else "_v"
        inner = "".join(_xml_element(tag, v) for v in value)
        return f"<{name}>{inner}</{name}>" if inner else f"<{name} />"
    if value is True:
        return f"<{name} />"
    # A bare scalar (a list item such as <group>bot</group>): plain text, no xml:space —
    # MediaWiki adds that only to content ("*") nodes of objects.
    text = "" if isinstance(value, RealBool) else str(value)
    if isinstance(value, RealBool):
        text = "true" if value.value else "false"
    return f"<{name}>{_esc(text, quote=False)}</{name}>" if text else f"<{name} />"


def _xml_map(name: str, value: IndexedMap | KeyedMap) -> str:
    """A map keyed by index or name: one indexed element per entry, its key an attribute."""
    items = []
    for k, v in value.items():
        if isinstance(value, IndexedMap):
            item = {"_idx": k, **v} if isinstance(v, dict) else {"_idx": k, "*": v}
        else:
            item = {**v, value.key: k} if isinstance(v, dict) else {value.key: k, "*": v}
        items.append(_xml_element(value.tag, item))
    return f"<{name}>{''.join(items)}</{name}>" if items else f"<{name} />"


def _xml_object(name: str, value: dict[Any, Any]) -> str:
    """An object: scalars as attributes, objects and lists as children, the content value
    as text (or as a child named after the content key when there are children too)."""
    attrs: list[str] = []
    children: list[str] = []
    text: str | None = None
    content_name = "*"
    for k, v in value.items():
        if v is False or v is None or (isinstance(v, BcBool) and not v.value):
            continue
        if isinstance(k, ContentKey) or k == "*":
            text = str(v)
            content_name = str(k)
        elif isinstance(v, dict | list):
            children.append(_xml_element(xml_name(str(k)), v))
        else:
            attrs.append(f' {xml_name(str(k))}="{_xml_attr(v)}"')
    if text is not None and children:
        children.append(_xml_element(xml_name(content_name), {ContentKey(content_name): text}))
        text = None
    head = f"<{name}{''.join(attrs)}"
    if text == "":
        return f'{head} xml:space="preserve" />'
    if text is not None:
        return f'{head} xml:space="preserve">{_esc(text, quote=False)}</{name}>'
    if children:
        return f"{head}>{''.join(children)}</{name}>"
    return f"{head} />"


def encode_xml(data: dict[str, Any], *, namespace: bool = False) -> str:
    root = dict(data)
    body = _xml_element("api", root)
    if namespace:
        body = body.replace("<api", '<api xmlns="http://www.mediawiki.org/xml/api/"', 1)
    return '<?xml version="1.0"?>' + body


# -- PHP serialize ---------------------------------------------------------------------

def encode_php(value: Any) -> str:
    if value is None:
        return "N;"
    if value is True or value is False:
        return f"b:{int(value)};"
    if isinstance(value, int):
        return f"i:{value};"
    if isinstance(value, float):
        return f"d:{value!r};"
    if isinstance(value, str):
        return f's:{len(value.encode("utf-8"))}:"{value}";'
    if isinstance(value, list | tuple):
        value = dict(enumerate(value))
    if isinstance(value, dict):
        items = "".join(
            (f"i:{k};" if isinstance(k, int) else encode_php(str(k))) + encode_php(v) for k, v in value.items()
        )
        return f"a:{len(value)}:{{{items}}}"
    return encode_php(str(value))


# -- *fm pretty HTML -------------------------------------------------------------------

def pretty_html(inner: str, format_name: str, server: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"UTF-8\">"
        f"<title>wikigate API result</title></head><body>"
        f"<p>This is the HTML representation of the {html.escape(format_name.upper())} format. "
        f"HTML is good for debugging, but unsuitable for application use. Specify the "
        f"<var>format</var> parameter to change the output format. To see the non-HTML "
        f"representation of the {html.escape(format_name.upper())} format, set "
        f"<kbd>format={html.escape(format_name)}</kbd>.</p>"
        f"<p>See the <a href=\"{html.escape(server)}/api.php\">complete documentation</a>, "
        f"or the <a href=\"{html.escape(server)}/api.php?action=help\">API help</a> for more information.</p>"
        f"<pre class=\"api-pretty-content\">{html.escape(inner, quote=False)}</pre></body></html>\n"
    )
