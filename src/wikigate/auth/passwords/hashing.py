"""Password hashes in MediaWiki's storage formats (``user_password``, ``bp_password`` ...).

wikigate must share a database with MediaWiki in both directions: every hash MediaWiki
wrote must verify here, and every hash written here must verify in MediaWiki.  So this
module mirrors the *observable* behaviour of MediaWiki 1.39's PasswordFactory:

* a stored value is ``":" + type + ":" + payload``; ``""``/``None`` means "no password";
* parameterised types split the payload on their delimiter into params, salts ("args")
  and the hash, and verification re-hashes with the stored params/salts and compares the
  *re-serialised* strings in constant time -- that is why odd-but-valid inputs (extra
  salts, ``09`` bcrypt costs, non-canonical bcrypt salts) behave exactly as in PHP;
* PHP quirks that change results are reproduced: lenient ``base64_decode``, ``(int)``
  casts, ``crypt()`` stopping bcrypt keys at NUL and after 72 bytes, pbkdf2 length 0.

Where MediaWiki would throw (corrupt row, unsupported digest) we return ``False``: a bad
row must fail the login, not turn it into an internal error.  All work is synchronous and
CPU-bound in hashlib/bcrypt/argon2 (which release the GIL); callers run it in a thread pool.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation

import argon2
import bcrypt
from argon2.low_level import Type, verify_secret

from wikigate.config import PasswordSettings

from .common import password_bytes

__all__ = ["INVALID_HASH", "MAX_HASH_SIZE", "HashConfig", "PasswordHasher", "is_valid_hash"]

#: What to store for "no password" (MediaWiki's InvalidPassword serialises to "").
INVALID_HASH = ""
#: Password::MAX_HASH_SIZE -- the column is 255 bytes; longer strings never verify.
MAX_HASH_SIZE = 255

_DEFAULT_TYPES = ("pbkdf2", "argon2", "bcrypt")


@dataclass(frozen=True)
class HashConfig:
    """$wgPasswordDefault and the relevant $wgPasswordConfig parameters.

    Defaults are MediaWiki 1.39's (pbkdf2-sha512, 30000 rounds, 64 bytes; bcrypt cost 9;
    PHP's argon2id defaults).  Hashes with other parameters still verify but report
    :meth:`PasswordHasher.needs_rehash`, like MediaWiki's upgrade-on-login.
    """

    default_type: str = "pbkdf2"
    pbkdf2_algo: str = "sha512"
    pbkdf2_iterations: int = 30000
    pbkdf2_length: int = 64
    bcrypt_cost: int = 9
    argon2_memory_kib: int = 65536
    argon2_time: int = 4
    argon2_parallelism: int = 1


def hash_config(settings: PasswordSettings) -> HashConfig:
    """The hashing part of the ``[passwords]`` settings. Every :class:`HashConfig` field
    has a setting of the same name and default (tests/unit/auth/test_password_settings.py),
    so the settings are the one place to change a parameter."""
    return HashConfig(**{f.name: getattr(settings, f.name) for f in fields(HashConfig)})


class _HashError(Exception):
    """MediaWiki's PasswordError: the stored value cannot be (re)computed."""


# ---------------------------------------------------------------- PHP compatibility helpers

_PHP_NUMERIC = re.compile(r"[ \t\n\r\v\f]*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)")
_INT_MAX = 2**63 - 1


def _php_int(text: str) -> int:
    """PHP 8 ``(int)$string``: leading numeric prefix (exponents allowed), else 0."""
    m = _PHP_NUMERIC.match(text)
    if m is None:
        return 0
    try:
        value = int(Decimal(m.group(1)))
    except (InvalidOperation, ValueError, OverflowError):
        return 0
    return max(-_INT_MAX - 1, min(_INT_MAX, value))


_B64_JUNK = re.compile(rb"[^A-Za-z0-9+/]")


def _php_b64decode(text: str) -> bytes:
    """Non-strict PHP ``base64_decode``: skip foreign characters (``=`` too), drop a
    dangling 6-bit remainder instead of failing."""
    data = _B64_JUNK.sub(b"", password_bytes(text))
    data = data[: len(data) - (len(data) % 4 == 1)]
    return base64.b64decode(data + b"=" * (-len(data) % 4))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _md5hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


