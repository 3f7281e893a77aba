"""Responses and MediaWiki-style ``Set-Cookie`` lines."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any


@dataclass
class Cookie:
    name: str
    value: str
    #: None = browser-session cookie; 0 = delete.
    max_age: int | None = None
    secure: bool = False
    samesite: str = ""

    def header(self, now: float | None = None) -> str:
        parts = [f"{self.name}={self.value}"]
        if self.max_age is not None:
            if self.max_age <= 0:
                parts.append("expires=Thu, 01 Jan 1970 00:00:01 GMT")
                parts.append("Max-Age=0")
            else:
                t = (now if now is not None else time.time()) + self.max_age
                parts.append("expires=" + formatdate(t, usegmt=True).replace(",", ",", 1))
                parts.append(f"Max-Age={self.max_age}")
        parts.append("path=/")
        if self.secure:
            parts.append("secure")
        if self.samesite:
            parts.append(f"SameSite={self.samesite}")
        parts.append("HttpOnly")
        return "; ".join(parts)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    cookies: dict[str, Cookie] = field(default_factory=dict)

    def set_header(self, name: str, value: str) -> None:
        lname = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k.lower() != lname]
        self.headers.append((name, value))

    def set_cookie(self, cookie: Cookie) -> None:
        self.cookies[cookie.name] = cookie

    def delete_cookie(self, name: str, secure: bool = False) -> None:
        self.cookies[name] = Cookie(name, "deleted", max_age=0, secure=secure)

    async def send(self, send: Any) -> None:
        raw: list[tuple[bytes, bytes]] = [(b"content-type", self.content_type.encode("latin-1"))]
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers]
        now = time.time()
        raw += [(b"set-cookie", c.header(now).encode("latin-1")) for c in self.cookies.values()]
        raw.append((b"content-length", str(len(self.body)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": raw})
        await send({"type": "http.response.body", "body": self.body})
