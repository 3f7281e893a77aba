"""``wikigate botpassword create|list|reset|delete`` against a SQLite data dir."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from wikigate.cli.main import cli


def _run(conf: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["-c", str(conf), *args], input=stdin)
    return r.exit_code, r.stdout, r.stderr


def test_botpassword_commands(tmp_path: Path) -> None:
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[passwords]\npbkdf2_iterations = 1000\n')
    assert _run(conf, "user", "create", "Bob", "--password-stdin", stdin="Bob-Passw0rd!2026\n")[0] == 0

    code, out, err = _run(conf, "botpassword", "create", "bob", "mybot", "--grant", "editpage",
                          "--restrict", "192.0.2.0/24", "--restrict", "2001:db8::/32")
    assert code == 0, err
    assert re.fullmatch(r"[0-9a-v]{32}\n", out)  # only the password on stdout
    assert "Bob@mybot" in err and out.strip() not in err
    first = out.strip()

    code, out, err = _run(conf, "botpassword", "list", "Bob")
    assert (code, out) == (0, "Bob@mybot\tbasic,editpage\t192.0.2.0/24,2001:db8::/32\n")

    code, out, err = _run(conf, "botpassword", "reset", "Bob", "mybot")
    assert code == 0 and re.fullmatch(r"[0-9a-v]{32}\n", out) and out.strip() != first

    code, out, err = _run(conf, "botpassword", "create", "Bob", "mybot")
    assert code == 1 and 'Failed to add bot name "mybot". Was it already added?' in err
    assert _run(conf, "botpassword", "create", "Bob", "x", "--grant", "nope")[0] == 1
    assert _run(conf, "botpassword", "create", "Bob", "x", "--restrict", "example.org")[0] == 1
    assert _run(conf, "botpassword", "create", "Bob", "x" * 33)[0] == 1
    assert _run(conf, "botpassword", "create", "Nobody", "x")[0] == 1
    assert _run(conf, "botpassword", "reset", "Bob", "other")[0] == 1

    assert _run(conf, "botpassword", "delete", "Bob", "mybot")[0] == 0
    code, out, err = _run(conf, "botpassword", "delete", "Bob", "mybot")
    assert code == 1 and "no bot password" in err
    assert _run(conf, "botpassword", "list", "Bob")[1] == ""
