"""``wikigate identity list|remove``: linked external identities for operators."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cli.support import conf_with_user, run_cli

from wikigate.config import load_settings


def test_identity_cli(tmp_path: Path) -> None:
    conf = conf_with_user(tmp_path, "Linked user")
    code, out = run_cli(conf, "identity", "list", "Linked_user")
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
    code, out = run_cli(conf, "identity", "list", "Linked user")
    assert code == 0 and out.startswith("corp\tsub-123\thttps://sso.example.org\t")
    assert run_cli(conf, "identity", "remove", "Linked user", "corp", "sub-123")[0] != 0  # --reason required
    assert run_cli(conf, "identity", "remove", "Linked user", "corp", "other", "--reason", "x")[0] != 0
    assert run_cli(conf, "identity", "remove", "Nobody", "corp", "sub-123", "--reason", "x")[0] != 0
    code, out = run_cli(conf, "identity", "remove", "Linked user", "corp", "sub-123", "--reason", "left the company")
    assert code == 0 and "unlinked corp sub-123" in out
    assert run_cli(conf, "identity", "list", "Linked user")[1].strip().endswith("no linked external identities")
    code, out = run_cli(conf, "audit", "list", "--user", "Linked user")
    assert "oidc-unlink" in out and "left the company" in out