# PHP hash algorithm names (case-insensitive) accepted by hash_pbkdf2 -> hashlib names.
_PBKDF2_ALGOS = {
    "md5": "md5",
    "sha1": "sha1",
    "sha224": "sha224",
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512/224": "sha512_224",
    "sha512/256": "sha512_256",
    "sha512": "sha512",
    "sha3-224": "sha3_224",
    "sha3-256": "sha3_256",
    "sha3-384": "sha3_384",
    "sha3-512": "sha3_512",
    "ripemd160": "ripemd160",
}


def _pbkdf2(algo: str, password: bytes, salt: bytes, rounds: int, length: int) -> bytes:
    """``hash_pbkdf2(..., binary: true)``; length 0 means the digest's full size."""
    name = _PBKDF2_ALGOS.get(algo.lower())
    if name is None or rounds <= 0 or length < 0:
        raise _HashError(f"pbkdf2: unsupported parameters {algo!r}/{rounds}/{length}")
    try:
        return hashlib.pbkdf2_hmac(name, password, salt, rounds, length or None)
    except (ValueError, OverflowError) as exc:  # digest missing from this OpenSSL build
        raise _HashError(str(exc)) from exc


_BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _bcrypt_key(password: bytes) -> bytes:
    """What PHP's ``crypt()`` feeds to Blowfish: a C string, so up to the first NUL, and
    only the first 72 bytes (the bcrypt package rejects longer keys instead)."""
    return password.split(b"\0", 1)[0][:72]


def _bcrypt_crypt(password: bytes, rounds: int, salt: str) -> tuple[str, str]:
    """``crypt($pw, sprintf('$2y$%02d$%s', rounds, salt))`` -> (normalised salt, hash).

    crypt_blowfish reads only 22 salt characters and canonicalises the last one (its low
    4 bits are unused); the bcrypt package refuses non-canonical salts, so we canonicalise
    first.  ``$2b$`` and ``$2y$`` are the same algorithm.
    """
    salt22 = salt[:22]
    if not 4 <= rounds <= 31 or len(salt22) < 22 or any(c not in _BCRYPT_ALPHABET for c in salt22):
        raise _HashError("bcrypt: invalid cost or salt")
    salt22 = salt22[:21] + _BCRYPT_ALPHABET[_BCRYPT_ALPHABET.index(salt22[21]) & 0x30]
    setting = f"$2b${rounds:02d}${salt22}".encode("ascii")
    out = bcrypt.hashpw(_bcrypt_key(password), setting).decode("ascii")
    return out[7:29], out[29:]


# ------------------------------------------------------------------------ parsed values


@dataclass(frozen=True)
class _Parsed:
    """A stored value split like ParameterizedPassword::parseHash (argon2: payload only)."""

    type: str
    params: tuple[str, ...]
    args: tuple[str, ...]
    hash: str | None


# type -> (delimiter, number of leading params); argon2 is opaque.
_LAYOUT = {
    "pbkdf2": (":", 3),
    "bcrypt": ("$", 1),
    "B": (":", 0),
    "A": (":", 0),
    "pbkdf2-legacyA": ("!", 2),
    "pbkdf2-legacyB": ("!", 2),
}
_LAYERS = {"pbkdf2-legacyA": ("A", "pbkdf2"), "pbkdf2-legacyB": ("B", "pbkdf2")}
_LEGACY_HEX = re.compile(r"[0-9a-f]{32}")


def _parse(stored: str | None) -> _Parsed | None:
    """Split a stored value, or None where MediaWiki gets an InvalidPassword/PasswordError."""
    if not stored or stored[0] != ":":
        return None
    end = stored.find(":", 1)
    if end < 0:
        return None  # PHP would take a mangled type name; nothing such can ever verify
    kind, payload = stored[1:end], stored[end + 1 :]
    if kind == "argon2":
        return _Parsed(kind, (), (), payload)
    if kind not in _LAYOUT:
        return None
    delim, n_params = _LAYOUT[kind]
    parts = payload.split(delim)
    if len(parts) < n_params:
        return None
    params, args = parts[:n_params], parts[n_params:]
    digest = args.pop() if args else None
    if kind == "bcrypt":
        params[0] = str(_php_int(params[0]))
    return _Parsed(kind, tuple(params), tuple(args), digest)


