"""Console transport for development: prints each message to standard output.

Never use it in production: the messages (with temporary passwords) end up in the
server's output.
"""

from __future__ import annotations

import sys
from typing import TextIO


class ConsoleMailer:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    async def deliver(self, sender: str, recipient: str, message: bytes) -> None:
        out = self.stream or sys.stdout
        out.write(f"----- mail from {sender} to {recipient} -----\n")
        out.write(message.decode("utf-8", errors="replace").replace("\r\n", "\n"))
        out.write("\n----- end of mail -----\n")
        out.flush()
