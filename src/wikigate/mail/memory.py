"""In-memory transport for tests (like Django's ``locmem`` backend): keeps every message.

``fail_next`` lets a test simulate temporary/permanent failures of the next deliveries.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage

from wikigate.mail import MailError


@dataclass
class SentMail:
    sender: str
    recipient: str
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        msg = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        return msg

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return str(part.get_content()) if part is not None else ""


@dataclass
class MemoryMailer:
    outbox: list[SentMail] = field(default_factory=list)
    #: Exceptions raised by the next deliveries, in order.
    fail_next: list[MailError] = field(default_factory=list)

    async def deliver(self, sender: str, recipient: str, message: bytes) -> None:
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.outbox.append(SentMail(sender, recipient, message))

    def to(self, recipient: str) -> list[SentMail]:
        return [m for m in self.outbox if m.recipient == recipient]
