"""meta=userinfo: who the current session is, with every uiprop of MediaWiki 1.39."""

from __future__ import annotations

from typing import Any

from wikigate.api.base import Values
from wikigate.api.output import BcBool, Indexed
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.auth.ratelimit import effective_rate_limits, limit_categories
from wikigate.util.clock import mw_to_iso

UIPROPS = (
    "acceptlang", "blockinfo", "centralids", "changeablegroups", "editcount", "email",
    "groupmemberships", "groups", "hasmsg", "implicitgroups", "latestcontrib", "options",
    "ratelimits", "realname", "registrationdate", "rights", "theoreticalratelimits", "unreadcount",
)

class ApiQueryUserInfo(QueryModule):
    name = "userinfo"
    group = "meta"
    prefix = "ui"
    classname = "ApiQueryUserInfo"
    static_params = True

    def params(self) -> dict[str, Param]:
        return {
            "prop": Param("enum", multi=True, choices=UIPROPS, all_value="*"),
            "attachedwiki": Param("string"),
        }

    def _ratelimits(self, apply_noratelimit: bool) -> dict[str, Any]:
        """The limits that apply to the categories this user is in (MediaWiki's rules:
        anon/user, plus ip/subnet/newbie for users without ``autoconfirmed``, plus explicit
        groups); ``ratelimits`` is empty for users with ``noratelimit``,
        ``theoreticalratelimits`` is not."""
        ctx = self.ctx
        if apply_noratelimit and ctx.has_right("noratelimit"):
            return {}
        cats = limit_categories(ctx.is_anon, not ctx.has_right("autoconfirmed"), ctx.explicit_groups)
        out: dict[str, Any] = {}
        for action, limits in effective_rate_limits(ctx.services.settings.throttle).items():
            entry = {c: {"hits": limits[c][0], "seconds": limits[c][1]} for c in cats if c in limits}
            if entry:
                out[action] = entry
        return out

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        user = ctx.user
        props = set(p["prop"] or [])
        info: dict[str, Any] = {"id": user.id, "name": user.name}
        if ctx.is_anon:
            info["anon"] = True
        if "blockinfo" in props:
            pass  # blocks are not implemented: nobody is blocked
        if "hasmsg" in props:
            info["messages"] = await self.services.newtalk.has(user.name)
        if "groups" in props:
            info["groups"] = Indexed(ctx.groups, "g")
        if "groupmemberships" in props:
            info["groupmemberships"] = Indexed([
                {"group": g.group, "expiry": mw_to_iso(g.expiry) if g.expiry else "infinity"}
                for g in sorted(user.groups, key=lambda g: g.group)
            ], "groupmembership")
        if "implicitgroups" in props:
            info["implicitgroups"] = Indexed(self.services.rights.implicit_groups(user, ctx.now), "g")
        if "rights" in props:
            info["rights"] = Indexed(ctx.rights_list, "r")
        if "changeablegroups" in props:
            info["changeablegroups"] = {k: Indexed(v, "g") for k, v in ctx.changeable_groups().items()}
        if "options" in props:
            # Raw values: booleans among the defaults stay booleans (META_BC_BOOLS).
            info["options"] = {k: BcBool(v) if isinstance(v, bool) else v for k, v in (await self._options()).items()}
        if "editcount" in props:
            info["editcount"] = user.editcount
        if "ratelimits" in props:
            info["ratelimits"] = self._ratelimits(True)
        if "theoreticalratelimits" in props:
            info["theoreticalratelimits"] = self._ratelimits(False)
        if "realname" in props:
            info["realname"] = user.real_name
        # ApiQueryUserInfo: the address only with viewmyprivateinfo, which a bot-password
        # session has only with the privateinfo grant.
        if "email" in props and ctx.has_right("viewmyprivateinfo"):
            info["email"] = user.email
            if user.email_authenticated:
                info["emailauthenticated"] = mw_to_iso(user.email_authenticated)
        if "registrationdate" in props and not ctx.is_anon and user.registration:
            info["registrationdate"] = mw_to_iso(user.registration)
        if "acceptlang" in props:
            info["acceptlang"] = Indexed(self._acceptlang(), "lang")
        if "unreadcount" in props:
            info["unreadcount"] = 0
        if "centralids" in props:
            info["centralids"] = {"local": user.id}
            info["attachedlocal"] = {"local": bool(user.id)}
        if "latestcontrib" in props and not ctx.is_anon:
            latest = await self._latest_contrib()
            if latest:
                info["latestcontrib"] = latest
        self.query_result()["userinfo"] = info

    async def _options(self) -> dict[str, Any]:
        from wikigate.users.options import effective_options

        stored = await self.services.users.get_options(self.ctx.user.id) if not self.ctx.is_anon else {}
        return effective_options(self.services.settings, stored)

    def _acceptlang(self) -> list[dict[str, Any]]:
        header = self.ctx.request.header("accept-language") or ""
        out: list[dict[str, Any]] = []
        for part in header.split(","):
            code, _, params = part.strip().partition(";")
            if not code:
                continue
            q = 1.0
            if params.strip().startswith("q="):
                try:
                    q = float(params.strip()[2:])
                except ValueError:
                    continue
            item: dict[str, Any] = {"q": int(q) if q == int(q) else q}
            from wikigate.api.output import ContentKey

            item[ContentKey("code")] = code.lower()
            out.append(item)
        return out

    async def _latest_contrib(self) -> str | None:
        pages = self.services.pages
        ts: str | None = await pages.latest_contribution(self.ctx.user.id)
        return mw_to_iso(ts) if ts else None
