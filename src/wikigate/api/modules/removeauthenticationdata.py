"""action=removeauthenticationdata (spec authmanager.md §7; MediaWiki ApiRemoveAuthenticationData).

Core offers one removable credential: a pending temporary password
(``MediaWiki\\Auth\\TemporaryPasswordAuthenticationRequest``). The main password is on
$wgRemoveCredentialsBlacklist, so asking for it is ``badrequest`` like any unknown id.
No fields are read from the request: the request object is used as offered.
"""

from __future__ import annotations

from typing import ClassVar

from wikigate.api.authmanager import make_manager
from wikigate.api.base import ApiModule, Values
from wikigate.api.credentials import apply_change, require_recent_login
from wikigate.api.errors import ApiError
from wikigate.api.params import Param
from wikigate.auth.requests import ACTION_REMOVE, PasswordAuthenticationRequest

#: $wgRemoveCredentialsBlacklist (exact classes, as MediaWiki compares get_class()).
REMOVE_BLACKLIST = (PasswordAuthenticationRequest,)


class ApiRemoveAuthenticationData(ApiModule):
    name = "removeauthenticationdata"
    classname = "ApiRemoveAuthenticationData"
    must_be_posted = True
    is_write = True
    needs_token = "csrf"
    account_security: ClassVar[str | None] = "RemoveCredentials"
    examples = [
        ("action=removeauthenticationdata&request=FooAuthenticationRequest&token=123ABC",
         "apihelp-removeauthenticationdata-example-simple"),
    ]
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Manage_authentication_data"]
    auth_action: ClassVar[str] = ACTION_REMOVE
    operation: ClassVar[str] = "RemoveCredentials"
    not_logged_in_key: ClassVar[str] = "apierror-mustbeloggedin-removeauth"

    def params(self) -> dict[str, Param]:
        return {"request": Param("string", required=True, help_key="api-help-authmanagerhelper-request")}

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        if ctx.is_anon:
            raise ApiError(self.not_logged_in_key, code="notloggedin")
        manager = make_manager(ctx)
        require_recent_login(manager, self.operation)
        blacklist = REMOVE_BLACKLIST if self.auth_action == ACTION_REMOVE else ()
        reqs = [r for r in await manager.get_authentication_requests(self.auth_action, ctx.user)
                if r.unique_id == p["request"] and type(r) not in blacklist]
        if len(reqs) != 1:
            raise ApiError("apierror-changeauth-norequest", code="badrequest")
        await apply_change(ctx, manager, reqs[0])
        ctx.result[self.name] = {"status": "success"}
