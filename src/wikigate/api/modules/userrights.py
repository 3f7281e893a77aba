"""action=userrights: add and remove a user's groups (MediaWiki ApiUserrights, seed
API:User group membership). The change itself is users.groups.UserRightsService's.

Behaviour of 1.39 kept (here and in the service):

* expiries are checked before the user is looked up: one expiry applies to every added
  group, otherwise their count must equal the number of added groups (``toofewexpiries``);
* groups the performer may not change are silently skipped — an anonymous caller with
  the ``+\\`` token gets ``added: [], removed: []``, not a permission error;
* a group already held is re-added only when its expiry changes or it is also removed in
  the same request; nothing changed → no log entry;
* the ``rights/rights`` log entry lists old and new groups with their expiries, the new
  list being the old one minus removed groups plus added ones, in that order.
"""

from __future__ import annotations

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.params import Param, require_only_one
from wikigate.users.groups import GroupExpiryError, UserRightsService
from wikigate.users.model import User
from wikigate.util.ints import parse_int64


class ApiUserrights(ApiModule):
    name = "userrights"
    classname = "ApiUserrights"
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:User_group_membership"]
    must_be_posted = True
    is_write = True
    needs_token = "userrights"
    # Outside bot-password sessions, [rights] add_groups/remove_groups may instead let
    # members of a group change the groups listed for it (Rights.changeable_groups).
    rights_needed = ("userrights",)

    def params(self) -> dict[str, Param]:
        groups = self.services.rights.explicit_groups
        return {
            "user": Param("user", user_types=("name", "id")),
            "userid": Param("integer", deprecated=True),
            "add": Param("enum", multi=True, choices=lambda: sorted(groups())),
            "expiry": Param("string", multi=True, default="infinite", allow_duplicates=True),
            "remove": Param("enum", multi=True, choices=lambda: sorted(groups())),
            "reason": Param("string", default=""),
        }

    def final_params(self) -> dict[str, Param]:
        # MediaWiki declares tags after the token.
        p = super().final_params()
        p["tags"] = Param("tags", multi=True, choices=())
        return p

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        service: UserRightsService = self.services.userrights
        add: list[str] = list(p["add"] or [])
        try:
            expiries = service.parse_expiries(add, list(p["expiry"] or []), ctx.now)
        except GroupExpiryError as e:
            if e.code == "toofewexpiries":
                raise ApiError("apierror-toofewexpiries", [e.given, e.needed]) from None
            raise ApiError(f"apierror-{e.code}", [e.value], code=e.code) from None
        target = await self._target(p)
        # From the session's effective rights (bot-password grants applied).
        changeable = ctx.changeable_groups()
        is_self = target.id == ctx.user.id
        addable = set(changeable["add"]) | (set(changeable["add-self"]) if is_self else set())
        removable = set(changeable["remove"]) | (set(changeable["remove-self"]) if is_self else set())
        from wikigate.auth.containment import bot_app_id

        via = (f"botpassword app={bot_app_id(ctx.state.session if ctx.state else None)}"
               if ctx.is_bot_password_session else "session")
        change = await service.change_groups(
            target, ctx.user, add=add, remove=p["remove"] or [], expiries=expiries, reason=p["reason"],
            addable=addable, removable=removable, now=ctx.now, via=via, ip=ctx.request.client_ip,
            bot=ctx.flags_as_bot())
        ctx.result["userrights"] = {
            "user": target.name, "userid": target.id,
            "added": Indexed(change.added, "group"), "removed": Indexed(change.removed, "group"),
        }

    async def _target(self, p: Values) -> User:
        which = require_only_one(p, ["user", "userid"])
        users = self.services.users
        if which == "userid":
            found: User | None = await users.get_by_id(p["userid"]) if p["userid"] > 0 else None
            if found is None:
                raise ApiError("noname", code="invaliduser")
            return found
        name: str = p["user"]
        if name.startswith("#"):
            # An id past 64 bits names nobody (PHP saturates it to a non-existent id).
            uid = parse_int64(name[1:], signed=False)
            found_id: User | None = await users.get_by_id(uid) if uid is not None else None
            if found_id is None:
                # MediaWiki resolves an unknown id to its placeholder name.
                raise ApiError("nosuchusershort", ["Unknown user"], code="nosuchuser")
            return found_id
        by_name: User | None = await users.get_by_name(name)
        if by_name is None:
            raise ApiError("nosuchusershort", [name], code="nosuchuser")
        return by_name
