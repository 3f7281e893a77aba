"""The pre-save transform (pages/pst.py); expected texts are what MediaWiki 1.39 saved."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wikigate.pages.pst import (
    PstContext,
    normalize_line_endings,
    pipe_trick,
    pre_save_transform,
    signature_date,
    templates_needed,
    user_signature,
)

TS = datetime(2026, 12, 3, 13, 16, 51, tzinfo=UTC)
SIG = "[[User:Admin|Admin]] ([[User talk:Admin|talk]])"
TEMPLATES = {"Greet": "Hello {{{1|world}}} and {{{who}}}<noinclude>[[Category:X]]</noinclude>"
                      "<includeonly>!</includeonly>"}


def pst(text: str, title: str = "Sandbox", namespace: str = "", **kw: object) -> str:
    ctx = PstContext(namespace, title, kw.pop("signature", SIG), TS, lookup=TEMPLATES.get)  # type: ignore[arg-type]
    return pre_save_transform(text, ctx)


def test_signatures() -> None:
    date = "13:16, 3 December 2026 (UTC)"
    assert signature_date(TS) == date
    assert pst("A ~~~ B ~~~~ C ~~~~~ D  \n\n  ") == f"A {SIG} B {SIG} {date} C {date} D"
    assert pst("~~~~~~") == f"{date}~"  # strtr: longest match first, left to right


def test_signature_texts() -> None:
    assert user_signature("Admin", registered=True) == SIG
    assert user_signature("127.0.0.1", registered=False) == "[[Special:Contributions/127.0.0.1|127.0.0.1]]"
    # a plain nickname is escaped and loses tildes; an overlong one falls back to the name
    assert user_signature("A b", registered=True, nickname="[Al] ~~~~") == \
        "[[User:A b|&#91;Al&#93; ]] ([[User talk:A b|talk]])"
    assert user_signature("Ann", registered=True, nickname="x" * 256) == "[[User:Ann|Ann]] ([[User talk:Ann|talk]])"
    # a fancy signature is used as written when it is well-formed, else the default
    assert user_signature("Ann", registered=True, nickname="<b>[[User:Ann|A]]</b>", fancysig=True) == \
        "<b>[[User:Ann|A]]</b>"
    assert user_signature("Ann", registered=True, nickname="<b>A", fancysig=True).startswith("[[User:Ann|")
    assert user_signature("Ann", registered=True, nickname="{{Greet|x}}", fancysig=True) == "{{subst:Greet|x}}"
    assert pst("~~~", signature="{{subst:Greet|x}}") == "Hello x and {{{who}}}!"


def test_subst_templates_and_parameters() -> None:
    text = "X {{subst:Greet|one|who=two}} Y {{subst:Greet}} Z {{subst:NoSuch}} W {{Greet}}"
    assert pst(text) == "X Hello one and two! Y Hello world and {{{who}}}! Z {{subst:NoSuch}} W {{Greet}}"
    assert pst("{{safesubst:Greet|s}}") == "Hello s and {{{who}}}!"
    assert pst("{{ SUBST:Greet | a | who = b }}") == "Hello  a  and b!"  # numbered untrimmed, named trimmed
    assert pst("{{Foo|{{subst:Greet|[[a|b]]}}}}") == "{{Foo|Hello [[a|b]] and {{{who}}}!}}"


def test_subst_inclusion_rules_and_loops() -> None:
    lookup = {"Only": "a<onlyinclude>B{{{1}}}</onlyinclude>c<onlyinclude>D</onlyinclude>",
              "Loop": "x{{subst:Loop}}", "Outer": "<{{subst:Inner|{{{1}}}}}>", "Inner": "in {{{1}}}"}.get
    ctx = PstContext("", "P", SIG, TS, lookup=lookup)
    assert pre_save_transform("{{subst:Only|1}}", ctx) == "B1D"
    assert pre_save_transform("{{subst:Loop}}", ctx) == "x{{subst:Loop}}"
    assert pre_save_transform("{{subst:Outer|v}}", ctx) == "<in v>"
    # subst: inside <includeonly> of the saved page stays (how templates defer substitution)
    assert pst("<includeonly>{{subst:Greet}}</includeonly>") == "<includeonly>{{subst:Greet}}</includeonly>"


def test_variables_and_case_functions() -> None:
    assert pst("{{subst:PAGENAME}} {{subst:FULLPAGENAME}} {{subst:NAMESPACE}} {{subst:CURRENTYEAR}} "
               "{{subst:lc:ABC}}", title="PstTest var") == "PstTest var PstTest var  2026 abc"
    assert pst("{{subst:FULLPAGENAME}}|{{subst:NAMESPACE}}|{{subst:SUBPAGENAME}}|{{subst:BASEPAGENAME}}",
               title="A/B", namespace="Help") == "Help:A/B|Help|B|A"
    assert pst("{{subst:CURRENTTIMESTAMP}} {{subst:ucfirst:abc}} {{subst:#if:x|y}}") == \
        "20261203131651 Abc {{subst:#if:x|y}}"


def test_protected_text() -> None:
    text = "<nowiki>~~~~</nowiki> <!-- ~~~~ --> {{subst:<nowiki/>X}} <pre>{{subst:Greet}}</pre>"
    assert pst(text) == text


@pytest.mark.parametrize(("text", "title", "expected"), [
    ("[[Foo (bar)|]] [[Help:Foo, baz|]] [[|Quux]]", "Sandbox", "[[Foo (bar)|Foo]] [[Help:Foo, baz|Foo]] [[Quux]]"),
    ("[[|Quux]]", "Page (context)", "[[Quux (context)|Quux]]"),
    ("[[|Quux]]", "Help:Page, place", "[[Help:Quux, place|Quux]]"),
    ("[[:Foo (x)|]]", "Sandbox", "[[:Foo (x)|Foo]]"),
])
def test_pipe_trick(text: str, title: str, expected: str) -> None:
    assert pipe_trick(text, title) == expected


def test_line_endings_and_nul() -> None:
    assert normalize_line_endings("a\r\nb\rc\t \n") == "a\nb\nc"
    assert pst("a\r\nb\rc\0\t \n") == "a\nb\nc"
    assert pst("  lead kept\n") == "  lead kept"


def test_unbalanced_braces_stay() -> None:
    for text in ("{{subst:Greet", "}} {{ {{{", "[[a|b", "{{{{{subst:Greet}}}}}", "{{{1}}}"):
        assert pst(text).startswith(text.strip()[:2])
    # four braces are a parameter in braces, five a parameter in a template (MediaWiki keeps both)
    assert pst("{{{{subst:Greet}}}}") == "{{{{subst:Greet}}}}"
    assert pst("{{{{{subst:Greet}}}}}") == "{{{{{subst:Greet}}}}}"
    assert pst("{{ SUBST:Greet | a | 1 = b }}") == "Hello b and {{{who}}}!"  # a named 1 overrides


def test_templates_needed() -> None:
    ctx = PstContext("", "X", SIG, TS)
    assert templates_needed("{{subst:A}} {{subst:B|{{subst:C}}}} {{D}}", ctx, {}) == {"A", "B", "C"}
    assert templates_needed("{{subst:A}}", ctx, {"A": "{{subst:E}}"}) == {"E"}
    assert templates_needed("{{subst:A}}", ctx, {"A": None}) == set()


def test_work_is_bounded() -> None:
    """Hostile texts stay linear: the pipe trick is decided without backtracking, and
    substituted template text has a budget (past it, templates stay as written)."""
    import time

    from wikigate.pages.pst import MAX_INCLUDE_SIZE

    lookup = {"Many": "{{{1|x}}}" * 1000, "Twice": "{{subst:Half}}{{subst:Half}}", "Half": "y" * 1000}.get
    ctx = PstContext("", "P", SIG, TS, lookup=lookup)
    started = time.monotonic()
    long_link = "[[" + "a, " * 300_000 + "|]]"
    assert pre_save_transform(long_link, ctx) == long_link[:-2] + "a]]"
    blown = "{{subst:Many|" + "z" * (MAX_INCLUDE_SIZE // 500) + "}}"
    assert pre_save_transform(blown, ctx) == blown  # 1000 copies would pass the budget
    assert pre_save_transform("{{subst:Twice}}", ctx) == "y" * 2000
    assert time.monotonic() - started < 10


# MediaWiki's four pipe-trick patterns (Parser::pstPass2), evaluated literally: the oracle
# for the linear-time version.
_TC = r"[ %!\"$&'()*,\-./0-9:;=?@A-Z\\^_`a-z~\u0080-\U0010ffff+]"
_NC = r"[ _0-9A-Za-z\u0080-\U0010ffff-]"
_P1 = rf"\[\[(:?{_NC}+:|:|)({_TC}+?)( ?\({_TC}+\))\|]]"
_P4 = rf"\[\[(:?{_NC}+:|:|)({_TC}+?)( ?（{_TC}+）)\|]]"
_P3 = rf"\[\[(:?{_NC}+:|:|)({_TC}+?)( ?\({_TC}+\)|)((?:, |，|، ){_TC}+|)\|]]"
_P2 = rf"\[\[\|({_TC}+)]]"


def _oracle(text: str, title: str) -> str:
    import re

    text = re.sub(_P1, r"[[\1\2\3|\2]]", text)
    text = re.sub(_P4, r"[[\1\2\3|\2]]", text)
    text = re.sub(_P3, r"[[\1\2\3\4|\2]]", text)
    m = re.fullmatch(rf"({_NC}+:|){_TC}+?( \({_TC}+\))", title)
    if m is None:
        m = re.fullmatch(rf"({_NC}+:|){_TC}+?(, {_TC}+|)", title)
        if m is not None and not (m.group(1) + m.group(2)):
            m = None
    if m is not None:
        prefix, suffix = m.group(1), m.group(2)
        return re.sub(_P2, lambda x: f"[[{prefix}{x.group(1)}{suffix}|{x.group(1)}]]", text)
    return re.sub(_P2, r"[[\1]]", text)


_PIECES = ["a", "B", " ", "(", ")", ",", ", ", ":", "（", "）", "，", "، ", "_", "-", "|", "[[", "]]", "|]]", "é"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12), st.sampled_from(["Sandbox", "Page (ctx)", "Help:Pg, x"]))
def test_pipe_trick_agrees_with_mediawikis_patterns(pieces: list[str], title: str) -> None:
    body = "".join(pieces)
    for text in (f"[[{body}|]]", f"[[|{body}]]", f"x [[{body}|]] [[a (b)|]] y", body):
        assert pipe_trick(text, title) == _oracle(text, title), text


def test_pipe_trick_is_linear() -> None:
    import time

    started = time.monotonic()
    for unit in ("[[" + "a (b" * 250 + "|]]", "[[" + "a, " * 340 + "|]]", "[[:" + "a:" * 500 + "|]]"):
        pipe_trick(unit * (1_000_000 // len(unit)), "X")
    assert time.monotonic() - started < 10


def test_deep_nesting_is_text() -> None:
    """Hostile nesting (found by the fuzzer: a RecursionError) stays text."""
    chain = {f"T{i}": "[[" * 50 + f"{{{{subst:T{i + 1}}}}}" + "]]" * 50 for i in range(45)}
    ctx = PstContext("", "P", SIG, TS, lookup=chain.get)
    for text in ("[[" * 5000 + "x" + "]]" * 5000, "{{" * 5000 + "x" + "}}" * 5000,
                 "{{{" * 3000 + "]]" * 3000, "{{subst:T0}}"):
        out = pre_save_transform(text, ctx)
        assert out.count("x") == text.count("x")
    deep = "[[" * 5000 + "~~~~" + "]]" * 5000
    assert "~~~~" not in pre_save_transform(deep, ctx)
