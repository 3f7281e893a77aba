"""What changeauthenticationdata, removeauthenticationdata, linkaccount and unlinkaccount
share (spec authmanager.md §5–8): the security-sensitive-operation check, the change
itself, and keeping the caller's own session alive after a password change.

A password change rotates ``user_token`` (users.store.set_password), which ends every
other session of the user and revokes remember-me cookies; MediaWiki keeps the session
that made the change logged in, so this session is re-bound to the new token here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wikigate.api.errors import ApiError
from wikigate.auth.flow import SEC_FAIL, SEC_REAUTH, AuthManager
from wikigate.auth.requests import AuthenticationRequest
from wikigate.http.session_cookies import rebind_after_credential_change
from wikigate.i18n import Message, api_code_for_key

if TYPE_CHECKING:
    from wikigate.api.context import ApiContext


def require_recent_login(manager: AuthManager, operation: str) -> None:
    """ApiAuthManagerHelper::securitySensitiveOperation."""
    status = manager.security_sensitive_operation_status(operation)
    if status == SEC_REAUTH:
        raise ApiError("apierror-reauthenticate", code="reauthenticate")
    if status == SEC_FAIL:
        raise ApiError("apierror-cannotreauthenticate", code="cannotreauthenticate")


def status_error(errors: list[Message]) -> ApiError:
    """ApiBase::dieStatus for a failed change: the first message, code = its key."""
    first = errors[0]
    return ApiError(first, code=api_code_for_key(first.key, first.params))


async def apply_change(ctx: ApiContext, manager: AuthManager, req: AuthenticationRequest) -> None:
    """Check with every provider, change, then keep this session logged in."""
    errors, _ = await manager.allows_authentication_data_change(req, True)
    if errors:
        raise status_error(errors)
    await manager.change_authentication_data(req)
    fresh = await ctx.services.users.get_by_id(ctx.user.id)
    state = ctx.state
    if fresh is None or state is None:
        return
    await rebind_after_credential_change(ctx.services, state, fresh)
    ctx.set_user(fresh)
