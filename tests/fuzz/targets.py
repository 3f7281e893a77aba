"""Where the fuzzer sends its requests: the app in-process (ASGI, fast) or a real
``wikigate serve`` subprocess (uvicorn, HTTP parsing, worker processes)."""

from __future__ import annotations

import logging
import shutil
import tempfile
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from tests.conftest import make_settings, tweak
from wikigate.app import WikigateApp, build_services

Closer = Callable[[], Awaitable[None]]


class _ErrorLog(logging.Handler):
    """Collects what the app logs at ERROR level or with a traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            text = f"{record.levelname} {record.name}: {record.getMessage()}"
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                frames = traceback.extract_tb(exc.__traceback__)
                where = " ← ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames[-3:]))
                text += f" [Traceback: {type(exc).__name__}: {str(exc)[:150]} at {where}]"
            self.lines.append(text)


class InProcessTarget:
    base_url = "http://wiki.test"

    def __init__(self, app: WikigateApp) -> None:
        self.app = app
        self.log = _ErrorLog()
        logging.getLogger().addHandler(self.log)

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False,  # type: ignore[arg-type]
                                        client=("127.0.0.1", 40000))
        return httpx.AsyncClient(transport=transport, base_url=self.base_url, timeout=60)

    def drain_log(self) -> list[str]:
        lines, self.log.lines = self.log.lines, []
        return lines

    async def make_sysop(self, name: str, password: str) -> None:
        svc = self.app.services
        pw = await svc.hashing.hash(password)
        user = await svc.users.create(name, password_hash=pw)
        for group in ("sysop", "bureaucrat"):
            await svc.users.set_group(user.id, group, None)

    def detach(self) -> None:
        logging.getLogger().removeHandler(self.log)


async def in_process(root: Path | None = None, database_url: str = "",
                     redis_url: str = "") -> tuple[InProcessTarget, Closer]:
    """A fresh app in ``root`` (a temporary directory if None), on SQLite unless
    ``database_url`` names an (empty) PostgreSQL or MariaDB database."""
    tmp = Path(tempfile.mkdtemp(prefix="wgfuzz-")) if root is None else root
    # Every fuzz request comes from one address. The spraying limit (failed logins per
    # address over all accounts, which then refuses even the right password) would lock
    # the harness out of its own sysop after a few hundred thousand requests; throttles
    # are not what the fuzzer tests (tests/api/test_login_throttle.py does).
    settings = make_settings(tmp, throttle__ip_attempts=[0, 0])
    if database_url:
        settings = tweak(settings, storage__database_url=database_url)
    if redis_url:
        settings = tweak(settings, storage__redis_url=redis_url)
    app = WikigateApp(settings, build_services(settings))
    await app.startup()
    target = InProcessTarget(app)

    async def close() -> None:
        target.detach()
        await app.shutdown()
        if root is None:
            shutil.rmtree(tmp, ignore_errors=True)

    return target, close


class LiveTarget:
    """A ``wikigate serve`` subprocess (tests.multi's Server); its log file is watched."""

    def __init__(self, root: Path, workers: int = 2) -> None:
        from tests.multi.conftest import Server

        # One client address for everything: the spraying limit is off (see in_process).
        self.server = Server(root, "fuzz", workers=workers, extra="[throttle]\nip_attempts = [0, 0]\n")
        self.server.start()
        self.base_url = self.server.url.removesuffix("/api.php")
        self._offset = 0

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base_url, timeout=60)

    def drain_log(self) -> list[str]:
        with open(self.server.log, "rb") as f:
            f.seek(self._offset)
            data = f.read()
        self._offset += len(data)
        lines = data.decode("utf-8", "replace").splitlines()
        return [line for line in lines if " ERROR " in line or "Traceback" in line or " CRITICAL " in line]

    async def make_sysop(self, name: str, password: str) -> None:
        self.server.cli("user", "create", name, "--group", "sysop", "--group", "bureaucrat", "--password-stdin",
                        stdin=password + "\n")

    def stop(self) -> None:
        self.server.stop()


async def live(root: Path | None = None, workers: int = 2) -> tuple[LiveTarget, Closer]:
    tmp = Path(tempfile.mkdtemp(prefix="wgfuzz-live-")) if root is None else root
    target = LiveTarget(tmp, workers)

    async def close() -> None:
        target.stop()
        if root is None:
            shutil.rmtree(tmp, ignore_errors=True)

    return target, close
