"""action=linkaccount (spec authmanager.md §8; MediaWiki ApiLinkAccount).

After the checks (logged in, ``linkcontinue`` or ``linkreturnurl``, a well-formed return
URL, recent login) a configured linking provider (``account_creation_type = "link"``)
runs the engine's link flow (auth/flow/link.py). Core ships none, so there the answer is
MediaWiki's FAIL with the non-existent message ``userlogin-cannot-link`` (clients see
``⧼userlogin-cannot-link⧽``). The parameters are the standard AuthManager ones.
"""

from __future__ import annotations

from wikigate.api.authmanager import Formatter, check_return_url, load_requests, make_manager, standard_params
from wikigate.api.base import ApiModule, Values
from wikigate.api.credentials import require_recent_login
from wikigate.api.errors import ApiError
from wikigate.api.params import Param
from wikigate.auth.requests import ACTION_LINK, ACTION_LINK_CONTINUE, AuthResponse
from wikigate.i18n import Message


class ApiLinkAccount(ApiModule):
    name = "linkaccount"
    prefix = "link"
    classname = "ApiLinkAccount"
    must_be_posted = True
    is_write = True
    is_read = False
    needs_token = "csrf"
    dynamic_parameters = True
    account_security = "LinkAccounts"
    examples = [
        ("action=linkaccount&provider=Example&linkreturnurl=http://example.org/&linktoken=123ABC",
         "apihelp-linkaccount-example-link"),
    ]
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Linkaccount"]

    def params(self) -> dict[str, Param]:
        return standard_params(ACTION_LINK, "requests", "messageformat", "mergerequestfields", "returnurl",
                               "continue")

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        if ctx.is_anon:
            raise ApiError("apierror-mustbeloggedin-linkaccounts", code="notloggedin")
        check_return_url(ctx, self.prefix, p)
        manager = make_manager(ctx)
        require_recent_login(manager, "LinkAccounts")
        fmt = Formatter(ctx, p["messageformat"], p["mergerequestfields"])
        if not manager.can_link_accounts():
            # No core provider links accounts (AuthManager::canLinkAccounts() is false).
            res = AuthResponse.fail(Message("userlogin-cannot-link"))
        elif p["continue"]:
            reqs = await load_requests(ctx, manager, ACTION_LINK_CONTINUE, p["requests"])
            res = await manager.continue_account_link(reqs)
        else:
            reqs = await load_requests(ctx, manager, ACTION_LINK, p["requests"])
            res = await manager.begin_account_link(ctx.user, reqs, p["returnurl"])
        ctx.result[self.name] = fmt.response(res)
