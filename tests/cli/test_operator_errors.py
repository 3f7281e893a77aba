"""Operator-facing errors (issue 9 "operator errors", issue 15 finding 7): one clear line
naming the problem and the setting, a non-zero exit status, no traceback and no side
effects. Run as real processes (``main()``), as an operator or a service manager would."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

CLI = [sys.executable, "-c", "from wikigate.cli.main import main; main()"]


def closed_port() -> int:
    """A port nobody listens on (bound once, then released; never a fixed number,
    since any port may be taken on a shared machine)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


DOWN = closed_port()
DOWN_PG = f"postgresql://wiki:s3cret@127.0.0.1:{DOWN}/wiki"
DOWN_MY = f"mysql://root@127.0.0.1:{DOWN}/wiki"
DOWN_REDIS = f"redis://127.0.0.1:{DOWN}/0"


def run(cwd: Path, *args: str, env: dict[str, str] | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WIKIGATE_")}
    return subprocess.run([*CLI, *args], cwd=cwd, env={**base, **(env or {})}, capture_output=True, text=True,
                          timeout=timeout)


def assert_one_line_error(r: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.mark.parametrize(("command", "url"), [
    (["serve", "--port", str(closed_port())], DOWN_PG),
    (["migrate"], DOWN_PG),
    (["migrate"], DOWN_MY),
    (["user", "list"], DOWN_PG),
    (["user", "list"], DOWN_MY),
    (["config", "check"], DOWN_PG),
])
def test_unreachable_database_is_one_line(tmp_path: Path, command: list[str], url: str) -> None:
    r = run(tmp_path, *command, env={"WIKIGATE_STORAGE__DATABASE_URL": url})
    assert_one_line_error(r, "cannot reach the database", "storage.database_url", f"127.0.0.1:{DOWN}")
    assert "s3cret" not in r.stderr + r.stdout  # the password never shows
    assert "serving" not in r.stdout


def test_unreachable_redis_stops_serve_before_anything_is_created(tmp_path: Path) -> None:
    r = run(tmp_path, "serve", "--port", str(closed_port()), env={"WIKIGATE_STORAGE__REDIS_URL": DOWN_REDIS})
    assert_one_line_error(r, "cannot reach Redis", "storage.redis_url", "connection refused")
    assert list(tmp_path.iterdir()) == []  # no data directory, no database


def test_config_check_in_a_fresh_folder_creates_nothing(tmp_path: Path) -> None:
    r = run(tmp_path, "config", "check")
    assert r.returncode == 0, r.stderr
    assert "no such table" not in r.stdout + r.stderr
    assert "not created yet" in r.stdout
    assert list(tmp_path.iterdir()) == []


def test_config_check_names_an_unreachable_redis(tmp_path: Path) -> None:
    r = run(tmp_path, "config", "check", env={"WIKIGATE_STORAGE__REDIS_URL": DOWN_REDIS})
    assert_one_line_error(r, "cannot reach Redis", "storage.redis_url")


def test_busy_port_is_one_line_and_never_claims_to_serve(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = run(tmp_path, "serve", "--port", str(port), "--workers", "2")
    assert_one_line_error(r, f"127.0.0.1:{port}", "server.port", "address already in use")
    assert "serving" not in r.stdout


def test_wait_for_backends_retries_then_gives_up(tmp_path: Path) -> None:
    t0 = time.monotonic()
    r = run(tmp_path, "migrate", "--wait-for-backends", "2", env={"WIKIGATE_STORAGE__DATABASE_URL": DOWN_PG})
    assert 2 <= time.monotonic() - t0 < 30
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "retrying in" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("Error: cannot reach the database")


def test_data_directory_and_files_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)  # what an operator's shell usually has
    try:
        r = run(tmp_path, "migrate")
    finally:
        os.umask(old)
    assert r.returncode == 0, r.stderr
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    files = list(data.iterdir())
    assert files
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_config_check_warns_about_loose_permissions(tmp_path: Path) -> None:
    assert run(tmp_path, "migrate").returncode == 0
    os.chmod(tmp_path / "data", 0o755)
    os.chmod(tmp_path / "data" / "wikigate.db", 0o644)
    r = run(tmp_path, "config", "check")
    assert r.returncode == 0, r.stderr
    warnings = [ln for ln in r.stdout.splitlines() if ln.startswith("warning:")]
    assert any("data is mode 0755" in w and "chmod 0700" in w for w in warnings), r.stdout
    assert any("wikigate.db is mode 0644" in w and "chmod 0600" in w for w in warnings), r.stdout


def test_docs_describe_the_files_that_exist(tmp_path: Path) -> None:
    """The docs promised a ``secret.key`` (mode 0600) that was never created: the secret
    lives in the database. The data directory holds what the docs list."""
    root = Path(__file__).resolve().parents[2]
    for doc in ("docs/operations.md", "docs/config.example.toml", "README.md"):
        assert "secret.key" not in (root / doc).read_text(encoding="utf-8"), doc
    assert run(tmp_path, "migrate").returncode == 0
    assert {p.name for p in (tmp_path / "data").iterdir()} <= {"wikigate.db", "wikigate.db-wal", "wikigate.db-shm",
                                                             "wikigate.db.writelock"}
