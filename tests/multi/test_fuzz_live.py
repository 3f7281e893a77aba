"""The fuzzer against a real ``wikigate serve`` (uvicorn, two worker processes): HTTP
parsing, real sockets and the server log, which the in-process run does not cover."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fuzz import engine, targets

LIVE_SEED = 1203
LIVE_REQUESTS = 1_500


async def test_fuzz_live_server(tmp_path: Path) -> None:
    requests = int(os.environ.get("WIKIGATE_FUZZ_LIVE_REQUESTS", LIVE_REQUESTS))
    target, close = await targets.live(tmp_path, workers=2)
    try:
        report = await engine.run(target, seed=LIVE_SEED, requests=requests)
    finally:
        await close()
    print(report.summary())
    assert report.requests == requests
    assert not report.real_failures, report.summary()
