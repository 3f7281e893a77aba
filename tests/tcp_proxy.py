"""A small TCP proxy for fault tests: put it in front of a shared service (PostgreSQL,
MariaDB, Redis) and make that service look down or frozen to the code under test,
without ever stopping or reconfiguring the service itself.

* :meth:`TcpProxy.down` closes every proxied connection and the listening socket:
  new connections are refused, as when the server is stopped;
* :meth:`TcpProxy.freeze` keeps connections open but forwards nothing (new ones are
  accepted and then hang), as when the server is stopped with SIGSTOP or the network
  drops packets;
* :meth:`TcpProxy.restore` ends either fault (the port stays the same).

Threads, not asyncio, so it serves tests that drive subprocesses as well as tests that
run an event loop of their own.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Iterator


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._listener: socket.socket | None = None
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._frozen = threading.Event()
        self._stopped = threading.Event()
        self._listen()

    # -- control -----------------------------------------------------------------------

    def down(self) -> None:
        with self._lock:
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            for s in list(self._conns):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._conns.clear()

    def freeze(self) -> None:
        self._frozen.set()

    def restore(self) -> None:
        self._frozen.clear()
        with self._lock:
            listening = self._listener is not None
        if not listening:
            self._listen()

    def close(self) -> None:
        self._stopped.set()
        self.down()

    # -- machinery ---------------------------------------------------------------------

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        with self._lock:
            self._listener = sock
        threading.Thread(target=self._accept, args=(sock,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by down()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                if self._listener is not listener:  # went down meanwhile
                    client.close()
                    upstream.close()
                    return
                self._conns |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while not self._stopped.is_set():
                if self._frozen.is_set():
                    self._frozen_wait()
                    continue
                try:
                    readable, _, _ = select.select([a, b], [], [], 0.1)
                except (OSError, ValueError):
                    return
                for s in readable:
                    if self._frozen.is_set():
                        break
                    data = s.recv(65536)
                    if not data:
                        return
                    peers[s].sendall(data)
        except OSError:
            return
        finally:
            with self._lock:
                self._conns.discard(a)
                self._conns.discard(b)
            a.close()
            b.close()

    def _frozen_wait(self) -> None:
        while self._frozen.is_set() and not self._stopped.is_set():
            self._stopped.wait(0.05)


@contextlib.contextmanager
def tcp_proxy(host: str, port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(host, port)
    try:
        yield proxy
    finally:
        proxy.close()
