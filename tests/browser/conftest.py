"""Browser tests: Debian's chromium driven by Playwright for Python against a live
``wikigate serve`` (its own data directory, SQLite, mail to a real SMTP sink).

The browser is ``/usr/bin/chromium`` (or ``$CHROMIUM_PATH``), installed by
.ci/run from Debian's packages; Playwright's own browser downloads are not used. Without
a browser the tests are skipped locally and FAIL under CI, so a green CI run means they
really ran.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PASSWORD = "Browser-Test-Pass-2026"
_IN_CI = os.environ.get("CI", "") not in ("", "0", "false", "False", "FALSE", "no")


def _free_port() -> int:
    # Ports 18800-18899 are the ones set aside for hand-started servers on shared machines.
    for port in range(18800 + os.getpid() % 50, 18900):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """A real SMTP server's handler: keeps every message it receives."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, rcpt: str, timeout: float = 20.0) -> str:
        deadline = time.time() + timeout
        while time.time() < deadline:
            for tos, msg in self.mails:
                if rcpt in tos:
                    part = msg.get_body(preferencelist=("plain",))
                    assert part is not None
                    return str(part.get_content()).replace("\r\n", "\n")
            time.sleep(0.1)
        raise AssertionError(f"no mail to {rcpt} within {timeout}s")


@dataclass
class Server:
    url: str
    env: dict[str, str]
    sink: Sink
    data_dir: Path
    users: list[str] = field(default_factory=list)

    def cli(self, *args: str, stdin: str = "") -> str:
        out = subprocess.run([sys.executable, "-c", "from wikigate.cli.main import main; main()", *args],
                             input=stdin, capture_output=True, text=True, env=self.env, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout

    def make_user(self, name: str, password: str = PASSWORD, email_address: str = "",
                  groups: tuple[str, ...] = ()) -> None:
        args = ["user", "create", name, "--password-stdin"]
        if email_address:
            args += ["--email", email_address]
        for group in groups:
            args += ["--group", group]
        self.cli(*args, stdin=password + "\n")


@contextlib.contextmanager
def _serve(data: Path, sitename: str, config: str = "") -> Iterator[Server]:
    """``wikigate serve`` in a subprocess, exactly as an operator starts it (``config``: the
    text of its TOML configuration file, if any)."""
    sink = Sink()
    smtp_port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = _free_port()
    # Only our settings reach the server: any other WIKIGATE_* variable (a developer's
    # database URL, a config file …) would be read as its configuration.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("WIKIGATE_")},
           "WIKIGATE_SITE__SITENAME": sitename,
           "WIKIGATE_SITE__SERVER": f"http://127.0.0.1:{port}",
           "WIKIGATE_STORAGE__DATA_DIR": str(data),
           "WIKIGATE_PASSWORDS__PBKDF2_ITERATIONS": "1000",
           "WIKIGATE_MAIL__BACKEND": "smtp",
           "WIKIGATE_MAIL__SMTP_HOST": "127.0.0.1",
           "WIKIGATE_MAIL__SMTP_PORT": str(smtp_port),
           "WIKIGATE_MAIL__SENDER": "wiki@browserwiki.test"}
    if config:
        (data / "wikigate.toml").write_text(config, encoding="utf-8")
        env["WIKIGATE_CONFIG"] = str(data / "wikigate.toml")
    log = (data / "server.log").open("w")
    proc = subprocess.Popen([sys.executable, "-c", "from wikigate.cli.main import main; main()", "serve",
                             "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("wikigate serve did not start: " + (data / "server.log").read_text())
            time.sleep(0.2)
        yield Server(f"http://127.0.0.1:{port}", env, sink, data)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        controller.stop()


@pytest.fixture(scope="session")
def wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The plain wiki: no captcha, no two-factor."""
    with _serve(tmp_path_factory.mktemp("browserwiki"), "BrowserWiki") as server:
        yield server


#: The question captcha and two-factor authentication switched on (ConfirmEdit's
#: QuestyCaptcha and OATHAuth, as on the reference wiki with extensions).
EXT_CONFIG = """
[captcha]
kind = "question"
questions = { "Which wiki is this? (answer: extwiki)" = "extwiki" }

[oath]
enabled = true
"""


@pytest.fixture(scope="session")
def wiki_ext(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with _serve(tmp_path_factory.mktemp("browserwiki-ext"), "ExtWiki", EXT_CONFIG) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Module scope, not session: Playwright's sync API keeps an event loop on the main
    # thread while it runs, which would break later tests that call asyncio.run().
    if not Path(CHROMIUM).exists():
        message = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
        if _IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (no cookies) per test; any JavaScript dialog fails the test."""
    context = browser.new_context(locale="en-US", viewport={"width": 1000, "height": 800})
    pg = context.new_page()
    dialogs: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()
    assert not dialogs, f"a script ran: {dialogs}"
