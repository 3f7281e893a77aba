"""Two-factor authentication data and verification (the OATHAuth extension's TOTP module).

``services.oath`` is an :class:`OathService` when ``oath.enabled`` is set,
otherwise a :class:`NullOath` that knows no enrolments (nobody is asked for a code).

Where wikigate is stricter than OATHAuth 1.39 (docs/compatibility.md, docs/security.md):

* a code is accepted only in the current 30-second step or one step either side
  (OATHAuth: ±4 steps), and each step only once per account and never a step older than
  the last one used — recorded in the shared key-value store with an atomic
  set-if-absent, so a code replayed on another worker or host is refused too;
* recovery (scratch) codes are stored as HMACs, not in clear, and each works once
  (OATHAuth 1.39 shows them but its login check never accepts them);
* wrong codes are counted per account (``oath.throttle_count`` per ``throttle_seconds``);
  once the limit is reached every code is refused until the window ends;
* the TOTP secret and the recovery-code hashes are encrypted at rest (AES-256-GCM, key
  derived with HKDF from the site secret). A database dump alone reveals no secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from wikigate.storage.sql.schema import oath_user
from wikigate.util.clock import mw_timestamp

if TYPE_CHECKING:
    from wikigate.services import Services
    from wikigate.users.model import User

MODULE_TOTP = "totp"
PERIOD = 30
DIGITS = 6
#: Steps accepted either side of the current one.
WINDOW = 1

VERIFY_OK = "ok"
VERIFY_SCRATCH = "scratch"
VERIFY_BAD = "bad"
VERIFY_THROTTLED = "throttled"

_WS = re.compile(r"\s+")


class OathDataError(Exception):
    """Stored data cannot be decrypted (site secret changed) or is malformed."""


def normalize_code(token: str) -> str:
    """OATHAuth strips all whitespace; recovery codes are base32, compared upper-case."""
    return _WS.sub("", token or "").upper()


def group4(text: str) -> str:
    """``ABCD EFGH …``: how OATHAuth displays secrets and recovery codes."""
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


class OathCipher:
    """AES-256-GCM with a key derived from the site secret (HKDF-SHA256, own label)."""

    def __init__(self, site_secret: bytes) -> None:
        if not site_secret:
            raise OathDataError("the site secret is not loaded yet")
        self._aead = AESGCM(HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                                 info=b"wikigate oath secrets v1").derive(site_secret))
        self._mac_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                             info=b"wikigate oath recovery codes v1").derive(site_secret)

    def encrypt(self, plain: bytes, aad: bytes) -> bytes:
        nonce = secrets.token_bytes(12)
        return b"\x01" + nonce + self._aead.encrypt(nonce, plain, aad)

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        if len(blob) < 1 + 12 + 16 or blob[:1] != b"\x01":
            raise OathDataError("unknown payload format")
        try:
            return self._aead.decrypt(blob[1:13], blob[13:], aad)
        except InvalidTag:
            raise OathDataError("payload does not decrypt with this site secret") from None

    def code_hash(self, user_id: int, code: str) -> str:
        return hmac.new(self._mac_key, f"{user_id}\0{normalize_code(code)}".encode(), hashlib.sha256).hexdigest()


@dataclass
class TotpKey:
    """A user's TOTP key: base32 secret and the HMACs of the unused recovery codes."""

    secret: str
    scratch_hashes: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return json.dumps({"secret": self.secret, "scratch": self.scratch_hashes}).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> TotpKey:
        try:
            data = json.loads(raw)
            return cls(str(data["secret"]), [str(h) for h in data.get("scratch", [])])
        except (ValueError, KeyError, TypeError):
            raise OathDataError("malformed key data") from None


def new_secret() -> str:
    """26 random bytes in unpadded base32 (42 characters), as OATHAuth makes them."""
    return base64.b32encode(secrets.token_bytes(26)).decode().rstrip("=")


def new_scratch_codes(n: int) -> list[str]:
    """Recovery codes: 10 random bytes in base32 (16 characters) each, as OATHAuth."""
    return [base64.b32encode(secrets.token_bytes(10)).decode() for _ in range(n)]


