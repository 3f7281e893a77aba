"""``wikigate oath enable|status|disable``: the operator's way out for a locked-out user."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cli.support import conf_with_user, run_cli

from wikigate.config import load_settings


def test_oath_cli(tmp_path: Path) -> None:
    conf = conf_with_user(tmp_path, "Locked out", "[oath]\nenabled = true\n")
    code, out = run_cli(conf, "oath", "status", "Locked_out")
    assert code == 0 and out.strip() == "Locked out: two-factor authentication not enabled"
    code, out = run_cli(conf, "oath", "enable", "Locked out", "--secret", "ojsw m53j nnus 25dp oryc 243f mnzg k5bb")
    assert code == 0 and "secret: OJSW M53J NNUS 25DP ORYC 243F MNZG K5BB" in out
    assert len([line for line in out.splitlines() if line.startswith("  ")]) == 10  # recovery codes
    assert run_cli(conf, "oath", "enable", "Locked out")[0] != 0  # already enabled
    assert run_cli(conf, "oath", "enable", "Locked out", "--secret", "not base32!")[0] != 0
    code, out = run_cli(conf, "oath", "status", "Locked out")
    assert out.strip().endswith("enabled") and "not" not in out
    assert run_cli(conf, "oath", "disable", "Locked out")[0] != 0  # --reason is required
    code, out = run_cli(conf, "oath", "disable", "Locked out", "--reason", "lost phone, ticket 42")
    assert code == 0 and "disabled" in out
    code, out = run_cli(conf, "oath", "disable", "Locked out", "--reason", "again")
    assert code != 0 and "does not have" in out
    assert run_cli(conf, "oath", "disable", "Nobody", "--reason", "x")[0] != 0

    async def entries() -> list[tuple[str, str]]:
        from wikigate.app import build_services

        services = build_services(load_settings(conf))
        try:
            got = await services.audit.list(user="Locked out")
            return [(e.event, e.detail) for e in got]
        finally:
            await services.db.close()

    log = asyncio.run(entries())
    assert ("2fa-disabled", "by operator (command line): lost phone, ticket 42") in log
    assert ("2fa-enabled", "by operator (command line)") in log


def test_oath_cli_when_off(tmp_path: Path) -> None:
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[site]\nsecret_key = "k"\n')
    code, out = run_cli(conf, "oath", "status", "Someone")
    assert code != 0 and "oath.enabled" in out
