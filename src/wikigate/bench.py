"""``python -m wikigate.bench``: wikigate and the MediaWiki reference, side by side.

One command for docs/performance.md: it starts a fresh wikigate as it would run in
production (SQLite in a new data directory, ``--workers 2``, default password hashing,
log level ``warning``), creates the ``Admin`` account, runs the shared harness
``bench.py`` (../shared/tools/bench, wrk and an asyncio flow driver) with the reference as
target A and wikigate as target B — interleaved A B A B, so both see the same machine —
and reports the resident memory of every wikigate worker before and after the load.
The server is stopped at the end; the data directory is removed unless ``--keep``.

    python -m wikigate.bench                       # tokens-anon, userinfo-session, login flows
    python -m wikigate.bench --quick               # pass/fail in < 1 min
    python -m wikigate.bench --scenarios tokens-anon --json /tmp/b.json

Every option not listed in ``--help`` is handed to bench.py (e.g. ``--rounds 3``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

DEFAULT_SCENARIOS = "tokens-anon,userinfo-session,login-flow,clientlogin-flow,createaccount-flow"
ADMIN = ("Admin", "AdminPassw0rd!2026")


def _default_bench_py() -> str:
    here = Path(__file__).resolve()
    for base in [Path.cwd(), *here.parents]:
        candidate = base.parent / "shared" / "tools" / "bench" / "bench.py"
        if candidate.is_file():
            return str(candidate)
    return "../shared/tools/bench/bench.py"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"wikigate exited with status {proc.returncode} during start-up")
        try:
            with urllib.request.urlopen(f"{url}?action=query&meta=siteinfo&format=json", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"wikigate did not answer at {url} within {timeout:.0f} s")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    out: list[int] = []
    for c in text.split():
        out.append(int(c))
        out += _children(int(c))
    return out


def _rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def worker_pids(server_pid: int) -> list[int]:
    """The uvicorn worker processes under a ``wikigate serve`` supervisor (Linux /proc)."""
    return [pid for pid in _children(server_pid) if "resource_tracker" not in _cmdline(pid)]


def memory_report(server_pid: int) -> dict[str, int]:
    """RSS (KiB) of the supervisor and each uvicorn worker (the multiprocessing
    resource tracker is left out: it is not a server process)."""
    out: dict[str, int] = {}
    rss = _rss_kib(server_pid)
    if rss:
        out["supervisor"] = rss
    n = 0
    for pid in worker_pids(server_pid):
        rss = _rss_kib(pid)
        if rss:
            n += 1
            out[f"worker{n}"] = rss
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m wikigate.bench", description=__doc__.split("\n\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ref", default="http://127.0.0.1:8081/api.php", help="reference api.php (target A)")
    p.add_argument("--ref-admin", default=":".join(ADMIN), help="USER:PASS of a sysop on the reference")
    p.add_argument("--port", type=int, default=0, help="port for wikigate (default: a free one)")
    p.add_argument("--workers", type=int, default=2, help="wikigate worker processes (default 2)")
    p.add_argument("--scenarios", default=DEFAULT_SCENARIOS, help=f"bench.py scenarios (default {DEFAULT_SCENARIOS})")
    p.add_argument("--bench-py", default=_default_bench_py(), help="path of the shared bench.py")
    p.add_argument("--json", metavar="OUT", help="write bench.py's JSON report (plus memory) here")
    p.add_argument("--quick", action="store_true", help="bench.py --quick (pass/fail, < 1 min)")
    p.add_argument("--keep", action="store_true", help="keep the data directory")
    p.add_argument("--config", metavar="TOML", help="extra TOML appended to the generated configuration")
    args, passthrough = p.parse_known_args(argv)

    if not Path(args.bench_py).is_file():
        p.error(f"bench.py not found at {args.bench_py} (use --bench-py)")
    port = args.port or _free_port()
    work = Path(tempfile.mkdtemp(prefix="wikigate-bench-"))
    conf = work / "wikigate.toml"
    conf.write_text(
        "[site]\nsitename = \"RefWiki\"\n"
        f"[storage]\ndata_dir = \"{work / 'data'}\"\n"
        f"[server]\nlog_level = \"warning\"\nworkers = {args.workers}\nport = {port}\n"
        + (Path(args.config).read_text() if args.config else ""),
        encoding="utf-8",
    )
    exe = [sys.executable, "-c", "from wikigate.cli.main import main; main()"]
    env = dict(os.environ, WIKIGATE_CONFIG=str(conf))
    subprocess.run([*exe, "-c", str(conf), "user", "create", ADMIN[0], "--group", "sysop", "--group",
                    "bureaucrat", "--password-stdin"], input=ADMIN[1].encode(), check=True, env=env,
                   stdout=subprocess.DEVNULL)
    log = open(work / "server.log", "wb")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen([*exe, "-c", str(conf), "serve", "--port", str(port), "--workers",
                               str(args.workers)], stdout=log, stderr=subprocess.STDOUT, env=env,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}/api.php"
    rc = 1
    try:
        _wait_ready(url, server)
        mem_before = memory_report(server.pid)
        out_json = args.json or str(work / "bench.json")
        cmd = [sys.executable, args.bench_py, "--a", args.ref, "--a-admin", args.ref_admin,
               "--b", url, "--b-admin", ":".join(ADMIN), "--scenarios", args.scenarios, "--json", out_json,
               *(["--quick"] if args.quick else []), *passthrough]
        print("+", " ".join(c if "Passw" not in c else "***" for c in cmd), flush=True)
        rc = subprocess.run(cmd).returncode
        mem_after = memory_report(server.pid)
        print("\nwikigate memory (RSS, MiB): " + ", ".join(
            f"{k} {mem_before.get(k, 0) / 1024:.0f} -> {v / 1024:.0f}" for k, v in mem_after.items()))
        try:
            report = json.loads(Path(out_json).read_text())
            report["wikigate_memory_kib"] = {"before": mem_before, "after": mem_after}
            report["wikigate_config"] = conf.read_text()
            Path(out_json).write_text(json.dumps(report, indent=1))
        except (OSError, ValueError):
            pass
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)  # our own session: the supervisor and its workers
            server.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"data, configuration and server log kept in {work}")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
