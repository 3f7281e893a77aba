"""prop=revisions (ApiQueryRevisions): latest revision per page, ``revids``, or a history.

Without ``rvslots`` content is printed in MediaWiki's legacy shape (``contentformat``,
``contentmodel`` and the text directly on the revision) with the deprecation warning;
with ``rvslots=main``/``*`` it goes under ``slots.main``. In fv1 the legacy text key
``*`` comes last, as PHP's content-value handling moves it there.
Enumeration mode (``rvlimit``/``rvdir``/``rvstartid``…) works on a single page and
continues with ``rvcontinue=<timestamp>|<revid>``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from wikigate.api.errors import ApiError
from wikigate.api.modules.query import QueryModule
from wikigate.api.output import ContentKey, Indexed
from wikigate.api.params import Param
from wikigate.api.query.pageset import PageSet
from wikigate.i18n import Message
from wikigate.pages import edit_rules
from wikigate.pages.service import PageService
from wikigate.pages.store import Revision, sha1_hex
from wikigate.pages.wikitext import escape_wikitext
from wikigate.util.clock import mw_to_iso
from wikigate.util.ints import parse_int64

RVPROP = ["ids", "flags", "timestamp", "user", "userid", "size", "slotsize", "sha1", "slotsha1",
          "contentmodel", "comment", "parsedcomment", "content", "tags", "roles"]


class ApiQueryRevisions(QueryModule):
    """prop=revisions (seed: API:Revisions)."""

    name = "revisions"
    prefix = "rv"
    group = "prop"
    classname = "ApiQueryRevisions"
    uses_pageset: ClassVar[bool] = True

    def params(self) -> dict[str, Param]:
        return {
            "prop": Param("enum", multi=True, choices=RVPROP, default="ids|timestamp|flags|comment|user"),
            "slots": Param("enum", multi=True, choices=["main"], all_value="*"),
            "limit": Param("limit", min=1, max=50, max2=500),
            "section": Param("string"),
            "startid": Param("integer"),
            "endid": Param("integer"),
            "dir": Param("enum", default="older", choices=("newer", "older")),
            "user": Param("user", user_types=("name", "ip", "id")),
            "excludeuser": Param("user", user_types=("name", "ip", "id")),
            "tag": Param("string"),
            "continue": Param("string"),
        }

    async def execute(self, p: dict[str, Any]) -> None:  # pragma: no cover - runs via the pageset
        return None

    async def execute_pages(self, p: dict[str, Any], ps: PageSet) -> None:
        service: PageService = self.services.page_service
        props = set(p["prop"] or [])
        slots = p["slots"]
        if "content" in props and slots is None:
            self.ctx.add_deprecation(self.path, Message("apiwarn-deprecation-missingparam", ("rvslots",)),
                                     "action=query&prop=revisions&!rvslots")
        enum_mode = any(p[k] is not None for k in ("limit", "startid", "endid", "user", "excludeuser",
                                                   "continue")) or p["dir"] == "newer"
        good = ps.good
        if ps.from_revids:
            if enum_mode:
                raise ApiError("apierror-revisions-norevids", ["rv"], code="invalidparammix")
            for e in good:
                e.data["revisions"] = Indexed([self._rev(r, props, slots, p["section"]) for r in e.revisions], "rev")
            return
        if enum_mode:
            if len(good) > 1:
                raise ApiError("apierror-revisions-singlepage", ["rv"], code="invalidparammix")
            if not good:
                return
            entry = good[0]
            assert entry.page is not None
            limit = p["limit"] or 10
            newer = p["dir"] == "newer"
            start_id = p["startid"]
            if p["continue"]:
                parts = p["continue"].split("|")
                cont_id = parse_int64(parts[1], signed=False) if len(parts) == 2 else None
                if cont_id is None:
                    raise ApiError("apierror-badcontinue", code="badcontinue")
                start_id = cont_id
            page = entry.page
            revs = await service.revisions_of(page.id, limit=limit * 4 + 50 if p["user"] or p["excludeuser"]
                                              else limit, newer=newer, start_id=start_id)
            if p["endid"] is not None:
                revs = [r for r in revs if (r.id <= p["endid"] if newer else r.id >= p["endid"])]
            if p["user"]:
                revs = [r for r in revs if r.actor_name == p["user"]]
            if p["excludeuser"]:
                revs = [r for r in revs if r.actor_name != p["excludeuser"]]
            if len(revs) > limit:
                nxt = revs[limit]
                self.set_continue({"rvcontinue": f"{nxt.timestamp}|{nxt.id}"})
                self.ctx.result["_prop_continue"] = True
                revs = revs[:limit]
            entry.data["revisions"] = Indexed([self._rev(r, props, slots, p["section"]) for r in revs], "rev")
            return

        revs_by_page = await service.latest_revisions({e.key: e.page for e in good if e.page is not None})
        for e in good:
            rev = revs_by_page.get(e.key)
            if rev is not None:
                e.data["revisions"] = Indexed([self._rev(rev, props, slots, p["section"])], "rev")

    def _rev(self, r: Revision, props: set[str], slots: list[str] | None, section: str | None) -> dict[str, Any]:
        d: dict[str, Any] = {}
        text: str | None = r.text
        if section is not None and "content" in props:
            # ApiQueryRevisionsBase: the section's text; without it an error in the legacy
            # format and a ``nosuchsection`` flag in the slot otherwise
            text = edit_rules.get_section(r.text, edit_rules.section_index(section))
            if text is None and slots is None:
                raise ApiError("apierror-nosuchsection-what",
                               [escape_wikitext(section), Message("revid", (r.id,))], code="nosuchsection")
        if "ids" in props:
            d["revid"] = r.id
            d["parentid"] = r.parent
        if "flags" in props:
            d["minor"] = r.minor
        if "user" in props:
            d["user"] = r.actor_name
            if r.actor == 0:
                d["anon"] = True
        if "userid" in props:
            d["userid"] = r.actor
        if "timestamp" in props:
            d["timestamp"] = mw_to_iso(r.timestamp)
        if "size" in props:
            d["size"] = r.length
        if "sha1" in props:
            d["sha1"] = sha1_hex(r.sha1)
        if "roles" in props:
            d["roles"] = Indexed(["main"], "r")
        legacy_text: str | None = None
        if slots is None:
            if "contentmodel" in props:
                d["contentmodel"] = "wikitext"
            if "content" in props:
                d["contentformat"] = "text/x-wiki"
                d.setdefault("contentmodel", "wikitext")
                legacy_text = text
                if self.ctx.fv != 1:
                    d["content"] = text
        elif slots and props & {"content", "contentmodel", "slotsize", "slotsha1"}:
            main: dict[str, Any] = {}
            if "slotsize" in props:
                main["size"] = r.length
            if "slotsha1" in props:
                main["sha1"] = sha1_hex(r.sha1)
            if "contentmodel" in props or ("content" in props and text is not None):
                main["contentmodel"] = "wikitext"
            if "content" in props and text is None:
                main["nosuchsection"] = True
            elif "content" in props:
                main["contentformat"] = "text/x-wiki"
                main[ContentKey("content")] = text
            d["slots"] = {"main": main}
        if "comment" in props:
            d["comment"] = r.comment
        if "parsedcomment" in props:
            from wikigate.pages.wikitext import comment_html

            d["parsedcomment"] = comment_html(r.comment)
        if "tags" in props:
            d["tags"] = Indexed(r.tags, "tag")
        if legacy_text is not None and self.ctx.fv == 1:
            d["*"] = legacy_text
        return d
