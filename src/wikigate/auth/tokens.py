"""Session-bound tokens in MediaWiki's wire format.

``token = mac(secret, str(ts) + salt)[:32] + hex(ts) + "+\\"``. MediaWiki uses HMAC-MD5;
we use HMAC-SHA256 truncated to the same 32 hex digits: clients only see an opaque string
of the same shape, and tokens never leave the server that made them. The per-session
secrets are random, stored server-side with the session and reset at login/logout.
"""

from __future__ import annotations

import hashlib
import hmac
import re

ANON_TOKEN = "+\\"
SUFFIX = "+\\"

#: type -> (secret key in the session, salt); MediaWiki 1.39's token types.
TOKEN_TYPES: dict[str, tuple[str, str]] = {
    "createaccount": ("createaccount", ""),
    "csrf": ("default", ""),
    "login": ("login", ""),
    "patrol": ("default", "patrol"),
    "rollback": ("default", "rollback"),
    "userrights": ("default", "userrights"),
    "watch": ("default", "watch"),
}

_TOKEN_RE = re.compile(r"^([0-9a-f]{32})([0-9a-f]+)\+\\$")


def make_token(secret: str, salt: str, ts: int) -> str:
    mac = hmac.new(secret.encode(), f"{ts}{salt}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{mac}{ts:x}{SUFFIX}"


def token_timestamp(token: str) -> int | None:
    """The generation time encoded in a token, or None if it has none."""
    m = _TOKEN_RE.match(token)
    if not m:
        return None
    try:
        return int(m.group(2), 16)
    except ValueError:
        return None


def check_token(secret: str | None, salt: str, token: str, *, now: float,
                max_age: int | None = None) -> bool:
    """Constant-time check; ``max_age`` (seconds) only for action=checktoken."""
    if not secret or len(token) <= 34:
        return False
    ts = token_timestamp(token)
    if ts is None:
        return False
    if max_age is not None and ts + max_age < now:
        return False
    return hmac.compare_digest(make_token(secret, salt, ts), token)
