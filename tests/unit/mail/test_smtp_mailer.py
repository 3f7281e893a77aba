"""SmtpMailer sorts failures the way the outbox needs: 4xx and network errors are
temporary (retried), 5xx permanent. A real aiosmtpd server answers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from wikigate.mail import PermanentMailError, TemporaryMailError, build_message
from wikigate.mail.smtp import SmtpMailer


class Handler:
    def __init__(self) -> None:
        self.reply = "250 OK"
        self.got: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply.startswith("250"):
            self.got.append(envelope.content)
        return self.reply


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Handler, int]]:
    h = Handler()
    port = _port()
    ctl = Controller(h, hostname="127.0.0.1", port=port)
    ctl.start()
    yield h, port
    ctl.stop()


RAW = build_message(from_name="RefWiki", from_addr="wiki@refwiki.test", to_name="A", to_addr="a@x.test",
                    subject="S", body="Temporary password:\nabc\n", date=0.0, msgid_domain="refwiki.test").as_bytes()


async def test_delivers(server: tuple[Handler, int]) -> None:
    h, port = server
    await SmtpMailer("127.0.0.1", port, timeout=5).deliver("wiki@refwiki.test", "a@x.test", RAW)
    assert len(h.got) == 1 and b"Temporary password:" in h.got[0]


async def test_4xx_is_temporary(server: tuple[Handler, int]) -> None:
    h, port = server
    h.reply = "451 4.3.0 try again later"
    with pytest.raises(TemporaryMailError, match="451"):
        await SmtpMailer("127.0.0.1", port, timeout=5).deliver("wiki@refwiki.test", "a@x.test", RAW)


async def test_5xx_is_permanent(server: tuple[Handler, int]) -> None:
    h, port = server
    h.reply = "554 5.7.1 rejected"
    with pytest.raises(PermanentMailError, match="554"):
        await SmtpMailer("127.0.0.1", port, timeout=5).deliver("wiki@refwiki.test", "a@x.test", RAW)


async def test_connection_refused_is_temporary() -> None:
    port = _port()  # nothing listens here
    with pytest.raises(TemporaryMailError):
        await SmtpMailer("127.0.0.1", port, timeout=2).deliver("wiki@refwiki.test", "a@x.test", RAW)


def test_repr_hides_password() -> None:
    assert "s3cret" not in repr(SmtpMailer("h", 25, user="u", password="s3cret"))
