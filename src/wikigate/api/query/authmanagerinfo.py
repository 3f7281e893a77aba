"""meta=authmanagerinfo: what the engine can do and which fields a flow needs.

Seed: API:Authmanagerinfo; spec authmanager.md §4. ``change`` drops the
TemporaryPasswordAuthenticationRequest ($wgChangeCredentialsBlacklist), ``remove`` drops
the PasswordAuthenticationRequest ($wgRemoveCredentialsBlacklist); ``*-continue`` lists
the requests of the flow in progress in this session (empty otherwise).
"""

from __future__ import annotations

from typing import Any

from wikigate.api.authmanager import MESSAGE_FORMATS, Formatter, make_manager
from wikigate.api.base import Values
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.auth.requests import (
    ACTION_CHANGE,
    ACTION_REMOVE,
    ACTIONS,
    CHANGE_BLACKLIST,
    PasswordAuthenticationRequest,
)

REMOVE_BLACKLIST = (PasswordAuthenticationRequest,)


class ApiQueryAuthManagerInfo(QueryModule):
    name = "authmanagerinfo"
    prefix = "ami"
    group = "meta"
    classname = "ApiQueryAuthManagerInfo"
    is_read = False

    def params(self) -> dict[str, Param]:
        return {
            "securitysensitiveoperation": Param("string"),
            "requestsfor": Param("enum", choices=ACTIONS),
            "mergerequestfields": Param("boolean", help_key="api-help-authmanagerhelper-mergerequestfields"),
            "messageformat": Param("enum", default="wikitext", choices=MESSAGE_FORMATS,
                                   help_key="api-help-authmanagerhelper-messageformat"),
        }

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        manager = make_manager(ctx)
        ret: dict[str, Any] = {
            "canauthenticatenow": manager.can_authenticate_now(),
            "cancreateaccounts": manager.can_create_accounts(),
            "canlinkaccounts": manager.can_link_accounts(),
        }
        if p["securitysensitiveoperation"] is not None:
            ret["securitysensitiveoperationstatus"] = manager.security_sensitive_operation_status(
                p["securitysensitiveoperation"])
        action = p["requestsfor"]
        if action:
            # Preserved state only exists with account-linking providers (none in core).
            preserved = manager.preserved_request()
            if preserved is not None:
                ret.update(haspreservedstate=preserved.has_state_for_action(action),
                           hasprimarypreservedstate=preserved.has_primary_state_for_action(action),
                           preservedusername=preserved.username or "")
            else:
                ret.update(haspreservedstate=False, hasprimarypreservedstate=False, preservedusername="")
            reqs = await manager.get_authentication_requests(action, ctx.user)
            if action == ACTION_CHANGE:
                reqs = [r for r in reqs if not isinstance(r, CHANGE_BLACKLIST)]
            elif action == ACTION_REMOVE:
                reqs = [r for r in reqs if type(r) not in REMOVE_BLACKLIST]
            ret.update(Formatter(ctx, p["messageformat"], p["mergerequestfields"]).requests(reqs))
        self.query_result()[self.name] = ret
