"""Hashing threads run below the event loop's priority (issue 3: hashing must not starve it)."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from wikigate.auth.hashpool import HASH_THREAD_NICE, HashingService
from wikigate.config import PasswordSettings


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux behaviour")
async def test_hash_threads_are_niced_and_the_loop_is_not() -> None:
    service = HashingService(PasswordSettings(pbkdf2_iterations=1000))
    main_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[int] = []

    def probe() -> str:
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return "x"

    try:
        assert await service._run(probe) == "x"
        stored = await service.hash("Correct-Horse-7")
        assert await service.verify(stored, "Correct-Horse-7")
    finally:
        await service.stop()
    assert seen == [min(main_nice + HASH_THREAD_NICE, 19)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == main_nice
