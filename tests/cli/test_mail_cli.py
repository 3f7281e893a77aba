"""``wikigate mail list`` / ``retry`` on a queue with a sent and a failed message."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner

from wikigate.app import build_services
from wikigate.cli.main import cli
from wikigate.config import load_settings
from wikigate.mail import PermanentMailError
from wikigate.storage.sql import migrate


def test_list_and_retry(tmp_path: Path) -> None:
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[mail]\nbackend = "memory"\n')

    async def seed() -> None:
        services = build_services(load_settings(conf))
        await migrate.upgrade(services.db)
        box = services.mailer
        await box.send("Ok", "ok@x.test", "Fine", "secret-temp-pw\n", "en")
        await box.flush()
        box.transport.fail_next = [PermanentMailError("SMTP 550 no such mailbox")]
        await box.send("Bad", "bad@x.test", "Broken", "another-secret\n", "en")
        await box.flush()
        await services.db.close()

    asyncio.run(seed())
    runner = CliRunner()
    r = runner.invoke(cli, ["-c", str(conf), "mail", "list"])
    assert r.exit_code == 0, r.output
    assert "sent" in r.output and "ok@x.test" in r.output and "Fine" in r.output
    assert "failed" in r.output and "SMTP 550 no such mailbox" in r.output
    assert "secret" not in r.output  # bodies are never shown
    r = runner.invoke(cli, ["-c", str(conf), "mail", "list", "--status", "failed"])
    assert "bad@x.test" in r.output and "ok@x.test" not in r.output
    r = runner.invoke(cli, ["-c", str(conf), "mail", "retry"])
    assert r.exit_code == 2 and "--all-failed" in r.output
    r = runner.invoke(cli, ["-c", str(conf), "mail", "retry", "--all-failed"])
    assert r.exit_code == 0 and "re-queued 1 message(s)" in r.output
    r = runner.invoke(cli, ["-c", str(conf), "mail", "list", "--status", "pending"])
    assert "bad@x.test" in r.output
    r = runner.invoke(cli, ["-c", str(conf), "mail", "retry", "999"])
    assert r.exit_code == 1