def _serialise(p: _Parsed) -> str:
    """ParameterizedPassword::toString."""
    if p.type == "argon2":
        return f":argon2:{p.hash}"
    delim = _LAYOUT[p.type][0]
    body = delim.join(p.params + p.args) + delim if p.params or p.args else ""
    return f":{p.type}:{body}{p.hash or ''}"


def _crypt(p: _Parsed, password: bytes) -> _Parsed:
    """Re-hash ``password`` with ``p``'s params and salts (inventing a salt if it has none),
    as the PHP classes' ``crypt()`` do."""
    args = p.args
    if p.type == "pbkdf2":
        if not args:
            args = (_b64(secrets.token_bytes(16)),)
        algo, rounds, length = p.params
        raw = _pbkdf2(algo, password, _php_b64decode(args[0]), _php_int(rounds), _php_int(length))
        return replace(p, args=args, hash=_b64(raw))
    if p.type == "bcrypt":
        if not args:
            args = (_b64(secrets.token_bytes(16)).replace("+", ".")[:22],)
        cost = _php_int(p.params[0])
        salt, digest = _bcrypt_crypt(password, cost, args[0])
        return replace(p, params=(str(cost),), args=(salt, *args[1:]), hash=digest)
    if p.type == "B":
        if not args:
            args = (secrets.token_hex(4),)
        return replace(p, args=args, hash=_md5hex(password_bytes(args[0] + "-" + _md5hex(password))))
    if p.type == "A":
        if len(args) == 1:
            return replace(p, hash=_md5hex(password_bytes(args[0] + "-" + _md5hex(password))))
        return replace(p, args=(), hash=_md5hex(password))
    if p.type in _LAYERS:
        return _crypt_layered(p, password)
    raise _HashError(f"cannot hash type {p.type}")


def _crypt_layered(p: _Parsed, password: bytes) -> _Parsed:
    """LayeredParameterizedPassword::crypt: each layer hashes the previous layer's output
    (an ASCII hex/base64 string), its params and salt kept in the outer ``!`` fields."""
    params, args = list(p.params), list(p.args)
    last = password
    for i, kind in enumerate(_LAYERS[p.type]):
        delim = _LAYOUT[kind][0]
        head = params[i] + delim if params[i] != "" else ""
        salt = args[i] + delim if i < len(args) and args[i] != "" else ""
        inner = _parse(f":{kind}:{head}{salt}{p.hash or ''}")
        if inner is None:
            raise _HashError("layered: bad inner hash")
        done = _crypt(inner, last)
        params[i] = delim.join(done.params)
        if i < len(args):
            args[i] = delim.join(done.args)
        else:
            args.append(delim.join(done.args))
        last = password_bytes(done.hash or "")
    return replace(p, params=tuple(params), args=tuple(args), hash=last.decode("utf-8", "surrogatepass"))


def _argon2_verify(encoded: str, password: bytes) -> bool:
    """PHP ``password_verify``: argon2i/argon2id PHC strings, plus bcrypt ``$2?$`` strings."""
    raw = password_bytes(encoded)
    if encoded.startswith("$argon2id$"):
        kind = Type.ID
    elif encoded.startswith("$argon2i$"):
        kind = Type.I
    elif encoded[:4] in ("$2y$", "$2a$", "$2b$") and len(encoded) == 60:
        return bcrypt.checkpw(_bcrypt_key(password), b"$2b$" + raw[4:])
    else:
        return False
    try:
        return verify_secret(raw, password, kind)
    except argon2.exceptions.VerificationError:
        return False


_ARGON2_PARAMS = re.compile(r"\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$")


def is_valid_hash(stored: str | None) -> bool:
    """True when ``stored`` is a value MediaWiki would load as a real (non-invalid) hash of
    a known type -- i.e. the account *has* a password.  Legacy bare 32-hex ``user_password``
    values count (they are read as ``:B:<user_id>:<hex>``)."""
    if stored is not None and _LEGACY_HEX.fullmatch(stored):
        return True
    return _parse(stored) is not None


