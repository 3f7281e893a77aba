"""action=unlinkaccount (spec authmanager.md §7; MediaWiki ApiRemoveAuthenticationData in
"unlink" mode). Core has no linking providers, so every id is ``badrequest`` after the
login and recent-login checks; an extension provider would make it work unchanged.
"""

from __future__ import annotations

from typing import ClassVar

from wikigate.api.modules.removeauthenticationdata import ApiRemoveAuthenticationData
from wikigate.auth.requests import ACTION_UNLINK


class ApiUnlinkAccount(ApiRemoveAuthenticationData):
    name = "unlinkaccount"
    classname = "ApiRemoveAuthenticationData"
    examples = [
        ("action=unlinkaccount&request=FooAuthenticationRequest&token=123ABC",
         "apihelp-unlinkaccount-example-simple"),
    ]
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Linkaccount"]
    auth_action: ClassVar[str] = ACTION_UNLINK
    account_security: ClassVar[str | None] = "UnlinkAccount"
    operation: ClassVar[str] = "UnlinkAccount"
    not_logged_in_key: ClassVar[str] = "apierror-mustbeloggedin-removeauth"
