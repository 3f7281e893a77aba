"""Decoding an ASGI request into api.php-style parameters, within limits.

MediaWiki reads parameters from the query string and the POST body (urlencoded or
multipart), the body winning on a name clash. Every name and value is cleaned once, here
(:mod:`wikigate.http.normalize`): invalid UTF-8 and characters XML forbids become U+FFFD,
text is put in NFC, and values that changed are flagged so the API can warn (``badutf8``).
PHP array syntax (``foo[]=x``) is remembered so it can be warned about and treated as
missing.

The body is bounded before it is parsed: its size (``Content-Length`` and while it
arrives), the number of parameters (PHP's ``max_input_vars``), the length of a
parameter name and the headers of each multipart part. Multipart bodies are parsed as
they arrive by a streaming parser made for HTTP forms, so an over-limit body is refused
after the first chunk that crosses a limit, never after reading and parsing all of it;
decoding a large body runs in a thread so the event loop keeps serving other requests.
"""

from __future__ import annotations

import asyncio
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from wikigate.http.normalize import clean_header, decode_name, decode_value, php_name


@dataclass(frozen=True)
class RequestLimits:
    """Bounds on what one request may make the server parse (``[server]`` settings)."""

    max_body_bytes: int = 16 * 1024 * 1024
    #: Parameters in the query string and body together (PHP's ``max_input_vars``: 1000).
    max_params: int = 1000
    #: Bytes of one parameter name (also bounds ``a[b][c]…`` nesting).
    max_param_name_bytes: int = 256
    #: Bytes of one header line of a multipart part.
    max_part_header_bytes: int = 4096
    #: Bodies larger than this are decoded in a thread, off the event loop.
    thread_threshold_bytes: int = 64 * 1024
    #: Seconds allowed between two chunks of a body (0 = no limit).
    body_timeout_seconds: float = 30.0


class RequestRejected(Exception):
    """The request breaks a limit or cannot be parsed; answered before any API work."""

    def __init__(self, status: int, code: str, info: str, *, close: bool = False) -> None:
        super().__init__(info)
        self.status = status
        self.code = code
        self.info = info
        #: Close the connection after answering instead of draining the rest of the body.
        self.close = close


