"""``wikigate identity list|remove``: linked external identities for operators."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from wikigate.cli.main import cli
from wikigate.config import load_settings


def _run(conf: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["-c", str(conf), *args])
    return r.exit_code, r.output


def test_identity_cli(tmp_path: Path) -> None:
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[site]\nsecret_key = "k"\n'
                    '[passwords]\npbkdf2_iterations = 1000\n')
    pw = tmp_path / "pw"
    pw.write_text("Some-Passw0rd!\n")
    assert _run(conf, "user", "create", "Linked user", "--password-file", str(pw))[0] == 0
    code, out = _run(conf, "identity", "list", "Linked_user")
    assert code == 0 and out.strip() == "Linked user: no linked external identities"

    async def link() -> None:
        from wikigate.app import build_services
        services = build_services(load_settings(conf))
        try:
            user = await services.users.get_by_name("Linked user")
            assert user is not None
            await services.identities.link(user.id, "corp", "https://sso.example.org", "sub-123")
        finally:
            await services.db.close()

    asyncio.run(link())
    code, out = _run(conf, "identity", "list", "Linked user")
    assert code == 0 and out.startswith("corp\tsub-123\thttps://sso.example.org\t")
    assert _run(conf, "identity", "remove", "Linked user", "corp", "sub-123")[0] != 0  # --reason required
    assert _run(conf, "identity", "remove", "Linked user", "corp", "other", "--reason", "x")[0] != 0
    assert _run(conf, "identity", "remove", "Nobody", "corp", "sub-123", "--reason", "x")[0] != 0
    code, out = _run(conf, "identity", "remove", "Linked user", "corp", "sub-123", "--reason", "left the company")
    assert code == 0 and "unlinked corp sub-123" in out
    assert _run(conf, "identity", "list", "Linked user")[1].strip().endswith("no linked external identities")
    code, out = _run(conf, "audit", "list", "--user", "Linked user")
    assert "oidc-unlink" in out and "left the company" in out