def totp_code(secret: str, counter: int) -> str:
    return str(pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).generate_otp(counter))


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    """The URI an authenticator app scans (the ``label`` is ``issuer:account``)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=PERIOD).provisioning_uri(name=account, issuer_name=issuer)


class NullOath:
    """Two-factor authentication off."""

    enabled = False

    async def is_enabled(self, user_id: int) -> bool:
        return False

    async def verify(self, user: User, token: str, *, allow_scratch: bool = True) -> str:
        return VERIFY_BAD

    async def disable(self, user_id: int) -> bool:
        return False


class OathService:
    """Enrolments in ``wg_oath_user``; used codes and wrong-code counters in the KV store."""

    enabled = True

    def __init__(self, services: Services) -> None:
        self.services = services
        self.settings = services.settings.oath

    # -- crypto and storage ------------------------------------------------------------------

    def cipher(self) -> OathCipher:
        # Built on use: the site secret is loaded at start-up, after the components exist.
        return OathCipher(self.services.secret_key)

    @staticmethod
    def _aad(user_id: int) -> bytes:
        # Binding the ciphertext to the row's user: a blob copied to another row is useless.
        return f"wg_oath_user:{user_id}".encode()

    async def _load_raw(self, user_id: int) -> tuple[str, bytes] | None:
        def q(conn: Connection) -> tuple[str, bytes] | None:
            row = conn.execute(select(oath_user.c.ou_module, oath_user.c.ou_data)
                               .where(oath_user.c.ou_user == user_id)).first()
            return (str(row[0]), bytes(row[1])) if row is not None else None

        return await self.services.db.run(q)

    async def get_key(self, user_id: int) -> TotpKey | None:
        raw = await self._load_raw(user_id)
        if raw is None or raw[0] != MODULE_TOTP:
            return None
        return TotpKey.from_json(self.cipher().decrypt(raw[1], self._aad(user_id)))

    async def is_enabled(self, user_id: int) -> bool:
        if user_id <= 0:
            return False
        return await self._load_raw(user_id) is not None

    async def enable(self, user: User, secret: str, scratch_codes: list[str]) -> bool:
        """Store a verified key; False if the user already has one (a concurrent enrolment)."""
        c = self.cipher()
        key = TotpKey(secret, [c.code_hash(user.id, s) for s in scratch_codes])
        blob = c.encrypt(key.to_json(), self._aad(user.id))
        now = mw_timestamp(self.services.clock.time())

        def q(conn: Connection) -> bool:
            if conn.execute(select(oath_user.c.ou_user).where(oath_user.c.ou_user == user.id)).first():
                return False
            conn.execute(insert(oath_user).values(ou_user=user.id, ou_module=MODULE_TOTP, ou_data=blob,
                                                  ou_created=now))
            return True

        try:
            return await self.services.db.run(q)
        except IntegrityError:
            return False

    async def disable(self, user_id: int) -> bool:
        def q(conn: Connection) -> bool:
            return bool(conn.execute(delete(oath_user).where(oath_user.c.ou_user == user_id)).rowcount)

        return await self.services.db.run(q)

    async def _replace_key(self, user_id: int, old_blob: bytes, key: TotpKey) -> bool:
        """Compare-and-set: only if the row still holds ``old_blob`` (a recovery code used once)."""
        blob = self.cipher().encrypt(key.to_json(), self._aad(user_id))

        def q(conn: Connection) -> bool:
            res = conn.execute(update(oath_user).where(oath_user.c.ou_user == user_id)
                               .where(oath_user.c.ou_data == old_blob).values(ou_data=blob))
            return bool(res.rowcount)

        return await self.services.db.run(q)

    # -- verification ------------------------------------------------------------------------

    def _bad_key(self, user_id: int) -> str:
        return f"oath:bad:{user_id}"

    async def throttled(self, user_id: int) -> bool:
        return await self.services.kv.get_int(self._bad_key(user_id)) >= self.settings.throttle_count

    async def count_bad(self, user_id: int) -> None:
        await self.services.kv.incr(self._bad_key(user_id), self.settings.throttle_seconds)

    async def check_code(self, user_id: int, secret: str, token: str) -> bool:
        """A current TOTP code for ``secret``, never used before for this account."""
        code = normalize_code(token)
        if not re.fullmatch(rf"\d{{{DIGITS}}}", code):
            return False
        kv = self.services.kv
        now_counter = int(self.services.clock.time()) // PERIOD
        # Stored with set(), so read with get(): get_int() reads the counters, a separate table.
        raw_last = await kv.get(f"oath:last:{user_id}")
        last = int(raw_last) if raw_last and raw_last.isdigit() else 0
        for counter in range(now_counter - WINDOW, now_counter + WINDOW + 1):
            if counter <= last or not hmac.compare_digest(totp_code(secret, counter), code):
                continue
            # The first request to claim this step wins, on any worker or host.
            if not await kv.add(f"oath:used:{user_id}:{counter}", b"1", PERIOD * (2 * WINDOW + 2)):
                return False
            await kv.set(f"oath:last:{user_id}", str(counter).encode(), PERIOD * (2 * WINDOW + 2))
            return True
        return False

    async def verify(self, user: User, token: str, *, allow_scratch: bool = True) -> str:
        """VERIFY_OK, VERIFY_SCRATCH (a recovery code was used up), VERIFY_BAD or VERIFY_THROTTLED."""
        if await self.throttled(user.id):
            return VERIFY_THROTTLED
        raw = await self._load_raw(user.id)
        if raw is None or raw[0] != MODULE_TOTP:
            return VERIFY_BAD
        c = self.cipher()
        key = TotpKey.from_json(c.decrypt(raw[1], self._aad(user.id)))
        if await self.check_code(user.id, key.secret, token):
            return VERIFY_OK
        code = normalize_code(token)
        if allow_scratch and code and len(code) <= 64:
            h = c.code_hash(user.id, code)
            match = next((s for s in key.scratch_hashes if hmac.compare_digest(s, h)), None)
            if match is not None:
                rest = TotpKey(key.secret, [s for s in key.scratch_hashes if s != match])
                if await self._replace_key(user.id, raw[1], rest):
                    await self.audit("2fa-recovery-code-used", user, f"{len(rest.scratch_hashes)} left")
                    return VERIFY_SCRATCH
        await self.count_bad(user.id)
        return VERIFY_BAD

    async def audit(self, event: str, user: Any, detail: str = "", ip: str = "") -> None:
        await self.services.audit.record(event, user, ip, detail)


def get_oath(services: Services) -> OathService | NullOath:
    return services.oath


#: OATHAuth's GroupPermissions (extension.json), granted while two-factor is on.
OATH_GROUP_RIGHTS = {
    "user": ["oathauth-enable"],
    "sysop": ["oathauth-disable-for-user", "oathauth-verify-user", "oathauth-view-log"],
}


def grant_oath_rights(perms: dict[str, list[str]]) -> None:
    """Add OATHAuth's group rights (called by wikigate.root while two-factor is on)."""
    for group, rights in OATH_GROUP_RIGHTS.items():
        have = perms.setdefault(group, [])
        have.extend(r for r in rights if r not in have)
