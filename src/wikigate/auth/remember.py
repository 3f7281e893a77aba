"""Remember-me logins ("keep me logged in"): the ``<prefix>Token`` cookie.

MediaWiki's Token cookie is the user's ``user_token`` itself (or an HMAC of it): one
value per user, valid until the token rotates. wikigate used an HMAC of the *request's*
user, which at cookie time was still the anonymous visitor — the same value for everyone,
and it never matched anything (issue 9 finding 6).

Here every remembered login gets its own random token (32 hex digits, the shape of
MediaWiki's). Only a SHA-256 of it is stored, in the shared key-value store, under
``remember:<hash>`` with the user id and a hash of the ``user_token`` it was issued
under, for ``sessions.extended_cookie_expiration`` seconds. So a token:

* restores a session on any worker or host once the session cookie is gone;
* is revoked on its own by logout (the record is deleted);
* is revoked with all others of the user by "log out everywhere" and by a password
  change, which rotate ``user_token``;
* is useless to someone who reads the store (only its hash is there).

The records live where sessions live (Redis when ``storage.redis_url`` is set, else the
database's ``wg_kv`` table), so losing Redis loses them together with the sessions.
Malformed cookie values are ignored before any lookup; comparisons are on bytes and in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wikigate.services import Services
    from wikigate.storage.kv import KeyValueStore

#: Remembered logins kept per user (browsers and devices); older ones are revoked.
MAX_PER_USER = 32
_TOKEN = re.compile(r"[0-9a-f]{32}")
#: A user id as the UserID cookie may carry it: ASCII digits only (str.isdigit accepts
#: other scripts' digits too), short enough to be a database integer.
_USER_ID = re.compile(r"[0-9]{1,18}")


def parse_user_id(value: str | None) -> int | None:
    """The UserID cookie as an id, or None if it is missing or malformed."""
    if value is None or not _USER_ID.fullmatch(value):
        return None
    uid = int(value)
    return uid if uid > 0 else None


def well_formed_token(value: str | None) -> bool:
    return value is not None and _TOKEN.fullmatch(value) is not None


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


@dataclass(frozen=True)
class Issued:
    #: The cookie value (given to the client only).
    token: str
    #: The record's id (hash of the token), kept in the session for logout.
    record_id: str


class RememberMe:
    def __init__(self, kv: KeyValueStore, ttl: int) -> None:
        self.kv = kv
        self.ttl = ttl

    @staticmethod
    def record_id(token: str) -> str:
        return _digest(token).hex()

    @staticmethod
    def _key(record_id: str) -> str:
        return f"remember:{record_id}"

    async def issue(self, user_id: int, user_token: str) -> Issued:
        token = secrets.token_hex(16)
        rid = self.record_id(token)
        record = {"u": user_id, "t": _digest(user_token).hex()}
        await self.kv.set(self._key(rid), json.dumps(record).encode(), float(self.ttl))
        await self._index(user_id, rid)
        return Issued(token, rid)

    async def _index(self, user_id: int, rid: str) -> None:
        """Keep at most :data:`MAX_PER_USER` records per user, dropping the oldest.

        ``action=login`` always remembers (as MediaWiki does), so a bot that logs in
        every few minutes and never logs out would otherwise leave a record per login
        for the whole cookie lifetime. The index is read-modify-write: two logins of one
        user at the same instant may drop each other's entry, which only means that
        record is not evicted early (it still expires, and a password change or
        "log out everywhere" still revokes it)."""
        key = f"remember-user:{user_id}"
        try:
            ids = [str(x) for x in json.loads(await self.kv.get(key) or b"[]")]
        except (ValueError, TypeError):
            ids = []
        ids.append(rid)
        for old in ids[:-MAX_PER_USER]:
            await self.kv.delete(self._key(old))
        await self.kv.set(key, json.dumps(ids[-MAX_PER_USER:]).encode(), float(self.ttl))

    async def check(self, user_id: int, token: str, current_user_token: str) -> bool:
        """Whether ``token`` is a live remember-me token of ``user_id`` issued under the
        user's current ``user_token``. Callers pass well-formed values only."""
        raw = await self.kv.get(self._key(self.record_id(token)))
        if raw is None or not current_user_token:
            return False
        try:
            record = json.loads(raw)
            stored_uid = int(record["u"])
            stored = bytes.fromhex(str(record["t"]))
        except (ValueError, KeyError, TypeError):
            return False
        same_token = hmac.compare_digest(stored, _digest(current_user_token))
        return same_token and stored_uid == user_id

    async def revoke(self, record_id: str) -> None:
        if record_id:
            await self.kv.delete(self._key(record_id))


def remember_me(services: Services) -> RememberMe:
    """The remember-me store of a running wiki (a thin, stateless wrapper over its kv)."""
    return RememberMe(services.kv, services.settings.sessions.extended_cookie_expiration)
