"""Random passwords in MediaWiki's ``PasswordFactory::generateRandomPasswordString`` shape.

Temporary (e-mailed) passwords and bot-password secrets look the same as MediaWiki's:
lower-case base-32 digits ``[0-9a-v]``.  Users paste them into either implementation, so
matching the alphabet and length keeps help texts and client validators valid.
"""

from __future__ import annotations

import secrets

__all__ = ["BOT_PASSWORD_LENGTH", "MIN_RANDOM_PASSWORD_LENGTH", "bot_password_secret", "random_password"]

#: MediaWiki never generates shorter random passwords, whatever the policy says.
MIN_RANDOM_PASSWORD_LENGTH = 10
#: BotPassword::PASSWORD_MINLENGTH.
BOT_PASSWORD_LENGTH = 32

_DIGITS = "0123456789abcdefghijklmnopqrstuv"


def random_password(min_length: int = MIN_RANDOM_PASSWORD_LENGTH) -> str:
    """Return ``max(10, min_length)`` characters of ``[0-9a-v]``.

    MediaWiki draws ``ceil(length * 1.25)`` random hex digits, converts them to base 32,
    left-pads with ``0`` and keeps the last ``length`` characters; we draw the same number
    of random bits and do the same, so the distribution (slight bias of the leading
    character included) is identical.
    """
    length = max(MIN_RANDOM_PASSWORD_LENGTH, min_length)
    hex_digits = -(-length * 5 // 4)  # ceil(length * 1.25) without float rounding
    value = secrets.randbits(4 * hex_digits)
    out: list[str] = []
    while value:
        value, digit = divmod(value, 32)
        out.append(_DIGITS[digit])
    encoded = "".join(reversed(out)).rjust(length, "0")
    return encoded[-length:]


def bot_password_secret() -> str:
    """A new bot-password secret: 32 characters of ``[0-9a-v]`` (BotPassword::generatePassword)."""
    return random_password(BOT_PASSWORD_LENGTH)
