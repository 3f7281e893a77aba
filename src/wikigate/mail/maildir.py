"""Maildir spool: the embedded default transport.

Each message becomes one file under ``<dir>/new`` (written to ``tmp`` first and renamed,
the Maildir delivery protocol), so an operator can read it with any mail client
(``mutt -f``), and tools like mwdiff can pick the reset mail up without an SMTP server.
"""

from __future__ import annotations

import asyncio
import mailbox
import os
from pathlib import Path

from wikigate.mail import TemporaryMailError


class MaildirMailer:
    def __init__(self, path: str) -> None:
        self.path = Path(path).expanduser()

    def _write(self, sender: str, recipient: str, message: bytes) -> None:
        # mailbox.Maildir(create=True) does nothing for an existing (e.g. empty) directory.
        for sub in ("tmp", "new", "cur"):
            (self.path / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        box = mailbox.Maildir(str(self.path), create=True)
        # Like an MTA's envelope headers, so a reader sees who it really went to.
        envelope = f"Return-Path: <{sender}>\nDelivered-To: {recipient}\n".encode()
        key = box.add(envelope + message)
        os.chmod(self.path / "new" / key, 0o600)

    async def deliver(self, sender: str, recipient: str, message: bytes) -> None:
        try:
            await asyncio.to_thread(self._write, sender, recipient, message)
        except OSError as e:  # disk full, permissions: the operator can fix it, so retry
            raise TemporaryMailError(f"maildir {self.path}: {e.strerror or e}") from e
