"""Common-password Bloom filter and the shared password-to-bytes rule.

MediaWiki's ``PasswordNotInCommonList`` check asks the ``wikimedia/common-passwords``
Bloom filter (top 100,000 SecLists passwords).  To reject exactly the same passwords --
false positives included -- we ship the very same filter data
(``wikigate/data/common-passwords.json``, MIT, see ``LICENSE-common-passwords``) and
probe it the way the 64-bit PHP implementation does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import struct
import threading
from dataclasses import dataclass
from importlib import resources

__all__ = ["is_common_password", "password_bytes"]


def password_bytes(password: str) -> bytes:
    """Return the bytes PHP would see for ``password``.

    PHP works on the raw UTF-8 request bytes, so every length rule and every hash here
    runs on UTF-8.  ``surrogatepass`` keeps this total (never raises) for the odd lone
    surrogate a Python ``str`` can hold but valid request text never does.
    """
    return password.encode("utf-8", "surrogatepass")


@dataclass(frozen=True)
class _BloomFilter:
    """The decoded filter: bit array plus hasher parameters from the JSON file."""

    bits: bytes
    bit_length: int
    hasher_count: int
    hasher_max: int

    def __contains__(self, item: bytes) -> bool:
        for i in range(self.hasher_count):
            # Key is the decimal index, message the password (PHP hash_hmac(algo, value, (string)$i)).
            digest = hmac.new(str(i).encode("ascii"), item, hashlib.sha1).digest()
            a, b, c, d = struct.unpack(">4H", digest[:8])
            # PHP masks the top bit so the 64-bit integer stays non-negative.
            num = ((a & 0x7FFF) << 48) | (b << 32) | (c << 16) | d
            bit = num % self.hasher_max
            if bit >= self.bit_length or not (self.bits[bit // 8] >> (bit % 8)) & 1:
                return False
        return True


_filter: _BloomFilter | None = None
_lock = threading.Lock()


def _load() -> _BloomFilter:
    """Decode the shipped filter once; the ~0.5 MB parse is deferred until first use."""
    global _filter
    with _lock:
        if _filter is None:
            raw = resources.files("wikigate").joinpath("data/common-passwords.json").read_bytes()
            data = json.loads(raw)
            bit_array, hashers = data["bit_array"], data["hashers"]
            if hashers["algo"] != "sha1":
                raise ValueError("common-passwords.json: only sha1 hashers are supported")
            _filter = _BloomFilter(
                bits=base64.b64decode(bit_array["arr"]),
                bit_length=int(bit_array["len"]),
                hasher_count=int(hashers["count"]),
                hasher_max=int(hashers["max"]),
            )
        return _filter


def is_common_password(pw: str) -> bool:
    """True when ``pw`` is in MediaWiki's common-password list (exact, case-sensitive)."""
    bloom = _filter if _filter is not None else _load()
    return password_bytes(pw) in bloom
