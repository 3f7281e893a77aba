"""action=checktoken: is a token valid for this session (spec api-main.md §12)."""

from __future__ import annotations

from typing import Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.params import Param
from wikigate.auth import tokens as tok
from wikigate.i18n import Message
from wikigate.util.clock import iso_timestamp


class ApiCheckToken(ApiModule):
    name = "checktoken"
    classname = "ApiCheckToken"

    def params(self) -> dict[str, Param]:
        return {
            "type": Param("enum", required=True, choices=sorted(tok.TOKEN_TYPES)),
            "token": Param("string", required=True, sensitive=True),
            "maxtokenage": Param("integer"),
        }

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        token: str = p["token"]
        if token.endswith(" \\"):
            ctx.add_warning(self.path, Message("apiwarn-checktoken-percentencoding"), "checktoken-percentencoding")
        out: dict[str, Any] = {}
        if ctx.check_token(p["type"], token, max_age=p["maxtokenage"]):
            out["result"] = "valid"
        elif p["maxtokenage"] is not None and ctx.check_token(p["type"], token):
            out["result"] = "expired"
        else:
            out["result"] = "invalid"
        ts = tok.token_timestamp(token)
        if ts is not None:
            out["generated"] = iso_timestamp(ts)
        ctx.result["checktoken"] = out
