"""``wikigate audit list`` reads what the engine and logout record."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cli.support import run_cli

from wikigate.config import load_settings


def test_audit_list(tmp_path: Path) -> None:
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[site]\nsecret_key = "k"\n')
    assert run_cli(conf, "audit", "list")[0] == 0  # empty log, creates the schema

    async def fill() -> None:
        from wikigate.app import build_services
        from wikigate.users.model import User

        services = build_services(load_settings(conf))
        audit = services.audit
        await audit.record("login-failure", User(id=0, name="Nobody"), "192.0.2.1", "wrongpassword")
        await audit.record("login-success", User(id=7, name="Some one"), "192.0.2.2", "LocalPassword")
        await services.db.close()

    asyncio.run(fill())
    code, out = run_cli(conf, "audit", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].endswith("\tlogin-success\tSome one (7)\t192.0.2.2\tLocalPassword")
    code, out = run_cli(conf, "audit", "list", "--user", "some_one", "--limit", "5")
    assert code == 0 and len(out.splitlines()) == 1
    code, out = run_cli(conf, "audit", "list", "--event", "login-failure")
    assert out.splitlines()[0].split("\t")[1:] == ["login-failure", "Nobody (0)", "192.0.2.1", "wrongpassword"]