class PasswordHasher:
    """Creates, verifies and ages password hashes for one :class:`HashConfig`.

    Instances are immutable apart from a lazily created dummy hash and are safe to share
    between threads.
    """

    def __init__(self, config: HashConfig = HashConfig()) -> None:
        if config.default_type not in _DEFAULT_TYPES:
            raise ValueError(f"unknown password type {config.default_type!r}")
        if config.pbkdf2_algo.lower() not in _PBKDF2_ALGOS:
            raise ValueError(f"unsupported pbkdf2 algorithm {config.pbkdf2_algo!r}")
        if config.pbkdf2_iterations < 1 or not 0 <= config.pbkdf2_length <= 128:
            raise ValueError("pbkdf2 iterations must be >= 1 and length within 0..128")
        if not 4 <= config.bcrypt_cost <= 31:
            raise ValueError("bcrypt cost must be within 4..31")
        self._config = config
        # hash_len/salt_len are PHP's password_hash() fixed values (32 and 16 bytes).
        self._argon2 = argon2.PasswordHasher(
            time_cost=config.argon2_time,
            memory_cost=config.argon2_memory_kib,
            parallelism=config.argon2_parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._dummy: str | None = None
        self._dummy_lock = threading.Lock()

    @property
    def config(self) -> HashConfig:
        return self._config

    def hash(self, password: str) -> str:
        """A new hash of ``password`` in the configured default format (fresh salt)."""
        cfg = self._config
        pw = password_bytes(password)
        if cfg.default_type == "argon2":
            return ":argon2:" + self._argon2.hash(pw)
        if cfg.default_type == "bcrypt":
            template = _Parsed("bcrypt", (str(cfg.bcrypt_cost),), (), None)
        else:
            params = (cfg.pbkdf2_algo, str(cfg.pbkdf2_iterations), str(cfg.pbkdf2_length))
            template = _Parsed("pbkdf2", params, (), None)
        return _serialise(_crypt(template, pw))

    def verify(self, stored: str | None, password: str, *, user_id: int | None = None) -> bool:
        """Whether ``password`` matches ``stored``; never raises.

        ``user_id`` is only for ``user.user_password``: a bare 32-hex value there is a
        pre-2008 salted MD5 with the user id as salt.
        """
        try:
            if user_id is not None and stored is not None and _LEGACY_HEX.fullmatch(stored):
                stored = f":B:{user_id}:{stored}"
            parsed = _parse(stored)
            if parsed is None:
                return False
            pw = password_bytes(password)
            if parsed.type == "argon2":
                return _argon2_verify(parsed.hash or "", pw)
            expected = _serialise(parsed)
            actual = _serialise(_crypt(parsed, pw))
            if len(password_bytes(expected)) > MAX_HASH_SIZE or len(password_bytes(actual)) > MAX_HASH_SIZE:
                return False
            return hmac.compare_digest(password_bytes(expected), password_bytes(actual))
        except Exception:  # corrupt rows, odd PHP-only algorithms, MemoryError from argon2 ...
            return False

    def needs_rehash(self, stored: str | None) -> bool:
        """True when ``stored`` is not of the default type or not with the default parameters
        (PasswordFactory::needsUpdate; parameters compare as MediaWiki does, e.g. pbkdf2
        params as strings, so ``030000`` needs an update)."""
        parsed = _parse(stored)
        cfg = self._config
        if parsed is None or parsed.type != cfg.default_type:
            return True
        if parsed.type == "pbkdf2":
            return parsed.params != (cfg.pbkdf2_algo, str(cfg.pbkdf2_iterations), str(cfg.pbkdf2_length))
        if parsed.type == "bcrypt":
            return parsed.params != (str(cfg.bcrypt_cost),)
        # argon2: PHP password_needs_rehash -- algorithm, version and m/t/p.
        m = _ARGON2_PARAMS.match(parsed.hash or "")
        if m is None:
            return True
        current = (int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)))
        return current != (19, cfg.argon2_memory_kib, cfg.argon2_time, cfg.argon2_parallelism)

    def dummy_verify(self, password: str) -> None:
        """Spend the time of one default-format verification (for unknown users), so login
        timing does not reveal whether an account exists."""
        dummy = self._dummy
        if dummy is None:
            with self._dummy_lock:
                if self._dummy is None:
                    self._dummy = self.hash(secrets.token_urlsafe(16))
                dummy = self._dummy
        self.verify(dummy, password)
