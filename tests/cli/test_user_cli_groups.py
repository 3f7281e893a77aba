"""``wikigate user create --group`` and ``user set-groups`` change groups through the same
service as action=userrights (users.groups.UserRightsService): one transaction, and the
same ``rights/rights`` log entry, by the maintenance user, plus a ``rights-change`` audit
entry."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from wikigate.app import build_services
from wikigate.cli.main import cli
from wikigate.config import load_settings

PASSWORD = "Qx7!mkpz9-long-enough"


def _conf(tmp_path: Path) -> Path:
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[passwords]\npbkdf2_iterations = 1000\n')
    return conf


def _run(conf: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["-c", str(conf), *args], input=stdin)
    return r.exit_code, r.stdout + r.stderr


def _read(conf: Path) -> tuple[list[Any], list[Any], Any]:
    async def go() -> tuple[list[Any], list[Any], Any]:
        services = build_services(load_settings(str(conf)))
        try:
            logs = await services.logs.list(type="rights", newer=True, limit=50)
            audit = await services.audit.list(event="rights-change")
            return logs, audit, await services.users.get_by_name("Alice")
        finally:
            await services.kv.close()
            await services.db.close()

    return asyncio.run(go())


def test_create_and_set_groups_write_rights_log(tmp_path: Path) -> None:
    conf = _conf(tmp_path)
    code, out = _run(conf, "user", "create", "Alice", "--group", "sysop", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, out
    code, out = _run(conf, "user", "set-groups", "Alice", "bureaucrat", "--expiry", "2099-01-02")
    assert code == 0, out
    assert "Alice: groups now bureaucrat" in out
    # Nothing changes: no third entry.
    code, out = _run(conf, "user", "set-groups", "Alice", "bureaucrat", "--expiry", "2099-01-02")
    assert code == 0, out

    logs, audit, alice = _read(conf)
    assert [(g.group, g.expiry) for g in alice.groups] == [("bureaucrat", "20990102000000")]
    assert [(e.actor_id, e.actor_name, e.namespace, e.title) for e in logs] == [
        (0, "Maintenance script", 2, "Alice")] * 2
    assert logs[0].params == {"oldgroups": [], "newgroups": ["sysop"], "oldmetadata": [],
                              "newmetadata": [{"group": "sysop", "expiry": "infinity"}]}
    assert logs[1].params == {
        "oldgroups": ["sysop"], "newgroups": ["bureaucrat"],
        "oldmetadata": [{"group": "sysop", "expiry": "infinity"}],
        "newmetadata": [{"group": "bureaucrat", "expiry": "2099-01-02T00:00:00Z"}]}
    assert sorted(e.detail for e in audit) == [
        "target=Alice added=bureaucrat removed=sysop via=cli",
        "target=Alice added=sysop removed= via=cli"]


def test_create_without_groups_writes_no_rights_log(tmp_path: Path) -> None:
    conf = _conf(tmp_path)
    code, out = _run(conf, "user", "create", "Alice", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, out
    code, out = _run(conf, "user", "create", "Alice", "--update", "--password-stdin", stdin=PASSWORD + "x\n")
    assert code == 0 and "updated user 'Alice'" in out
    logs, audit, alice = _read(conf)
    assert logs == [] and audit == [] and alice.groups == []
