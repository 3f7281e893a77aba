"""docs/rights.md is generated from the module declarations and the grants table
(``python -m wikigate.rightsdoc``): the committed file must be what the code renders."""

from __future__ import annotations

from pathlib import Path

from wikigate import rightsdoc

DOC = Path(__file__).resolve().parents[3] / "docs" / "rights.md"


def test_committed_table_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == rightsdoc.render(), (
        "docs/rights.md is stale: run PYTHONPATH=src python -m wikigate.rightsdoc > docs/rights.md")


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "rights.md"
    stale.write_text(rightsdoc.render().replace("| `edit` | `edit` |", "| `edit` | `nothing` |"), encoding="utf-8")
    assert rightsdoc.main(["--check", str(stale)]) == 1
    assert rightsdoc.main(["--check", str(DOC)]) == 0


def test_table_follows_the_declarations() -> None:
    text = rightsdoc.render()
    assert "| `userrights` | `userrights` | always | none: never in a bot-password session |" in text
    assert "| `changeauthenticationdata` | — | account security (ChangeCredentials)" in text
    assert "| `options` | `editmyoptions` | always | editmyoptions |" in text
    assert "| Special:BotPasswords | `editmyprivateinfo` | always |" in text
