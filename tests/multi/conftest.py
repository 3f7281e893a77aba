"""Real ``wikigate serve`` processes for the multi-process and multi-host tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

# The private database on the WIKIGATE_TEST_DATABASE_URL server (created and dropped there).
from tests.storage.conftest import external_database_url  # noqa: F401

SERVE = [sys.executable, "-c", "from wikigate.cli.main import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A ``wikigate serve`` subprocess in its own session (stopped with its workers)."""

    def __init__(self, root: Path, name: str, *, workers: int, extra: str = "") -> None:
        self.dir = root / name
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api.php"
        self.config = self.dir / "wikigate.toml"
        self.config.write_text(
            "[site]\nsitename = \"RefWiki\"\nsecret_key = \"scale-out-test-secret\"\n"
            f"[storage]\ndata_dir = \"{self.dir / 'data'}\"\n"
            "[server]\nlog_level = \"warning\"\n"
            "[passwords]\npbkdf2_iterations = 1000\n"
            "[mail]\nbackend = \"memory\"\n" + extra,
            encoding="utf-8",
        )
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = self.dir / "server.log"

    def cli(self, *args: str, stdin: str | None = None) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIGATE_")}
        r = subprocess.run([*SERVE, "-c", str(self.config), *args], input=stdin, capture_output=True,
                           text=True, env=env, timeout=120)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIKIGATE_")}
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen([*SERVE, "-c", str(self.config), "serve", "--port", str(self.port),
                                          "--workers", str(self.workers)], stdout=log,
                                         stderr=subprocess.STDOUT, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(self.url, params={"action": "query", "format": "json"}, timeout=2).ok:
                    return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    started: list[Server] = []

    def make(name: str, *, workers: int = 1, extra: str = "") -> Server:
        s = Server(tmp_path, name, workers=workers, extra=extra)
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()
