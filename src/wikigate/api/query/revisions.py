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
from wikigate.api.output import ContentKey, Indexed, KeyedMap
from wikigate.api.params import Param, validate_param
from wikigate.api.query.base import QueryModule
from wikigate.api.query.pageset import PageEntry, PageSet
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
    #: rvsection of the request being answered (read by _rev)
    _section: str | None = None
    """prop=revisions (seed: API:Revisions)."""

    name = "revisions"
    prefix = "rv"
    group = "prop"
    classname = "ApiQueryRevisions"
    uses_pageset: ClassVar[bool] = True
    generator_mode = False

    def params(self) -> dict[str, Param]:
        return {
            "prop": Param("enum", multi=True, choices=RVPROP, default="ids|timestamp|flags|comment|user"),
            "slots": Param("enum", multi=True, choices=["main"], all_value="*"),
            # Validated in enumeration mode only, with smaller bounds when content is
            # fetched (ApiQueryRevisionsBase::parseParameters).
            "limit": Param("limit", min=1, max=500, max2=5000, parse_limit=False, help_info=("singlepageonly",)),
            "section": Param("string"),
            "startid": Param("integer", help_info=("singlepageonly",)),
            "endid": Param("integer", help_info=("singlepageonly",)),
            "dir": Param("enum", default="older", choices=("newer", "older"), help_info=("singlepageonly",)),
            "user": Param("user", user_types=("name", "ip", "interwiki", "id"), help_info=("singlepageonly",)),
            "excludeuser": Param("user", user_types=("name", "ip", "interwiki", "id"),
                                 help_info=("singlepageonly",)),
            "tag": Param("string"),
            "continue": Param("string"),
        }

    async def execute(self, p: dict[str, Any]) -> None:  # pragma: no cover - runs via the pageset
        return None

    async def execute_pages(self, p: dict[str, Any], ps: PageSet) -> None:
        self._section = p["section"]
        service: PageService = self.services.page_service
        props = set(p["prop"] or [])
        slots = p["slots"]
        if "content" in props and slots is None:
            self.ctx.add_deprecation(self.path, Message("apiwarn-deprecation-missingparam", ("rvslots",)),
                                     "action=query&prop=revisions&!rvslots")
        enum_mode = self._enum_mode(p)
        good = ps.good
        if ps.from_revids:
            if enum_mode:
                raise ApiError("apierror-revisions-norevids", ["rv"], code="invalidparammix")
            for e in good:
                # By revision id, as the revision query orders them (whatever the input order).
                revs = sorted(e.revisions, key=lambda r: r.id)
                e.data["revisions"] = Indexed([self._rev(r, props, slots) for r in revs], "rev")
            return
        if enum_mode:
            if len(good) > 1:
                raise ApiError("apierror-revisions-singlepage", ["rv"], code="invalidparammix")
            if not good:
                return
            entry = good[0]
            revs = await self._enumerate(p, entry, small="content" in props)
            entry.data["revisions"] = Indexed([self._rev(r, props, slots) for r in revs], "rev")
            return

        revs_by_page = await service.latest_revisions({e.key: e.page for e in good if e.page is not None})
        for e in good:
            rev = revs_by_page.get(e.key)
            if rev is not None:
                e.data["revisions"] = Indexed([self._rev(rev, props, slots)], "rev")

    @staticmethod
    def _enum_mode(p: dict[str, Any]) -> bool:
        return any(p[k] is not None for k in ("limit", "startid", "endid", "user", "excludeuser",
                                              "continue")) or p["dir"] == "newer"

    async def _enumerate(self, p: dict[str, Any], entry: PageEntry, *, small: bool) -> list[Revision]:
        """Enumeration mode on one page: its revisions by rvlimit/rvdir/rvstartid…, with a
        continuation when more exist. The limit is validated here, with smaller bounds when
        content is fetched (ApiQueryRevisionsBase::parseParameters)."""
        service: PageService = self.services.page_service
        assert entry.page is not None
        bounds = Param("limit", min=1, max=50 if small else 500, max2=500 if small else 5000)
        limit = validate_param(self.ctx, self.path, self.prefix + "limit", bounds) if p["limit"] is not None else 10
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
            self.set_continue({self.prefix + "continue": f"{nxt.timestamp}|{nxt.id}"})
            if not self.generator_mode:
                self.ctx.result["_prop_continue"] = True
            revs = revs[:limit]
        return revs

    async def generate_revids(self, p: dict[str, Any], source: PageSet) -> list[int]:
        """generator=revisions: the revisions of the input pages (the latest of each, or
        the enumerated ones of a single page); the result page set is built from them,
        as ApiPageSet::populateFromRevisionIDs does."""
        enum_mode = self._enum_mode(p)
        good = source.good
        if source.from_revids:
            if enum_mode:
                raise ApiError("apierror-revisions-norevids", ["rv"], code="invalidparammix")
            return [r.id for e in good for r in e.revisions]
        if enum_mode:
            if len(good) > 1:
                raise ApiError("apierror-revisions-singlepage", ["rv"], code="invalidparammix")
            return [r.id for r in await self._enumerate(p, good[0], small=False)] if good else []
        return [e.page.latest for e in good if e.page is not None]

    def _rev(self, r: Revision, props: set[str], slots: list[str] | None) -> dict[str, Any]:
        d: dict[str, Any] = {}
        text: str | None = r.text
        section = self._section
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
            d["slots"] = KeyedMap({"main": main}, "slot", "role")
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
