"""meta=oath (OATHAuth's ApiQueryOATH): does a user have two-factor authentication?

As the reference: needs ``oathauth-api-all`` or ``oathauth-verify-user`` (sysops have the
latter); without ``oathauth-api-all`` a ``reason`` is required (``noreason``) and every
check is recorded in the log as ``oath/verify`` with that reason.
"""

from __future__ import annotations

from typing import Any

from wikigate.api.base import Values
from wikigate.api.errors import ApiError
from wikigate.api.output import RealBool
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.auth.oath import get_oath
from wikigate.i18n import Message


class ApiQueryOATH(QueryModule):
    name = "oath"
    group = "meta"
    prefix = "oath"
    classname = "MediaWiki\\Extension\\OATHAuth\\Api\\Module\\ApiQueryOATH"
    internal = True
    examples = [
        ("action=query&meta=oath", "apihelp-query+oath-example-1"),
        ("action=query&meta=oath&oathuser=Example", "apihelp-query+oath-example-2"),
    ]

    @classmethod
    def available(cls, settings: Any) -> bool:
        return bool(settings.oath.enabled)

    def params(self) -> dict[str, Param]:
        return {"user": Param("user"), "reason": Param("string")}

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        name = p["user"] if p["user"] is not None else ctx.user.name
        if not (ctx.has_right("oathauth-api-all") or ctx.has_right("oathauth-verify-user")):
            raise ApiError("apierror-permissiondenied", [Message("action-oathauth-api-all")],
                           code="permissiondenied", module=self.path)
        api_all = ctx.has_right("oathauth-api-all")
        reason = p["reason"]
        given = reason is not None and reason != ""
        if not api_all and not given:
            raise ApiError("apierror-missingparam", ["reason"], code="noreason", module=self.path)
        data: dict[str, Any] = {"enabled": RealBool(False)}
        user = await self.services.users.get_by_name(name) if name else None
        if user is not None:
            data["enabled"] = RealBool(await get_oath(self.services).is_enabled(user.id))
            # Only existing accounts are looked up, so only those checks are logged.
            logs = self.services.logs
            if not api_all or given:
                await logs.add(type="oath", action="verify", actor_id=ctx.user.id, actor_name=ctx.user.name,
                               namespace=2, title=user.name.replace(" ", "_"), comment=reason or "",
                               params={})
        self.query_result()["oath"] = data
