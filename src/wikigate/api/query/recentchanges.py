"""list=recentchanges (ApiQueryRecentChanges; API:RecentChanges).

Rows come from ``services.recent_changes`` (written with the edits, page creations and
published log entries they record). Newest first by default, continued with
``rccontinue=<TS14>|<rcid>``; usable as a generator of titles, or of revisions with
``generaterevisions``. The patrol flags need the ``patrol`` or ``patrolmarks`` right
($wgUseRCPatrol is on, as in MediaWiki's default).
"""

from __future__ import annotations

from typing import Any

from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.page_checks import parse_timestamp_param
from wikigate.api.params import Param, require_max_one
from wikigate.api.query.base import QueryModule, show_flag
from wikigate.api.query.logevents import namespace_choices
from wikigate.api.query.pageset import PageSet, namespaces_of
from wikigate.logs.recentchanges import (
    CHANGE_TYPES,
    PRC_AUTOPATROLLED,
    PRC_UNPATROLLED,
    RC_EDIT,
    RC_LOG,
    RC_NEW,
    TYPE_NAMES,
    ChangeQuery,
    ChangeRow,
    RecentChangesStore,
)
from wikigate.pages.store import sha1_hex
from wikigate.pages.titles import InvalidTitle, Title, make_title, parse_title
from wikigate.pages.wikitext import comment_html, escape_wikitext
from wikigate.util.clock import mw_to_iso
from wikigate.util.ints import is_int_string, parse_int64

RCPROP = ["user", "userid", "comment", "parsedcomment", "flags", "timestamp", "title", "ids", "sizes",
          "redirect", "patrolled", "loginfo", "tags", "sha1"]
RCSHOW = ["minor", "!minor", "bot", "!bot", "anon", "!anon", "redirect", "!redirect", "patrolled", "!patrolled",
          "unpatrolled", "autopatrolled", "!autopatrolled"]
#: Pairs of ``rcshow`` values that exclude each other (``apierror-show``).
_CONFLICTS = [("minor", "!minor"), ("bot", "!bot"), ("anon", "!anon"), ("redirect", "!redirect"),
              ("patrolled", "!patrolled"), ("patrolled", "unpatrolled"), ("!patrolled", "unpatrolled"),
              ("autopatrolled", "!autopatrolled"), ("autopatrolled", "unpatrolled"),
              ("autopatrolled", "!patrolled")]
_PATROL_SHOW = {"patrolled", "!patrolled", "unpatrolled", "autopatrolled", "!autopatrolled"}


