"""The long fuzz run: ``python -m tests.fuzz --requests 500000`` (from the repository root).

Prints the seed first (random unless ``--seed`` is given), progress every 10 000
requests, then the summary: requests, time, latency percentiles, failures grouped by
class with one shrunk, replayable request each, and the counts of the classes in
``KNOWN_FIXED_ELSEWHERE``. Exit status 1 if anything outside that list failed.

Replay one request of a run: ``--seed S --start I --requests 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
from pathlib import Path
from typing import Any

from tests.fuzz import engine, targets


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=500_000, help="requests to send (default 500000)")
    ap.add_argument("--seed", type=int, default=None, help="seed (default: random, printed)")
    ap.add_argument("--start", type=int, default=0, help="skip the first N generated requests")
    ap.add_argument("--live", action="store_true",
                    help="fuzz a real `wikigate serve` subprocess instead of the app in-process")
    ap.add_argument("--workers", type=int, default=2, help="worker processes with --live (default 2)")
    ap.add_argument("--api-share", type=float, default=0.9, help="share of api.php requests (rest: index.php)")
    ap.add_argument("--no-shrink", action="store_true", help="report failing requests as generated")
    ap.add_argument("--data-dir", type=Path, default=None, help="keep the wiki here (default: temporary)")
    ap.add_argument("--database-url", default="",
                    help="an empty PostgreSQL/MariaDB database for the in-process app (default: SQLite)")
    ap.add_argument("--redis-url", default="", help="Redis for sessions and throttles (in-process app)")
    args = ap.parse_args(argv)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**32)
    where = f"live server ({args.workers} workers)" if args.live else "in-process app"
    print(f"fuzz: seed={seed} requests={args.requests} start={args.start} target={where}", flush=True)

    def progress(r: engine.Report) -> None:
        print(f"fuzz: {r.requests} requests, {r.elapsed:.0f}s, failures={len(r.real_failures)}, "
              f"known={sum(r.known.values())}", flush=True)

    async def go() -> engine.Report:
        target: Any
        if args.live:
            target, close = await targets.live(args.data_dir, args.workers)
        else:
            target, close = await targets.in_process(args.data_dir, args.database_url, args.redis_url)
        try:
            return await engine.run(target, seed=seed, requests=args.requests, start=args.start,
                                    shrink=not args.no_shrink, progress=progress, api_share=args.api_share)
        finally:
            await close()

    report = asyncio.run(go())
    print(report.summary(), flush=True)
    return 1 if report.real_failures else 0


if __name__ == "__main__":
    sys.exit(main())
