"""Load drivers for ``python -m bench`` that the shared harness does not have.

The shared bench.py measures throughput with closed-loop drivers (wrk, and an asyncio flow
driver): every connection sends its next request only when the previous answer is in, so
a slow server is offered less load and its tail latency looks better than what clients
at a fixed rate would see ("coordinated omission"). Issues 2 and 3 ask for latency *at a
given load*, so this module adds:

* :func:`open_loop` -- a fixed-rate (open-loop) HTTP/1.1 load generator. Request *i* is
  due at ``t0 + i / rate`` whatever happened to earlier ones; its latency is counted from
  that due time (as wrk2 does), so a stall delays every request due meanwhile and shows
  up in p99. It runs on uvloop with a bare ``asyncio.Protocol`` (~20-30 µs of driver CPU
  per request), so one process offers ~3 000 req/s while leaving the cores to the server.
* :func:`login_flows` -- the bot login flow of bench.py (login token, ``action=login``,
  csrf token), ``concurrency`` flows at a time in a loop, to saturate the CPU with
  password hashing while :func:`open_loop` probes the latency of non-hashing requests.

Standard library only (uvloop when installed); loopback targets are what it is meant for.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

UA = "wikigate-bench/1.0 (loopback load driver)"


class HttpError(Exception):
    pass


_CLEN = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r]*chunked", re.IGNORECASE)
_COOKIE = re.compile(rb"\r\nset-cookie:[ \t]*([^\r]*)", re.IGNORECASE)


@dataclass(slots=True)
class Reply:
    status: int
    body: bytes
    head: bytes

    @property
    def cookies(self) -> list[str]:
        """Set-Cookie values (parsed only when asked: the fixed-rate probes never need them)."""
        return [m.decode("latin-1").strip() for m in _COOKIE.findall(self.head)]


class _Conn(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; one request at a time; Content-Length bodies
    (what uvicorn sends for wikigate's fully built responses) and chunked ones.

    Kept lean on purpose: at 3 000 req/s the driver shares the two cores with the server,
    so every microsecond it spends per request is taken from the server it measures."""

    def __init__(self) -> None:
        self.transport: Any = None  # an asyncio or uvloop transport
        self.buf = b""
        self.waiter: asyncio.Future[Reply] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(HttpError(f"connection lost: {exc!r}"))

    def data_received(self, data: bytes) -> None:
        self.buf = self.buf + data if self.buf else data
        reply = self._parse()
        if reply is not None and self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(reply)

    def _parse(self) -> Reply | None:
        buf = self.buf
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = buf[: end + 2]  # keeps the CRLF before each header line for the patterns
        status = int(head[9:12])
        start = end + 4
        if _CHUNKED.search(head):
            parts: list[bytes] = []
            pos = start
            while True:
                nl = buf.find(b"\r\n", pos)
                if nl < 0:
                    return None
                size = int(buf[pos:nl].split(b";", 1)[0], 16)
                if size == 0:
                    if len(buf) < nl + 4:
                        return None
                    self.buf = buf[nl + 4 :]
                    return Reply(status, b"".join(parts), head)
                if len(buf) < nl + 2 + size + 2:
                    return None
                parts.append(buf[nl + 2 : nl + 2 + size])
                pos = nl + 2 + size + 2
        m = _CLEN.search(head)
        clen = int(m.group(1)) if m else 0
        if len(buf) < start + clen:
            return None
        self.buf = buf[start + clen :]
        return Reply(status, buf[start : start + clen], head)

    async def request(self, data: bytes) -> Reply:
        if self.closed or self.transport is None:
            raise HttpError("connection closed")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        self.closed = True


@dataclass
class Target:
    host: str
    port: int
    path: str

    @classmethod
    def from_url(cls, url: str) -> Target:
        u = urlsplit(url)
        return cls(u.hostname or "127.0.0.1", u.port or 80, u.path or "/api.php")

    async def connect(self) -> _Conn:
        loop = asyncio.get_running_loop()
        _, proto = await loop.create_connection(_Conn, self.host, self.port)
        return proto

    def raw(self, method: str, params: dict[str, str], jar: dict[str, str] | None = None) -> bytes:
        head = [f"Host: {self.host}:{self.port}", f"User-Agent: {UA}", "Accept: application/json"]
        if jar:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in jar.items()))
        qs = urlencode({"format": "json", **params})
        if method == "GET":
            return (f"GET {self.path}?{qs} HTTP/1.1\r\n" + "\r\n".join(head) + "\r\n\r\n").encode()
        body = qs.encode()
        head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        return (f"POST {self.path} HTTP/1.1\r\n" + "\r\n".join(head) + "\r\n\r\n").encode() + body


