"""The base class of the ``prop=``/``list=``/``meta=`` submodules of action=query."""

from __future__ import annotations

from typing import Any, ClassVar

from wikigate.api.base import ApiModule


class QueryModule(ApiModule):
    """Base of every ``prop=``/``list=``/``meta=`` submodule."""

    group: ClassVar[str] = "meta"

    def query_result(self) -> dict[str, Any]:
        q = self.ctx.result.setdefault("query", {})
        assert isinstance(q, dict)
        return q

    async def user_name_of(self, value: str | None) -> str | None:
        """A ``user`` parameter's value as the name to match: ``#<id>`` (UserDef's id
        form) becomes that user's name; an id nobody has stays as given, and matches no
        row (no user name contains ``#``)."""
        if value is None or not value.startswith("#") or not value[1:].isdigit() or len(value) > 20:
            return value
        user = await self.services.users.get_by_id(int(value[1:]))
        return user.name if user is not None else value

    def set_continue(self, values: dict[str, str]) -> None:
        """Report that more results exist (``continue`` block, no batchcomplete)."""
        cont = self.ctx.result.setdefault("continue", {})
        cont.update(values)
        self.ctx.result["_incomplete"] = True


def show_flag(show: set[str], name: str) -> bool | None:
    """An ``show`` filter of a list module: True for ``name``, False for ``!name``,
    None when neither is asked for."""
    if name in show:
        return True
    if "!" + name in show:
        return False
    return None
