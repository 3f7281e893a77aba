"""action=logout: end the session server-side and clear the cookies (spec api-main.md §13)."""

from __future__ import annotations

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError


class ApiLogout(ApiModule):
    name = "logout"
    classname = "ApiLogout"
    must_be_posted = True
    needs_token = "csrf"
    is_read = False

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        state = ctx.state
        assert state is not None
        if state.suppressed:
            raise ApiError("apierror-cannotlogout")
        audit = self.services.audit
        if not ctx.is_anon:
            await audit.record("logout", ctx.user, ctx.request.client_ip)
        await ctx.logout()
        ctx.result.clear()
