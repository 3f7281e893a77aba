"""Edit rules without HTTP: sections, automatic summaries, edit-conflict detection.

Texts of the automatic summaries are MediaWiki's content-language messages
(``autosumm-new``, ``autosumm-blank``, ``autoredircomment`` …); they are stored in the
revision comment, so they are always English here, like a wiki whose content language
is English.
"""

from __future__ import annotations

import re

from wikigate.pages.store import redirect_target

_HEADING = re.compile(r"^(={1,6})(.+?)\1[ \t]*$", re.M)
#: ``ContentHandler::getAutosummary`` keeps summaries within 200 characters.
SUMMARY_LIMIT = 200


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


def get_section(text: str, number: int) -> str | None:
    secs = sections(text)
    if number < 0 or number >= len(secs):
        return None
    _, start, end = secs[number]
    return text[start:end].rstrip("\n")


def replace_section(text: str, number: int, new: str) -> str | None:
    """``WikitextContent::replaceSection`` for an existing section number."""
    secs = sections(text)
    if number < 0 or number >= len(secs):
        return None
    _, start, end = secs[number]
    tail = text[end:]
    joiner = "\n\n" if tail else ""
    return (text[:start] + new.rstrip("\n") + joiner + tail.lstrip("\n")).rstrip("\n")


def new_section(text: str, heading: str, body: str) -> str:
    """``section=new``: ``== heading ==`` plus the body, after a blank line."""
    block = f"== {heading} ==\n\n{body}" if heading else body
    return f"{text.rstrip()}\n\n{block}" if text.strip() else block


def _truncate(text: str, limit: int) -> str:
    """``Language::truncateForVisual``: cut to ``limit`` characters including ``...``."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 3)].rstrip() + "..."


def autosummary(old: str | None, new: str) -> str:
    """The summary MediaWiki generates when the editor leaves it empty."""
    new_target = redirect_target(new)
    old_target = redirect_target(old) if old is not None else None
    if new_target is not None and new_target != old_target:
        if old_target is not None:
            return f"Changed redirect target from [[{old_target}]] to [[{new_target}]]"
        return f"Redirected page to [[{new_target}]]"
    if old_target is not None and new_target is None:
        return f"Removed redirect to [[{old_target}]]"
    if old is None:
        if new == "":
            return "Created blank page"
        flat = re.sub(r"[\n\r]", " ", new)
        frame = 'Created page with ""'
        return f'Created page with "{_truncate(flat, SUMMARY_LIMIT - len(frame))}"'
    if old != "" and new == "":
        return "Blanked the page"
    old_size, new_size = len(old.encode()), len(new.encode())
    if old_size > 10 * new_size and new_size < 500:
        flat = re.sub(r"[\n\r]", " ", new)
        frame = 'Replaced content with ""'
        return f'Replaced content with "{_truncate(flat, SUMMARY_LIMIT - len(frame))}"'
    return ""
