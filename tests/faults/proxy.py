"""A TCP proxy that can fail on command, for fault tests against the shared services.

The proxy runs its own event loop in a thread, so it works the same in front of an
in-process app (whose loop belongs to the test) and of ``wikigate serve`` subprocesses.
The shared PostgreSQL/MariaDB/Redis are never stopped: the faults happen in the proxy.

* :meth:`refuse` — the service is down: every open connection is reset and new ones are
  refused (the listening socket is closed), until :meth:`restore`.
* :meth:`drop` — the service restarted: open connections are reset, new ones work.
* :meth:`freeze` — the service hangs: connections stay open and new ones are accepted,
  but no byte is forwarded in either direction until :meth:`restore`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from typing import Any


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="fault-proxy", daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._conns: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter | None]] = set()
        self._flowing: asyncio.Event | None = None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])

    # -- control (called from the test's thread) -------------------------------------------

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=10)

    def start(self) -> TcpProxy:
        self._thread.start()
        self._call(self._init())
        self._call(self._listen())
        return self

    def refuse(self) -> None:
        self._call(self._refuse())

    def drop(self) -> None:
        self._call(self._reset_all())

    def freeze(self) -> None:
        self._call(self._freeze())

    def restore(self) -> None:
        self._call(self._restore())

    def close(self) -> None:
        self._call(self._refuse())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)

    # -- inside the proxy's loop -----------------------------------------------------------

    async def _init(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def _refuse(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        await self._reset_all()

    async def _reset_all(self) -> None:
        for client, upstream in list(self._conns):
            for w in (client, upstream):
                if w is None:
                    continue
                sock = w.get_extra_info("socket")
                try:
                    if sock is not None:  # RST, as a crashed server's kernel would send
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    w.close()
                except OSError:
                    pass
        self._conns.clear()

    async def _freeze(self) -> None:
        assert self._flowing is not None
        self._flowing.clear()

    async def _restore(self) -> None:
        assert self._flowing is not None
        self._flowing.set()
        await self._listen()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        entry: tuple[asyncio.StreamWriter, asyncio.StreamWriter | None] = (writer, None)
        self._conns.add(entry)
        try:
            await self._flowing.wait()
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._conns.discard(entry)
            writer.close()
            return
        if entry not in self._conns:  # reset while connecting
            up_writer.close()
            return
        self._conns.discard(entry)
        entry = (writer, up_writer)
        self._conns.add(entry)
        await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer),
                             return_exceptions=True)
        self._conns.discard(entry)
        for w in (writer, up_writer):
            with contextlib.suppress(OSError):
                w.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert self._flowing is not None
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await self._flowing.wait()  # frozen: hold the bytes
            writer.write(data)
            await writer.drain()
        with contextlib.suppress(OSError):
            writer.write_eof()
