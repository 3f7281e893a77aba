"""Edit rules without HTTP: sections, automatic summaries, edit-conflict detection.

Texts of the automatic summaries are MediaWiki's content-language messages
(``autosumm-new``, ``autosumm-blank``, ``autoredircomment`` …); they are stored in the
revision comment, so they are always English here, like a wiki whose content language
is English.
"""

from __future__ import annotations

import re

from wikigate.pages.pst import php_rtrim
from wikigate.pages.store import redirect_target

_HEADING = re.compile(r"^(={1,6})(.+?)\1[ \t]*$", re.M)
#: ``CommentStore::COMMENT_CHARACTER_LIMIT``: the autosummary excerpt is sized against it (in bytes).
SUMMARY_LIMIT = 500


def sections(text: str) -> list[tuple[int, int, int]]:
    """(level, start, end) of every section; index 0 is the lead (level 0)."""
    heads = list(_HEADING.finditer(text))
    out = [(0, 0, heads[0].start() if heads else len(text))]
    for i, m in enumerate(heads):
        level = len(m.group(1))
        end = len(text)
        for n in heads[i + 1:]:
            if len(n.group(1)) <= level:
                end = n.start()
                break
        out.append((level, m.start(), end))
    return out


def section_index(section_id: str) -> int:
    """The section number of an ``rvsection``/``section`` value as ``Parser::extractSections``
    reads it: the part after the last ``-`` (``T-2`` → 2), cast to an integer like PHP's
    ``(int)`` (leading digits, ``1x`` → 1, ``abc`` → 0)."""
    m = re.match(r"[ \t\n\r\v\f]*([+-]?\d+)", section_id.split("-")[-1])
    return int(m.group(1)) if m else 0


def get_section(text: str, number: int) -> str | None:
    """``WikitextContent::getSection``: the section from its heading to the next heading of
    the same or a higher level, right-trimmed; None if there is no such section."""
    secs = sections(text)
    if number < 0 or number >= len(secs):
        return None
    _, start, end = secs[number]
    return php_rtrim(text[start:end])


def replace_section(text: str, number: int, new: str) -> str | None:
    """``WikitextContent::replaceSection`` for an existing section number.

    The section (its heading, its body and the blank lines after it) gives way to ``new``
    right-trimmed and followed by one blank line; an empty ``new`` removes the section and
    its blank lines, so none are left behind. The result is right-trimmed.
    """
    secs = sections(text)
    if number < 0 or number >= len(secs):
        return None
    _, start, end = secs[number]
    new = php_rtrim(new)
    return php_rtrim(text[:start] + (new + "\n\n" if new else "") + text[end:])


def new_section(text: str, heading: str, body: str) -> str:
    """``section=new``: ``== heading ==`` plus the body, after a blank line."""
    block = f"== {heading} ==\n\n{body}" if heading else body
    return f"{text.rstrip()}\n\n{block}" if text.strip() else block


def _truncate(text: str, max_bytes: int) -> str:
    """``Language::truncateForDatabase``: at most ``max_bytes`` UTF-8 bytes including ``...``."""
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    return raw[: max(0, max_bytes - 3)].decode("utf-8", errors="ignore") + "..."


def _summary_text(text: str, template: str) -> str:
    """``TextContent::getTextForSummary`` sized for a message template such as ``…"$1"``."""
    return _truncate(re.sub(r"[\n\r]", " ", text), SUMMARY_LIMIT - len(template.encode("utf-8")))


def change_type(old: str | None, new: str) -> str | None:
    """``ContentHandler::getChangeType``; ``old`` is None for a new page."""
    old_target = redirect_target(old) if old is not None else None
    new_target = redirect_target(new)
    if old is not None and old != "" and new == "":
        return "blank"
    if new_target is not None:
        if old_target is None:
            return "new-redirect"
        if new_target != old_target:
            return "changed-redirect-target"
    elif old_target is not None:
        return "removed-redirect"
    if old is None:
        return "newblank" if new == "" else "newpage"
    if len(old.encode("utf-8")) > 10 * len(new.encode("utf-8")):
        return "replace"
    return None


#: $wgSoftwareTags that ContentHandler::getChangeTag applies to edits (1.39 defaults).
AUTO_TAGS = {"blank": "mw-blank", "new-redirect": "mw-new-redirect", "changed-redirect-target":
             "mw-changed-redirect-target", "removed-redirect": "mw-removed-redirect", "replace": "mw-replace"}


def auto_tag(old: str | None, new: str) -> str | None:
    kind = change_type(old, new)
    return AUTO_TAGS.get(kind) if kind else None


#: autosumm-new / autosumm-replace (content language English); their length sizes the excerpt.
NEW_TEMPLATE = 'Created page with "$1"'
REPLACE_TEMPLATE = 'Replaced content with "$1"'


def autosummary(old: str | None, new: str) -> str:
    """``ContentHandler::getAutosummary``: the summary used when the editor leaves it empty."""
    kind = change_type(old, new)
    if kind == "new-redirect":
        return f"Redirected page to [[{redirect_target(new)}]]"
    if kind == "changed-redirect-target":
        return f"Changed redirect target from [[{redirect_target(old or '')}]] to [[{redirect_target(new)}]]"
    if kind == "removed-redirect":
        return f"Removed redirect to [[{redirect_target(old or '')}]]"
    if kind == "newpage":
        return NEW_TEMPLATE.replace("$1", _summary_text(new, NEW_TEMPLATE))
    if kind == "blank":
        return "Blanked the page"
    if kind == "replace":
        return REPLACE_TEMPLATE.replace("$1", _summary_text(new, REPLACE_TEMPLATE))
    if kind == "newblank":
        return "Created blank page"
    return ""
