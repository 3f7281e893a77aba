"""Encryption and code helpers of wikigate.auth.oath."""

from __future__ import annotations

import pyotp
import pytest

from wikigate.auth.oath import (
    OathCipher,
    OathDataError,
    TotpKey,
    group4,
    new_scratch_codes,
    new_secret,
    normalize_code,
    otpauth_uri,
    totp_code,
)


def test_cipher_round_trip_binding_and_wrong_secret() -> None:
    c = OathCipher(b"site secret")
    blob = c.encrypt(b'{"secret":"X"}', b"wg_oath_user:1")
    assert b"secret" not in blob
    assert c.decrypt(blob, b"wg_oath_user:1") == b'{"secret":"X"}'
    with pytest.raises(OathDataError):
        c.decrypt(blob, b"wg_oath_user:2")  # copied to another user's row
    with pytest.raises(OathDataError):
        OathCipher(b"another secret").decrypt(blob, b"wg_oath_user:1")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(OathDataError):
        c.decrypt(tampered, b"wg_oath_user:1")
    with pytest.raises(OathDataError):
        c.decrypt(b"short", b"x")
    with pytest.raises(OathDataError):
        OathCipher(b"")


def test_code_hashes_normalise_and_depend_on_user() -> None:
    c = OathCipher(b"k")
    assert c.code_hash(1, "abcd efgh") == c.code_hash(1, "ABCDEFGH")
    assert c.code_hash(1, "ABCDEFGH") != c.code_hash(2, "ABCDEFGH")


def test_secrets_codes_and_uri() -> None:
    s = new_secret()
    assert len(s) == 42 and "=" not in s
    codes = new_scratch_codes(10)
    assert len(set(codes)) == 10 and all(len(x) == 16 for x in codes)
    assert group4("ABCDEFGHIJ") == "ABCD EFGH IJ"
    assert normalize_code(" 12 34\t56 ") == "123456"
    assert totp_code(s, 1000) == pyotp.TOTP(s).at(30000)
    uri = otpauth_uri(s, "Some User", "RefWiki")
    assert uri.startswith("otpauth://totp/RefWiki:Some%20User?secret=" + s) and "issuer=RefWiki" in uri
    key = TotpKey.from_json(TotpKey(s, ["h1"]).to_json())
    assert key.secret == s and key.scratch_hashes == ["h1"]
    with pytest.raises(OathDataError):
        TotpKey.from_json(b"[]")
