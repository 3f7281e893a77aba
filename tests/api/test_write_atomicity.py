"""Whole writes or none (issue 15, finding 1): every row of one action commits together.

The faults here are real: a table the action needs is made unusable in the database
before the request, so the write fails part-way through, as it would if the database
stopped between two statements. Afterwards nothing of the action may exist.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import redis.exceptions
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from tests.conftest import ApiClient
from wikigate.app import WikigateApp, build_services
from wikigate.storage.kv import MemoryKeyValueStore

PW = "Mwd-Secret-Pass!42"


async def _ca(c: ApiClient, **kw: Any) -> Any:
    ct = await c.token("createaccount")
    return await c.jpost(action="createaccount", createtoken=ct, createreturnurl="http://c.example/", **kw)


async def _break_table(app: WikigateApp, table: str) -> None:
    # Renaming keeps the data, so the test can put it back; the action's INSERT then
    # fails with "no such table" in the middle of its transaction.
    await app.services.db.run(lambda c: c.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away")))


async def _restore_table(app: WikigateApp, table: str) -> None:
    await app.services.db.run(lambda c: c.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}")))


async def test_createaccount_log_failure_leaves_no_user(client: ApiClient, app: WikigateApp) -> None:
    await _break_table(app, "wg_logging")
    r = await _ca(client, username="Half made", password=PW, retype=PW)
    assert "error" in r and r["error"]["code"].startswith("internal_api_error_")
    await _restore_table(app, "wg_logging")
    # Before the fix the user row (with its password) stayed behind without its log entry.
    assert await app.services.users.get_by_name("Half made") is None
    # ... so the name is still free: the retry succeeds and the account logs in.
    r = await _ca(client, username="Half made", password=PW, retype=PW)
    assert r["createaccount"]["status"] == "PASS"
    user = await app.services.users.get_by_name("Half made")
    assert user is not None and user.password
    entries = await app.services.logs.list(type="newusers")
    assert [e.title for e in entries] == ["Half_made"]


async def test_createaccount_audit_failure_leaves_no_user(client: ApiClient, app: WikigateApp) -> None:
    await _break_table(app, "wg_audit_log")
    r = await _ca(client, username="No audit", password=PW, retype=PW)
    assert "error" in r
    await _restore_table(app, "wg_audit_log")
    assert await app.services.users.get_by_name("No audit") is None
    assert await app.services.logs.list(type="newusers") == []


async def test_createaccount_commits_everything_together(client: ApiClient, app: WikigateApp,
                                                         new_client: Any) -> None:
    r = await _ca(client, username="Whole one", password=PW, retype=PW)
    assert r["createaccount"]["status"] == "PASS"
    user = await app.services.users.get_by_name("Whole one")
    assert user is not None and user.password.startswith(":pbkdf2:")
    assert [e.title for e in await app.services.logs.list(type="newusers")] == ["Whole_one"]
    audit = await app.services.audit.list(event="account-created")
    assert [(a.user_id, a.user_name) for a in audit] == [(user.id, "Whole one")]
    assert (await new_client().login("Whole one", PW))["clientlogin"]["status"] == "PASS"


async def test_password_reset_mail_failure_stores_no_temporary_password(
        app: WikigateApp, make_user: Any) -> None:
    from wikigate.auth.password_reset import Caller, PasswordReset

    user = await make_user("Resetter")
    await app.services.users.update(user.id, email="r@example.org")
    await _break_table(app, "wg_mail_queue")
    reset = PasswordReset(app.services)
    with pytest.raises(OperationalError):  # expected; what matters is what it left behind
        await reset.send_temporary_password(user.id, Caller(None, "127.0.0.1", frozenset()), "http://w/")
    await _restore_table(app, "wg_mail_queue")
    after = await app.services.users.get_by_id(user.id)
    assert after is not None
    # Before the fix the temporary password was saved although no mail was queued.
    assert after.newpassword == "" and after.newpass_time is None


async def test_password_change_never_leaves_bot_passwords_valid(app: WikigateApp, make_user: Any,
                                                                new_client: Any) -> None:
    """A password change invalidates the bot passwords; if that write fails, the password
    must not have changed either (before: the new password was committed and every bot
    password stayed valid — a stolen bot password survived the victim's password change)."""
    old, new = "Old-Secret-Pass-42", "Brand-New-Pass-77"
    await make_user("Changer", old)
    c = new_client("10.4.0.1")
    assert (await c.login("Changer", old))["clientlogin"]["status"] == "PASS"
    token = await c.token()
    await _break_table(app, "wg_bot_passwords")
    r = await c.jpost(action="changeauthenticationdata",
                      changeauthrequest="MediaWiki\\Auth\\PasswordAuthenticationRequest",
                      password=new, retype=new, changeauthtoken=token)
    assert "error" in r, r
    await _restore_table(app, "wg_bot_passwords")
    assert (await new_client("10.4.0.2").login("Changer", old))["clientlogin"]["status"] == "PASS"


class _KvFailingAfterCreation(MemoryKeyValueStore):
    """A session store that goes down for good at the moment an account-creation flow
    record is dropped the second time — i.e. right after the account was committed
    (the first drop is at the start of the flow)."""

    def __init__(self) -> None:
        super().__init__()
        self.flow_drops = 0
        self.down = False

    async def delete(self, key: str) -> None:
        if key.startswith("authflow:create:"):
            self.flow_drops += 1
            if self.flow_drops == 2:
                self.down = True
        if self.down:
            raise redis.exceptions.ConnectionError("Connection refused")
        await super().delete(key)

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        if self.down:
            raise redis.exceptions.ConnectionError("Connection refused")
        await super().set(key, value, ttl)


async def test_createaccount_answers_pass_once_committed(settings: Any) -> None:
    kv = _KvFailingAfterCreation()
    application = WikigateApp(settings, build_services(settings, kv=kv))
    await application.startup()
    try:
        transport = httpx.ASGITransport(app=application, client=("127.0.0.1", 1))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
            r = await _ca(ApiClient(http), username="Committed one", password=PW, retype=PW)
        # Before: internal_api_error_ConnectionError for an account that exists, so a
        # client's retry met "userexists".
        assert kv.down and r == {"createaccount": {"status": "PASS", "username": "Committed one"}}, r
        user = await application.services.users.get_by_name("Committed one")
        assert user is not None and user.password
    finally:
        await application.shutdown()
