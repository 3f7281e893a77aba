"""Protection texts MediaWiki writes: null-revision comments, log descriptions and params,
applicable types and levels (spec protect.md §4, §5, §7, §9)."""

from __future__ import annotations

from wikigate.config import ProtectionSettings
from wikigate.pages import protection as prot
from wikigate.pages.store import sha1_base36, sha1_hex
from wikigate.pages.wikitext import comment_html, escape_wikitext

R = prot.Restriction


def test_comments() -> None:
    rs = [R("edit", "sysop", "infinity"), R("move", "sysop", "20261129023704")]
    assert prot.null_revision_comment("modify", "P", "spec test", rs, False) == (
        'Changed protection settings for "[[P]]": spec test ([Edit=Allow only administrators] (indefinite) '
        "[Move=Allow only administrators] (expires 02:37, 29 November 2026 (UTC)))")
    assert prot.null_revision_comment("protect", "P", "", [R("edit", "sysop")], True) == (
        'Protected "[[P]]" ([Edit=Allow only administrators] (indefinite)) [cascading]')
    assert prot.null_revision_comment("unprotect", "P", "why", [R("edit", "")], False) == (
        'Removed protection from "[[P]]": why')
    assert prot.comment_description([R("edit", "templateeditor")]) == "[Edit=templateeditor] (indefinite)"


def test_log_params() -> None:
    rs = [R("edit", "sysop", "infinity", True), R("move", "", "infinity")]
    assert prot.log_params(rs, True, title_protection=False) == {
        "description": "\u200e[edit=sysop] (indefinite)", "cascade": True,
        "details": [{"type": "edit", "level": "sysop", "expiry": "infinite", "cascade": True}]}
    assert prot.log_params([R("create", "sysop", "20300101000000")], False, title_protection=True)["details"] == [
        {"type": "create", "level": "sysop", "expiry": "2030-01-01T00:00:00Z"}]


def test_types_and_levels() -> None:
    s = ProtectionSettings()
    assert prot.applicable_types(s, 0, True) == ["edit", "move"]
    assert prot.applicable_types(s, 6, True) == ["edit", "move", "upload"]
    assert prot.applicable_types(s, 0, False) == ["create"]
    assert prot.applicable_types(s, 6, False, for_info=True) == ["create", "upload"]
    assert prot.applicable_types(s, -1, True) == []
    assert prot.levels_for_user(s, {"editsemiprotected"}) == ["", "autoconfirmed"]
    assert prot.levels_for_user(s, {"editsemiprotected", "editprotected"}) == ["", "autoconfirmed", "sysop"]
    assert prot.level_right("sysop") == "editprotected" and prot.level_right("custom") == "custom"
    assert prot.is_live("infinity", "20991231235959") and not prot.is_live("20200101000000", "20210101000000")
    assert prot.expiry_api("infinity") == "infinite" and prot.expiry_info("infinity") == "infinity"


def test_sha1_and_escaping() -> None:
    assert sha1_hex(sha1_base36("hello2")) == "0f1defd5135596709273b3a1a07e466ea2bf4fff"
    assert len(sha1_base36("")) == 31
    assert escape_wikitext("foo[bar]|{x}") == "foo&#91;bar&#93;&#124;&#123;x&#125;"
    assert escape_wikitext("#top") == "&#35;top" and escape_wikitext("a__b") == "a_&#95;b"
    assert comment_html('Created page with "<b>"') == "Created page with &quot;&lt;b&gt;&quot;"
