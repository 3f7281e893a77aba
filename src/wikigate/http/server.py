"""uvicorn's httptools protocol with the two limits it lacks: header size and header time.

uvicorn (with httptools, which ``uvicorn[standard]`` selects) accepts request headers of
any size (httptools buffers a header value until it is complete) and waits for them
forever: its keep-alive timer only runs between requests, and any byte cancels it, so a
client sending one header byte every few seconds (slowloris) holds a connection open
indefinitely. This subclass

* counts the bytes of the request line and headers and answers ``431 Request Header
  Fields Too Large`` (then closes) as soon as they exceed ``http.max_header_bytes``;
* closes a connection whose request headers are not complete ``http.header_timeout_seconds``
  after the connection was opened or the request's first byte arrived, with ``408``.

It is selected with uvicorn's ``http`` option (``wikigate serve`` does it). Its limits
come from the wikigate settings of the application it serves, so every worker process
uses the configured values without any global state.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from wikigate.config import HttpSettings, Settings

log = logging.getLogger("wikigate.http")

#: The ``--http`` value for uvicorn.
PROTOCOL = "wikigate.http.server:GuardedHttpToolsProtocol"


def _http_settings(app: Any) -> HttpSettings:
    """The ``[http]`` settings of the wikigate application, found below uvicorn's
    middleware (proxy headers, logging), which keep the wrapped app as ``.app``."""
    for _ in range(8):
        settings = getattr(app, "settings", None)
        if isinstance(settings, Settings):
            return settings.http
        app = getattr(app, "app", None)
        if app is None:
            break
    return HttpSettings()


class _HeadersTooLarge(Exception):
    pass


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        limits = _http_settings(self.app)
        self.max_header_bytes = limits.max_header_bytes
        self.header_timeout = float(limits.header_timeout_seconds)
        self._awaiting_headers = True
        self._header_bytes = 0
        self._header_timer: asyncio.TimerHandle | None = None
        self._rejection: int | None = None

    # -- the header timeout ------------------------------------------------------------

    def _arm_header_timer(self) -> None:
        if self._header_timer is None and self.header_timeout > 0:
            self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if self._awaiting_headers and not self.transport.is_closing():
            log.info("closing a connection from %s: request headers not complete within %ss",
                     self.client[0] if self.client else "?", self.header_timeout)
            self._reject(408, "Request headers were not received in time.")

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # Until the first request's headers are complete; a connection that sends nothing
        # at all is closed by the same timer.
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._awaiting_headers = True
        self._header_bytes = 0
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        size = len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
        if size > self.max_header_bytes:
            self._rejection = 431
            raise _HeadersTooLarge()  # httptools stops and raises HttpParserCallbackError
        self._awaiting_headers = False
        self._disarm_header_timer()
        super().on_headers_complete()

    # -- the header size ---------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        waiting = self._awaiting_headers
        super().data_received(data)
        if self.transport.is_closing() or not (waiting and self._awaiting_headers):
            return
        # Still inside the request line/headers after this chunk: all of it was header
        # bytes. (A chunk that completes the headers is checked in on_headers_complete.)
        self._header_bytes += len(data)
        if self._header_bytes > self.max_header_bytes:
            self._reject(431, "Request header fields too large.")

    def send_400_response(self, msg: str) -> None:
        if self._rejection == 431:
            self._reject(431, "Request header fields too large.")
            return
        super().send_400_response(msg)

    def _reject(self, status: int, msg: str) -> None:
        body = msg.encode("ascii")
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [b"content-type: text/plain; charset=utf-8\r\n",
                 b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                 b"connection: close\r\n\r\n", body]
        self._awaiting_headers = False
        self._disarm_header_timer()
        self.transport.write(b"".join(head))
        self.transport.close()


__all__ = ["PROTOCOL", "GuardedHttpToolsProtocol"]
