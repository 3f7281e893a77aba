"""action=changeauthenticationdata (spec authmanager.md §6; MediaWiki ApiChangeAuthenticationData).

Order: logged in (the error names a message key that does not exist in MediaWiki, so
clients see ``⧼apierror-mustbeloggedin-changeauthenticationdata⧽``), recent login, the
``change`` requests minus $wgChangeCredentialsBlacklist filtered to ``changeauthrequest``
and loaded from the submitted fields (exactly one or ``badrequest``), provider checks
(``badretype``, password policy), change. Changing the password ends the user's other
sessions and bot passwords; this session stays logged in.
"""

from __future__ import annotations

from wikigate.api.authmanager import load_requests, make_manager, standard_params
from wikigate.api.base import ApiModule, Values
from wikigate.api.credentials import apply_change, require_recent_login
from wikigate.api.errors import ApiError
from wikigate.api.params import Param
from wikigate.auth.requests import ACTION_CHANGE, CHANGE_BLACKLIST


class ApiChangeAuthenticationData(ApiModule):
    name = "changeauthenticationdata"
    prefix = "changeauth"
    classname = "ApiChangeAuthenticationData"
    must_be_posted = True
    is_write = True
    needs_token = "csrf"
    dynamic_parameters = True
    account_security = "ChangeCredentials"
    examples = [
        ("action=changeauthenticationdata&changeauthrequest=MediaWiki%5CAuth%5CPasswordAuthenticationRequest"
         "&password=ExamplePassword&retype=ExamplePassword&changeauthtoken=123ABC",
         "apihelp-changeauthenticationdata-example-password"),
    ]
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Manage_authentication_data"]

    def params(self) -> dict[str, Param]:
        return standard_params(ACTION_CHANGE, "request")

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        if ctx.is_anon:
            raise ApiError("apierror-mustbeloggedin-changeauthenticationdata", code="notloggedin")
        manager = make_manager(ctx)
        require_recent_login(manager, "ChangeCredentials")
        reqs = await load_requests(ctx, manager, ACTION_CHANGE, [p["request"]])
        reqs = [r for r in reqs if not isinstance(r, CHANGE_BLACKLIST)]
        if len(reqs) != 1:
            raise ApiError("apierror-changeauth-norequest", code="badrequest")
        await apply_change(ctx, manager, reqs[0])
        ctx.result[self.name] = {"status": "success"}
