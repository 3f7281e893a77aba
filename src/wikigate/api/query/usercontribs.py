"""list=usercontribs (ApiQueryUserContribs; API:Usercontribs).

The revisions of one author (``ucuser`` with one name, ``ucuserids`` with one id) newest
first, continued with ``uccontinue=<TS14>|<revid>``; or of several (several names or ids,
``ucuserprefix``, ``uciprange``), author by author in name order, continued with
``uccontinue=name|<name>|<TS14>|<revid>``. The patrol flags need the ``patrol`` or
``patrolmarks`` right, and exist while the change is in recent changes.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.page_checks import parse_timestamp_param
from wikigate.api.params import Param, require_max_one, require_only_one
from wikigate.api.query.base import QueryModule, show_flag
from wikigate.api.query.logevents import namespace_choices
from wikigate.api.query.pageset import namespaces_of
from wikigate.i18n import Message
from wikigate.logs.recentchanges import PRC_AUTOPATROLLED, PRC_UNPATROLLED
from wikigate.pages.contributions import Contribution, ContributionQuery
from wikigate.pages.titles import make_title
from wikigate.pages.wikitext import comment_html, escape_wikitext
from wikigate.util.clock import mw_to_iso
from wikigate.util.ints import is_int_string, parse_int64

UCPROP = ["ids", "title", "timestamp", "comment", "parsedcomment", "size", "sizediff", "flags", "patrolled", "tags"]
UCSHOW = ["minor", "!minor", "patrolled", "!patrolled", "autopatrolled", "!autopatrolled", "top", "!top", "new",
          "!new"]
_CONFLICTS = [("minor", "!minor"), ("patrolled", "!patrolled"), ("autopatrolled", "!autopatrolled"),
              ("autopatrolled", "!patrolled"), ("top", "!top"), ("new", "!new")]
#: $wgRangeContributionsCIDRLimit: the widest ranges that may be listed.
CIDR_LIMIT = {4: 16, 6: 32}


class ApiQueryUserContribs(QueryModule):
    """list=usercontribs."""

    name = "usercontribs"
    prefix = "uc"
    group = "list"
    classname = "ApiQueryUserContribs"
    examples = [
        ("action=query&list=usercontribs&ucuser=Example", "apihelp-query+usercontribs-example-user"),
        ("action=query&list=usercontribs&ucuserprefix=192.0.2.", "apihelp-query+usercontribs-example-ipprefix"),
    ]

    def params(self) -> dict[str, Param]:
        return {
            "limit": Param("limit", default=10, min=1, max=500, max2=5000),
            "start": Param("timestamp"),
            "end": Param("timestamp"),
            "continue": Param("string"),
            "user": Param("user", multi=True, user_types=("name", "ip", "interwiki")),
            "userids": Param("integer", multi=True),
            "userprefix": Param("string"),
            "iprange": Param("string"),
            "dir": Param("enum", default="older", choices=("newer", "older")),
            "namespace": Param("namespace", multi=True, choices=namespace_choices),
            "prop": Param("enum", multi=True, choices=UCPROP, default="ids|title|timestamp|comment|size|flags"),
            "show": Param("enum", multi=True, choices=UCSHOW),
            "tag": Param("string"),
            "toponly": Param("boolean", deprecated=True),
        }

    async def _authors(self, p: dict[str, Any]) -> tuple[list[str], bool]:
        """The authors' names (sorted when several) and whether to list author by author."""
        pre = self.prefix
        # The mix error names the parameters in declaration order, the missing one in
        # this order (ApiBase::requireOnlyOneParameter).
        require_max_one(p, ["user", "userids", "userprefix", "iprange"], pre)
        which = require_only_one(p, ["userprefix", "userids", "iprange", "user"], pre)
        pages = self.services.page_service
        if which == "userprefix":
            return await pages.author_names(prefix=p["userprefix"]), True
        if which == "userids":
            ids = p["userids"]
            if not ids:
                raise ApiError("apierror-paramempty", [pre + "userids"], code=f"paramempty_{pre}userids")
            for uid in ids:
                if uid <= 0:
                    raise ApiError("apierror-invaliduserid", [uid], code="invaliduserid")
            users = [await self.services.users.get_by_id(uid) for uid in dict.fromkeys(ids)]
            names = sorted(u.name for u in users if u is not None)
            return names, len(ids) > 1
        if which == "iprange":
            return await self._range_authors(p["iprange"]), True
        names = list(dict.fromkeys(p["user"] or []))
        if not names or "" in names:
            raise ApiError("apierror-paramempty", [pre + "user"], code=f"paramempty_{pre}user")
        return sorted(names), len(names) > 1

    async def _range_authors(self, text: str) -> list[str]:
        try:
            net = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ApiError("apierror-invalidiprange", [escape_wikitext(text)], code="invalidiprange") from None
        limit = CIDR_LIMIT[net.version]
        if net.prefixlen < limit:
            raise ApiError("apierror-cidrtoobroad", [f"IPv{net.version}", limit], code="cidrtoobroad")
        names = await self.services.page_service.author_names(anonymous=True)
        out = []
        for name in names:
            try:
                if ipaddress.ip_address(name) in net:
                    out.append(name)
            except ValueError:
                continue
        return out

    def _query(self, p: dict[str, Any], names: list[str], multi: bool) -> ContributionQuery:
        ctx = self.ctx
        pre = self.prefix
        q: dict[str, Any] = {"names": names, "multi": multi, "newer": p["dir"] == "newer", "limit": p["limit"] or 10}
        q["start"] = parse_timestamp_param(ctx, pre + "start", p["start"])
        q["end"] = parse_timestamp_param(ctx, pre + "end", p["end"])
        if p["continue"] is not None:
            parts = p["continue"].split("|")
            if multi:
                if len(parts) != 4 or parts[0] != "name":
                    raise ApiError("apierror-badcontinue", code="badcontinue")
                name, parts = parts[1], parts[2:]
            elif len(parts) != 2:
                raise ApiError("apierror-badcontinue", code="badcontinue")
            else:
                name = ""
            rid = parse_int64(parts[1])
            if rid is None or not is_int_string(parts[0], signed=False):
                raise ApiError("apierror-badcontinue", code="badcontinue")
            q["cont"] = (name, parts[0], rid)
        if p["namespace"]:
            q["namespaces"] = list(p["namespace"])
        show = set(p["show"] or [])
        if p["toponly"]:
            # Boolean parameters skip the validator's deprecation notice; ParamValidator gives it.
            ctx.add_deprecation(self.path, Message("paramvalidator-param-deprecated", (pre + "toponly",)),
                                f"action=query&list=usercontribs&{pre}toponly")
            show.add("top")
        if any(a in show and b in show for a, b in _CONFLICTS):
            raise ApiError("apierror-show", code="show")
        for flag in ("minor", "top", "new", "patrolled", "autopatrolled"):
            q[flag] = show_flag(show, flag)
        q["need_patrol"] = "patrolled" in set(p["prop"] or [])
        if (q["need_patrol"] or q["patrolled"] is not None or q["autopatrolled"] is not None) and not (
                ctx.has_right("patrol") or ctx.has_right("patrolmarks")):
            raise ApiError("apierror-permissiondenied-patrolflag", code="permissiondenied")
        q["tag"] = p["tag"]
        return ContributionQuery(**q)

    async def execute(self, p: dict[str, Any]) -> None:
        names, multi = await self._authors(p)
        query = self._query(p, names, multi)
        rows = await self.services.page_service.contributions(query)
        props = set(p["prop"] or [])
        namespaces = namespaces_of(self.ctx)
        out = []
        for i, c in enumerate(rows):
            if i == query.limit:
                cont = f"{c.timestamp}|{c.rev_id}"
                self.set_continue({self.prefix + "continue": f"name|{c.actor_name}|{cont}" if multi else cont})
                break
            out.append(self._row(c, props, namespaces))
        self.query_result()["usercontribs"] = Indexed(out, "item")

    def _row(self, c: Contribution, props: set[str], namespaces: Any) -> dict[str, Any]:
        d: dict[str, Any] = {"userid": c.actor_id, "user": c.actor_name}
        if "ids" in props:
            d["pageid"] = c.page_id
            d["revid"] = c.rev_id
            d["parentid"] = c.parent_id
        if "title" in props:
            d["ns"] = c.namespace
            d["title"] = make_title(c.namespace, c.dbkey, namespaces).prefixed_text
        if "timestamp" in props:
            d["timestamp"] = mw_to_iso(c.timestamp)
        if "flags" in props:
            d["new"] = c.parent_id == 0
            d["minor"] = c.minor
            d["top"] = c.top
        if "comment" in props:
            d["comment"] = c.comment
        if "parsedcomment" in props:
            d["parsedcomment"] = comment_html(c.comment)
        if "patrolled" in props:
            d["patrolled"] = c.patrolled is not None and c.patrolled != PRC_UNPATROLLED
            d["autopatrolled"] = c.patrolled == PRC_AUTOPATROLLED
        if "size" in props:
            d["size"] = c.length
        if "sizediff" in props:
            d["sizediff"] = c.length - (c.parent_length or 0)
        if "tags" in props:
            d["tags"] = Indexed(c.tags, "tag")
        return d
