"""What the engine tests share: several app instances ("workers") on one SQLite
database, a client of one of them, and a user with a password."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.auth_fakes import PROVIDERS
from tests.conftest import ADMIN_PASSWORD, ApiClient, make_settings

from wikigate.app import WikigateApp, build_services


async def _apps(tmp_path: Path, n: int = 2) -> list[WikigateApp]:
    apps = []
    for _ in range(n):
        settings = make_settings(tmp_path, auth__providers=list(PROVIDERS))
        app = WikigateApp(settings, build_services(settings))
        await app.startup()
        apps.append(app)
    return apps


def _client(app: WikigateApp, cookies: httpx.Cookies | None = None) -> ApiClient:
    transport = httpx.ASGITransport(app=app, client=("10.0.0.1", 1234))  # type: ignore[arg-type]
    return ApiClient(httpx.AsyncClient(transport=transport, base_url="http://wiki.test", cookies=cookies))


@pytest.fixture
async def two_workers(tmp_path: Path) -> Any:
    apps = await _apps(tmp_path)
    yield apps
    for a in apps:
        await a.shutdown()


async def _user(app: WikigateApp, name: str, password: str = ADMIN_PASSWORD) -> None:
    h = await app.services.hashing.hash(password)
    await app.services.users.create(name, password_hash=h)
