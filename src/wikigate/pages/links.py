"""Transclusions (``templatelinks``) read straight from raw wikitext.

wikigate has no parser, so the cascade source is the *transclusion syntax* of the saved
text: ``{{Name}}`` / ``{{Name|…}}`` (Template namespace by default), ``{{:Page}}`` (main
namespace), ``{{Ns:Page}}`` and the ``msg:``/``msgnw:``/``raw:`` prefixes. Parser functions
(``{{#if:…}}``), magic words (``{{PAGENAME}}``, ``{{lc:…}}``), ``subst:`` and names built
from template parameters are skipped, because only MediaWiki's parser could expand them.
``<nowiki>``, ``<pre>``, ``<!-- comments -->`` are removed first, as the parser would.
"""

from __future__ import annotations

import re

from wikigate.pages.namespaces import NS_TEMPLATE, Namespaces
from wikigate.pages.titles import InvalidTitle, Title, parse_title

_STRIP = re.compile(r"<!--.*?(?:-->|$)|<nowiki\b[^>]*>.*?</nowiki>|<pre\b[^>]*>.*?</pre>"
                    r"|<(?:source|syntaxhighlight|math)\b[^>]*>.*?</(?:source|syntaxhighlight|math)>",
                    re.S | re.I)
# The name part of a transclusion: everything up to the first "|" or "}}".
_TRANSCLUSION = re.compile(r"(?<!\{)\{\{(?!\{)\s*([^{}|]*?)\s*(?:\||\}\})", re.S)

#: Variable magic words of MediaWiki 1.39 core (upper case, no colon).
_MAGIC_VARIABLES_TEXT = """
CURRENTMONTH CURRENTMONTH1 CURRENTMONTHNAME CURRENTMONTHNAMEGEN CURRENTMONTHABBREV CURRENTDAY
CURRENTDAY2 CURRENTDAYNAME CURRENTYEAR CURRENTTIME CURRENTHOUR LOCALMONTH LOCALMONTH1
LOCALMONTHNAME LOCALMONTHNAMEGEN LOCALMONTHABBREV LOCALDAY LOCALDAY2 LOCALDAYNAME LOCALYEAR
LOCALTIME LOCALHOUR NUMBEROFARTICLES NUMBEROFFILES NUMBEROFEDITS ARTICLEPATH PAGEID SITENAME
SERVER SERVERNAME SCRIPTPATH STYLEPATH PAGENAME PAGENAMEE FULLPAGENAME FULLPAGENAMEE NAMESPACE
NAMESPACEE NAMESPACENUMBER CURRENTWEEK CURRENTDOW LOCALWEEK LOCALDOW REVISIONID REVISIONDAY
REVISIONDAY2 REVISIONMONTH REVISIONMONTH1 REVISIONYEAR REVISIONTIMESTAMP REVISIONUSER
REVISIONSIZE SUBPAGENAME SUBPAGENAMEE TALKSPACE TALKSPACEE SUBJECTSPACE SUBJECTSPACEE
TALKPAGENAME TALKPAGENAMEE SUBJECTPAGENAME SUBJECTPAGENAMEE NUMBEROFUSERS NUMBEROFACTIVEUSERS
NUMBEROFPAGES CURRENTVERSION ROOTPAGENAME ROOTPAGENAMEE BASEPAGENAME BASEPAGENAMEE
CURRENTTIMESTAMP LOCALTIMESTAMP DIRECTIONMARK DIRMARK CONTENTLANGUAGE CONTENTLANG
NUMBEROFADMINS CASCADINGSOURCES BIDI ! = PAGELANGUAGE
"""
MAGIC_VARIABLES = frozenset(_MAGIC_VARIABLES_TEXT.split())

#: Function-style magic words written ``{{name:…}}`` (lower-case comparison).
_MAGIC_FUNCTIONS_TEXT = """
ns nse urlencode lcfirst ucfirst lc uc localurl localurle fullurl fullurle canonicalurl
canonicalurle formatnum grammar gender plural bidi numberofpages numberofusers
numberofactiveusers numberofarticles numberoffiles numberofadmins numberingroup numberofedits
language padleft padright anchorencode defaultsort filepath pagesincategory pagesize protectionlevel
protectionexpiry namespace namespacee namespacenumber talkspace talkspacee subjectspace
subjectspacee pagename pagenamee fullpagename fullpagenamee rootpagename rootpagenamee basepagename
basepagenamee subpagename subpagenamee talkpagename talkpagenamee subjectpagename subjectpagenamee
pageid revisionid revisionday revisionday2 revisionmonth revisionmonth1 revisionyear
revisiontimestamp revisionuser cascadingsources int special speciale tag formatdate displaytitle
subst safesubst pagelanguage interwikilink interlanguagelink noexternallanglinks
"""
MAGIC_FUNCTIONS = frozenset(_MAGIC_FUNCTIONS_TEXT.split())

#: Prefixes that still transclude the named page (``{{msgnw:Foo}}`` shows Template:Foo's source).
_TRANSCLUDING_PREFIXES = ("msgnw:", "msg:", "raw:")


def transclusions(text: str, namespaces: Namespaces) -> list[Title]:
    """Titles transcluded by ``text`` in order of first appearance, without duplicates."""
    text = _STRIP.sub("", text)
    seen: dict[tuple[int, str], Title] = {}
    for m in _TRANSCLUSION.finditer(text):
        name = m.group(1).strip()
        title = _target(name, namespaces)
        if title is not None:
            seen.setdefault((title.namespace, title.dbkey), title)
    return list(seen.values())


def _target(name: str, namespaces: Namespaces) -> Title | None:
    if not name or name.startswith("#") or "{{{" in name or "\n" in name.strip():
        return None
    lowered = name.lower()
    for prefix in _TRANSCLUDING_PREFIXES:
        if lowered.startswith(prefix):
            name = name[len(prefix):].strip()
            lowered = name.lower()
            break
    if name in MAGIC_VARIABLES:
        return None
    colon = name.find(":")
    if colon > 0:
        head = name[:colon].strip()
        if namespaces.lookup(head) is None and head.lower() in MAGIC_FUNCTIONS:
            return None
    try:
        title = parse_title(name, namespaces, default_ns=NS_TEMPLATE, interwiki=())
    except InvalidTitle:
        return None
    if not title.dbkey or not title.can_exist():
        return None
    return title
