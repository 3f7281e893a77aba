"""Groups and rights, configured like ``$wgGroupPermissions``, plus bot-password grants.

Effective groups are the explicit memberships (sorted), then the implicit ``*``,
``user`` and ``autoconfirmed`` (``$wgAutopromote`` with ``$wgAutoConfirmAge`` and
``$wgAutoConfirmCount``, both 0 by default so every registered user is autoconfirmed).
Rights are collected group by group in that order without duplicates, minus revoked
rights — the order MediaWiki reports in ``meta=userinfo``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from wikigate.config import RightsSettings
from wikigate.users.model import User
from wikigate.util.clock import parse_mw_timestamp

IMPLICIT_GROUPS = ("*", "user", "autoconfirmed")

_EDITPAGE = ["edit", "minoredit", "applychangetags", "changetags", "editcontentmodel"]

#: $wgGrantPermissions of 1.39 (grant -> rights).
GRANT_RIGHTS: dict[str, list[str]] = {
    "basic": ["autocreateaccount", "autoconfirmed", "autopatrol", "editsemiprotected",
              "ipblock-exempt", "nominornewtalk", "patrolmarks", "purge", "read", "writeapi",
              "unwatchedpages"],
    "highvolume": ["bot", "apihighlimits", "noratelimit", "markbotedits"],
    "import": ["import", "importupload"],
    "editpage": list(_EDITPAGE),
    "editprotected": [*_EDITPAGE, "editprotected"],
    "editmycssjs": [*_EDITPAGE, "editmyusercss", "editmyuserjson", "editmyuserjs"],
    "editmyoptions": ["editmyoptions", "editmyuserjson"],
    "editinterface": [*_EDITPAGE, "editinterface", "edituserjson", "editsitejson"],
    "editsiteconfig": [*_EDITPAGE, "editinterface", "edituserjson", "editsitejson",
                       "editusercss", "edituserjs", "editsitecss", "editsitejs"],
    "createeditmovepage": [*_EDITPAGE, "createpage", "createtalk", "delete-redirect", "move",
                           "move-rootuserpages", "move-subpages", "move-categorypages",
                           "suppressredirect"],
    "uploadfile": ["upload", "reupload-own"],
    "uploadeditmovefile": ["upload", "reupload-own", "reupload", "reupload-shared", "upload_by_url",
                           "movefile", "suppressredirect"],
    "patrol": ["patrol"],
    "rollback": ["rollback"],
    "blockusers": ["block", "blockemail"],
    "viewdeleted": ["browsearchive", "deletedhistory", "deletedtext"],
    "viewrestrictedlogs": ["suppressionlog"],
    "delete": [*_EDITPAGE, "browsearchive", "deletedhistory", "deletedtext", "delete", "bigdelete",
               "deletelogentry", "deleterevision", "undelete"],
    "oversight": ["suppressrevision", "viewsuppressed"],
    "protect": [*_EDITPAGE, "editprotected", "protect"],
    "viewmywatchlist": ["viewmywatchlist"],
    "editmywatchlist": ["editmywatchlist"],
    "sendemail": ["sendemail"],
    "createaccount": ["createaccount"],
    "privateinfo": ["viewmyprivateinfo"],
    "mergehistory": ["mergehistory"],
}

#: $wgGrantPermissionGroups (display grouping on Special:BotPasswords).
GRANT_GROUPS: dict[str, str] = {
    "basic": "hidden", "highvolume": "high-volume", "import": "administration",
    "editpage": "page-interaction", "editprotected": "page-interaction",
    "editmycssjs": "customization", "editmyoptions": "customization",
    "editinterface": "administration", "editsiteconfig": "administration",
    "createeditmovepage": "page-interaction", "uploadfile": "file-interaction",
    "uploadeditmovefile": "file-interaction", "patrol": "administration",
    "rollback": "administration", "blockusers": "administration", "viewdeleted": "administration",
    "viewrestrictedlogs": "administration", "delete": "administration",
    "oversight": "administration", "protect": "administration",
    "viewmywatchlist": "watchlist-interaction", "editmywatchlist": "watchlist-interaction",
    "sendemail": "email", "createaccount": "administration", "privateinfo": "private-information",
    "mergehistory": "administration",
}


def grant_rights(grants: Iterable[str]) -> set[str]:
    out: set[str] = set(GRANT_RIGHTS["basic"])
    for g in grants:
        out.update(GRANT_RIGHTS.get(g, ()))
    return out


class Rights:
    def __init__(self, settings: RightsSettings) -> None:
        self.settings = settings
        # A copy: extensions add their rights to it (see wikigate.root); the settings stay as loaded.
        self.group_permissions = {g: list(r) for g, r in settings.group_permissions.items()}
        self.revoked = settings.revoke_permissions

    def all_groups(self) -> list[str]:
        return list(self.group_permissions)

    def explicit_groups(self) -> list[str]:
        """Groups a user can be a member of (everything but the implicit ones)."""
        return [g for g in self.group_permissions if g not in IMPLICIT_GROUPS]

    def implicit_groups(self, user: User, now: float) -> list[str]:
        if not user.is_registered:
            return ["*"]
        groups = ["*", "user"]
        age_ok = True
        if self.settings.autoconfirm_age > 0:
            reg = parse_mw_timestamp(user.registration) if user.registration else now
            age_ok = now - reg >= self.settings.autoconfirm_age
        if age_ok and user.editcount >= self.settings.autoconfirm_count:
            groups.append("autoconfirmed")
        return groups

    def effective_groups(self, user: User, now: float) -> list[str]:
        explicit = sorted(g for g in user.group_names() if g not in IMPLICIT_GROUPS)
        return explicit + self.implicit_groups(user, now)

    def rights_for_groups(self, groups: Iterable[str]) -> list[str]:
        groups = list(groups)
        seen: dict[str, None] = {}
        for g in groups:
            for r in self.group_permissions.get(g, ()):
                seen.setdefault(r, None)
        revoked = {r for g in groups for r in self.revoked.get(g, ())}
        return [r for r in seen if r not in revoked]

    def groups_with_right(self, right: str) -> list[str]:
        return [g for g, rights in self.group_permissions.items() if right in rights]

    def changeable_groups(self, groups: Iterable[str], rights: Iterable[str], *,
                          group_lists: bool = True) -> dict[str, list[str]]:
        """Groups a session may add and remove (UserGroupManager::getGroupsChangeableBy).

        ``rights`` are the *session's* effective rights — for a bot-password session, the
        account's rights cut down by the grants — never the rights the ``groups`` would
        give: a bureaucrat's bot password with only ``basic`` changes nothing. The
        ``[rights] add_groups``/``remove_groups`` lists hang on group membership alone, so
        a grant-limited session passes ``group_lists=False`` (no grant carries them;
        MediaWiki applies them regardless of grants).
        """
        add: dict[str, None] = {}
        remove: dict[str, None] = {}
        if group_lists:
            for g in groups:
                for x in self.settings.add_groups.get(g, ()):
                    add.setdefault(x, None)
                for x in self.settings.remove_groups.get(g, ()):
                    remove.setdefault(x, None)
        if "userrights" in set(rights):
            for x in self.explicit_groups():
                add.setdefault(x, None)
                remove.setdefault(x, None)
        return {"add": list(add), "remove": list(remove), "add-self": [], "remove-self": []}


def flags_as_bot(rights: Collection[str], bot_param: str | None) -> bool:
    """Whether a log entry's recent change is flagged as a bot's (RecentChange::newLogEntry):
    the performer has the ``bot`` right and the request did not turn it off with a false
    ``bot`` parameter (``bot=`` or ``bot=0``: PHP's boolean reading, default true)."""
    return "bot" in rights and (bot_param is None or bot_param not in ("", "0"))
