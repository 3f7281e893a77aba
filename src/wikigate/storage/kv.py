"""The key-value store behind sessions, throttles, rate limits and authentication flows.

Three implementations, chosen by configuration (``storage.redis_url``):

* :class:`wikigate.storage.sql.kv.SqlKeyValueStore` — a table in the main database; the
  embedded default, shared by every worker process (and by every host on PostgreSQL or
  MariaDB) without any extra service;
* :class:`wikigate.storage.redis.RedisKeyValueStore` — Redis, for scaled-out deployments;
* :class:`MemoryKeyValueStore` — one process only, for unit tests.

Counters use fixed windows: the TTL is set when a counter is created and not extended by
later increments, which is MediaWiki's throttle semantics.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class KeyValueStore(Protocol):
    async def get(self, key: str) -> bytes | None: ...

    async def set(self, key: str, value: bytes, ttl: float) -> None: ...

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Set only if absent (or expired); True if this call set it."""
        ...

    async def delete(self, key: str) -> None: ...

    async def incr(self, key: str, ttl: float) -> int:
        """Atomically add one; a new counter starts at 1 and expires ``ttl`` seconds later."""
        ...

    async def decr(self, key: str) -> int:
        """Atomically take one back from a live counter (never below 0; expiry kept).

        Returns the new value, 0 if the counter is absent or expired (nothing created).
        Used to give back a throttle slot that was reserved by :meth:`incr` but not used."""
        ...

    async def get_int(self, key: str) -> int: ...

    async def ttl(self, key: str) -> float:
        """Seconds until a live counter expires; 0 if it is absent or expired."""
        ...

    async def close(self) -> None: ...


class MemoryKeyValueStore:
    """Dictionary-backed store for tests and single-process tools; honours TTLs."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._data: dict[str, tuple[bytes, float]] = {}
        self._clock = clock

    def _live(self, key: str) -> tuple[bytes, float] | None:
        item = self._data.get(key)
        if item is not None and item[1] <= self._clock():
            del self._data[key]
            return None
        return item

    async def get(self, key: str) -> bytes | None:
        item = self._live(key)
        return item[0] if item else None

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        self._data[key] = (value, self._clock() + ttl)

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        if self._live(key) is not None:
            return False
        self._data[key] = (value, self._clock() + ttl)
        return True

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def incr(self, key: str, ttl: float) -> int:
        item = self._live(key)
        if item is None:
            self._data[key] = (b"1", self._clock() + ttl)
            return 1
        n = int(item[0]) + 1
        self._data[key] = (str(n).encode(), item[1])
        return n

    async def decr(self, key: str) -> int:
        item = self._live(key)
        if item is None:
            return 0
        n = max(0, int(item[0]) - 1)
        self._data[key] = (str(n).encode(), item[1])
        return n

    async def get_int(self, key: str) -> int:
        item = self._live(key)
        return int(item[0]) if item else 0

    async def ttl(self, key: str) -> float:
        item = self._live(key)
        return max(0.0, item[1] - self._clock()) if item else 0.0

    async def close(self) -> None:
        self._data.clear()