def update_jar(jar: dict[str, str], set_cookies: list[str]) -> None:
    for sc in set_cookies:
        first, *attrs = sc.split(";")
        name, _, value = first.strip().partition("=")
        dead = value in ("", "deleted") or any(
            a.strip().lower().startswith("expires=") and "1970" in a for a in attrs)
        if dead:
            jar.pop(name, None)
        elif name:
            jar[name] = value


class Client:
    """api.php calls with a cookie jar over one connection (for set-up and the flows)."""

    def __init__(self, target: Target) -> None:
        self.t = target
        self.conn: _Conn | None = None
        self.jar: dict[str, str] = {}

    async def call(self, method: str, params: dict[str, str]) -> Any:
        if self.conn is None or self.conn.closed:
            self.conn = await self.t.connect()
        reply = await self.conn.request(self.t.raw(method, params, self.jar))
        update_jar(self.jar, reply.cookies)
        if reply.status != 200:
            raise HttpError(f"HTTP {reply.status}: {reply.body[:200]!r}")
        return json.loads(reply.body)

    async def token(self, kind: str) -> str:
        d = await self.call("GET", {"action": "query", "meta": "tokens", "type": kind})
        return str(d["query"]["tokens"][kind + "token"])

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


async def create_account(target: Target, name: str, password: str) -> None:
    c = Client(target)
    try:
        tok = await c.token("createaccount")
        d = await c.call("POST", {"action": "createaccount", "username": name, "password": password,
                                  "retype": password, "createreturnurl": "http://127.0.0.1/",
                                  "createtoken": tok})
        if (d.get("createaccount") or {}).get("status") != "PASS":
            raise HttpError(f"createaccount {name}: {json.dumps(d)[:300]}")
    finally:
        c.close()


async def session_cookies(target: Target, name: str, password: str) -> dict[str, str]:
    """A logged-in session (clientlogin), for the ``meta=userinfo|tokens`` probe."""
    c = Client(target)
    try:
        tok = await c.token("login")
        d = await c.call("POST", {"action": "clientlogin", "username": name, "password": password,
                                  "logintoken": tok, "loginreturnurl": "http://127.0.0.1/"})
        if (d.get("clientlogin") or {}).get("status") != "PASS":
            raise HttpError(f"clientlogin {name}: {json.dumps(d)[:300]}")
        return dict(c.jar)
    finally:
        c.close()


def _pct(sorted_vals: list[float], q: float) -> float | None:
    if not sorted_vals:
        return None
    # nearest rank: the smallest value with at least q % of the values at or below it
    i = min(len(sorted_vals) - 1, max(0, math.ceil(q / 100.0 * len(sorted_vals)) - 1))
    return sorted_vals[i]


def _ms(v: float | None) -> float | None:
    return None if v is None else round(v * 1000.0, 2)


@dataclass
class OpenLoopResult:
    rate_offered: float
    sent: int = 0
    ok: int = 0
    errors: int = 0
    duration_s: float = 0.0
    lat: list[float] = field(default_factory=list)  # from the due time (wrk2's "corrected")
    lat_sent: list[float] = field(default_factory=list)  # from the actual write
    max_conns: int = 0  # connections opened (re-opens after errors included)
    max_lag_ms: float = 0.0  # worst lateness of a send (a busy pool included)
    samples: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        lat, sent = sorted(self.lat), sorted(self.lat_sent)
        return {
            "rate_offered": self.rate_offered, "rate_achieved": round(self.ok / self.duration_s, 1)
            if self.duration_s else 0.0, "requests": self.sent, "ok": self.ok, "errors": self.errors,
            "duration_s": round(self.duration_s, 3),
            "p50_ms": _ms(_pct(lat, 50)), "p90_ms": _ms(_pct(lat, 90)), "p99_ms": _ms(_pct(lat, 99)),
            "p999_ms": _ms(_pct(lat, 99.9)), "max_ms": _ms(lat[-1] if lat else None),
            "mean_ms": _ms(statistics.fmean(lat)) if lat else None,
            "p99_from_send_ms": _ms(_pct(sent, 99)),
            "connections": self.max_conns, "driver_max_lag_ms": round(self.max_lag_ms, 2),
            "error_samples": self.samples[:3],
        }


