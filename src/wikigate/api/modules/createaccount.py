"""action=createaccount: create an account through the authentication engine.

Seed: API:Account creation; spec createaccount.md. The creating session is *not* logged
in (an anonymous caller stays anonymous, a logged-in creator stays who they are). Order
(§2): token checks in api/main, ``createcontinue``/``createreturnurl``, then "can any
provider create accounts", then the submitted fields (sensitive ones from the POST body
only) and the flow: name → permission → exists/creatable → email → provider checks
(throttle, retype, password policy) → primary creation → user row, credential, log entry.
"""

from __future__ import annotations

from wikigate.api.authmanager import Formatter, check_return_url, load_requests, make_manager, standard_params
from wikigate.api.base import ApiModule, Values
from wikigate.api.params import Param
from wikigate.auth.requests import ACTION_CREATE, ACTION_CREATE_CONTINUE, AuthResponse
from wikigate.i18n import Message


class ApiAMCreateAccount(ApiModule):
    name = "createaccount"
    prefix = "create"
    classname = "ApiAMCreateAccount"
    must_be_posted = True
    needs_token = "createaccount"
    is_write = True
    is_read = False
    dynamic_parameters = True
    account_security = "CreateAccount"
    rights_needed = ("createaccount",)
    examples = [
        ("action=createaccount&username=Example&password=ExamplePassword&retype=ExamplePassword&"
         "createreturnurl=http://example.org/&createtoken=123ABC", "apihelp-createaccount-example-create"),
    ]

    def params(self) -> dict[str, Param]:
        return standard_params(ACTION_CREATE, "requests", "messageformat", "mergerequestfields",
                               "preservestate", "returnurl", "continue")

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        check_return_url(ctx, self.prefix, p)
        fmt = Formatter(ctx, p["messageformat"], p["mergerequestfields"])
        manager = make_manager(ctx)
        if not manager.can_create_accounts():
            self.add_result(self.name, fmt.response(AuthResponse.fail(Message("userlogin-cannot-createaccount"))))
            return
        if p["continue"]:
            reqs = await load_requests(ctx, manager, ACTION_CREATE_CONTINUE, p["requests"])
            res = await manager.continue_account_creation(ctx.user, ctx.rights, reqs)
        else:
            reqs = await load_requests(ctx, manager, ACTION_CREATE, p["requests"])
            preserved = manager.preserved_request() if p["preservestate"] else None
            if preserved is not None:
                reqs.append(preserved)
            res = await manager.begin_account_creation(ctx.user, ctx.rights, reqs, p["returnurl"])
        self.add_result(self.name, fmt.response(res))