class BodyTooLarge(RequestRejected):
    """The request body exceeds ``server.max_body_bytes``."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, "toolarge", f"The request body is larger than this server accepts ({limit} bytes).",
                         close=True)


def _too_many(limit: int) -> RequestRejected:
    return RequestRejected(413, "toomanyparams",
                           f"The request has more than {limit} parameters; this server accepts at most {limit}.")


def _name_too_long(limit: int) -> RequestRejected:
    return RequestRejected(400, "paramnametoolong",
                           f"A parameter name is longer than {limit} bytes.")


def _bad_multipart(why: str) -> RequestRejected:
    return RequestRejected(400, "badmultipart", f"The multipart/form-data body is malformed: {why}.")


#: A ``%`` that does not start a two-digit escape (kept literally, as PHP keeps it).
_LONE_PERCENT = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _unquote(data: bytes) -> bytes:
    """Percent-decoding (``+`` is a space) at C speed. ``urllib``'s ``unquote_to_bytes``
    loops in Python over every escape: 3.8 s for a 15 MB value, holding the GIL in turns
    with the event loop. Percent-escapes are rewritten as quoted-printable escapes
    (literal ``=`` as ``=3D``, lone ``%`` as ``=25``) and decoded by ``binascii``
    (0.25 s); identical results, checked against ``unquote_to_bytes`` by a fuzz test."""
    if b"+" in data:
        data = data.replace(b"+", b" ")
    if b"%" not in data:
        return data
    data = _LONE_PERCENT.sub(b"=25", data.replace(b"=", b"=3D")).replace(b"%", b"=")
    return binascii.a2b_qp(data)


def _split_qs(data: bytes, limits: RequestLimits, counted: int = 0) -> list[tuple[bytes, bytes]]:
    """Split an urlencoded string into raw (name, value) pairs; empty pieces are skipped."""
    pieces = [p for p in data.split(b"&") if p]
    if counted + len(pieces) > limits.max_params:
        raise _too_many(limits.max_params)
    out: list[tuple[bytes, bytes]] = []
    for piece in pieces:
        name, _, value = piece.partition(b"=")
        raw_name = _unquote(name)
        if len(raw_name) > limits.max_param_name_bytes:
            raise _name_too_long(limits.max_param_name_bytes)
        out.append((raw_name, _unquote(value)))
    return out


class _MultipartCollector:
    """Collects the fields of a multipart body while it streams through the parser,
    enforcing the part count and name length as soon as each part's headers are read."""

    def __init__(self, content_type: str, limits: RequestLimits, counted: int) -> None:
        _, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if not boundary:
            raise _bad_multipart("no boundary in the Content-Type header")
        self.limits = limits
        self.count = counted
        self.fields: list[tuple[bytes, bytes]] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._disposition: bytes | None = None
        self._data = bytearray()
        callbacks: dict[str, Callable[..., None]] = {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_val,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
        }
        try:
            self.parser = MultipartParser(boundary, callbacks,  # type: ignore[arg-type]
                                          max_header_size=limits.max_part_header_bytes)
        except Exception as e:  # an over-long boundary
            raise _bad_multipart(str(e)) from None
        self._name: bytes | None = None

    def _part_begin(self) -> None:
        self.count += 1
        if self.count > self.limits.max_params:
            raise _too_many(self.limits.max_params)
        self._disposition = None
        self._name = None
        self._data = bytearray()

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_val(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if bytes(self._header_name).strip().lower() == b"content-disposition":
            self._disposition = bytes(self._header_value)
        self._header_name = bytearray()
        self._header_value = bytearray()

    def _headers_finished(self) -> None:
        if self._disposition is None:
            return  # a part without a name is ignored, as PHP ignores it
        _, options = parse_options_header(self._disposition.decode("latin-1"))
        name = options.get(b"name")
        if name is None:
            return
        if len(name) > self.limits.max_param_name_bytes:
            raise _name_too_long(self.limits.max_param_name_bytes)
        self._name = name

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._name is not None:
            self._data += data[start:end]

    def _part_end(self) -> None:
        if self._name is not None:
            self.fields.append((self._name, bytes(self._data)))
        self._name = None
        self._data = bytearray()

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.write(chunk)
        except MultipartParseError as e:
            raise _bad_multipart(str(e).rstrip(".").lower() or "parse error") from None

    def finish(self) -> list[tuple[bytes, bytes]]:
        self.parser.finalize()
        return self.fields


@dataclass
class Request:
    method: str
    path: str
    scheme: str
    host: str
    client_ip: str
    headers: dict[str, str]
    cookies: dict[str, str]
    query_string: bytes
    #: Decoded parameters; body values override query values.
    params: dict[str, str] = field(default_factory=dict)
    #: Names present in the query string (for mustpostparams).
    query_names: set[str] = field(default_factory=set)
    #: Names whose value was not valid/normalised UTF-8.
    badutf8: set[str] = field(default_factory=set)
    #: Names used with PHP array syntax (``foo[]``), with their base name.
    array_names: set[str] = field(default_factory=set)
    #: The values sent with PHP array syntax, by base name (``wpgrants[]=a&wpgrants[]=b``
    #: → ``{"wpgrants": ["a", "b"]}``), for HTML forms; api.php never reads them.
    array_params: dict[str, list[str]] = field(default_factory=dict)

    @property
    def was_posted(self) -> bool:
        return self.method == "POST"

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def server(self) -> str:
        return f"{self.scheme}://{self.host}"

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def add_params(self, pairs: list[tuple[bytes, bytes]], *, in_query: bool) -> None:
        """Decode and clean raw (name, value) pairs; later pairs win, as in PHP."""
        for raw_name, raw_value in pairs:
            name = php_name(decode_name(raw_name))
            if not name:
                continue  # PHP drops a parameter without a name
            if "[" in name:
                # php_name left a "[" only where a "]" follows: PHP array syntax.
                base = name.split("[", 1)[0]
                self.array_names.add(base)
                self.array_params.setdefault(base, []).append(decode_value(raw_value, from_query=in_query)[0])
                # As in PHP, the later assignment wins: an array replaces a scalar sent
                # before it (format=json&format[]=x is an array, so jsonfm), and a scalar
                # replaces an array (format[]=x&format=json is json).
                self.params.pop(base, None)
                continue
            if name in self.array_names:
                self.array_names.discard(name)
                self.array_params.pop(name, None)
            value, bad = decode_value(raw_value, from_query=in_query)
            if in_query:
                self.query_names.add(name)
            self.params[name] = value
            if bad:
                self.badutf8.add(name)
            else:
                self.badutf8.discard(name)


def _headers(scope: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in scope.get("headers", []):
        key = k.decode("latin-1").lower()
        val = clean_header(v.decode("latin-1"))
        if key in out:
            out[key] += ("; " if key == "cookie" else ", ") + val
        else:
            out[key] = val
    return out


def _cookies(header: str) -> dict[str, str]:
    jar: dict[str, str] = {}
    for chunk in header.split(";"):
        name, sep, value = chunk.strip().partition("=")
        if sep and name and name not in jar:
            jar[name] = value.strip().strip('"')
    return jar


def _body_kind(req: Request) -> str:
    if req.method != "POST":
        return ""
    ctype = req.content_type.split(";", 1)[0].strip().lower()
    if ctype == "multipart/form-data":
        return "multipart"
    if ctype in ("application/x-www-form-urlencoded", ""):
        return "urlencoded"
    return ""  # other bodies are read (bounded) but carry no parameters


async def read_request(scope: dict[str, Any], receive: Any, limits: RequestLimits | int) -> Request:
    """Read and decode a request, or raise :class:`RequestRejected` as soon as it breaks a
    limit (an ``int`` is taken as the body size limit, the other limits at their defaults)."""
    if isinstance(limits, int):
        limits = RequestLimits(max_body_bytes=limits)
    headers = _headers(scope)
    client = scope.get("client") or ("127.0.0.1", 0)
    host = headers.get("host") or f"{scope.get('server', ('localhost', 80))[0]}"
    req = Request(
        method=scope["method"].upper(),
        path=scope.get("path", "/"),
        scheme=scope.get("scheme", "http"),
        host=host,
        client_ip=client[0],
        headers=headers,
        cookies=_cookies(headers.get("cookie", "")),
        query_string=scope.get("query_string", b""),
    )
    query_pairs = _split_qs(req.query_string, limits)
    declared = headers.get("content-length", "").strip()
    if declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise BodyTooLarge(limits.max_body_bytes)
    kind = _body_kind(req)
    multipart = _MultipartCollector(req.content_type, limits, len(query_pairs)) if kind == "multipart" else None
    chunks: list[bytes] = []
    size = 0
    separators = 0
    more = True
    first = True
    while more:
        if first or not limits.body_timeout_seconds:
            message = await receive()  # the common one-message body: no timer needed
        else:
            try:
                message = await asyncio.wait_for(receive(), limits.body_timeout_seconds)
            except TimeoutError:
                raise RequestRejected(408, "bodytimeout", "The request body was not received in time.",
                                      close=True) from None
        first = False
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limits.max_body_bytes:
            raise BodyTooLarge(limits.max_body_bytes)
        more = message.get("more_body", False)
        if not chunk:
            continue
        if multipart is not None:
            # Streaming: each chunk is parsed as it arrives (bounded work per chunk), and
            # the part count and header limits fire on the chunk that crosses them.
            multipart.feed(chunk)
        elif kind == "urlencoded":
            # Counting separators is cheap C work; it refuses a body with too many
            # parameters before the rest of it is read or anything is decoded. (n "&"
            # separate n + 1 pieces; only a body padded with empty pieces, "a=1&&&…",
            # is refused here although its parameters would fit.)
            separators += chunk.count(b"&")
            if separators + len(query_pairs) > limits.max_params:
                raise _too_many(limits.max_params)
            chunks.append(chunk)
        # Any other body is read (within the size limit) and dropped: it has no parameters.
    if multipart is not None:
        body_pairs = multipart.finish()
    elif kind == "urlencoded" and chunks:
        body = b"".join(chunks)
        if size > limits.thread_threshold_bytes:
            body_pairs = await asyncio.to_thread(_split_qs, body, limits, len(query_pairs))
        else:
            body_pairs = _split_qs(body, limits, len(query_pairs))
    else:
        body_pairs = []
    total = len(query_pairs) + len(body_pairs)
    if total > limits.max_params:
        raise _too_many(limits.max_params)
    if size > limits.thread_threshold_bytes:
        # Cleaning (UTF-8 checks, NFC) of a large body is linear but not free: off the loop.
        await asyncio.to_thread(_decode_all, req, query_pairs, body_pairs)
    else:
        _decode_all(req, query_pairs, body_pairs)
    return req


def _decode_all(req: Request, query_pairs: list[tuple[bytes, bytes]],
                body_pairs: list[tuple[bytes, bytes]]) -> None:
    req.add_params(query_pairs, in_query=True)
    req.add_params(body_pairs, in_query=False)


__all__ = ["BodyTooLarge", "Request", "RequestLimits", "RequestRejected", "SimpleCookie", "read_request"]