async def open_loop(target: Target, request: bytes, check: Callable[[Reply], bool], rate: float,
                    duration: float, *, conns: int = 32) -> OpenLoopResult:
    """Send ``request`` at a fixed ``rate`` for ``duration`` seconds (open loop).

    Like wrk2: ``conns`` keep-alive connections; whichever is free takes the next request
    in order and sends it at its due time. When every connection is busy the next request
    waits for one, and the wait counts as latency (it is measured from the due time). A
    fixed pool, rather than a new connection per late request, keeps the measurement on
    the server's request path instead of its accept path when a stall piles requests up.
    """
    res = OpenLoopResult(rate_offered=rate)
    n = int(rate * duration)
    # perf_counter, not loop.time(): uvloop's clock has 1 ms resolution
    clock = time.perf_counter
    t0 = clock() + 0.1
    nxt = 0

    async def worker() -> None:
        nonlocal nxt
        conn: _Conn | None = None
        while nxt < n:
            i = nxt
            nxt += 1
            due = t0 + i / rate
            wait = due - clock()
            # the event loop's timers have ~1 ms resolution: a shorter wait is not worth a
            # timer; a request sent up to 0.5 ms early is timed from its actual send
            if wait > 0.0005:
                await asyncio.sleep(wait)
            res.sent += 1
            try:
                if conn is None or conn.closed:
                    conn = await target.connect()
                    res.max_conns += 1
                sent = clock()
                if sent - due > res.max_lag_ms / 1000.0:
                    res.max_lag_ms = (sent - due) * 1000.0
                reply = await conn.request(request)
            except (HttpError, OSError) as e:
                if conn is not None:
                    conn.close()
                conn = None
                res.errors += 1
                if len(res.samples) < 3:
                    res.samples.append(repr(e))
                continue
            end = clock()
            if check(reply):
                res.ok += 1
                res.lat.append(end - min(due, sent))
                res.lat_sent.append(end - sent)
            else:
                res.errors += 1
                if len(res.samples) < 3:
                    res.samples.append(f"HTTP {reply.status}: {reply.body[:200]!r}")
        if conn is not None:
            conn.close()

    tasks = [asyncio.ensure_future(worker()) for _ in range(conns)]
    _done, stuck = await asyncio.wait(tasks, timeout=duration + 60)
    for task in stuck:  # a request with no answer after a minute: an error, not a hang
        task.cancel()
        res.errors += 1
    res.duration_s = clock() - t0
    return res


@dataclass
class FlowResult:
    ok: int = 0
    errors: int = 0
    duration_s: float = 0.0
    lat: list[float] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.lat)
        return {"ok": self.ok, "errors": self.errors, "duration_s": round(self.duration_s, 3),
                "rate": round(self.ok / self.duration_s, 2) if self.duration_s else 0.0,
                "p50_ms": _ms(_pct(lat, 50)), "p99_ms": _ms(_pct(lat, 99)), "error_samples": self.samples[:3]}


async def _one_flow(c: Client, kind: str, user: str, pw: str) -> None:
    """One operation of bench.py's flow scenarios, on a fresh cookie jar."""
    c.jar = {}
    if kind == "createaccount":
        tok = await c.token("createaccount")
        d = await c.call("POST", {"action": "createaccount", "username": user, "password": pw, "retype": pw,
                                  "createreturnurl": "http://127.0.0.1/", "createtoken": tok})
        if (d.get("createaccount") or {}).get("status") != "PASS":
            raise HttpError(f"createaccount: {json.dumps(d)[:300]}")
        return
    tok = await c.token("login")
    if kind == "login":
        d = await c.call("POST", {"action": "login", "lgname": user, "lgpassword": pw, "lgtoken": tok})
        if (d.get("login") or {}).get("result") != "Success":
            raise HttpError(f"login: {json.dumps(d)[:300]}")
    else:
        d = await c.call("POST", {"action": "clientlogin", "username": user, "password": pw,
                                  "logintoken": tok, "loginreturnurl": "http://127.0.0.1/"})
        if (d.get("clientlogin") or {}).get("status") != "PASS":
            raise HttpError(f"clientlogin: {json.dumps(d)[:300]}")
    if await c.token("csrf") == "+\\":
        raise HttpError("anonymous csrf token after login")


async def login_flows(target: Target, users: list[tuple[str, str]], concurrency: int,
                      duration: float, kind: str = "login") -> FlowResult:
    """bench.py's flows, ``concurrency`` at a time in a loop for ``duration`` seconds:
    ``login`` (login token, ``action=login``, csrf token), ``clientlogin`` (the same with
    clientlogin) or ``createaccount`` (token, new account named after ``users[w][0]``).
    One account per flow slot, as bench.py does: the login throttle is per user and IP."""
    res = FlowResult()
    clock = time.perf_counter
    t0 = clock()
    t_end = t0 + duration

    async def worker(w: int) -> None:
        user, pw = users[w % len(users)]
        c = Client(target)
        k = 0
        while clock() < t_end and res.errors < 200:
            s = clock()
            name = f"{user}c{w}n{k}" if kind == "createaccount" else user
            k += 1
            try:
                await _one_flow(c, kind, name, pw)
                res.ok += 1
                res.lat.append(clock() - s)
            except (HttpError, OSError, KeyError, ValueError) as e:
                res.errors += 1
                c.close()
                if len(res.samples) < 3:
                    res.samples.append(repr(e)[:300])
        c.close()

    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    res.duration_s = clock() - t0
    return res


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop when installed (it comes with uvicorn[standard]): less driver CPU per request."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run(coro: Any) -> Any:
    loop = new_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        loop.close()


