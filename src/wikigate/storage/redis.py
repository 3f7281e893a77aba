"""Redis-backed :class:`~wikigate.storage.kv.KeyValueStore` for several processes or hosts.

Faults (issue 15, finding 3; docs/operations.md):

* **Restart.** Every pooled connection is stale afterwards. A command whose connection
  breaks is retried on a fresh connection (redis-py ``Retry``, jittered backoff of a few
  milliseconds), and a connection idle longer than ``health_check_interval`` is checked
  with PING before use — so a restart costs no request an error once Redis answers again.
* **Frozen / unreachable.** Connect and reply timeouts well under a second bound how long
  one call waits; timeouts are not retried (a frozen server would multiply them). After
  a failure the store answers "unavailable" at once for a short while
  (:data:`_BREAKER_SECONDS`) instead of letting every request wait out its own timeout.
  The error is a ``redis.exceptions.ConnectionError``, which the API turns into a 503.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

if TYPE_CHECKING:
    from wikigate.config import StorageSettings

T = TypeVar("T")

# INCR then set the expiry only when the key is new: a fixed window, atomic in Redis.
_INCR = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""

# Take one back from a live counter, never below 0, keeping its expiry (KEEPTTL needs
# Redis 6; DECR keeps the TTL anyway). A missing key stays missing.
_DECR = """
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if tonumber(v) <= 0 then return 0 end
return redis.call('DECR', KEYS[1])
"""


#: After a timeout or refused connection, fail calls at once for this long (one process).
_BREAKER_SECONDS = 1.0


class KeyValueStoreUnavailable(RedisConnectionError):
    """Redis failed moments ago; not tried again yet (see :data:`_BREAKER_SECONDS`)."""


class RedisKeyValueStore:
    def __init__(self, url: str, prefix: str = "wikigate:", *, connect_timeout: float = 0.5,
                 socket_timeout: float = 0.5, retries: int = 2, health_check_interval: int = 10) -> None:
        self._redis = Redis.from_url(
            url, socket_connect_timeout=connect_timeout, socket_timeout=socket_timeout,
            retry=Retry(ExponentialWithJitterBackoff(base=0.005, cap=0.05), retries,
                        supported_errors=(RedisConnectionError,)),
            # Only broken connections are retried, never timeouts (a frozen server).
            retry_on_error=[RedisConnectionError],
            health_check_interval=health_check_interval)
        self._prefix = prefix
        self._incr = self._redis.register_script(_INCR)
        self._decr = self._redis.register_script(_DECR)
        self._down_until = 0.0

    @classmethod
    def from_settings(cls, st: StorageSettings) -> RedisKeyValueStore:
        return cls(st.redis_url, connect_timeout=st.redis_connect_timeout, socket_timeout=st.redis_socket_timeout,
                   retries=st.redis_retries, health_check_interval=st.redis_health_check_interval)

    async def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        if time.monotonic() < self._down_until:
            raise KeyValueStoreUnavailable("Redis failed less than a second ago; not retried yet")
        try:
            return await fn()
        except (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError):
            self._down_until = time.monotonic() + _BREAKER_SECONDS
            raise

    @staticmethod
    def _ms(ttl: float) -> int:
        return max(1, math.ceil(ttl * 1000))

    async def get(self, key: str) -> bytes | None:
        value = await self._call(lambda: self._redis.get(self._prefix + key))
        if value is None:
            return None
        return value.encode() if isinstance(value, str) else bytes(value)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        await self._call(lambda: self._redis.set(self._prefix + key, value, px=self._ms(ttl)))

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        return bool(await self._call(lambda: self._redis.set(self._prefix + key, value, px=self._ms(ttl), nx=True)))

    async def delete(self, key: str) -> None:
        await self._call(lambda: self._redis.delete(self._prefix + key))

    async def incr(self, key: str, ttl: float) -> int:
        return int(await self._call(lambda: self._incr(keys=[self._prefix + key], args=[self._ms(ttl)])))

    async def decr(self, key: str) -> int:
        return int(await self._call(lambda: self._decr(keys=[self._prefix + key])))

    async def get_int(self, key: str) -> int:
        value = await self._call(lambda: self._redis.get(self._prefix + key))
        return int(value) if value is not None else 0

    async def ttl(self, key: str) -> float:
        ms = int(await self._call(lambda: self._redis.pttl(self._prefix + key)))
        return ms / 1000 if ms > 0 else 0.0

    async def ping(self) -> bool:
        return bool(await self._call(lambda: self._redis.ping()))

    async def close(self) -> None:
        await self._redis.aclose()
