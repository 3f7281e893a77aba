"""``wfEscapeWikiText``: user input echoed inside wikitext messages (error texts).

MediaWiki escapes the markup characters of a value before placing it in a message such
as ``Invalid expiry time "$1".``, so the API's error text shows ``&#91;`` for ``[``.
Magic links (ISBN/PMID/RFC) are disabled by default in 1.39, so they are not escaped.
"""

from __future__ import annotations

import re

_REPL = {
    '"': "&#34;", "&": "&#38;", "'": "&#39;", "<": "&#60;", "=": "&#61;", ">": "&#62;",
    "[": "&#91;", "]": "&#93;", "{": "&#123;", "|": "&#124;", "}": "&#125;", ";": "&#59;",
    "\n#": "\n&#35;", "\r#": "\r&#35;", "\n*": "\n&#42;", "\r*": "\r&#42;",
    "\n:": "\n&#58;", "\r:": "\r&#58;", "\n ": "\n&#32;", "\r ": "\r&#32;",
    "\n\n": "\n&#10;", "\r\n": "&#13;\n", "\n\r": "\n&#13;", "\r\r": "\r&#13;",
    "\n\t": "\n&#9;", "\r\t": "\r&#9;", "\n----": "\n&#45;---", "\r----": "\r&#45;---",
    "__": "_&#95;", "://": "&#58;//",
}
# PHP strtr: at each position the longest matching key wins.
_KEYS = re.compile("|".join(re.escape(k) for k in sorted(_REPL, key=len, reverse=True)))
#: $wgUrlProtocols entries ending in ":" (1.39 defaults).
_COLON_PROTOCOLS = re.compile(r"\b(bitcoin|geo|magnet|mailto|matrix|news|sip|sips|sms|tel|urn|xmpp):", re.I)


def escape_wikitext(text: str) -> str:
    out = _KEYS.sub(lambda m: _REPL[m.group(0)], "\n" + text)[1:]
    return _COLON_PROTOCOLS.sub(r"\1&#58;", out)


def comment_html(text: str) -> str:
    """``parsedcomment`` without a parser: PHP ``htmlspecialchars`` (ENT_QUOTES) of the comment.

    MediaWiki also turns ``[[links]]`` and ``/* section */`` into anchors; those are left
    as text here.
    """
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#039;"))