def _login_proc(url: str, users: list[tuple[str, str]], concurrency: int, duration: float, conn: Any) -> None:
    res = run(login_flows(Target.from_url(url), users, concurrency, duration))
    conn.send(res.summary())
    conn.close()


def mixed_load(url: str, users: list[tuple[str, str]], probe_cookies: dict[str, str], probe_user: str,
               *, concurrency: int, probe_rate: float, duration: float,
               c_driver: Path | None = None) -> dict[str, Any]:
    """Login flows at full concurrency (child process) and, at the same time, a fixed-rate
    stream of ``meta=userinfo|tokens`` with a logged-in session (the C driver when given,
    else this process).

    The two drivers live in separate processes so the flow driver's JSON work cannot
    delay the probe's timestamps; the probe starts 1 s after the flows (they are at full
    speed by then) and stops 1 s before them.
    """
    import multiprocessing

    mp = multiprocessing.get_context("spawn")
    rd, wr = mp.Pipe(duplex=False)
    proc = mp.Process(target=_login_proc, args=(url, users, concurrency, duration + 2.0, wr))
    proc.start()
    time.sleep(1.0)
    probe = fixed_rate(url, "userinfo-session", probe_rate, duration, cookies=probe_cookies, user=probe_user,
                       c_driver=c_driver, conns=8)
    flows = rd.recv() if rd.poll(duration + 120) else {"ok": 0, "errors": 1, "error_samples": ["no result"]}
    proc.join(10)
    return {"probe": probe, "login_flow": flows, "concurrency": concurrency}


def _userinfo_check(user: str) -> Callable[[Reply], bool]:
    needle = f'"name":"{user}"'.encode()

    def check(r: Reply) -> bool:
        return r.status == 200 and needle in r.body and b"csrftoken" in r.body and b'"anon"' not in r.body

    return check


def tokens_check(r: Reply) -> bool:
    return (r.status == 200 and b"logintoken" in r.body and b'"error"' not in r.body
            and _COOKIE.search(r.head) is not None)


def build_c_driver(workdir: Path) -> Path | None:
    """Compile bench/openloop.c (the same open-loop method in C, a few µs of CPU per
    request instead of ~100 µs) into ``workdir``; None without a C compiler."""
    source = Path(__file__).with_name("openloop.c")
    exe = workdir / "openloop"
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or not source.is_file():
        return None
    done = subprocess.run([cc, "-O2", "-o", str(exe), str(source)], capture_output=True)
    return exe if done.returncode == 0 else None


def _raise_priority() -> None:
    """The driver stands in for clients on other machines: where allowed (root), it runs
    at a higher priority than the server, so four hashing threads on two cores cannot
    delay its sends (it needs a few ms of CPU per second). Unprivileged: unchanged."""
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, 0, -10)


def _c_fixed_rate(exe: Path, t: Target, req: bytes, expect: list[str], rate: float, duration: float,
                  conns: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("wb", suffix=".http") as f:
        f.write(req)
        f.flush()
        out = subprocess.run([str(exe), t.host, str(t.port), str(rate), str(duration), str(conns), f.name, *expect],
                             capture_output=True, timeout=duration + 120, preexec_fn=_raise_priority)
    if out.returncode != 0:
        raise HttpError(f"openloop failed: {out.stderr.decode(errors='replace')[:300]}")
    return dict(json.loads(out.stdout))


def fixed_rate(url: str, scenario: str, rate: float, duration: float, *, cookies: dict[str, str] | None = None,
               user: str = "", c_driver: Path | None = None, conns: int = 32) -> dict[str, Any]:
    """tokens-anon (no cookies: a new session per request) or userinfo-session at ``rate``,
    with the C driver when given (its checks: the same substrings as the Python ones)."""
    t = Target.from_url(url)
    check: Callable[[Reply], bool]
    if scenario == "tokens-anon":
        req, check = t.raw("GET", {"action": "query", "meta": "tokens", "type": "login"}), tokens_check
        expect = ["logintoken", "set-cookie"]
    else:
        req = t.raw("GET", {"action": "query", "meta": "userinfo|tokens"}, cookies)
        check = _userinfo_check(user)
        expect = [f'"name":"{user}"', "csrftoken"]
    if c_driver is not None:
        return _c_fixed_rate(c_driver, t, req, expect, rate, duration, conns)
    return {**run(open_loop(t, req, check, rate, duration, conns=conns)).summary(), "driver": "benchload.py"}
