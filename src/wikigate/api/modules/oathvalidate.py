"""action=oathvalidate (OATHAuth's ApiOATHValidate): check a user's two-factor code.

As the reference: needs ``totp`` or ``data`` (POSTed), a CSRF token and the right
``oathauth-api-all`` (no group has it by default); unknown and anonymous users, and users
without two-factor authentication, answer ``enabled: false, valid: false, module: ""``.
A valid code is used up (it cannot log in afterwards) and wrong codes count towards the
account's wrong-code throttle, exactly as at login.
"""

from __future__ import annotations

import json
from typing import Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.output import RealBool
from wikigate.api.params import Param, _var_list
from wikigate.auth.oath import MODULE_TOTP, VERIFY_THROTTLED, OathDataError, OathService, get_oath
from wikigate.i18n import Message


class ApiOATHValidate(ApiModule):
    name = "oathvalidate"
    classname = "MediaWiki\\Extension\\OATHAuth\\Api\\Module\\ApiOATHValidate"
    needs_token = "csrf"
    is_write = False
    internal = True
    examples = [
        ("action=oathvalidate&totp=123456&token=123ABC", "apihelp-oathvalidate-example-1"),
        ("action=oathvalidate&user=Example&totp=123456&token=123ABC", "apihelp-oathvalidate-example-2"),
        ('action=oathvalidate&user=Example&data={"token":"123456"}&token=123ABC',
         "apihelp-oathvalidate-example-3"),
    ]

    @classmethod
    def available(cls, settings: Any) -> bool:
        return bool(settings.oath.enabled)

    def params(self) -> dict[str, Param]:
        return {
            "user": Param("user"),
            "totp": Param("string", deprecated=True),
            "data": Param("string"),
        }

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        if p["totp"] is None and p["data"] is None:
            raise ApiError("apierror-missingparam-at-least-one-of", [_var_list(["totp", "data"]), 2],
                           code="missingparam")
        ctx.require_posted(["token", "data", "totp"])
        name = p["user"] if p["user"] is not None else ctx.user.name
        if not ctx.has_right("oathauth-api-all"):
            raise ApiError("apierror-permissiondenied", [Message("action-oathauth-api-all")],
                           code="permissiondenied")
        result: dict[str, Any] = {"enabled": RealBool(False), "valid": RealBool(False), "module": ""}
        oath = get_oath(self.services)
        user = await self.services.users.get_by_name(name) if name else None
        if user is not None and isinstance(oath, OathService) and await oath.is_enabled(user.id):
            if await oath.throttled(user.id):
                raise ApiError("apierror-ratelimited", [], code="ratelimited")
            token = ""
            if p["totp"] is not None:
                token = p["totp"]
            else:
                try:
                    decoded = json.loads(p["data"])
                except ValueError:
                    decoded = None
                if isinstance(decoded, dict) and isinstance(decoded.get("token"), str | int):
                    token = str(decoded["token"])
            valid = False
            if token:
                try:
                    valid = await oath.verify(user, token) not in ("bad", VERIFY_THROTTLED)
                except OathDataError:
                    valid = False
            result = {"enabled": RealBool(True), "valid": RealBool(valid), "module": MODULE_TOTP}
        self.add_result(self.name, result)
