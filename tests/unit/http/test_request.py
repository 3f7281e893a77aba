"""Request parsing within limits: over-limit bodies are refused before they are read whole,
multipart is parsed as it streams, and what is accepted decodes as before."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from wikigate.http.request import BodyTooLarge, RequestLimits, RequestRejected, read_request

Receive = Callable[[], Awaitable[dict[str, Any]]]


class Body:
    """An ASGI ``receive`` delivering ``data`` in chunks, counting what was taken."""

    def __init__(self, data: bytes, chunk: int = 16384) -> None:
        self.chunks = [data[i:i + chunk] for i in range(0, len(data), chunk)] or [b""]
        self.taken = 0

    async def __call__(self) -> dict[str, Any]:
        i = self.taken
        self.taken += 1
        return {"type": "http.request", "body": self.chunks[i], "more_body": i + 1 < len(self.chunks)}


def scope(ctype: str, query: bytes = b"", length: int | None = None, method: str = "POST") -> dict[str, Any]:
    headers = [(b"host", b"wiki.test"), (b"content-type", ctype.encode())]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": "http", "method": method, "path": "/api.php", "query_string": query, "headers": headers,
            "client": ("127.0.0.1", 1)}


def multipart(fields: list[tuple[str, bytes]], boundary: str = "XyZ") -> bytes:
    out = b"".join(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n"
                   % (boundary.encode(), n.encode(), v) for n, v in fields)
    return out + b"--%s--\r\n" % boundary.encode()


MP = "multipart/form-data; boundary=XyZ"
FORM = "application/x-www-form-urlencoded"


async def test_multipart_fields_are_decoded() -> None:
    body = multipart([("action", b"query"), ("requestid", b"a\x00b"), ("wpgrants[]", b"x"), ("emp", b""),
                      ("big", b"z" * 100_000)])
    req = await read_request(scope(MP, b"format=json&action=x"), Body(body), RequestLimits())
    assert req.params["action"] == "query"  # the body wins over the query string
    assert req.params["requestid"] == "a\ufffdb" and req.badutf8 == {"requestid"}
    assert req.params["emp"] == "" and req.params["big"] == "z" * 100_000
    assert req.array_params == {"wpgrants": ["x"]} and req.query_names == {"format", "action"}


async def test_50000_multipart_fields_are_refused_after_the_first_chunks() -> None:
    body = multipart([(f"f{i}", b"1") for i in range(50_000)])
    receive = Body(body)
    with pytest.raises(RequestRejected) as e:
        await read_request(scope(MP, length=len(body)), receive, RequestLimits())
    assert (e.value.status, e.value.code) == (413, "toomanyparams")
    assert receive.taken < 10 < len(receive.chunks)  # refused long before the end


async def test_parameter_limit_counts_query_and_body_together() -> None:
    limits = RequestLimits(max_params=10)
    ok = "&".join(f"p{i}=1" for i in range(5)).encode()
    req = await read_request(scope(FORM, ok), Body(ok), limits)
    assert len(req.params) == 5  # same names: 5 distinct
    over = "&".join(f"q{i}=1" for i in range(6)).encode()
    with pytest.raises(RequestRejected, match="more than 10 parameters"):
        await read_request(scope(FORM, ok), Body(over), limits)
    with pytest.raises(RequestRejected):
        await read_request(scope(MP, ok), Body(multipart([(f"m{i}", b"") for i in range(6)])), limits)
    with pytest.raises(RequestRejected):
        await read_request(scope(FORM, "&".join(["a=1"] * 11).encode(), method="GET"), Body(b""), limits)


async def test_huge_urlencoded_body_is_refused_while_it_arrives() -> None:
    body = b"&".join(b"x%d=1" % i for i in range(300_000))
    receive = Body(body, chunk=65536)
    with pytest.raises(RequestRejected) as e:
        await read_request(scope(FORM), receive, RequestLimits())
    assert e.value.code == "toomanyparams" and receive.taken == 1


async def test_declared_oversize_body_is_refused_before_reading() -> None:
    receive = Body(b"x" * 10)
    with pytest.raises(BodyTooLarge):
        await read_request(scope(FORM, length=2048), receive, RequestLimits(max_body_bytes=1024))
    assert receive.taken == 0
    with pytest.raises(BodyTooLarge) as e:  # no Content-Length: counted while streaming
        await read_request(scope(FORM), Body(b"a=" + b"x" * 5000, chunk=1000), RequestLimits(max_body_bytes=1024))
    assert e.value.close and e.value.status == 413


async def test_long_parameter_names_are_refused() -> None:
    limits = RequestLimits(max_param_name_bytes=16)
    with pytest.raises(RequestRejected, match="longer than 16 bytes"):
        await read_request(scope(FORM), Body(b"a" * 17 + b"=1"), limits)
    with pytest.raises(RequestRejected) as e:
        await read_request(scope(MP), Body(multipart([("a[b][c][d][e][f][g]", b"1")])), limits)
    assert e.value.code == "paramnametoolong"
    req = await read_request(scope(FORM), Body(b"a" * 16 + b"=1"), limits)
    assert req.params == {"a" * 16: "1"}


async def test_multipart_part_headers_and_syntax_are_bounded() -> None:
    long_header = (b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: " + b"p" * 10_000
                   + b"\r\n\r\n1\r\n--XyZ--\r\n")
    with pytest.raises(RequestRejected) as e:
        await read_request(scope(MP), Body(long_header), RequestLimits(max_part_header_bytes=4096))
    assert (e.value.status, e.value.code) == (400, "badmultipart")
    with pytest.raises(RequestRejected, match="no boundary"):
        await read_request(scope("multipart/form-data"), Body(b"x"), RequestLimits())
    with pytest.raises(RequestRejected, match="malformed"):
        await read_request(scope(MP), Body(b"--XyZ garbage\r\n\r\n1\r\n--XyZ--\r\n"),
                           RequestLimits())
    many_headers = b"--XyZ\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(20)) + b"\r\n1\r\n--XyZ--\r\n"
    with pytest.raises(RequestRejected):
        await read_request(scope(MP), Body(many_headers), RequestLimits())


async def test_large_bodies_are_decoded_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    used: list[str] = []
    real = asyncio.to_thread

    async def spy(func: Callable[..., Any], *args: Any) -> Any:
        used.append(func.__name__)
        return await real(func, *args)

    monkeypatch.setattr(asyncio, "to_thread", spy)
    body = b"a=" + b"%41" * 100_000
    req = await read_request(scope(FORM), Body(body), RequestLimits())
    assert req.params["a"] == "A" * 100_000 and used  # split and decoded in a thread
    used.clear()
    await read_request(scope(FORM), Body(b"a=1"), RequestLimits())
    assert not used


def test_percent_decoding_matches_the_standard_library() -> None:
    import random
    from urllib.parse import unquote_to_bytes

    from wikigate.http.request import _unquote

    rng = random.Random(9)
    alphabet = b"%+aZ09gG=&fF\r\n \t_\x00\xff"
    for _ in range(20_000):
        raw = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert _unquote(raw) == unquote_to_bytes(raw.replace(b"+", b" ")), raw
    raw = bytes(range(256)) * 2 + b"%41%4g%%%=3D%3d" + bytes(range(256))
    assert _unquote(raw) == unquote_to_bytes(raw.replace(b"+", b" "))


def test_http_settings_are_checked_and_reach_the_server() -> None:
    from wikigate.cli.serve import http_limits
    from wikigate.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match=r"http\.max_params"):
        load_settings(environ={"WIKIGATE_HTTP__MAX_PARAMS": "0"})
    with pytest.raises(ConfigError, match=r"http\.max_header_bytes"):
        load_settings(environ={"WIKIGATE_HTTP__MAX_HEADER_BYTES": "100"})
    settings = load_settings(environ={"WIKIGATE_HTTP__HEADER_TIMEOUT_SECONDS": "3",
                                      "WIKIGATE_HTTP__LIMIT_CONCURRENCY": "50",
                                      "WIKIGATE_HTTP__KEEPALIVE_TIMEOUT_SECONDS": "7"})
    options = http_limits(settings)
    assert options == {"http": "wikigate.http.server:GuardedHttpToolsProtocol", "timeout_keep_alive": 7,
                       "h11_max_incomplete_event_size": 65536, "limit_concurrency": 50}
    assert settings.http.header_timeout_seconds == 3.0


async def test_a_stalled_body_is_refused_after_the_body_timeout() -> None:
    import asyncio

    sent = 0

    async def stalling() -> dict[str, Any]:
        nonlocal sent
        sent += 1
        if sent == 1:
            return {"type": "http.request", "body": b"a=1&", "more_body": True}
        await asyncio.sleep(60)  # the client stops sending
        return {"type": "http.request", "body": b"", "more_body": False}

    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(RequestRejected) as e:
        await read_request(scope(FORM), stalling, RequestLimits(body_timeout_seconds=0.2))
    assert (e.value.status, e.value.code, e.value.close) == (408, "bodytimeout", True)
    assert loop.time() - start < 5
