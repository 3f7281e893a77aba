"""Mail templates: ``mail/templates/<name>/<lang>.txt``, chosen by the recipient's language.

A template starts with a ``Subject:`` line and a blank line; the rest is the body.
Placeholders are ``${name}`` (:class:`string.Template`); a missing value is an error, so
a template and its caller cannot silently drift apart. Texts are our own; only the
``Username:``/``Temporary password:`` layout follows MediaWiki's mails, because
scripts and test tools parse those lines.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import Template

from wikigate.i18n import fallback_chain

TEMPLATE_DIR = Path(__file__).parent / "templates"


class TemplateMissing(LookupError):
    pass


@cache
def _load(name: str, lang: str) -> tuple[str, str] | None:
    path = TEMPLATE_DIR / name / f"{lang}.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    head, _, body = text.partition("\n\n")
    if not head.startswith("Subject: "):
        raise ValueError(f"{path}: the first line must be 'Subject: …'")
    return head[len("Subject: "):].strip(), body


def template_languages(name: str) -> list[str]:
    return sorted(p.stem for p in (TEMPLATE_DIR / name).glob("*.txt"))


def render(name: str, lang: str, **values: str) -> tuple[str, str, str]:
    """Return (subject, body, language used) for template ``name`` in ``lang`` or a fallback."""
    for candidate in fallback_chain(lang):
        loaded = _load(name, candidate)
        if loaded is not None:
            subject, body = loaded
            return Template(subject).substitute(values), Template(body).substitute(values), candidate
    raise TemplateMissing(name)
