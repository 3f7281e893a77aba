"""``wikigate serve`` and ``wikigate migrate``: what happens before the workers run.

The parent process (never a worker):

1. checks that the database and, when configured, Redis answer; a failure is one line
   naming the setting and exit status 1, or, with ``--wait-for-backends SECONDS``, a
   retry every few seconds up to that long (for service managers and containers that
   start the database at the same time);
2. migrates the schema, under a database-wide lock (several hosts may start at once);
3. binds the listening socket itself, so a busy port is one clear line before anything
   claims to be serving;
4. runs uvicorn's workers on that socket. Workers never touch the schema and start even
   while the database is down (they answer 503 and retry), so a worker that uvicorn
   restarts during an outage cannot stop the server.

On SIGTERM/SIGINT the parent closes its copy of the listening socket at once, before it
waits for the workers to drain: while any process holds the socket open, the kernel keeps
queueing new connections that no worker will accept, and they are reset at exit. Once
closed everywhere, new connections are refused immediately (a load balancer retries them
elsewhere) while in-flight requests complete.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import time
from dataclasses import dataclass
from typing import Any

import click

from wikigate.config import Settings
from wikigate.health import describe_error, probe_database, probe_kv, safe_url

#: Seconds a start-up check waits for one backend.
CHECK_TIMEOUT = 10.0
#: Exit status for backend and port errors (uvicorn uses 3 for a worker's start-up failure).
EXIT_FAILURE = 1


class BackendUnavailable(click.ClickException):
    """A backend did not answer; the message is one line naming the setting."""


def database_problem(settings: Settings, reason: str) -> str:
    setting = "storage.database_url" if settings.storage.database_url else "storage.data_dir"
    return f"cannot reach the database ({setting} = {safe_url(settings.database_url)}): {reason}"


def redis_problem(settings: Settings, reason: str) -> str:
    return f"cannot reach Redis (storage.redis_url = {safe_url(settings.storage.redis_url)}): {reason}"


@dataclass
class Prepared:
    before: str | None
    after: str | None


async def check_backends(settings: Settings, *, migrate: bool) -> Prepared:
    """Reach the database (and migrate it when asked) and Redis; raise
    :class:`BackendUnavailable` with one line otherwise. Opens and closes its own pools."""
    from wikigate.storage.sql import migrate as mig
    from wikigate.storage.sql.database import Database

    # Redis first: opening a SQLite database creates it, and a start that fails on
    # Redis should leave nothing behind.
    await _check_redis(settings)
    try:
        db = Database(settings.database_url, pool_size=1, connect_timeout=CHECK_TIMEOUT)
    except OSError as e:  # SQLite: the data directory cannot be created
        raise BackendUnavailable(database_problem(settings, describe_error(e))) from None
    try:
        problem = await probe_database(db, CHECK_TIMEOUT)
        if problem is not None:
            raise BackendUnavailable(database_problem(settings, problem))
        before = after = None
        try:
            if migrate:
                before, after = await mig.upgrade(db)
            else:
                before = after = await mig.current_revision(db)
        except Exception as e:
            raise BackendUnavailable(f"database migration failed ({safe_url(settings.database_url)}): "
                                     f"{describe_error(e)}") from None
    finally:
        await db.close()
    return Prepared(before, after)


async def _check_redis(settings: Settings) -> None:
    if not settings.storage.redis_url:
        return
    from wikigate.storage.redis import RedisKeyValueStore

    kv = RedisKeyValueStore(settings.storage.redis_url)
    try:
        problem = await probe_kv(kv, CHECK_TIMEOUT)
    finally:
        await kv.close()
    if problem is not None:
        raise BackendUnavailable(redis_problem(settings, problem))


def prepare(settings: Settings, *, migrate: bool, wait: float = 0.0) -> Prepared:
    """:func:`check_backends`, retried every few seconds for up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    delay = 1.0
    while True:
        try:
            return asyncio.run(check_backends(settings, migrate=migrate))
        except BackendUnavailable as e:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            click.echo(f"wikigate: {e.message}; retrying in {min(delay, left):.0f} s", err=True)
            time.sleep(min(delay, left))
            delay = min(delay * 2, 10.0)


def bind_socket(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a busy port fails before we say "serving"."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # Lets a restart bind while old connections sit in TIME_WAIT; a port that another
    # process *listens* on still fails (Linux refuses two listeners without SO_REUSEPORT).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        # Bound, not listening: a busy port fails here, while connections keep being
        # refused (not queued) until a worker is ready and listens on it.
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        reason = "address already in use" if e.errno == 98 else (e.strerror or str(e))
        raise click.ClickException(f"cannot listen on {host}:{port} (server.host / server.port): {reason}") from None
    sock.set_inheritable(True)
    return sock


def uvicorn_options(settings: Settings, workers: int) -> dict[str, Any]:
    """Keyword arguments for :class:`uvicorn.Config` (one place for every server option)."""
    return {
        "factory": True,
        "workers": workers,
        "log_level": settings.server.log_level,
        "proxy_headers": bool(settings.server.forwarded_allow_ips),
        "forwarded_allow_ips": settings.server.forwarded_allow_ips or None,
        "access_log": False,
        "server_header": False,
        "lifespan": "on",
        **http_limits(settings),
    }


def http_limits(settings: Settings) -> dict[str, Any]:
    """uvicorn options for the ``[http]`` limits: the guarded protocol (header size and
    header timeout, see ``wikigate.http.server``), keep-alive and concurrency."""
    from wikigate.http.server import PROTOCOL

    http = settings.http
    return {"http": PROTOCOL, "timeout_keep_alive": http.keepalive_timeout_seconds,
            "h11_max_incomplete_event_size": http.max_header_bytes,
            "limit_concurrency": http.limit_concurrency or None}


def _draining_multiprocess() -> Any:
    import signal

    from uvicorn.supervisors.multiprocess import Multiprocess

    class DrainingMultiprocess(Multiprocess):
        """uvicorn's supervisor, closing its listening socket the moment it is told to stop.

        In the signal handler itself, not in uvicorn's supervision loop (which looks at
        queued signals every 0.5 s): meanwhile the workers may already have stopped
        accepting, and whatever the kernel queued on the socket would be reset."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self._on_stop_signal)

        def _on_stop_signal(self, sig: int, _frame: Any) -> None:
            self._stopping = True
            self._stop_listening()
            self.signal_queue.append(sig)

        def keep_subprocess_alive(self) -> None:
            # Stopping: the socket is closed, so a replacement worker could not be started.
            if not getattr(self, "_stopping", False):
                super().keep_subprocess_alive()

        def _stop_listening(self) -> None:
            for sock in self.sockets:
                sock.close()

        def handle_term(self) -> None:
            self._stop_listening()
            super().handle_term()

        def handle_int(self) -> None:
            self._stop_listening()
            super().handle_int()

    return DrainingMultiprocess


def run_server(settings: Settings, sock: socket.socket, workers: int) -> None:
    """Serve the app on ``sock`` with ``workers`` processes until a signal stops it."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    config = uvicorn.Config("wikigate.app:create_app", host=host, port=port,
                            **uvicorn_options(settings, workers))
    if workers > 1:
        _draining_multiprocess()(config, sockets=[sock]).run()
        return
    server = uvicorn.Server(config)
    # One process: uvicorn's own shutdown closes the socket first thing.
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(3)
