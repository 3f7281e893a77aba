"""Redis-backed :class:`~wikigate.storage.kv.KeyValueStore` for several processes or hosts."""

from __future__ import annotations

import math

from redis.asyncio import Redis

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


class RedisKeyValueStore:
    def __init__(self, url: str, prefix: str = "wikigate:") -> None:
        self._redis = Redis.from_url(url)
        self._prefix = prefix
        self._incr = self._redis.register_script(_INCR)
        self._decr = self._redis.register_script(_DECR)

    @staticmethod
    def _ms(ttl: float) -> int:
        return max(1, math.ceil(ttl * 1000))

    async def get(self, key: str) -> bytes | None:
        value = await self._redis.get(self._prefix + key)
        return bytes(value) if value is not None else None

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        await self._redis.set(self._prefix + key, value, px=self._ms(ttl))

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        return bool(await self._redis.set(self._prefix + key, value, px=self._ms(ttl), nx=True))

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def incr(self, key: str, ttl: float) -> int:
        return int(await self._incr(keys=[self._prefix + key], args=[self._ms(ttl)]))

    async def decr(self, key: str) -> int:
        return int(await self._decr(keys=[self._prefix + key]))

    async def get_int(self, key: str) -> int:
        value = await self._redis.get(self._prefix + key)
        return int(value) if value is not None else 0

    async def ttl(self, key: str) -> float:
        ms = int(await self._redis.pttl(self._prefix + key))
        return ms / 1000 if ms > 0 else 0.0

    async def ping(self) -> bool:
        return bool(await self._redis.ping())

    async def close(self) -> None:
        await self._redis.aclose()