class ApiQueryRecentChanges(QueryModule):
    """list=recentchanges."""

    name = "recentchanges"
    prefix = "rc"
    group = "list"
    classname = "ApiQueryRecentChanges"
    generator_mode = False
    examples = [
        ("action=query&list=recentchanges", "apihelp-query+recentchanges-example-simple"),
        ("action=query&generator=recentchanges&grcshow=!patrolled&prop=info",
         "apihelp-query+recentchanges-example-generator"),
    ]

    def params(self) -> dict[str, Param]:
        return {
            "start": Param("timestamp"),
            "end": Param("timestamp"),
            "dir": Param("enum", default="older", choices=("newer", "older")),
            "namespace": Param("namespace", multi=True, choices=namespace_choices, extra_namespaces=(-2, -1)),
            "user": Param("user", user_types=("name", "ip", "interwiki", "id")),
            "excludeuser": Param("user", user_types=("name", "ip", "interwiki", "id")),
            "tag": Param("string"),
            "prop": Param("enum", multi=True, choices=RCPROP, default="title|timestamp|ids"),
            "show": Param("enum", multi=True, choices=RCSHOW),
            "limit": Param("limit", default=10, min=1, max=500, max2=5000),
            "type": Param("enum", multi=True, choices=list(CHANGE_TYPES), default="edit|new|log|categorize"),
            "toponly": Param("boolean"),
            "title": Param("string"),
            "continue": Param("string"),
            "generaterevisions": Param("boolean"),
            "slot": Param("enum", choices=("main",)),
        }

    def _may_patrol(self) -> bool:
        """User::useRCPatrol / useNPPatrol with both switched on: either right."""
        return self.ctx.has_right("patrol") or self.ctx.has_right("patrolmarks")

    async def _query(self, p: dict[str, Any]) -> ChangeQuery:
        ctx = self.ctx
        pre = self.prefix
        q: dict[str, Any] = {"newer": p["dir"] == "newer", "limit": p["limit"] or 10}
        q["start"] = parse_timestamp_param(ctx, pre + "start", p["start"])
        q["end"] = parse_timestamp_param(ctx, pre + "end", p["end"])
        if p["continue"] is not None:
            parts = p["continue"].split("|")
            rid = parse_int64(parts[1]) if len(parts) == 2 else None
            if rid is None or not is_int_string(parts[0], signed=False):
                raise ApiError("apierror-badcontinue", code="badcontinue")
            q["cont"] = (parts[0], rid)
        # An empty list (every value dropped as unrecognized) filters nothing, as
        # ApiQueryBase::addWhereFld ignores an empty array.
        if p["namespace"]:
            q["namespaces"] = list(p["namespace"])
        types = [CHANGE_TYPES[t] for t in (p["type"] or [])]
        if p["slot"] is not None:
            # Only changes that touch page content (new, edit); the main slot is the only
            # one. None of them asked for: nothing matches.
            types = [t for t in types if t in (RC_EDIT, RC_NEW)] or [-1]
        q["types"] = types or None
        if p["title"] is not None:
            try:
                t = parse_title(p["title"], namespaces_of(ctx))
                if not t.dbkey or t.interwiki:
                    raise InvalidTitle("title-invalid-empty", p["title"])
            except InvalidTitle:
                raise ApiError("apierror-invalidtitle", [escape_wikitext(p["title"])]) from None
            q["title"] = (t.namespace, t.dbkey)
        if p["show"] is not None:
            show = set(p["show"])
            if any(a in show and b in show for a, b in _CONFLICTS):
                raise ApiError("apierror-show", code="show")
            if show & _PATROL_SHOW and not self._may_patrol():
                raise ApiError("apierror-permissiondenied-patrolflag", code="permissiondenied")
            q["minor"] = show_flag(show, "minor")
            q["bot"] = show_flag(show, "bot")
            q["anon"] = show_flag(show, "anon")
            q["redirect"] = show_flag(show, "redirect")
            q["patrolled"] = show_flag(show, "patrolled")
            q["unpatrolled"] = "unpatrolled" in show
            q["autopatrolled"] = show_flag(show, "autopatrolled")
        require_max_one(p, ["user", "excludeuser"], pre)
        q["user"] = await self.user_name_of(p["user"])
        q["exclude_user"] = await self.user_name_of(p["excludeuser"])
        q["tag"] = p["tag"]
        q["top_only"] = bool(p["toponly"])
        return ChangeQuery(**q)

    async def _rows(self, p: dict[str, Any]) -> list[ChangeRow]:
        query = await self._query(p)
        store: RecentChangesStore = self.services.recent_changes
        rows = await store.search(query)
        if len(rows) > query.limit:
            nxt = rows[query.limit].change
            self.set_continue({self.prefix + "continue": f"{nxt.timestamp}|{nxt.id}"})
            rows = rows[:query.limit]
        return rows

    async def generate(self, p: dict[str, Any]) -> list[Title]:
        namespaces = namespaces_of(self.ctx)
        return [make_title(r.change.namespace, r.change.title, namespaces) for r in await self._rows(p)]

    def generates_revids(self, p: dict[str, Any]) -> bool:
        return bool(p["generaterevisions"])

    async def generate_revids(self, p: dict[str, Any], source: PageSet) -> list[int]:
        return [r.change.this_oldid for r in await self._rows(p) if r.change.this_oldid > 0]

    async def execute(self, p: dict[str, Any]) -> None:
        props = set(p["prop"] or [])
        if "patrolled" in props and not self._may_patrol():
            raise ApiError("apierror-permissiondenied-patrolflag", code="permissiondenied")
        namespaces = namespaces_of(self.ctx)
        out = [self._row(r, props, namespaces) for r in await self._rows(p)]
        self.query_result()["recentchanges"] = Indexed(out, "rc")

    def _row(self, row: ChangeRow, props: set[str], namespaces: Any) -> dict[str, Any]:
        c = row.change
        d: dict[str, Any] = {"type": TYPE_NAMES.get(c.type, "edit")}
        if "title" in props:
            d["ns"] = c.namespace
            d["title"] = make_title(c.namespace, c.title, namespaces).prefixed_text
        if "ids" in props:
            d["pageid"] = c.page_id
            d["revid"] = c.this_oldid
            d["old_revid"] = c.last_oldid
            d["rcid"] = c.id
        if "user" in props:
            d["user"] = c.actor_name
        if "userid" in props:
            d["userid"] = c.actor_id
        if ("user" in props or "userid" in props) and not c.actor_id:
            d["anon"] = True
        d.update(_state(row, props))
        if "loginfo" in props and c.type == RC_LOG:
            d["logid"] = c.log_id
            d["logtype"] = c.log_type
            d["logaction"] = c.log_action
            d["logparams"] = c.params
        if "tags" in props:
            d["tags"] = Indexed(c.tags, "tag")
        if "sha1" in props and row.rev_sha1 is not None:
            d["sha1"] = sha1_hex(row.rev_sha1) if row.rev_sha1 else ""
        return d


def _state(row: ChangeRow, props: set[str]) -> dict[str, Any]:
    """The flags, sizes, timestamp, comment, redirect and patrol fields of a row, in
    ApiQueryRecentChanges' order."""
    c = row.change
    d: dict[str, Any] = {}
    if "flags" in props:
        d["bot"] = c.bot
        d["new"] = c.type == RC_NEW
        d["minor"] = c.minor
    if "sizes" in props:
        d["oldlen"] = c.old_len or 0
        d["newlen"] = c.new_len or 0
    if "timestamp" in props:
        d["timestamp"] = mw_to_iso(c.timestamp)
    if "comment" in props:
        d["comment"] = c.comment
    if "parsedcomment" in props:
        d["parsedcomment"] = comment_html(c.comment)
    if "redirect" in props:
        d["redirect"] = bool(row.page_is_redirect)
    if "patrolled" in props:
        d["patrolled"] = c.patrolled != PRC_UNPATROLLED
        d["unpatrolled"] = c.patrolled == PRC_UNPATROLLED
        d["autopatrolled"] = c.patrolled == PRC_AUTOPATROLLED
    return d
