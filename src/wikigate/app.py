"""The ASGI application: wires every backend from :class:`Settings` and routes requests.

``/api.php`` and ``/w/api.php`` are the Action API; ``/index.php`` and ``/w/index.php``
serve the few HTML pages (Special:BotPasswords …) registered by ``wikigate.web``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from wikigate.api.main import ApiMain
from wikigate.auth.sessions import SessionStore
from wikigate.config import ConfigError, Settings, load_settings
from wikigate.http.request import BodyTooLarge, Request, read_request
from wikigate.http.response import Response
from wikigate.i18n import Catalog
from wikigate.services import Services
from wikigate.storage.kv import KeyValueStore
from wikigate.storage.sql import migrate
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.kv import SqlKeyValueStore
from wikigate.users.rights import Rights
from wikigate.users.store import UserStore
from wikigate.util.clock import Clock

log = logging.getLogger("wikigate")

#: Functions that add a component to the services (``setup(services) -> None``), in order.
#: Later subsystems register here, e.g. the authentication manager, pages, mail.
COMPONENT_SETUPS: list[str] = [
    "wikigate.components:setup_all",
]

Handler = Callable[[Request], Awaitable[Response]]


def make_kv(settings: Settings, db: Database, clock: Clock) -> KeyValueStore:
    if settings.storage.redis_url:
        from wikigate.storage.redis import RedisKeyValueStore

        return RedisKeyValueStore.from_settings(settings.storage)
    return SqlKeyValueStore(db, clock.time)


def build_services(settings: Settings, *, clock: Clock | None = None, db: Database | None = None,
                   kv: KeyValueStore | None = None) -> Services:
    clock = clock or Clock()
    st = settings.storage
    db = db or Database(settings.database_url, pool_size=st.pool_size,
                        connect_timeout=st.database_connect_timeout,
                        statement_timeout=st.database_statement_timeout)
    kv = kv or make_kv(settings, db, clock)
    server = settings.site.server
    services = Services(
        settings=settings,
        clock=clock,
        db=db,
        kv=kv,
        sessions=SessionStore(kv, settings.sessions.ttl_seconds),
        users=UserStore(db, clock),
        rights=Rights(settings.rights),
        catalog=Catalog(sitename=settings.site.sitename, server=server + settings.site.script_path),
        # Empty until start-up loads the database's shared secret (unless configured).
        secret_key=settings.site.secret_key.encode(),
    )
    for target in COMPONENT_SETUPS:
        module_name, func = target.split(":")
        mod = __import__(module_name, fromlist=[func])
        getattr(mod, func)(services)
    return services


class WikigateApp:
    """ASGI callable. Use :func:`create_app` (uvicorn factory) or construct with settings."""

    def __init__(self, settings: Settings, services: Services | None = None, *, auto_migrate: bool = True) -> None:
        self.settings = settings
        self.services = services or build_services(settings)
        self.api = ApiMain(self.services)
        from wikigate.web import WebPages

        self.web = WebPages(self.services)
        self.auto_migrate = auto_migrate
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    async def startup(self) -> None:
        if self._started:
            return
        self._started = True
        if self.auto_migrate:
            await migrate.upgrade(self.services.db)
        if not self.services.secret_key:
            from wikigate.storage.sql.secrets import load_or_create_secret

            self.services.secret_key = (await load_or_create_secret(self.services.db, "secret_key")).encode()
        for name, component in self.services.components.items():
            start = getattr(component, "start", None)
            if start is not None:
                log.debug("starting %s", name)
                await start()
        if isinstance(self.services.kv, SqlKeyValueStore):
            self._tasks.append(asyncio.create_task(self._purge_loop(self.services.kv)))
        # Everything loaded so far (modules, message catalogue, SQLAlchemy metadata) lives
        # as long as the process: move it out of the cyclic GC's generations, so collections
        # under load walk only per-request garbage (shorter GC pauses, lower p99).
        gc.freeze()

    async def shutdown(self) -> None:
        for t in self._tasks:
            t.cancel()
        for component in self.services.components.values():
            stop = getattr(component, "stop", None)
            if stop is not None:
                with contextlib.suppress(Exception):
                    await stop()
        await self.services.kv.close()
        await self.services.db.close()

    @staticmethod
    async def _purge_loop(kv: SqlKeyValueStore) -> None:
        while True:
            await asyncio.sleep(300)
            try:
                while await kv.purge() >= 1000:
                    await asyncio.sleep(0.1)
            except Exception:
                log.exception("purging expired sessions failed")

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if not self._started:
            await self.startup()
        response = await self._handle(scope, receive)
        await response.send(send)

    async def _handle(self, scope: dict[str, Any], receive: Any) -> Response:
        path = scope.get("path", "/")
        try:
            request = await read_request(scope, receive, self.settings.server.max_body_bytes)
        except BodyTooLarge:
            return Response(status=413, content_type="application/json; charset=utf-8",
                            headers=[("MediaWiki-API-Error", "toolarge")],
                            body=b'{"error":{"code":"toolarge","info":"The request body is larger '
                                 b'than this server accepts."}}')
        try:
            if path in ("/api.php", "/w/api.php"):
                return await self.api.handle(request)
            if path in ("/index.php", "/w/index.php") or path.startswith(("/index.php/", "/wiki/")):
                return await self.web.handle(request)
            if path == "/":
                return Response(status=302, headers=[("Location", "/index.php")])
            return Response(status=404, content_type="text/plain; charset=utf-8",
                            body=b"Not found. The API is at /api.php.\n")
        except Exception:
            log.exception("unhandled error for %s", path)
            return Response(status=500, content_type="text/plain; charset=utf-8",
                            body=b"Internal error; details are in the server log.\n")

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as e:
                    log.exception("start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(e)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app() -> WikigateApp:
    """uvicorn factory: settings from ``$WIKIGATE_CONFIG`` and ``WIKIGATE_*`` variables."""
    try:
        settings = load_settings()
    except ConfigError as e:
        raise SystemExit(f"wikigate: configuration error: {e}") from None
    logging.basicConfig(level=settings.server.log_level.upper(),
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    return WikigateApp(settings)


def data_dir_ready(settings: Settings) -> Path:
    path = settings.data_path
    path.mkdir(parents=True, exist_ok=True)
    return path
