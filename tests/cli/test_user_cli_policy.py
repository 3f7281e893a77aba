"""``wikigate user create`` applies the site's password policy (issue 9, operator-facing):
what action=createaccount refuses is refused here too, unless --force (which says what
the password breaks)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from wikigate.cli.main import cli


def _conf(tmp_path: Path) -> Path:
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[passwords]\npbkdf2_iterations = 1000\n')
    return conf


def _run(conf: Path, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["-c", str(conf), *args], input=stdin)
    return r.exit_code, r.stdout, r.stderr


def test_weak_password_refused_unless_forced(tmp_path: Path) -> None:
    conf = _conf(tmp_path)
    code, out, err = _run(conf, "user", "create", "Bob", "--password-stdin", stdin="abc\n")
    assert code == 1
    assert "password policy" in err and "--force" in err
    assert "in a list of very commonly used passwords" in err
    assert "Bob" not in _run(conf, "user", "list")[1]
    # The user name itself, a well-known password: refused for the reasons the API gives.
    code, _, err = _run(conf, "user", "create", "Bobby Tables", "--password-stdin", stdin="Bobby Tables\n")
    assert code == 1 and "password policy" in err
    code, _, err = _run(conf, "user", "create", "Bob", "--password-stdin", stdin="password\n")
    assert code == 1 and "password policy" in err

    code, out, err = _run(conf, "user", "create", "Bob", "--force", "--password-stdin", stdin="abc\n")
    assert code == 0 and "created user 'Bob'" in out
    assert "warning" in err and "in a list of very commonly used passwords" in err


def test_policy_of_the_groups_given(tmp_path: Path) -> None:
    """Sysops have a stricter policy (10 characters): the groups on the command line count."""
    conf = _conf(tmp_path)
    code, _, err = _run(conf, "user", "create", "Admin", "--group", "sysop", "--password-stdin",
                        stdin="Qx7!mkpz9\n")
    assert code == 1 and "Passwords must be at least 10 characters." in err
    code, _, err = _run(conf, "user", "create", "Plain", "--password-stdin", stdin="Qx7!mkpz9\n")
    assert code == 0, err
    code, _, err = _run(conf, "user", "create", "Admin", "--group", "sysop", "--password-stdin",
                        stdin="Qx7!mkpz9-long\n")
    assert code == 0, err
    # --update checks the account's existing groups too.
    code, _, err = _run(conf, "user", "create", "Admin", "--update", "--password-stdin", stdin="Qx7!mkpz9\n")
    assert code == 1 and "10 characters" in err


def test_botpassword_app_ids_refused_like_the_page(tmp_path: Path) -> None:
    conf = _conf(tmp_path)
    assert _run(conf, "user", "create", "Bob", "--password-stdin", stdin="Bob-Passw0rd!2026\n")[0] == 0
    for bad in ("a@b", "x" * 33, "a#b", "   ", "tab\there"):
        code, out, err = _run(conf, "botpassword", "create", "Bob", bad)
        assert code == 1 and out == "" and "invalid app id" in err, bad
    code, out, err = _run(conf, "botpassword", "create", "Bob", "ok-app")
    assert code == 0, err
