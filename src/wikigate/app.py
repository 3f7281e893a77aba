"""The ASGI application: wires every backend from :class:`Settings` and routes requests.

``/api.php`` and ``/w/api.php`` are the Action API; ``/index.php`` and ``/w/index.php``
serve the few HTML pages (Special:BotPasswords …) registered by ``wikigate.web``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from wikigate.api.main import ApiMain
from wikigate.config import ConfigError, Settings, load_settings
from wikigate.http.request import Request, RequestLimits, RequestRejected, read_request
from wikigate.http.response import Response
from wikigate.root import build_services, make_kv, preload_package_data
from wikigate.services import Services
from wikigate.storage.sql import migrate
from wikigate.storage.sql.kv import SqlKeyValueStore
from wikigate.util.files import ensure_private_dir, private_umask

log = logging.getLogger("wikigate")

__all__ = ["WikigateApp", "build_services", "create_app", "make_kv"]

#: Seconds one attempt to read the site secret may take before the worker answers 503.
SECRET_LOAD_TIMEOUT = 5.0
#: Retry-After on 503 answers while a backend is unreachable.
RETRY_AFTER_SECONDS = 5

Handler = Callable[[Request], Awaitable[Response]]


class WikigateApp:
    """ASGI callable. Use :func:`create_app` (uvicorn factory) or construct with settings."""

    def __init__(self, settings: Settings, services: Services | None = None, *, auto_migrate: bool = True) -> None:
        self.settings = settings
        self.services = services or build_services(settings)
        self.api = ApiMain(self.services)
        from wikigate.web import WebPages

        self.web = WebPages(self.services)
        self.auto_migrate = auto_migrate
        http = settings.http
        self.limits = RequestLimits(max_body_bytes=settings.server.max_body_bytes, max_params=http.max_params,
                                    max_param_name_bytes=http.max_param_name_bytes,
                                    max_part_header_bytes=http.max_part_header_bytes,
                                    body_timeout_seconds=http.body_timeout_seconds)
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False

    @property
    def ready(self) -> bool:
        """Whether requests can be served: the site secret is known (see :meth:`startup`)."""
        return bool(self.services.secret_key)

    async def startup(self) -> None:
        """Start the components. Touches the database only when ``auto_migrate`` is set
        (tests, embedding) or the site secret must be read from it; a worker
        (``auto_migrate=False``) whose database is down still starts: it answers 503
        (``/readyz`` says why) and keeps retrying in the background, because a worker
        that failed its start-up would make uvicorn stop the whole server."""
        if self._started:
            return
        self._started = True
        if self.auto_migrate:
            await migrate.upgrade(self.services.db)
        # Read every shipped data file now, so a reinstall of the package under a running
        # server (pip install -e after pip install) cannot break it later.
        preload_package_data()
        if not self.services.secret_key:
            if self.auto_migrate:
                await self._load_secret()
            elif not await self._try_load_secret(first=True):
                self._tasks.append(asyncio.create_task(self._secret_retry_loop()))
        for component in self.services.startables():
            log.debug("starting %s", type(component).__name__)
            await component.start()
        if isinstance(self.services.kv, SqlKeyValueStore):
            self._tasks.append(asyncio.create_task(self._purge_loop(self.services.kv)))
        # Everything loaded so far (modules, message catalogue, SQLAlchemy metadata) lives
        # as long as the process: move it out of the cyclic GC's generations, so collections
        # under load walk only per-request garbage (shorter GC pauses, lower p99).
        gc.freeze()

    async def shutdown(self) -> None:
        for t in self._tasks:
            t.cancel()
        for component in self.services.stoppables():
            with contextlib.suppress(Exception):
                await component.stop()
        await self.services.kv.close()
        await self.services.db.close()

    async def _load_secret(self) -> None:
        from wikigate.storage.sql.secrets import load_or_create_secret

        self.services.site_secret.set((await load_or_create_secret(self.services.db, "secret_key")).encode())

    async def _try_load_secret(self, *, first: bool = False) -> bool:
        from wikigate.health import describe_error

        try:
            await asyncio.wait_for(self._load_secret(), SECRET_LOAD_TIMEOUT)
        except Exception as e:
            if first:
                log.warning("database not reachable at start-up (%s); answering 503 and retrying",
                            describe_error(e, SECRET_LOAD_TIMEOUT))
            return False
        if not first:
            log.warning("database reachable again; serving")
        return True

    async def _secret_retry_loop(self) -> None:
        delay = 0.5
        while not await self._try_load_secret():
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

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
        if path == "/healthz":
            # Liveness: the process and its event loop answer. No backend call, so a
            # database outage never makes a supervisor kill healthy workers.
            return _json(200, {"status": "ok"})
        if path == "/readyz":
            return await self._readyz()
        if not self.ready:
            return _not_ready()
        try:
            request = await read_request(scope, receive, self.limits)
        except RequestRejected as e:
            return rejection_response(e)
        try:
            if path in ("/api.php", "/w/api.php"):
                return await self.api.handle(request)
            if path in ("/index.php", "/w/index.php") or path.startswith(("/index.php/", "/wiki/")):
                return await self.web.handle(request)
            if path.startswith(("/static/", "/w/static/")):
                from wikigate.web.ui import static_response

                return static_response(path.rsplit("/", 1)[1])
            if path == "/":
                return Response(status=302, headers=[("Location", "/index.php")])
            return Response(status=404, content_type="text/plain; charset=utf-8",
                            body=b"Not found. The API is at /api.php.\n")
        except Exception:
            log.exception("unhandled error for %s", path)
            return Response(status=500, content_type="text/plain; charset=utf-8",
                            body=b"Internal error; details are in the server log.\n")

    async def _readyz(self) -> Response:
        """Readiness: the database and the key-value store answer within
        ``server.ready_timeout`` seconds; 503 with what failed otherwise."""
        from wikigate.health import probe_all

        checks = await probe_all(self.services, self.settings.server.ready_timeout)
        if not self.ready and checks["database"] is None:
            checks["database"] = "site secret not loaded yet"
        failed = {k: v for k, v in checks.items() if v is not None}
        body: dict[str, Any] = {"status": "unavailable" if failed else "ready",
                                "checks": {k: v or "ok" for k, v in checks.items()}}
        return _json(503 if failed else 200, body, retry_after=bool(failed))

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


def rejection_response(e: RequestRejected) -> Response:
    """The answer to a request refused while it was read (too large, too many parameters,
    malformed multipart). Its parameters were never decoded, so neither the format nor the
    error format is known: the error is always JSON in MediaWiki's bc shape, with the
    code in ``MediaWiki-API-Error`` as for any API error."""
    body = json.dumps({"error": {"code": e.code, "info": e.info}}, separators=(",", ":"))
    headers = [("MediaWiki-API-Error", e.code)]
    if e.close:
        # An over-size body is not drained: the connection ends after the answer. Other
        # refusals leave the rest of a (size-bounded) body to the HTTP layer, which reads
        # and discards it, so the client gets the answer rather than a reset connection.
        headers.append(("Connection", "close"))
    return Response(status=e.status, content_type="application/json; charset=utf-8",
                    headers=headers, body=body.encode("utf-8"))


def _json(status: int, body: dict[str, Any], *, retry_after: bool = False) -> Response:
    headers = [("Cache-Control", "no-store")]
    if retry_after:
        headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
    return Response(status=status, content_type="application/json; charset=utf-8", headers=headers,
                    body=json.dumps(body).encode())


def _not_ready() -> Response:
    # MediaWiki answers an unreachable database with internal_api_error_DBConnectionError;
    # we add what a client can act on: 503 and Retry-After.
    return Response(status=503, content_type="application/json; charset=utf-8",
                    headers=[("Retry-After", str(RETRY_AFTER_SECONDS)),
                             ("MediaWiki-API-Error", "internal_api_error_DBConnectionError")],
                    body=json.dumps({"error": {
                        "code": "internal_api_error_DBConnectionError",
                        "info": "The database is not reachable; try again in a few seconds."}}).encode())


def create_app() -> WikigateApp:
    """uvicorn factory (one per worker): settings from ``$WIKIGATE_CONFIG`` and ``WIKIGATE_*``
    variables. Workers never migrate: ``wikigate serve`` did before starting them."""
    private_umask()  # also when run under plain uvicorn: every file we create is 0600
    try:
        settings = load_settings()
    except ConfigError as e:
        raise SystemExit(f"wikigate: configuration error: {e}") from None
    logging.basicConfig(level=settings.server.log_level.upper(),
                        format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
    return WikigateApp(settings, auto_migrate=False)


def data_dir_ready(settings: Settings) -> Path:
    return ensure_private_dir(settings.data_path)
