"""The benchmark's own arithmetic and HTTP parsing (bench/harness.py, bench/load.py)."""

from __future__ import annotations

from bench import harness as bench
from bench import load as benchload


def _feed(*chunks: bytes) -> list[benchload.Reply]:
    conn = benchload._Conn()
    got: list[benchload.Reply] = []
    for c in chunks:
        conn.buf += c
        r = conn._parse()
        while r is not None:
            got.append(r)
            r = conn._parse()
    return got


def test_content_length_reply_split_over_reads() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: a=b; path=/\r\n\r\n"
    got = _feed(head[:10], head[10:] + b"he", b"llo")
    assert [(r.status, r.body, r.cookies) for r in got] == [(200, b"hello", ["a=b; path=/"])]


def test_chunked_reply() -> None:
    got = _feed(b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    assert [(r.status, r.body) for r in got] == [(404, b"abcde")]


def test_jar_drops_deleted_cookies() -> None:
    jar = {"s": "1", "t": "2"}
    benchload.update_jar(jar, ["s=deleted; expires=Thu, 01 Jan 1970 00:00:01 GMT", "u=3; path=/",
                               "t=; Max-Age=0"])
    assert jar == {"u": "3"}


def test_percentile_is_nearest_rank() -> None:
    vals = [float(i) for i in range(1, 101)]
    assert benchload._pct(vals, 50) == 50.0
    assert benchload._pct(vals, 99) == 99.0
    assert benchload._pct([], 99) is None


def test_hash_bound_fraction() -> None:
    t = {"t_hash_ms": 20.0, "cores": 2, "parallel_rate": 90.0}
    report = {"scenarios": {"login-flow": {"summary": {"A": {"rate": 6.0}, "B": {"rate": 80.0}}},
                            "createaccount-flow": {"summary": {"B": {"rate": 0}}}}}
    hb = bench.hash_bound(report, t, dict(t, t_hash_ms=30.0))
    assert hb["limit_per_s"] == 80.0  # 2 cores / 25 ms
    assert hb["flows"] == {"login-flow": {"rate": 80.0, "fraction_of_limit": 1.0,
                                          "fraction_of_parallel": 0.889}}
