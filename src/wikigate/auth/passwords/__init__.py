"""The password subsystem: MediaWiki-compatible hashes, policy checks, the common-password
list and random passwords.  Pure functions and thread-safe objects only, so the HTTP and
storage layers can call them from worker threads."""

from .common import is_common_password, password_bytes
from .hashing import INVALID_HASH, MAX_HASH_SIZE, HashConfig, PasswordHasher, is_valid_hash
from .policy import (
    DEFAULT_POLICY,
    FATAL_CHECKS,
    PolicyCheck,
    PolicyFailure,
    PolicyResult,
    check_password,
    effective_policy,
    merge_policy_overrides,
    random_password_min_length,
    validate_policies,
)
from .randompw import bot_password_secret, random_password

__all__ = [
    "DEFAULT_POLICY",
    "FATAL_CHECKS",
    "INVALID_HASH",
    "MAX_HASH_SIZE",
    "HashConfig",
    "PasswordHasher",
    "PolicyCheck",
    "PolicyFailure",
    "PolicyResult",
    "bot_password_secret",
    "check_password",
    "effective_policy",
    "is_common_password",
    "is_valid_hash",
    "merge_policy_overrides",
    "password_bytes",
    "random_password",
    "random_password_min_length",
    "validate_policies",
]
