"""Server-side sessions stored in the key-value store (SQL table or Redis).

A session is created lazily: an anonymous request that only reads gets no session and no
cookie, exactly like MediaWiki. Something that needs server-side state (a login token,
an authentication flow, a login) *persists* the session, which assigns an id and makes
the HTTP layer send the cookie. Data is JSON, saved at the end of the request only when
it changed, with a TTL that every use refreshes.

The user a session belongs to is checked on every load against the user's current
``user_token``: changing that token (password change, "log out everywhere") makes every
existing session of the user anonymous at once, on every worker and host.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from wikigate.storage.kv import KeyValueStore


def new_session_id() -> str:
    """32 characters of ``[0-9a-v]`` (160 random bits), the shape MediaWiki uses.

    Base32 with the "extended hex" alphabet is exactly ``0-9A-V``: 20 random bytes give 32
    characters and no padding. One C call instead of a 32-step generator (every anonymous
    token request makes a session, so this runs thousands of times a second)."""
    return base64.b32hexencode(secrets.token_bytes(20)).decode("ascii").lower()


def valid_session_id(value: str) -> bool:
    return 32 <= len(value) <= 128 and all(c.isalnum() or c in "_-" for c in value) and value.isascii()


@dataclass
class Session:
    id: str | None = None
    user_id: int = 0
    user_name: str = ""
    user_token: str = ""
    secrets: dict[str, str] = field(default_factory=dict)
    remember: bool = False
    last_auth: float = 0.0
    #: For bot-password sessions: {"app_id", "grants", "bp_token"}.
    bot: dict[str, Any] | None = None
    #: Free-form values for other components (e.g. authentication flow ids).
    data: dict[str, Any] = field(default_factory=dict)
    #: The cookie must be (re)sent.
    persist_requested: bool = False
    dirty: bool = False
    #: An id that was replaced this request (deleted from the store on save).
    old_id: str | None = None
    #: Delete this session from the store on save.
    destroyed: bool = False
    #: When the stored copy was last written (for TTL refresh without a write per request).
    written: float = 0.0
    #: Record id of this login's remember-me token (wikigate.auth.remember), revoked
    #: with the session at logout; "" when the login is not remembered.
    remember_id: str = ""

    @property
    def persisted(self) -> bool:
        return self.id is not None

    def persist(self) -> None:
        if self.id is None:
            self.id = new_session_id()
            self.dirty = True
        self.persist_requested = True

    def token_secret(self, key: str, *, create: bool, mac_key: bytes) -> str | None:
        """The secret behind tokens of ``key`` (None if none was issued and not ``create``).

        The secret is derived — MAC(site key, session id, generation, key) — rather than
        stored: concurrent requests of one session that each ask for a first token then
        agree on it, instead of each storing its own random secret (last write wins).
        The session only records *that* a secret was issued (MediaWiki's "sessionlost"
        answer needs to know) and a generation counter that :meth:`reset_secrets` bumps.
        Login gives a new session id, which changes every secret, as MediaWiki resets them.
        """
        if key not in self.secrets:
            if not create:
                return None
            self.persist()
            self.secrets[key] = "1"
            self.dirty = True
        if self.id is None:
            return None
        gen = self.data.get("_gen", 0)
        msg = f"{self.id}\0{gen}\0{key}".encode()
        return hmac.new(mac_key, msg, hashlib.sha256).hexdigest()[:32]

    def reset_secrets(self) -> None:
        if self.secrets:
            self.secrets = {}
            self.data["_gen"] = self.data.get("_gen", 0) + 1
            self.dirty = True

    def regenerate_id(self) -> None:
        if self.id is not None:
            self.old_id = self.old_id or self.id
        self.id = new_session_id()
        self.persist_requested = True
        self.dirty = True

    def set_user(self, user_id: int, name: str, token: str, *, remember: bool, now: float) -> None:
        self.user_id, self.user_name, self.user_token = user_id, name, token
        self.remember = remember
        self.last_auth = now
        self.dirty = True

    def clear_user(self) -> None:
        self.user_id, self.user_name, self.user_token = 0, "", ""
        self.remember = False
        self.remember_id = ""
        self.last_auth = 0.0
        self.bot = None
        self.dirty = True

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.dirty = True

    def pop(self, key: str) -> Any:
        if key in self.data:
            self.dirty = True
            return self.data.pop(key)
        return None

    def to_json(self) -> bytes:
        return json.dumps({
            "u": self.user_id, "n": self.user_name, "t": self.user_token, "s": self.secrets,
            "r": self.remember, "a": self.last_auth, "b": self.bot, "d": self.data, "w": self.written,
            "m": self.remember_id,
        }, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, sid: str, raw: bytes) -> Session:
        d = json.loads(raw)
        return cls(id=sid, user_id=d.get("u", 0), user_name=d.get("n", ""), user_token=d.get("t", ""),
                   secrets=d.get("s") or {}, remember=bool(d.get("r")), last_auth=d.get("a") or 0.0,
                   bot=d.get("b"), data=d.get("d") or {}, written=d.get("w") or 0.0,
                   remember_id=str(d.get("m") or ""))


class SessionStore:
    """Load and save :class:`Session` objects in a :class:`KeyValueStore`."""

    def __init__(self, kv: KeyValueStore, ttl: int) -> None:
        self.kv = kv
        self.ttl = ttl

    @staticmethod
    def _key(sid: str) -> str:
        return f"sess:{sid}"

    async def load(self, sid: str) -> Session | None:
        if not valid_session_id(sid):
            return None
        raw = await self.kv.get(self._key(sid))
        if raw is None:
            return None
        try:
            return Session.from_json(sid, raw)
        except (ValueError, TypeError):
            return None

    async def save(self, session: Session, *, now: float) -> None:
        """Write the session if it changed, or if half its TTL has passed since the last
        write (that keeps an active session alive without a write on every request)."""
        if session.old_id:
            await self.kv.delete(self._key(session.old_id))
            session.old_id = None
        if session.destroyed:
            if session.id:
                await self.kv.delete(self._key(session.id))
            return
        if session.id and (session.dirty or now - session.written > self.ttl / 2):
            session.written = now
            await self.kv.set(self._key(session.id), session.to_json(), self.ttl)
            session.dirty = False

    async def delete(self, sid: str) -> None:
        await self.kv.delete(self._key(sid))

