"""A temporary password sent by mail does not linger in the SQLite files after delivery
(issue 9, finding 5): the queued body is scrubbed, SQLite zeroes what it frees
(secure_delete) and the WAL that still held the old page is checkpointed and truncated."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import ApiClient
from wikigate.app import WikigateApp

TEMP_RE = re.compile(r"Temporary password:\s*\n\s*(\S+)")


async def test_temporary_password_is_gone_from_the_database_files(
        app: WikigateApp, client: ApiClient, make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Alice", "Old-Secret-Pass-42", email="alice@x.test")
    r = await client.jpost(action="resetpassword", token="+\\", user="Alice")
    assert r == {"resetpassword": {"status": "success"}}
    outbox = app.services.mailer
    await outbox.drain()
    (sent,) = outbox.transport.outbox
    match = TEMP_RE.search(sent.body.replace("\r\n", "\n"))
    assert match is not None
    temp = match.group(1).encode()

    data = app.settings.data_path
    files = [p for p in data.iterdir() if p.name.startswith("wikigate.db")]
    assert any(p.name == "wikigate.db" for p in files)
    for p in files:
        assert temp not in p.read_bytes(), f"the temporary password is still in {p.name}"
    (row,) = await outbox.entries()
    assert row.status == "sent"
