"""list=logevents (ApiQueryLogEvents; seed: API:Logevents).

Entries come from ``services.logs`` (written by account creation,
userrights, edit, move and protect). ``params`` is stored as list=logevents prints it, so
``details`` is a copy; fv1 drops ``false`` and prints ``true`` as ``""`` through the usual
output rules. ``pageid`` is the page now at the logged title (0 if none), ``logpage`` the
page id recorded with the entry. Continuation: ``lecontinue=<TS14>|<logid>``.
"""

from __future__ import annotations

from typing import Any

from wikigate.api.errors import ApiError
from wikigate.api.output import Indexed
from wikigate.api.page_checks import parse_timestamp_param
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.api.query.pageset import namespaces_of
from wikigate.logs.store import LogEntry, LogQuery, LogStore
from wikigate.pages.titles import InvalidTitle, make_title, parse_title
from wikigate.pages.wikitext import comment_html, escape_wikitext
from wikigate.util.clock import mw_to_iso
from wikigate.util.ints import is_int_string, parse_int64

LOG_TYPES = ["", "block", "contentmodel", "create", "delete", "import", "managetags", "merge", "move",
             "newusers", "patrol", "protect", "rights", "suppress", "tag", "upload"]
LOG_ACTIONS = [
    "block/block", "block/reblock", "block/unblock", "contentmodel/change", "contentmodel/new", "create/create",
    "delete/delete", "delete/delete_redir", "delete/delete_redir2", "delete/event", "delete/restore",
    "delete/revision", "import/interwiki", "import/upload", "managetags/activate", "managetags/create",
    "managetags/deactivate", "managetags/delete", "merge/merge", "move/move", "move/move_redir",
    "newusers/autocreate", "newusers/byemail", "newusers/create", "newusers/create2", "newusers/newusers",
    "patrol/autopatrol", "patrol/patrol", "protect/modify", "protect/move_prot", "protect/protect",
    "protect/unprotect", "rights/autopromote", "rights/rights", "suppress/block", "suppress/delete",
    "suppress/event", "suppress/reblock", "suppress/revision", "tag/update", "upload/overwrite",
    "upload/revert", "upload/upload",
]
LEPROP = ["ids", "title", "type", "user", "userid", "timestamp", "comment", "parsedcomment", "details", "tags"]


def namespace_choices() -> list[str]:
    """The real namespaces (MWNamespace::getValidNamespaces: not Media and Special)."""
    from wikigate.pages.namespaces import Namespaces

    return [str(n.id) for n in Namespaces("Project").all() if n.id >= 0]


class ApiQueryLogEvents(QueryModule):
    """list=logevents."""

    name = "logevents"
    prefix = "le"
    group = "list"
    classname = "ApiQueryLogEvents"

    def params(self) -> dict[str, Param]:
        return {
            "prop": Param("enum", multi=True, choices=LEPROP, default="ids|title|type|user|timestamp|comment|details"),
            "type": Param("enum", choices=LOG_TYPES),
            # A string checked in execute(): MediaWiki answers unknown_leaction, not badvalue.
            # Checked in execute() ("type/*" is allowed); the list is for help and paraminfo.
            "action": Param("string", choices=LOG_ACTIONS),
            "start": Param("timestamp"),
            "end": Param("timestamp"),
            "dir": Param("enum", default="older", choices=("newer", "older")),
            "user": Param("user", user_types=("name", "ip", "interwiki", "id")),
            "title": Param("string"),
            "namespace": Param("namespace", choices=namespace_choices, extra_namespaces=(-2, -1)),
            "prefix": Param("string"),
            "tag": Param("string"),
            "limit": Param("limit", default=10, min=1, max=500, max2=5000),
            "continue": Param("string"),
        }

    async def execute(self, p: dict[str, Any]) -> None:
        ctx = self.ctx
        namespaces = namespaces_of(ctx)
        props = set(p["prop"] or [])
        limit = p["limit"] or 10
        newer = p["dir"] == "newer"
        query: dict[str, Any] = {"newer": newer, "limit": limit}
        if p["action"] is not None:
            parts = p["action"].split("/", 1)
            if len(parts) != 2 or (p["action"] not in LOG_ACTIONS and f"{parts[0]}/*" not in LOG_ACTIONS):
                raise ApiError("apierror-unrecognizedvalue", [self.prefix + "action", escape_wikitext(p["action"])],
                               code=f"unknown_{self.prefix}action")
            ltype, laction = parts
            query["type"] = ltype
            if laction != "*":
                query["action"] = laction
        elif p["type"]:
            query["type"] = p["type"]
        query["start"] = parse_timestamp_param(ctx, "lestart", p["start"])
        query["end"] = parse_timestamp_param(ctx, "leend", p["end"])
        if p["user"]:
            query["actor_name"] = await self.user_name_of(p["user"])
        if p["title"] is not None:
            try:
                t = parse_title(p["title"], namespaces)
                if not t.dbkey:
                    raise InvalidTitle("title-invalid-empty", p["title"])
            except InvalidTitle:
                raise ApiError("apierror-invalidtitle", [escape_wikitext(p["title"])]) from None
            query["title"] = (t.namespace, t.dbkey)
        if p["namespace"] is not None:
            query["namespace"] = p["namespace"]
        if p["prefix"] is not None:
            try:
                pt = parse_title(p["prefix"], namespaces)
            except InvalidTitle:
                raise ApiError("apierror-invalidtitle", [escape_wikitext(p["prefix"])]) from None
            query["prefix"] = (pt.namespace, pt.dbkey)
        if p["tag"] is not None:
            query["nothing"] = True  # log entries carry no change tags here
        if p["continue"]:
            parts = p["continue"].split("|")
            cont_id = parse_int64(parts[1], signed=False) if len(parts) == 2 else None
            if cont_id is None or not is_int_string(parts[0], signed=False):
                raise ApiError("apierror-badcontinue", code="badcontinue")
            query["cont"] = (parts[0], cont_id)
        logs: LogStore = self.services.logs
        rows = await logs.search(LogQuery(**query))
        out = []
        for i, (e, page_id) in enumerate(rows):
            if i == limit:
                self.set_continue({"lecontinue": f"{e.timestamp}|{e.id}"})
                break
            out.append(self._row(e, page_id, props, namespaces))
        self.query_result()["logevents"] = Indexed(out, "item")

    def _row(self, e: LogEntry, page_id: int, props: set[str], namespaces: Any) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if "ids" in props:
            d["logid"] = e.id
        if "title" in props:
            d["ns"] = e.namespace
            d["title"] = make_title(e.namespace, e.title, namespaces).prefixed_text
        if "ids" in props:
            d["pageid"] = page_id
            d["logpage"] = e.page_id
        if "details" in props:
            d["params"] = e.params
        if "type" in props:
            d["type"] = e.type
            d["action"] = e.action
        if "user" in props:
            d["user"] = e.actor_name
        if "userid" in props:
            d["userid"] = e.actor_id
        if ("user" in props or "userid" in props) and not e.actor_id:
            d["anon"] = True
        if "timestamp" in props:
            d["timestamp"] = mw_to_iso(e.timestamp)
        if "comment" in props:
            d["comment"] = e.comment
        if "parsedcomment" in props:
            d["parsedcomment"] = comment_html(e.comment)
        if "tags" in props:
            d["tags"] = Indexed([], "tag")
        return d
