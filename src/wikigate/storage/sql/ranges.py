"""The timestamp range and continuation conditions every time-ordered listing shares
(``list=logevents``, ``list=recentchanges``, ``list=usercontribs``): ``start``/``end``
in the listing's direction, and "at or after (timestamp, id)" to continue from."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, or_


def time_range(ts: Any, row_id: Any, *, newer: bool, start: str | None, end: str | None,
               cont: tuple[str, int] | None) -> list[Any]:
    """Conditions on the columns ``ts`` and ``row_id`` for a listing oldest first
    (``newer``) or newest first: within ``start``..``end``, and from ``cont`` on."""
    conds: list[Any] = []
    if start:
        conds.append(ts >= start if newer else ts <= start)
    if end:
        conds.append(ts <= end if newer else ts >= end)
    if cont is not None:
        at, rid = cont
        conds.append(or_(ts > at, and_(ts == at, row_id >= rid)) if newer
                     else or_(ts < at, and_(ts == at, row_id <= rid)))
    return conds
