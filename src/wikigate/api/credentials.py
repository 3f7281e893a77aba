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
from wikigate.auth.manager import SEC_FAIL, SEC_REAUTH, AuthManager
from wikigate.auth.requests import AuthenticationRequest
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
    session = state.session
    if fresh.token != session.user_token and state.provider == "cookie":
        # Same login time and remember-me choice; only the token the session checks changes.
        last_auth = session.last_auth
        session.set_user(fresh.id, fresh.name, fresh.token, remember=session.remember, now=last_auth)
        # A remembered session needs a new Token cookie: the old one was issued under the
        # previous user_token and no longer works.
        state.send_login_cookies = session.remember
        if session.remember:
            session.persist()  # cookies are only sent for a session asked to persist
        await ctx.issue_remember_token(fresh)
    ctx.set_user(fresh)
