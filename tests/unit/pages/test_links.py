"""Transclusions read from raw wikitext: the cascade source (docs/compatibility.md)."""

from __future__ import annotations

import pytest

from wikigate.pages.links import transclusions
from wikigate.pages.namespaces import Namespaces

NS = Namespaces("RefWiki")


def names(text: str) -> list[str]:
    return [t.prefixed_dbkey for t in transclusions(text, NS)]


@pytest.mark.parametrize(("text", "expected"), [
    ("{{Foo}}", ["Template:Foo"]),
    ("{{foo bar|x=1}}", ["Template:Foo_bar"]),
    ("{{:Main Page}}", ["Main_Page"]),
    ("{{User:Me/box}}", ["User:Me/box"]),
    ("{{Template:Foo}} {{Foo}}", ["Template:Foo"]),
    ("{{msgnw:Foo}} {{raw:Bar}}", ["Template:Foo", "Template:Bar"]),
    ("{{ Spaced }}", ["Template:Spaced"]),
    ("{{#if:a|{{Inner}}|b}}", ["Template:Inner"]),
    ("{{PAGENAME}} {{lc:X}} {{subst:Foo}} {{#invoke:M|f}}", []),
    ("{{ {{{1}}} }} {{{param|default}}}", []),
    ("<!-- {{Hidden}} --> <nowiki>{{Literal}}</nowiki> <pre>{{Pre}}</pre>", []),
    ("{{Bad[name}} {{Special:Foo}}", []),
])
def test_transclusions(text: str, expected: list[str]) -> None:
    assert names(text) == expected
