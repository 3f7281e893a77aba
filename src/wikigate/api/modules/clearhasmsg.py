"""action=clearhasmsg (ApiClearHasMsg): clear the current user's new-talk-page flag."""

from __future__ import annotations

from wikigate.api.base import ApiModule, Values


class ApiClearHasMsg(ApiModule):
    name = "clearhasmsg"
    classname = "ApiClearHasMsg"
    must_be_posted = True
    is_write = True
    examples = [("action=clearhasmsg", "apihelp-clearhasmsg-example-1")]

    async def execute(self, p: Values) -> None:
        await self.services.newtalk.clear(self.ctx.user.name)
        self.add_result(self.name, "success")
