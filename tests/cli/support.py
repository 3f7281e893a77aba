"""What the CLI tests share: invoking ``wikigate -c CONF …`` in-process, and a
configuration in a temporary directory with one user already created."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from wikigate.cli.main import cli


def run_cli(conf: Path, *args: str) -> tuple[int, str]:
    """Exit status and output (standard output and error) of ``wikigate -c CONF ARGS``."""
    r = CliRunner().invoke(cli, ["-c", str(conf), *args])
    return r.exit_code, r.output


def conf_with_user(tmp_path: Path, name: str, extra: str = "") -> Path:
    """A configuration (fast password hashing, ``extra`` TOML appended) whose database
    holds the user ``name``."""
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[site]\nsecret_key = "k"\n'
                    f'[passwords]\npbkdf2_iterations = 1000\n{extra}')
    pw = tmp_path / "pw"
    pw.write_text("Some-Passw0rd!\n")
    assert run_cli(conf, "user", "create", name, "--password-file", str(pw))[0] == 0
    return conf
