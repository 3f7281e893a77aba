"""SQLite "disk full" during account creation (issue 15).

No small filesystem is available in a test, so the database's connections get
``PRAGMA max_page_count`` a few pages above the current size: SQLite then fails every
write that needs a new page with SQLITE_FULL ("database or disk is full"), exactly as
on a full disk. Accounts are created until the answers turn into ``readonly`` (503);
afterwards no account is half made, every PASS logs in, and once space is "freed" the
next creation succeeds.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from tests.faults.conftest import Outcomes, burst, check_accounts, fault_settings

pytestmark = pytest.mark.faults


def _limit_pages(app: Any, pages: int | None) -> None:
    db = app.services.db
    engine = db.sync_engine
    assert engine is not None and db.lite is not None

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages or 1073741823}")

    event.listen(engine, "connect", on_connect)
    engine.pool.dispose()  # pooled connections reconnect and get the pragma
    db.lite.conn.execute(f"PRAGMA max_page_count = {pages or 1073741823}")


async def test_sqlite_full_leaves_no_partial_account(make_app: Any, tmp_path: Path) -> None:
    app = await make_app(fault_settings(tmp_path))
    db = app.services.db
    assert db.lite is not None
    current = int(db.lite.one("PRAGMA page_count", ()))
    _limit_pages(app, current + 12)
    out = Outcomes()
    rnd = 0
    while out.codes.get("readonly", 0) < 8 and rnd < 60:
        await burst(app, [f"Full {rnd} {i}" for i in range(8)], out)
        rnd += 1
    assert out.codes.get("readonly", 0) >= 8, out.codes
    assert set(out.codes) <= {"PASS", "readonly"}, out.codes
    _limit_pages(app, None)  # space freed
    after = Outcomes()
    await burst(app, [f"Freed {i}" for i in range(4)], after)
    assert len(after.created) == 4, after
    out.created |= after.created
    url = f"sqlite:///{db.lite.path}"
    stats = await asyncio.wait_for(check_accounts(url, out, app), 120)
    print(f"\nSQLite full: {stats}, answers {out.codes}, slowest {out.slowest:.2f}s")
