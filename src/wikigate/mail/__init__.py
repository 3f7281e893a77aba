"""Outgoing mail: message building, transports and the durable outbox.

Layers (STYLE: protocols by role, implementations by technology):

* :func:`build_message` turns (sender, recipient, subject, body) into an RFC 5322 message,
  refusing header injection;
* a :class:`Mailer` transport delivers finished bytes — :class:`~.maildir.MaildirMailer`
  (default: a Maildir spool an operator can read), :class:`~.smtp.SmtpMailer`,
  :class:`~.console.ConsoleMailer`, :class:`~.memory.MemoryMailer` (tests), chosen by
  ``mail.backend`` in :mod:`~.transports`;
* :class:`~.outbox.Outbox` (``services.mailer``) queues every message in
  ``wg_mail_queue`` first and delivers it after the response, with retries.
"""

from __future__ import annotations

import email.utils
import re
from email.message import EmailMessage
from typing import Protocol

__all__ = [
    "BadAddress",
    "MailError",
    "Mailer",
    "PermanentMailError",
    "TemporaryMailError",
    "build_message",
    "is_valid_email",
]


class MailError(Exception):
    """Delivery failed."""


class TemporaryMailError(MailError):
    """Worth retrying later (SMTP 4xx, connection refused, timeout …)."""


class PermanentMailError(MailError):
    """Retrying will not help (SMTP 5xx, address refused)."""


class BadAddress(ValueError):
    """An address or header value that must not go into a message (CR/LF, no ``@`` …)."""


class Mailer(Protocol):
    """A transport: hands one finished message to the next hop."""

    async def deliver(self, sender: str, recipient: str, message: bytes) -> None:
        """Deliver or raise :class:`TemporaryMailError` / :class:`PermanentMailError`."""
        ...


# Sanitizer::validateEmail (HTML5 rule, as MediaWiki 1.39 uses it): local part of the
# RFC 5322 atext characters, domain of dot-separated labels. No quoted local parts,
# no IP literals — those are exactly what header/SMTP injection attempts rely on.
_EMAIL_RE = re.compile(
    r"^[a-zA-Z0-9_'.!#$%&*+/=?^`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*$"
)


def is_valid_email(addr: str) -> bool:
    """MediaWiki's ``Sanitizer::validateEmail`` (ASCII-only HTML5 pattern)."""
    return bool(_EMAIL_RE.match(addr))


def _check_header(name: str, value: str) -> str:
    if "\r" in value or "\n" in value or "\x00" in value:
        raise BadAddress(f"{name}: line breaks and NUL are not allowed in a header")
    return value


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def build_message(*, from_name: str, from_addr: str, to_name: str, to_addr: str, subject: str,
                  body: str, date: float, msgid_domain: str, lang: str = "en",
                  headers: dict[str, str] | None = None) -> EmailMessage:
    """A text/plain UTF-8 message; raises :class:`BadAddress` for unsafe values.

    Every header value is checked for CR/LF/NUL *before* it reaches the email package,
    and both addresses must pass :func:`is_valid_email`, so a crafted user name or
    e-mail address can never add recipients or headers.
    """
    for name, value in (("From", from_name), ("From", from_addr), ("To", to_name), ("To", to_addr),
                        ("Subject", subject), *((headers or {}).items())):
        _check_header(name, value)
    for addr in (from_addr, to_addr):
        if not is_valid_email(addr):
            raise BadAddress(f"not a valid e-mail address: {addr!r}")
    msg = EmailMessage()
    # Always-quoted display names, as MediaWiki writes them ("RefWiki" <wiki@…>); the
    # email package RFC 2047-encodes non-ASCII names when serialising.
    msg["From"] = f"{_quoted(from_name)} <{from_addr}>"
    msg["Return-Path"] = from_addr
    msg["To"] = f"{_quoted(to_name)} <{to_addr}>"
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(date, usegmt=True)
    msg["Message-ID"] = email.utils.make_msgid("wikigate", domain=msgid_domain)
    msg["X-Mailer"] = "wikigate"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body, charset="utf-8")
    msg["Content-Language"] = lang  # after set_content, which drops Content-* headers
    return msg
