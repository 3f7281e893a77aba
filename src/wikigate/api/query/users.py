"""list=users: information about a list of users (MediaWiki ApiQueryUsers, seed API:Users).

1.39's order of the answer is kept, because clients index into it:

1. names that do not canonicalise (``Spec/Probe``, IPs, ``Talk:Foo``) first, in input
   order, as ``{"name": <input>, "invalid": true}``;
2. then every valid name in input order — duplicates included (``Admin`` and ``admin``
   give two entries) — either the user's data or ``{"name", "missing": true}`` plus
   ``cancreate``/``cancreateerror`` for names nobody holds.

``cancreate`` is AuthManager::canCreateAccount for the name alone: only name
creatability (``noname`` → code ``invaliduser``) and existence count, not the
caller's rights or throttles.
"""

from __future__ import annotations

from typing import Any

from wikigate.api.base import Values
from wikigate.api.output import Indexed
from wikigate.api.params import Param, require_max_one
from wikigate.api.query.base import QueryModule
from wikigate.auth.usernames import canonical_username, is_creatable_username
from wikigate.i18n import Message
from wikigate.pages.namespaces import Namespaces
from wikigate.users.model import User
from wikigate.users.options import effective_options
from wikigate.util.clock import mw_to_iso

USPROPS = (
    "blockinfo", "cancreate", "centralids", "editcount", "emailable", "gender",
    "groupmemberships", "groups", "implicitgroups", "registration", "rights",
)


class ApiQueryUsers(QueryModule):
    name = "users"
    group = "list"
    prefix = "us"
    classname = "ApiQueryUsers"
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Users"]

    def params(self) -> dict[str, Param]:
        return {
            "prop": Param("enum", multi=True, choices=USPROPS),
            "attachedwiki": Param("string"),
            "users": Param("string", multi=True),
            "userids": Param("integer", multi=True),
        }

    async def execute(self, p: Values) -> None:
        require_max_one(p, ["users", "userids"], self.prefix)
        props = set(p["prop"] or [])
        out: list[dict[str, Any]] = []
        if p["userids"] is not None:
            ids: list[int] = p["userids"]
            found = {}
            for uid in dict.fromkeys(ids):
                user = await self.services.users.get_by_id(uid) if uid > 0 else None
                if user is not None:
                    found[uid] = user
            for uid in ids:
                user = found.get(uid)
                out.append(await self._user(user, props, p["attachedwiki"]) if user is not None
                           else {"userid": uid, "missing": True})
        else:
            namespaces = Namespaces(self.services.settings.site.sitename)
            good: list[str] = []
            for raw in p["users"] or []:
                canonical = canonical_username(raw, namespaces)
                if not canonical:
                    out.append({"name": raw, "invalid": True})
                else:
                    good.append(canonical)
            users = await self.services.users.get_many_by_name(good)
            for name in good:
                user = users.get(name)
                if user is not None:
                    out.append(await self._user(user, props, p["attachedwiki"]))
                else:
                    out.append(self._missing(name, props, namespaces))
        self.query_result()["users"] = Indexed(out, "user")

    def _missing(self, name: str, props: set[str], namespaces: Namespaces) -> dict[str, Any]:
        entry: dict[str, Any] = {"name": name, "missing": True}
        if "cancreate" in props:
            ok = is_creatable_username(name, namespaces)
            entry["cancreate"] = ok
            if not ok:
                entry["cancreateerror"] = [self._status_error(Message("noname"), "invaliduser")]
        return entry

    def _status_error(self, msg: Message, code: str) -> dict[str, Any]:
        """ApiErrorFormatter::arrayFromStatus: one error, shaped by the errorformat."""
        ctx = self.ctx
        ef = ctx.errorformat
        if ef == "bc":
            return {"message": msg.key, "params": Indexed([str(x) for x in msg.params], "param"),
                    "code": code, "type": "error"}
        item: dict[str, Any] = {"code": code}
        item.update(ctx.message_fields(msg))
        return item

    async def _user(self, user: User, props: set[str], attachedwiki: str | None) -> dict[str, Any]:
        svc = self.services
        now = self.ctx.now
        entry: dict[str, Any] = {"userid": user.id, "name": user.name}
        if "editcount" in props:
            entry["editcount"] = user.editcount
        if "registration" in props:
            entry["registration"] = mw_to_iso(user.registration) if user.registration else ""
        groups = svc.rights.effective_groups(user, now)
        if "groups" in props:
            entry["groups"] = Indexed(groups, "g")
        if "groupmemberships" in props:
            entry["groupmemberships"] = Indexed([
                {"group": g.group, "expiry": mw_to_iso(g.expiry) if g.expiry else "infinity"}
                for g in sorted(user.groups, key=lambda g: g.group)
            ], "groupmembership")
        if "implicitgroups" in props:
            entry["implicitgroups"] = Indexed(svc.rights.implicit_groups(user, now), "g")
        if "rights" in props:
            entry["rights"] = Indexed(svc.rights.rights_for_groups(groups), "r")
        # blockinfo: wikigate has no blocks, so there is never anything to add.
        options: dict[str, Any] | None = None
        if "emailable" in props or "gender" in props:
            options = effective_options(svc.settings, await svc.users.get_options(user.id))
        if "emailable" in props:
            assert options is not None
            confirmed = bool(user.email_authenticated) or not svc.settings.mail.email_authentication
            entry["emailable"] = bool(
                svc.settings.mail.enabled and user.email and confirmed and not options.get("disablemail"))
        if "gender" in props:
            assert options is not None
            gender = options.get("gender") or "unknown"
            entry["gender"] = gender if gender in ("male", "female") else "unknown"
        if "centralids" in props:
            entry["centralids"] = {"local": user.id}
            entry["attachedlocal"] = {"local": True}
            if attachedwiki is not None:
                # The local central-id lookup only knows this wiki.
                here = attachedwiki in ("", svc.settings.site.cookie_prefix)
                entry["attachedwiki"] = {"local": here}
        return entry
