"""meta=tokens: session-bound tokens of every type (spec sessions-tokens.md §3)."""

from __future__ import annotations

from wikigate.api.base import Values
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.auth.tokens import TOKEN_TYPES
from wikigate.i18n import Message


class ApiQueryTokens(QueryModule):
    name = "tokens"
    group = "meta"
    classname = "ApiQueryTokens"
    #: ApiQueryTokens::isReadMode: login tokens on wikis without read access.
    is_read = False
    static_params = True

    def params(self) -> dict[str, Param]:
        return {"type": Param("enum", multi=True, default="csrf", choices=sorted(TOKEN_TYPES), all_value="*")}

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        if ctx.anonymized:
            # Tokens are useless (and dangerous) without the same-origin policy.
            ctx.add_warning(self.path, Message("apiwarn-tokens-origin"), "tokens-origin")
            return
        tokens = {f"{t}token": ctx.get_token(t) for t in p["type"]}
        self.query_result()["tokens"] = tokens
