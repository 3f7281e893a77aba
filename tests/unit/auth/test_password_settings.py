"""The password hashing parameters have one shape: the ``[passwords]`` settings, turned
into the hasher's HashConfig by ``hash_config`` (used by the server, the tests, the bench)."""

from __future__ import annotations

from dataclasses import MISSING, fields, replace

from wikigate.auth.passwords.hashing import HashConfig, hash_config
from wikigate.config import PasswordSettings


def test_every_hash_parameter_is_a_setting_with_the_same_default() -> None:
    settings = {f.name: f for f in fields(PasswordSettings)}
    for f in fields(HashConfig):
        assert f.name in settings, f"passwords.{f.name} is missing from the settings"
        assert settings[f.name].type == f.type, f.name
        assert f.default is not MISSING and settings[f.name].default == f.default, f.name


def test_hash_config_takes_every_parameter_from_the_settings() -> None:
    assert hash_config(PasswordSettings()) == HashConfig()
    changed = replace(PasswordSettings(), default_type="argon2", pbkdf2_iterations=7, bcrypt_cost=5,
                      argon2_memory_kib=1024, argon2_time=2, argon2_parallelism=3, pbkdf2_algo="sha256",
                      pbkdf2_length=32, hash_threads=9)
    assert hash_config(changed) == HashConfig(default_type="argon2", pbkdf2_iterations=7, bcrypt_cost=5,
                                              argon2_memory_kib=1024, argon2_time=2, argon2_parallelism=3,
                                              pbkdf2_algo="sha256", pbkdf2_length=32)
