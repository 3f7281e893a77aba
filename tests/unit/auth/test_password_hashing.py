"""Password hashes: MediaWiki's formats, both directions, and PHP's quirks.

The literal hashes below were produced by MediaWiki 1.39.17 itself
(``MediaWikiServices::getInstance()->getPasswordFactory()->newFromType($t)->crypt($pw)``
in a maintenance script on the reference wiki), or read from its database.  The
``PHP_VERDICTS`` table records what MediaWiki's ``newFromCiphertext($h)->verify($pw)``
answered for odd inputs (a thrown PasswordError counted as False); hashes written by
wikigate were checked the same way (all verified in MediaWiki, see PYTHON_MADE).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wikigate.auth.passwords.hashing import INVALID_HASH, HashConfig, PasswordHasher, is_valid_hash

DEFAULT = PasswordHasher()
# Cheap parameters keep the suite fast; the formats are the same.
FAST = {
    "pbkdf2": PasswordHasher(HashConfig(pbkdf2_iterations=10)),
    "bcrypt": PasswordHasher(HashConfig(default_type="bcrypt", bcrypt_cost=4)),
    "argon2": PasswordHasher(
        HashConfig(default_type="argon2", argon2_memory_kib=64, argon2_time=1, argon2_parallelism=1)
    ),
}

ADMIN_HASH = (
    ":pbkdf2:sha512:30000:64:+mMq0Ij3Ab9jV+Iq21aYfQ==:8IdTAUDBT8TQb5lmASKxGFp+xYqgOhchGSxC2wC7citlCZEk"
    "GnwxRxwTRX/5iVATy9955hQMWuwcir7rwvQv8w=="
)

PW = "Correct-Horse-1"
UNI = "pässwörd✓"
LONG = "x" * 80

# (hash written by MediaWiki, password)
MW_HASHES = [
    (
        ":pbkdf2:sha512:30000:64:mrLL+XnG4sOEN8hQKxdSTg==:WHFA9GPmQKqIJjCG7+EcHrbLFmyMhPwN8mMf5F0Nv5MUHP5s"
        "vg2cA/z2SDy68I3BIRoXIKD08ERY6iaB2mP41A==",
        PW,
    ),
    (
        ":pbkdf2:sha512:30000:64:emw2mdp+NS7JlBnFP6bcnQ==:Fp7HVoSSeXIzcul8LAhw5cyIG2CO0F8Wd0aOi+21YTFgOC0q"
        "CL++eI4kIR3wG58wqAL/HkWyDCFaViSgwd+gxg==",
        UNI,
    ),
    (
        ":pbkdf2:sha512:30000:64:nR+NEFYYtBWshNOSPLSQGg==:+A5TTTr2QsbKSLL+NtLyR9VjGX9qA7jFj5Np0lTdlo4xdNWK"
        "7wjwvZvms0YtIU5onzkvFGoGSc+MHJMgzuqx0A==",
        "",
    ),
    (":bcrypt:9$7uD6uYFnLro2V/aL4LA.6e$Z6TlMGW1Nd3kDASJskb7Pg9ZU0kthuK", PW),
    (":bcrypt:9$2H4fHmDH9nuAMOtYxex9kO$z3xo3PvSBX8R/zALWg.3vbQJlaDBE/e", UNI),
    (":bcrypt:9$frhgQE1AGd9rPMzxHfFNFO$QEImIKk/hYGcI18uaZsoa9k1F4Ty6bW", ""),
    (
        ":argon2:$argon2id$v=19$m=65536,t=4,p=1$ZUNOajZKUkw2UUdPRWhGSA$EkVO40zDOz9VHxg2VL4h+tyCXtzXhyOYrmYcbL75bHg",
        PW,
    ),
    (
        ":argon2:$argon2id$v=19$m=65536,t=4,p=1$eWticHZUaDUxeHlFSmVKTA$MIYV8bAJKpGN/4Rcu/FEWIJX7JNCi1i/ASrkyFqf0Pg",
        UNI,
    ),
    (":B:7765ba6d:9dc9bf2f66933ff9c374121dc1a5877c", PW),
    (":B:ec83115e:9091ba44532e4e1e6a17c768595ffcf9", UNI),
    (":B:bea1dde6:f5167d6563732257b63b37e4a2bd132e", ""),
    (":A:155ba8e102f3beb97892c3400b65031c", PW),
    (":A:51295a72ecefeabd31c8ca67b864084f", UNI),
    (":A:d41d8cd98f00b204e9800998ecf8427e", ""),
    (
        ":pbkdf2-legacyA:!sha512:30000:64!!mqkpF+26ofz0ND+gKdHUuw==!Wq3QQvwguDq9xGSEppIDWlHRBwxltprdK4a1g9F8E"
        "gpmXDl5JgnuQ16cSHJAYogFMA5hSCltBywpbyMNLMF7uA==",
        PW,
    ),
    (
        ":pbkdf2-legacyA:!sha512:30000:64!!k4LvvuuwAl4fgABGrHLsZw==!Du+CTGLKZI1WxZw87Qe7mgff/yJhUPHOPLA9AnDas"
        "w4Jd5enY8vnj0T9LMP3j8bgZdl0a4s7viC6H4DeSOff5g==",
        UNI,
    ),
    (
        ":pbkdf2-legacyB:!sha512:30000:64!f2ecd58f!x09/uIqo0552m3zbzHq1ig==!esZ/U3VDX71Im+i7DfRp3WXRB4dqUa6TAg"
        "zqO0YumESW1CChgNMAlxJtg9RZSeQJzkHrAnHQD00qNh9uqey0qw==",
        PW,
    ),
    (
        ":pbkdf2-legacyB:!sha512:30000:64!f09fde0c!s2D8Svx9uyFNGjureIy2vA==!K6HtRyUo4OO+swG/1q5n70cZwX6zFKNTkW"
        "HlU5huPOhBigHjQPqldY1xUjcUW+n1DM+YqjUP5wX1TRVl8acTtA==",
        UNI,
    ),
]

# Written by wikigate, then verified by MediaWiki's PasswordFactory (all True there).
PYTHON_MADE = [
    (
        ":pbkdf2:sha512:30000:64:NvsU6zB+S/3UqdNDhTZDVw==:pv30kHRoko/bUxo+jbX6f+pvgtu4b2/+qxvTET9IMGhejOnoyy"
        "3z0Xtei6ZVTxe+Bf63bkWAp2LMBxBv8xDTiw==",
        PW,
    ),
    (":bcrypt:9$Nf/OtrCQHoiNfZy9IUg/Iu$HO5pHthlNB1ShervL2e29ZykkVPoSwW", PW),
    (":bcrypt:10$LJvSBOHgZ4mcJXMRK4vE3u$NH15uYk00XYV6/dFNNB3xgqtDkdXzCi", PW),
    (":pbkdf2:sha256:1000:32:mPVDuZAGjGu4k1jp+isB+Q==:B9EOC5WU+Q6FfO22U8s8DK+Ab5sDN/bCmavbwO7FYGo=", PW),
    (
        ":argon2:$argon2id$v=19$m=1024,t=1,p=2$OwkEAU/SpWwwVCTwu5rNiw$xFEl2pm9K3eR+AhPdRQ6vQ5kUH/xxgMFOnWxr2Y1jV0",
        PW,
    ),
]

P = MW_HASHES[0][0]
B = MW_HASHES[3][0]
LEGACY_B = MW_HASHES[16][0]

# (stored, MediaWiki's verify() answer for PW)
PHP_VERDICTS = [
    (P.replace(":30000:", ":030000:"), True),  # (int) cast; string kept for comparison
    (P.replace("STg==", "STg"), True),  # lenient base64_decode of the salt
    (P.replace("mrLL+", "mr!LL+"), True),  # ... which skips foreign characters
    (P.replace(":mrLL", ":extra:mrLL"), False),  # first arg is the salt
    (P.replace("sha512", "SHA512"), True),  # PHP hash names are case-insensitive
    (P.replace(":64:", ":0:"), True),  # length 0 = full digest (64 bytes for sha512)
    (P.replace(":30000:", ":3e4:"), True),  # (int)"3e4" == 30000 in PHP 8
    (":pbkdf2:sha512:30000:64", False),  # no salt
    (":pbkdf2:sha512:30000", False),  # too few params (PasswordError)
    (":pbkdf2:sha999:1:64:AAAA:BBBB", False),  # unknown digest (PasswordError)
    (":pbkdf2:sha512:0:64:AAAA:BBBB", False),  # zero rounds (PasswordError)
    (P + "A" * 200, False),  # longer than 255 (PasswordError)
    (B.replace(":9$", ":09$"), True),  # cost re-serialised as int on both sides
    (B.replace("6e$", "6u$"), False),  # non-canonical salt char: crypt() normalises it
    (B.replace("6e$", "6eXX$"), False),  # salt longer than 22
    (B.replace(":9$", ":3$"), False),  # cost below 4 (crypt fails)
    (B.replace(":9$", ":9$extra$"), False),
    (":bcrypt:9$short$Z6TlMGW1Nd3kDASJskb7Pg9ZU0kthuK", False),
    (":bcrypt:", False),
    (":bcrypt:9", False),
    (":B:9dc9bf2f66933ff9c374121dc1a5877c", False),  # no salt
    (":B:7765ba6d:x:9dc9bf2f66933ff9c374121dc1a5877c", True),  # extra args ignored
    (":A:s1:s2:155ba8e102f3beb97892c3400b65031c", False),
    (":argon2:garbage", False),
    (":argon2:$2y$09$7uD6uYFnLro2V/aL4LA.6eZ6TlMGW1Nd3kDASJskb7Pg9ZU0kthuK", True),  # password_verify
    (LEGACY_B.replace("!f2ecd58f!", "!!"), False),  # legacyB without its B salt
    (":pbkdf2-legacyA:!sha512:30000:64", False),
    (":pbkdf2-legacyA:!", False),
    ("", False),
    (":", False),
    ("::", False),
    (":x:y", False),
    ("pbkdf2", False),
]


def test_reference_admin_vector() -> None:
    assert DEFAULT.verify(ADMIN_HASH, "AdminPassw0rd!2026")
    assert not DEFAULT.verify(ADMIN_HASH, "AdminPassw0rd!2027")
    assert not DEFAULT.needs_rehash(ADMIN_HASH)


@pytest.mark.parametrize(("stored", "password"), MW_HASHES, ids=lambda v: str(v)[:24])
def test_mediawiki_hashes_verify(stored: str, password: str) -> None:
    assert DEFAULT.verify(stored, password)
    assert not DEFAULT.verify(stored, password + "y")
    assert is_valid_hash(stored)


@pytest.mark.parametrize(("stored", "password"), PYTHON_MADE, ids=lambda v: str(v)[:24])
def test_python_made_hashes_verified_by_mediawiki_still_verify(stored: str, password: str) -> None:
    assert DEFAULT.verify(stored, password)
    assert not DEFAULT.verify(stored, "wrong")


@pytest.mark.parametrize(("stored", "expected"), PHP_VERDICTS, ids=lambda v: str(v)[:30])
def test_odd_inputs_match_mediawiki(stored: str, expected: bool) -> None:
    assert DEFAULT.verify(stored, PW) is expected


def test_bcrypt_key_is_a_c_string_of_at_most_72_bytes() -> None:
    """PHP crypt(): NUL ends the key and bytes after 72 are ignored (MediaWiki-made hashes)."""
    nul = ":bcrypt:9$8/UdKP79gs1HxczaMV9ls.$2RYqZueWSN4z.h.8b37dybEM9B9ORqO"  # "a\0b"
    long = ":bcrypt:9$niAImbj2rBei0CUUoTUZnO$yF0xfCDhddYCTtQ.5Es16ftXStW7AS6"  # "x" * 80
    assert DEFAULT.verify(nul, "a\0b") and DEFAULT.verify(nul, "a") and DEFAULT.verify(nul, "a\0zzz")
    assert not DEFAULT.verify(nul, "ab")
    assert DEFAULT.verify(long, LONG) and DEFAULT.verify(long, "x" * 72)
    assert not DEFAULT.verify(long, "x" * 71)
    fast = FAST["bcrypt"]
    assert fast.verify(fast.hash("y" * 100), "y" * 72 + "different tail")


def test_pbkdf2_keeps_nul_and_length() -> None:
    stored = (
        ":pbkdf2:sha512:30000:64:xmP0A2i8/daWjqbUzagT7g==:tcUIKEx+D7JMKgLlvDoOCUyqMheTBekCQVlwlEvKIL3lkWh6"
        "1RfMq8cZVcwkaXkM0o9vFBaPDb/hoX1QafXC0w=="
    )
    assert DEFAULT.verify(stored, "a\0b")
    assert not DEFAULT.verify(stored, "a")


def test_legacy_bare_hex_uses_user_id_as_salt() -> None:
    import hashlib

    digest = hashlib.md5(("42-" + hashlib.md5(PW.encode()).hexdigest()).encode()).hexdigest()
    assert DEFAULT.verify(digest, PW, user_id=42)
    assert not DEFAULT.verify(digest, PW, user_id=43)
    assert not DEFAULT.verify(digest, PW)  # only user_password rows have that meaning
    assert not DEFAULT.verify(digest.upper(), PW, user_id=42)  # MediaWiki matches [0-9a-f]
    assert DEFAULT.needs_rehash(digest)


@pytest.mark.parametrize("kind", ["pbkdf2", "bcrypt", "argon2"])
def test_round_trip_and_layout(kind: str) -> None:
    hasher = FAST[kind]
    stored = hasher.hash(UNI)
    assert stored.startswith(f":{kind}:")
    assert hasher.verify(stored, UNI)
    assert not hasher.verify(stored, UNI + "x")
    assert not hasher.needs_rehash(stored)
    assert hasher.hash(UNI) != stored  # fresh salt every time
    assert is_valid_hash(stored)


def test_default_layouts() -> None:
    pb = FAST["pbkdf2"].hash(PW).split(":")
    assert pb[1:5] == ["pbkdf2", "sha512", "10", "64"] and len(pb) == 7
    assert len(pb[5]) == 24 and len(pb[6]) == 88
    bc = FAST["bcrypt"].hash(PW)
    assert bc.startswith(":bcrypt:4$")  # cost not zero-padded, as MediaWiki writes it
    cost, salt, digest = bc[len(":bcrypt:") :].split("$")
    assert (cost, len(salt), len(digest)) == ("4", 22, 31)
    ar = FAST["argon2"].hash(PW)
    assert ar.startswith(":argon2:$argon2id$v=19$m=64,t=1,p=1$")


def test_needs_rehash() -> None:
    assert not DEFAULT.needs_rehash(P)
    assert DEFAULT.needs_rehash(P.replace(":30000:", ":030000:"))  # string comparison in PHP
    assert DEFAULT.needs_rehash(FAST["pbkdf2"].hash(PW))
    assert DEFAULT.needs_rehash(B)
    assert DEFAULT.needs_rehash(MW_HASHES[6][0])
    for weird in (None, "", ":", ":nope:x", ":B:x:y", LEGACY_B):
        assert DEFAULT.needs_rehash(weird)
    bcrypt9 = PasswordHasher(HashConfig(default_type="bcrypt"))
    assert not bcrypt9.needs_rehash(B)
    assert not bcrypt9.needs_rehash(B.replace(":9$", ":09$"))
    assert bcrypt9.needs_rehash(FAST["bcrypt"].hash(PW))
    argon_default = PasswordHasher(HashConfig(default_type="argon2"))
    assert not argon_default.needs_rehash(MW_HASHES[6][0])
    assert argon_default.needs_rehash(FAST["argon2"].hash(PW))
    assert argon_default.needs_rehash(":argon2:$argon2i$v=19$m=65536,t=4,p=1$c2FsdHNhbHQ$aGFzaA")


MALFORMED = [
    None,
    INVALID_HASH,
    "garbage",
    ":",
    "::::",
    ":pbkdf2:",
    ":pbkdf2:sha512:x:y:z:w",
    ":pbkdf2:sha512:-5:-1:AAAA:BBBB",
    ":pbkdf2:sha512:99999999999999999999999:64:AAAA:BBBB",
    ":bcrypt:$$$$",
    ":bcrypt:99$aaaaaaaaaaaaaaaaaaaaaa$bbb",
    ":bcrypt:9$ééééééééééééééééééééééé$x",
    ":argon2:$argon2id$v=19$m=1,t=1,p=1$AAAA$BBBB",
    ":argon2:$argon2id$",
    ":argon2:$2y$99$x",
    ":pbkdf2-legacyB:!!!!!!",
    ":pbkdf2-legacyA:!x!y!z",
    ":A:\ud800",
    "\x00:pbkdf2:",
    ":B:\ud800:x",
]


@pytest.mark.parametrize("stored", MALFORMED)
def test_malformed_never_raise(stored: str | None) -> None:
    for hasher in (DEFAULT, FAST["bcrypt"]):
        assert hasher.verify(stored, PW) is False
        assert hasher.verify(stored, "", user_id=1) is False
        assert isinstance(hasher.needs_rehash(stored), bool)
    assert isinstance(is_valid_hash(stored), bool)


def test_is_valid_hash() -> None:
    assert not is_valid_hash(None)
    assert not is_valid_hash(INVALID_HASH)
    assert not is_valid_hash("nocolon")
    assert not is_valid_hash(":unknown:abc")
    assert not is_valid_hash(":pbkdf2:sha512:30000")  # MediaWiki: PasswordError -> invalid
    assert is_valid_hash("0123456789abcdef0123456789abcdef")  # legacy user_password row
    assert is_valid_hash(":B:salt:hash")


def test_dummy_verify_costs_like_a_real_verification() -> None:
    """It verifies against a cached hash in the *current default* format and parameters."""
    for hasher in FAST.values():
        hasher.dummy_verify("anything")
        dummy = hasher._dummy
        assert dummy is not None and not hasher.needs_rehash(dummy)
        hasher.dummy_verify("again")
        assert hasher._dummy is dummy  # created once


def test_invalid_config_rejected() -> None:
    for bad in (
        HashConfig(default_type="md5"),
        HashConfig(pbkdf2_algo="whirlpool9"),
        HashConfig(pbkdf2_iterations=0),
        HashConfig(bcrypt_cost=3),
    ):
        with pytest.raises(ValueError):
            PasswordHasher(bad)


@settings(max_examples=60, deadline=None)
@given(password=st.text(max_size=40), kind=st.sampled_from(["pbkdf2", "argon2"]))
def test_property_round_trip(password: str, kind: str) -> None:
    hasher = FAST[kind]
    stored = hasher.hash(password)
    assert hasher.verify(stored, password)
    assert not hasher.verify(stored, password + "x")


@settings(max_examples=30, deadline=None)
@given(password=st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=17))
def test_property_round_trip_bcrypt(password: str) -> None:
    """bcrypt only sees the key up to NUL / 72 bytes (17 chars * 4 bytes < 72)."""
    hasher = FAST["bcrypt"]
    stored = hasher.hash(password)
    assert hasher.verify(stored, password)
    assert not hasher.verify(stored, password + "x")
