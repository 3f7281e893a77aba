"""Decoding an ASGI request into api.php-style parameters.

MediaWiki reads parameters from the query string and the POST body (urlencoded or
multipart), the body winning on a name clash. Values that are not valid UTF-8 are not
rejected: like PHP's WebRequest they are re-read as windows-1252 and flagged, so the API
can warn (``badutf8``). PHP array syntax (``foo[]=x``) is remembered so it can be warned
about and treated as missing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import unquote_to_bytes


class BodyTooLarge(Exception):
    """The request body exceeds ``server.max_body_bytes``."""


def _decode(raw: bytes) -> tuple[str, bool]:
    """Return (text, was_changed); invalid UTF-8 is read as windows-1252 like MediaWiki."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), True
    normal = unicodedata.normalize("NFC", text)
    return normal, normal != text


def _parse_qs(data: bytes) -> list[tuple[bytes, bytes]]:
    out: list[tuple[bytes, bytes]] = []
    for part in data.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        out.append((unquote_to_bytes(name.replace(b"+", b" ")), unquote_to_bytes(value.replace(b"+", b" "))))
    return out


def _parse_multipart(content_type: str, body: bytes) -> list[tuple[bytes, bytes]]:
    msg = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    out: list[tuple[bytes, bytes]] = []
    if not msg.is_multipart():
        return out
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        out.append((name.encode("utf-8"), payload if isinstance(payload, bytes) else b""))
    return out


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
    body: bytes = b""
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

    def decode_params(self) -> None:
        pairs: list[tuple[bytes, bytes, bool]] = [(n, v, True) for n, v in _parse_qs(self.query_string)]
        if self.method == "POST" and self.body:
            ctype = self.content_type.split(";", 1)[0].strip().lower()
            if ctype == "multipart/form-data":
                pairs += [(n, v, False) for n, v in _parse_multipart(self.content_type, self.body)]
            elif ctype in ("application/x-www-form-urlencoded", ""):
                pairs += [(n, v, False) for n, v in _parse_qs(self.body)]
        for raw_name, raw_value, in_query in pairs:
            name, _ = _decode(raw_name)
            if "[" in name and name.endswith("]"):
                base = name.split("[", 1)[0]
                self.array_names.add(base)
                self.array_params.setdefault(base, []).append(_decode(raw_value)[0])
                # As in PHP, the later assignment wins: an array replaces a scalar sent
                # before it (format=json&format[]=x is an array, so jsonfm), and a scalar
                # replaces an array (format[]=x&format=json is json).
                self.params.pop(base, None)
                continue
            if name in self.array_names:
                self.array_names.discard(name)
                self.array_params.pop(name, None)
            value, bad = _decode(raw_value)
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
        val = v.decode("latin-1")
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


async def read_request(scope: dict[str, Any], receive: Any, max_body: int) -> Request:
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
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_body:
        raise BodyTooLarge()
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body:
            raise BodyTooLarge()
        if chunk:
            chunks.append(chunk)
        more = message.get("more_body", False)
    req.body = b"".join(chunks)
    req.decode_params()
    return req


__all__ = ["BodyTooLarge", "Request", "SimpleCookie", "read_request"]
