"""Security audit trail in ``wg_audit_log``: logins, failures, logouts, password changes,
account creations, bot-password logins and refusals, group changes. It records who,
from where and what happened — never a password or token (``detail`` carries message
keys, provider names, app ids and group names only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import audit_log
from wikigate.util.clock import Clock, mw_timestamp

EVENTS = ("login-success", "login-failure", "login-throttled", "logout", "password-change", "account-created",
          # Bot passwords (detail "botpassword app=<id>" on login events), account-security
          # operations refused in bot-password sessions (auth/containment.py), and group
          # changes with the session they came from.
          "botpassword-refused", "rights-change", "email-change")


@dataclass(frozen=True)
class AuditEntry:
    id: int
    timestamp: str
    event: str
    user_id: int
    user_name: str
    ip: str
    detail: str


class AuditLog:
    """``services.audit``."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def record_in(self, conn: Connection, event: str, user: Any, ip: str, detail: str = "") -> None:
        """:meth:`record` inside an open transaction (with the change it audits)."""
        uid = int(getattr(user, "id", 0) or 0)
        name = str(getattr(user, "name", "") or "")[:255]
        conn.execute(insert(audit_log).values(
            al_timestamp=mw_timestamp(self.clock.time()), al_event=event[:64], al_user=uid,
            al_user_name=name, al_ip=ip[:64], al_detail=detail[:1000]))

    async def record(self, event: str, user: Any, ip: str, detail: str = "") -> None:
        """``user``: a User (or None for an unknown name); ``detail``: no secrets."""
        await self.db.run(lambda c: self.record_in(c, event, user, ip, detail))

    async def list(self, *, user: str | None = None, event: str | None = None, limit: int = 50) -> list[AuditEntry]:
        c = audit_log.c
        stmt = select(audit_log)
        if user is not None:
            stmt = stmt.where(c.al_user_name == user)
        if event is not None:
            stmt = stmt.where(c.al_event == event)
        stmt = stmt.order_by(c.al_id.desc()).limit(limit)

        def q(conn: Connection) -> list[AuditEntry]:
            return [AuditEntry(r.al_id, r.al_timestamp, r.al_event, r.al_user, r.al_user_name, r.al_ip,
                               r.al_detail) for r in conn.execute(stmt)]

        return await self.db.run(q)


#: Two-factor authentication events (wikigate.auth.oath, Special:OATHManage, ``wikigate oath``).
#: Added here, apart from the list above, so each subsystem's events stay in its own lines.
#: (mypy infers a fixed-length tuple from the first assignment, hence the ignore.)
EVENTS = (*EVENTS, "2fa-enabled", "2fa-disabled", "2fa-failure", "2fa-recovery-code-used")  # type: ignore[assignment]
