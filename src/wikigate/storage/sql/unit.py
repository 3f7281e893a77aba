"""A unit of work: the writes of one user action, committed in ONE transaction.

Why: an action such as account creation writes several rows (the user, its credential,
its groups, the ``newusers`` log entry, the audit entry, a queued mail). Committed one by
one, a database outage or a killed worker between two commits leaves half an action
behind — a name that is taken but can never log in (issue 15, finding 1).

Domain code does its slow asynchronous work first, outside any transaction (hashing a
password, rendering a mail), and meanwhile *collects* synchronous steps ``step(conn)`` —
the store methods named ``*_in``. :meth:`UnitOfWork.commit` runs them in order inside one
:meth:`Database.run` transaction, so on every backend either all of them are durable or
none is. Callbacks added with :meth:`after_commit` run only after a successful commit
(waking the mail queue, for instance), never for a rolled-back unit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection

from wikigate.storage.sql.database import Database

log = logging.getLogger("wikigate.storage")

Step = Callable[[Connection], Any]


class UnitOfWork:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._steps: list[Step] = []
        self._after: list[Callable[[], None]] = []
        self.committed = False

    def add(self, step: Step) -> None:
        """Queue ``step(conn)``; it runs inside the transaction, after the steps before it."""
        if self.committed:
            raise RuntimeError("unit of work already committed")
        self._steps.append(step)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self._after.append(callback)

    async def commit(self) -> list[Any]:
        """Run every step in one transaction; returns their results in order.

        Raises whatever the database raised; then nothing of the unit was written.
        """
        if self.committed:
            raise RuntimeError("unit of work already committed")
        steps = list(self._steps)

        def run(conn: Connection) -> list[Any]:
            return [step(conn) for step in steps]

        results = await self.db.run(run)
        self.committed = True
        for cb in self._after:
            try:
                cb()
            except Exception:  # the writes are durable; a callback must not undo the answer
                log.exception("after-commit callback failed")
        return results
