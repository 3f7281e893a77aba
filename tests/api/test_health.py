"""/healthz and /readyz, and a worker that starts while its database is down (issue 15)."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from tests.conftest import make_settings
from wikigate.app import WikigateApp, build_services
from wikigate.storage.kv import MemoryKeyValueStore
from wikigate.storage.sql import migrate


class BrokenKeyValueStore(MemoryKeyValueStore):
    """A session store whose server went away."""

    async def get(self, key: str) -> bytes | None:
        raise ConnectionRefusedError(111, "Connection refused")


def _client(app: WikigateApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
                             base_url="http://wiki.test")


async def test_healthz_and_readyz(app: WikigateApp) -> None:
    async with _client(app) as http:
        r = await http.get("/healthz")
        assert r.status_code == 200 and r.json() == {"status": "ok"}
        assert r.headers["cache-control"] == "no-store"
        r = await http.get("/readyz")
        assert r.status_code == 200
        assert r.json() == {"status": "ready", "checks": {"database": "ok", "kv": "ok"}}


async def test_readyz_names_a_failed_session_store(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    app = WikigateApp(settings, build_services(settings, kv=BrokenKeyValueStore()))
    await app.startup()
    try:
        async with _client(app) as http:
            r = await http.get("/readyz")
            assert r.status_code == 503
            assert r.headers["retry-after"]
            assert r.json() == {"status": "unavailable", "checks": {"database": "ok", "kv": "connection refused"}}
            # Liveness does not ask the backends: a supervisor must not restart the worker.
            assert (await http.get("/healthz")).status_code == 200
    finally:
        await app.shutdown()


async def test_worker_starts_with_its_database_down_and_answers_503(tmp_path: Path) -> None:
    """A worker (no migrations; the site secret lives in the database) whose database is
    unreachable completes its start-up, so uvicorn does not stop the server, and answers
    503 with Retry-After until the database is back."""
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = make_settings(tmp_path, storage__database_url=f"postgresql://wiki@127.0.0.1:{port}/wiki",
                             site__secret_key="")
    app = WikigateApp(settings, build_services(settings), auto_migrate=False)
    await app.startup()  # must not raise
    try:
        assert not app.ready
        async with _client(app) as http:
            r = await http.get("/api.php", params={"action": "query", "meta": "tokens", "format": "json"})
            assert r.status_code == 503
            assert r.headers["retry-after"] == "5"
            assert r.json()["error"]["code"] == "internal_api_error_DBConnectionError"
            assert r.headers["mediawiki-api-error"] == "internal_api_error_DBConnectionError"
            assert (await http.get("/healthz")).status_code == 200
            r = await http.get("/readyz")
            assert r.status_code == 503 and r.json()["checks"]["database"] == "connection refused"
    finally:
        await app.shutdown()


async def test_readyz_reports_a_missing_or_old_schema(tmp_path: Path) -> None:
    """A worker started by hand (uvicorn) on a database nobody migrated is not ready; a
    schema newer than this version (rolling upgrade, revisions only add) is fine."""
    from sqlalchemy import text

    settings = make_settings(tmp_path)
    app = WikigateApp(settings, build_services(settings))
    await app.startup()
    db = app.services.db
    try:
        async with _client(app) as http:
            await db.run(lambda c: c.execute(text("UPDATE alembic_version SET version_num = '0001'")))
            r = await http.get("/readyz")
            assert r.status_code == 503
            head = migrate.head_revision()
            assert r.json()["checks"]["database"] == (
                f"schema at revision 0001, this version needs {head}; run `wikigate migrate`")
            await db.run(lambda c: c.execute(text("UPDATE alembic_version SET version_num = '9999_future'")))
            assert (await http.get("/readyz")).status_code == 200
            await db.run(lambda c: c.execute(text("DELETE FROM alembic_version")))
            r = await http.get("/readyz")
            assert r.status_code == 503 and r.json()["checks"]["database"] == "no schema; run `wikigate migrate`"
    finally:
        await app.shutdown()
