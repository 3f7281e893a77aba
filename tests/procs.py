"""Linux /proc helpers for the harnesses that start ``wikigate serve`` as a process
(tests/multi, tests/faults and the benchmark in bench/): the worker processes under the
supervisor and their resident memory."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    out: list[int] = []
    for c in text.split():
        out.append(int(c))
        out += children(int(c))
    return out


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def worker_pids(server_pid: int) -> list[int]:
    """The uvicorn worker processes under a ``wikigate serve`` supervisor (Linux /proc)."""
    return [pid for pid in children(server_pid) if "resource_tracker" not in cmdline(pid)]
