"""pages.protect.ProtectionService used directly, as a front end other than api.php
would: plan() refuses with ProtectError codes, apply() writes in exactly one
transaction and nothing at all when nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from wikigate.app import WikigateApp
from wikigate.pages.protect import ProtectError, ProtectionService
from wikigate.pages.titles import parse_title
from wikigate.users.model import User

SYSOP_RIGHTS = {"protect", "edit", "editprotected", "editsemiprotected"}


def _service(app: WikigateApp) -> ProtectionService:
    service: ProtectionService = app.services.protection
    return service


def _title(app: WikigateApp, text: str) -> Any:
    return parse_title(text, app.services.namespaces)


@pytest.mark.parametrize(("exists", "items", "expiries", "code", "value"), [
    (True, ["edit=sysop", "move=sysop"], ["1 day", "2 days", "3 days"], "toofewexpiries", ""),
    (True, ["create=sysop"], ["infinite"], "create-titleexists", ""),
    (False, ["edit=sysop"], ["infinite"], "missingtitle-createonly", ""),
    (True, ["upload=sysop"], ["infinite"], "protect-invalidaction", "upload"),
    (True, ["edit=bogus"], ["infinite"], "protect-invalidlevel", "bogus"),
    (True, ["edit=sysop"], ["not a time"], "invalidexpiry", "not a time"),
    (True, ["edit=sysop"], ["2001-01-01T00:00:00Z"], "pastexpiry", "2001-01-01T00:00:00Z"),
])
async def test_plan_refusals(app: WikigateApp, exists: bool, items: list[str], expiries: list[str], code: str,
                             value: str) -> None:
    with pytest.raises(ProtectError) as caught:
        _service(app).plan(_title(app, "Some page"), exists, items, expiries, SYSOP_RIGHTS, app.services.clock.time())
    assert (caught.value.code, caught.value.value) == (code, value)
    if code == "toofewexpiries":
        assert (caught.value.given, caught.value.needed) == (3, 2)


async def test_apply_one_transaction_and_no_op(app: WikigateApp) -> None:
    svc = app.services
    admin = await svc.users.create("Admin")
    performer = User(id=admin.id, name=admin.name)
    title = _title(app, "Unborn")
    service = _service(app)
    plan = service.plan(title, False, ["create=sysop"], ["infinite"], SYSOP_RIGHTS, svc.clock.time())

    calls = 0
    real_run = svc.db.run

    async def counting(fn: Any, *a: Any, **k: Any) -> Any:
        nonlocal calls
        calls += 1
        return await real_run(fn, *a, **k)

    svc.db.run = counting  # type: ignore[method-assign]
    assert await service.apply(plan, performer, reason="r", cascade=True) is False  # no cascade for titles
    assert calls == 1
    svc.db.run = real_run  # type: ignore[method-assign]
    entries = await svc.logs.list(type="protect")
    assert [(e.action, e.title, e.actor_name, e.comment) for e in entries] == [("protect", "Unborn", "Admin", "r")]
    # The same protection again changes nothing: no second log entry.
    assert await service.apply(plan, performer) is False
    assert len(await svc.logs.list(type="protect")) == 1
    tp = await svc.pages.run(
        lambda conn: svc.pages.title_protection_in(conn, title.namespace, title.dbkey))
    assert (tp.level, tp.expiry, tp.reason) == ("sysop", "infinity", "r")
