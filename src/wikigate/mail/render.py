"""Mail templates: ``mail/templates/<name>/<lang>.txt``, chosen by the recipient's language.

A template starts with a ``Subject:`` line and a blank line; the rest is the body.
Placeholders are ``${name}`` (:class:`string.Template`); a missing value is an error, so
a template and its caller cannot silently drift apart. Texts are our own; only the
``Username:``/``Temporary password:`` layout follows MediaWiki's mails, because
scripts and test tools parse those lines.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from string import Template

from wikigate.i18n import fallback_chain

#: Through importlib.resources (not ``__file__``), so the templates load from any kind
#: of install; :func:`all_templates` reads them all once (at start-up, see
#: ``wikigate.util.package_data``), so a reinstall under a running server cannot break it.
TEMPLATE_DIR: Traversable = resources.files("wikigate.mail") / "templates"


class TemplateMissing(LookupError):
    pass


@cache
def all_templates() -> dict[tuple[str, str], tuple[str, str]]:
    """(template name, language) -> (subject, body) for every shipped template."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    for folder in TEMPLATE_DIR.iterdir():
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            if not entry.name.endswith(".txt"):
                continue
            text = entry.read_text(encoding="utf-8")
            head, _, body = text.partition("\n\n")
            if not head.startswith("Subject: "):
                raise ValueError(f"{folder.name}/{entry.name}: the first line must be 'Subject: …'")
            out[(folder.name, entry.name[:-len(".txt")])] = (head[len("Subject: "):].strip(), body)
    return out


def _load(name: str, lang: str) -> tuple[str, str] | None:
    return all_templates().get((name, lang))


def template_languages(name: str) -> list[str]:
    return sorted(lang for (n, lang) in all_templates() if n == name)


def render(name: str, lang: str, **values: str) -> tuple[str, str, str]:
    """Return (subject, body, language used) for template ``name`` in ``lang`` or a fallback."""
    for candidate in fallback_chain(lang):
        loaded = _load(name, candidate)
        if loaded is not None:
            subject, body = loaded
            return Template(subject).substitute(values), Template(body).substitute(values), candidate
    raise TemplateMissing(name)
