"""action=patrol (ApiPatrol + RecentChange::doMarkPatrolled; API:Patrol).

One of ``rcid`` or ``revid`` names the change (for a revision, the change that recorded
it). The performer needs the ``patrol`` right, and without ``autopatrol`` may not patrol
their own change (both errors at once, as MediaWiki lists them). A change patrolled or
autopatrolled already answers success and writes nothing; otherwise the change is marked
patrolled with a ``patrol/patrol`` log entry in one transaction.
"""

from __future__ import annotations

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.page_checks import badaccess, check_tags, combine
from wikigate.api.params import Param, require_only_one
from wikigate.api.query.pageset import namespaces_of
from wikigate.logs.recentchanges import PRC_UNPATROLLED, RecentChange, RecentChangesStore
from wikigate.logs.store import LogStore
from wikigate.pages.titles import make_title


class ApiPatrol(ApiModule):
    name = "patrol"
    must_be_posted = True
    is_write = True
    needs_token = "patrol"
    rights_needed = ("patrol",)
    rights_conditional = (
        ("autopatrol", "to patrol one's own change"),
        ("applychangetags", "with tags"),
    )
    classname = "ApiPatrol"
    examples = [
        ("action=patrol&token=123ABC&rcid=230672766", "apihelp-patrol-example-rcid"),
        ("action=patrol&token=123ABC&revid=230672766", "apihelp-patrol-example-revid"),
    ]

    def params(self) -> dict[str, Param]:
        return {
            "rcid": Param("integer"),
            "revid": Param("integer"),
            "tags": Param("tags", multi=True),
        }

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        recent: RecentChangesStore = self.services.recent_changes
        change: RecentChange | None
        if require_only_one(p, ["rcid", "revid"]) == "rcid":
            change = await recent.get(p["rcid"])
            if change is None:
                raise ApiError("apierror-nosuchrcid", [p["rcid"]], code="nosuchrcid")
        else:
            revision = await self.services.page_service.revision(p["revid"]) if p["revid"] > 0 else None
            if revision is None:
                raise ApiError("apierror-nosuchrevid", [p["revid"]], code="nosuchrevid")
            change = await recent.for_revision(p["revid"])
            if change is None:
                raise ApiError("apierror-notpatrollable", [p["revid"]], code="notpatrollable")
        await check_tags(ctx, p["tags"])
        errors: list[ApiError] = []
        if not ctx.has_right("patrol"):
            errors.append(badaccess(ctx, "patrol"))
        if ctx.user.name == change.actor_name and not ctx.has_right("autopatrol"):
            errors.append(ApiError("markedaspatrollederror-noautopatrol", code="noautopatrol"))
        err = combine(errors)
        if err is not None:
            raise err
        if change.patrolled == PRC_UNPATROLLED:
            logs: LogStore = self.services.logs
            await logs.record_patrol(change, actor_id=ctx.user.id, actor_name=ctx.user.name,
                                     tags=list(p["tags"] or []))
        title = make_title(change.namespace, change.title, namespaces_of(ctx))
        self.add_result(self.name, {"rcid": change.id, "ns": title.namespace, "title": title.prefixed_text})
