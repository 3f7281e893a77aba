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
