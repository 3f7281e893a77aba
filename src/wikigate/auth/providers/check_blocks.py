"""CheckBlocksSecondaryAuthenticationProvider, in the form wikigate can support today.

MediaWiki refuses login to blocked users when ``$wgBlockDisablesLogin`` is set (default
false: it abstains) and refuses account creation from IPs/users blocked from creating
accounts. wikigate has no block model yet (no ``ipblocks`` table, no action=block), so
nobody is ever blocked: with the default configuration this is exactly MediaWiki's
behaviour, and the provider keeps its place in the chain so a block store can plug in
later (look up the block in ``begin_secondary_authentication`` / ``test_user_for_creation``
and return FAIL ``login-userblocked`` / the block message).
"""

from __future__ import annotations

from wikigate.auth.providers.base import SecondaryAuthenticationProvider


class CheckBlocksSecondaryAuthenticationProvider(SecondaryAuthenticationProvider):
    sort = 0
