"""Password hashing off the event loop, in a bounded thread pool.

PBKDF2 (hashlib), argon2-cffi and bcrypt all release the GIL while they work, so threads
give real parallelism; one thread per CPU saturates the machine without
oversubscribing it. The number of jobs waiting is bounded (``passwords.hash_queue``):
past that, :class:`HashQueueFull` is raised instead of letting latency grow without
limit, so requests that do not hash keep being served while logins saturate the CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from wikigate.auth.passwords.hashing import PasswordHasher, hash_config
from wikigate.config import PasswordSettings

T = TypeVar("T")


#: Nice increment of the hashing threads (Linux: per thread).
HASH_THREAD_NICE = 10


def lower_thread_priority() -> None:
    """Run the calling thread at a lower CPU priority (nice +10) where the OS allows it.

    With logins saturating the CPU every core has hashing threads ready to run; at equal
    priority the event loop waits its turn behind them, and requests that never hash
    (tokens, userinfo) get their latency from the scheduler's time slices. At nice +10 the
    event loop and the SQLite writer preempt a hash at once, and hashes still get every
    cycle nobody else wants, so login throughput does not drop. Lowering one's own
    priority needs no privilege; on systems without per-thread priorities it is a no-op.
    """
    if not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    tid = threading.get_native_id()
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + HASH_THREAD_NICE)


class HashQueueFull(Exception):
    """Too many password hashes are waiting; try again later."""


class HashingService:
    def __init__(self, settings: PasswordSettings) -> None:
        self.hasher = PasswordHasher(hash_config(settings))
        self.threads = settings.hash_threads or os.cpu_count() or 2
        self._pool: ThreadPoolExecutor | None = None
        self._limit = settings.hash_queue + self.threads
        self._pending = 0

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="wikigate-hash",
                                            initializer=lower_thread_priority)
        return self._pool

    async def _run(self, fn: Callable[[], T]) -> T:
        if self._pending >= self._limit:
            raise HashQueueFull()
        self._pending += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor(), fn)
        finally:
            self._pending -= 1

    async def hash(self, password: str) -> str:
        return await self._run(lambda: self.hasher.hash(password))

    async def verify(self, stored: str | None, password: str, *, user_id: int | None = None) -> bool:
        return await self._run(lambda: self.hasher.verify(stored, password, user_id=user_id))

    async def dummy_verify(self, password: str) -> None:
        """Spend the time of a real verification (unknown users must not be faster)."""
        await self._run(lambda: self.hasher.dummy_verify(password))

    def needs_rehash(self, stored: str | None) -> bool:
        return self.hasher.needs_rehash(stored)

    async def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
