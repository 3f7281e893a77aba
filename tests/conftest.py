"""Shared fixtures: a whole wikigate app on a temporary SQLite database.

* ``app`` — a started :class:`WikigateApp` (cheap password hashing for speed);
* ``client`` / ``new_client()`` — httpx clients with their own cookie jars, talking
  ASGI directly (no sockets), plus ``api(client, **params)`` helpers;
* ``live_server`` — the same app served by uvicorn on a free port, for real clients
  (mwclient, requests, mwn) that need a URL;
* ``make_user(name, password, groups=())`` — create an account directly.

Settings are frozen: a test that needs other values builds them with
``make_settings(tmp_path, section__key=value)`` or ``tweak(settings, section__key=value)``,
or marks itself ``@pytest.mark.settings(section__key=value)`` to change the ``settings``
fixture its ``app`` is built from.

Backend selection for the storage contract tests: ``WIKIGATE_TEST_DATABASE_URL`` and
``WIKIGATE_TEST_REDIS_URL``.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from wikigate.app import WikigateApp, build_services
from wikigate.config import Settings, with_overrides
from wikigate.users.model import User
from wikigate.util.clock import Clock

ADMIN_PASSWORD = "AdminPassw0rd!2026"


def tweak(settings: Settings, **overrides: Any) -> Settings:
    """New settings: ``settings`` with ``section__key=value`` overrides."""
    return with_overrides(settings, {k.replace("__", ".", 1): v for k, v in overrides.items()})


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    defaults: dict[str, Any] = {
        "site__sitename": "RefWiki",
        "site__secret_key": "test-secret",
        "storage__data_dir": str(tmp_path / "data"),
        "passwords__pbkdf2_iterations": 1000,  # cheap hashes keep the suite fast
        "mail__backend": "memory",
    }
    return tweak(Settings(), **{**defaults, **overrides})


def marked(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """``settings`` with the overrides of the test's ``@pytest.mark.settings(...)``, if any."""
    marker = request.node.get_closest_marker("settings")
    return tweak(settings, **marker.kwargs) if marker is not None else settings


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return marked(request, make_settings(tmp_path))


@pytest.fixture
def clock() -> Clock | None:
    """The services' clock: None is the wall clock; a test module that needs a
    :class:`FakeClock` overrides this fixture (the ``app`` fixture then uses it)."""
    return None


@pytest.fixture
async def app(settings: Settings, clock: Clock | None) -> AsyncIterator[WikigateApp]:
    application = WikigateApp(settings, build_services(settings, clock=clock))
    await application.startup()
    yield application
    await application.shutdown()


class ApiClient:
    """An httpx client with helpers that speak api.php (format=json is the default)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def get(self, **params: Any) -> httpx.Response:
        params.setdefault("format", "json")
        return await self.http.get("/api.php", params=params)

    async def post(self, **params: Any) -> httpx.Response:
        params.setdefault("format", "json")
        return await self.http.post("/api.php", data=params)

    async def jget(self, **params: Any) -> Any:
        return (await self.get(**params)).json()

    async def jpost(self, **params: Any) -> Any:
        return (await self.post(**params)).json()

    async def token(self, kind: str = "csrf") -> str:
        data = await self.jget(action="query", meta="tokens", type=kind)
        return str(data["query"]["tokens"][f"{kind}token"])

    async def login(self, name: str, password: str) -> Any:
        """clientlogin (the modern path)."""
        lt = await self.token("login")
        return await self.jpost(action="clientlogin", username=name, password=password,
                                loginreturnurl="http://wiki.test/", logintoken=lt)


@pytest.fixture
async def new_client(app: WikigateApp) -> AsyncIterator[Callable[..., ApiClient]]:
    clients: list[httpx.AsyncClient] = []

    def factory(ip: str = "127.0.0.1") -> ApiClient:
        transport = httpx.ASGITransport(app=app, client=(ip, 12345))  # type: ignore[arg-type]
        http = httpx.AsyncClient(transport=transport, base_url="http://wiki.test")
        clients.append(http)
        return ApiClient(http)

    yield factory
    for c in clients:
        await c.aclose()


@pytest.fixture
def client(new_client: Callable[..., ApiClient]) -> ApiClient:
    return new_client()


@pytest.fixture
def make_user(app: WikigateApp) -> Callable[..., Awaitable[User]]:
    async def make(name: str, password: str = ADMIN_PASSWORD, groups: tuple[str, ...] = (),
                   email: str = "") -> User:
        svc = app.services
        pw = await svc.hashing.hash(password)
        user = await svc.users.create(name, password_hash=pw, email=email)
        for g in groups:
            await svc.users.set_group(user.id, g, None)
        fresh = await svc.users.get_by_id(user.id)
        assert fresh is not None
        return fresh

    return make


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_in_thread(settings: Settings) -> Iterator[tuple[str, WikigateApp]]:
    """uvicorn in a background thread for ``settings``; yields (base URL, app). The app
    owns its own loop."""
    import uvicorn

    application = WikigateApp(settings, build_services(settings))
    port = _free_port()
    config = uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", application
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[str, WikigateApp]]:
    """A live server on the test settings (see :func:`serve_in_thread`)."""
    with serve_in_thread(make_settings(tmp_path)) as served:
        yield served


def run_in_app_loop(coro: Awaitable[Any]) -> Any:
    return asyncio.run(coro)  # type: ignore[arg-type]
