"""SMTP transport (stdlib :mod:`smtplib`, run in a thread so the event loop never blocks).

Errors are sorted for the outbox's retry logic: SMTP 4xx replies and network problems
are temporary, 5xx replies permanent (RFC 5321 §4.2.1).
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl

from wikigate.config import MailSettings
from wikigate.mail import PermanentMailError, TemporaryMailError


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _classify(code: int, text: str) -> Exception:
    if 400 <= code < 500:
        return TemporaryMailError(f"SMTP {code} {text}")
    return PermanentMailError(f"SMTP {code} {text}")


class SmtpMailer:
    def __init__(self, host: str, port: int, *, tls: str = "none", user: str = "", password: str = "",
                 timeout: float = 10.0) -> None:
        self.host, self.port, self.tls = host, port, tls
        self.user, self._password, self.timeout = user, password, timeout

    @classmethod
    def from_settings(cls, s: MailSettings) -> SmtpMailer:
        return cls(s.smtp_host, s.smtp_port, tls=s.smtp_tls, user=s.smtp_user, password=s.smtp_password,
                   timeout=s.smtp_timeout)

    def __repr__(self) -> str:  # never show the password
        return f"SmtpMailer({self.host}:{self.port}, tls={self.tls}, user={self.user!r})"

    def _send(self, sender: str, recipient: str, message: bytes) -> None:
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if self.tls == "tls":
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with conn:
            conn.ehlo()
            if self.tls == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if self.user:
                conn.login(self.user, self._password)
            refused = conn.sendmail(sender, [recipient], message)
            if refused:
                code, reply = refused[recipient]
                raise _classify(code, _text(reply))

    async def deliver(self, sender: str, recipient: str, message: bytes) -> None:
        try:
            await asyncio.to_thread(self._send, sender, recipient, message)
        except smtplib.SMTPRecipientsRefused as e:
            code, reply = e.recipients.get(recipient, (550, b"refused"))
            raise _classify(code, _text(reply)) from None
        except smtplib.SMTPAuthenticationError as e:
            # Bad credentials are an operator problem; keep the mail queued for a retry.
            raise TemporaryMailError(f"SMTP authentication failed ({e.smtp_code})") from None
        except smtplib.SMTPResponseException as e:
            raise _classify(e.smtp_code, _text(e.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as e:
            raise TemporaryMailError(f"SMTP {self.host}:{self.port}: {e}") from None
