"""The page set of action=query: ``titles``/``pageids``/``revids``/``generator`` (ApiPageSet).

Entries are produced in MediaWiki's output order — missing titles, invalid titles,
missing page ids, special pages, then existing pages — with MediaWiki's negative fake
ids: invalid and special titles are numbered while the input is parsed, missing titles
after the database lookup (namespace by namespace, input order within a namespace).
fv1 prints ``pages`` as an object keyed by id, fv2 as a list (``api/output``).

``prop`` modules set ``uses_pageset = True`` and implement ``async execute_pages(values,
pageset)``; ApiQuery skips them in its own loop.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from wikigate.api.context import ApiContext
from wikigate.api.errors import ApiError, errors_of
from wikigate.api.output import Indexed, IndexedMap
from wikigate.api.query.base import QueryModule
from wikigate.pages.namespaces import NS_MEDIA, NS_SPECIAL, Namespaces
from wikigate.pages.service import PageService
from wikigate.pages.store import Page, Revision, redirect_target
from wikigate.pages.titles import InvalidTitle, Title, make_title, parse_title

#: How many redirect hops ``redirects`` follows (MediaWiki stops at loops too).
MAX_REDIRECT_HOPS = 5


@dataclass
class PageEntry:
    """One page of the set; ``data`` is what gets printed (modules add to it)."""

    key: int
    title: Title | None
    page: Page | None = None
    kind: str = "good"  # good | missing | invalid | special | missingid
    data: dict[str, Any] = field(default_factory=dict)
    #: For ``revids``: the requested revisions of this page.
    revisions: list[Revision] = field(default_factory=list)


@dataclass
class PageSet:
    entries: list[PageEntry] = field(default_factory=list)
    normalized: list[dict[str, Any]] = field(default_factory=list)
    redirects: list[dict[str, Any]] = field(default_factory=list)
    bad_revids: list[int] = field(default_factory=list)
    interwiki: list[dict[str, Any]] = field(default_factory=list)
    from_revids: bool = False

    @property
    def good(self) -> list[PageEntry]:
        return [e for e in self.entries if e.kind == "good"]

    def ordered(self) -> list[PageEntry]:
        rank = {"missing": 0, "invalid": 1, "missingid": 2, "special": 3, "good": 4}
        missing = sorted((e for e in self.entries if e.kind == "missing"), key=lambda e: -e.key)
        rest = [e for e in self.entries if e.kind != "missing"]
        return missing + sorted(rest, key=lambda e: (rank[e.kind], 0 if e.kind == "good" else -e.key))


#: Methods by which a query module can act as a generator: titles from its own parameters,
#: titles from the input page set, or revision ids from the input page set.
GENERATOR_METHODS = ("generate", "generate_from", "generate_revids")


def namespaces_of(ctx: ApiContext) -> Namespaces:
    return ctx.services.namespaces


def _check_sources(p: dict[str, Any]) -> None:
    """``multisource``: the first given source wins, a later one is named as the culprit.

    With a generator these sources feed it (``generator=templates&titles=…``)."""
    sources = [name for name in ("titles", "pageids", "revids") if p.get(name) is not None]
    if len(sources) > 1:
        raise ApiError("apierror-invalidparammix-cannotusewith", [sources[1], sources[0]], code="multisource")


async def build_pageset(ctx: ApiContext, p: dict[str, Any], generated: list[Title] | None = None) -> PageSet:
    service: PageService = ctx.services.page_service
    namespaces = namespaces_of(ctx)
    ps = PageSet()
    fake = 0

    def next_fake() -> int:
        nonlocal fake
        fake -= 1
        return fake

    wanted: list[Title] = []
    if generated is not None:
        wanted = list(generated)
    elif p.get("titles") is not None:
        # Two passes, as ApiPageSet::processTitlesArray: invalid titles are numbered
        # while parsing, special pages afterwards.
        parsed: list[tuple[str, Title]] = []
        for raw in p["titles"]:
            try:
                title = parse_title(raw, namespaces)
                if not title.dbkey:
                    raise InvalidTitle("title-invalid-empty", raw)
            except InvalidTitle as e:
                ps.entries.append(PageEntry(next_fake(), None, kind="invalid",
                                            data={"title": raw, "invalidreason": e.message, "invalid": True}))
                continue
            parsed.append((raw, title))
        for raw, title in parsed:
            if title.interwiki:
                ps.interwiki.append({"title": title.prefixed_text, "iw": title.interwiki})
                continue
            known = False
            if title.namespace == NS_SPECIAL:
                # SpecialPageFactory::resolveAlias: a served page under its canonical name.
                title, known = _special_title(title, namespaces)
            if title.prefixed_text != raw:
                ps.normalized.append({"fromencoded": False, "from": raw, "to": title.prefixed_text})
            if title.namespace in (NS_SPECIAL, NS_MEDIA):
                if all(e.title != title for e in ps.entries):
                    data: dict[str, Any] = {"ns": title.namespace, "title": title.prefixed_text, "special": True}
                    if not known:  # Title::isKnown: no such special page (or no such file)
                        data["missing"] = True
                    ps.entries.append(PageEntry(next_fake(), title, kind="special", data=data))
                continue
            if title not in wanted:
                wanted.append(title)
    elif p.get("pageids") is not None:
        ids = list(dict.fromkeys(p["pageids"]))
        for pid, page in await service.pages_by_ids(ids):
            if page is None:
                ps.entries.append(PageEntry(pid, None, kind="missingid",
                                            data={"pageid": pid, "missing": True}))
            else:
                title = make_title(page.namespace, page.dbkey, namespaces)
                ps.entries.append(PageEntry(page.id, title, page, data=_good_data(page, title)))
        return ps
    elif p.get("revids") is not None:
        ps.from_revids = True
        revids = list(dict.fromkeys(p["revids"]))
        by_page: dict[int, PageEntry] = {}
        for rid, rev, page in await service.revisions_with_pages(revids):
            if rev is None or page is None:
                ps.bad_revids.append(rid)
                continue
            entry = by_page.get(page.id)
            if entry is None:
                title = make_title(page.namespace, page.dbkey, namespaces)
                entry = PageEntry(page.id, title, page, data=_good_data(page, title))
                by_page[page.id] = entry
                ps.entries.append(entry)
            entry.revisions.append(rev)
        return ps

    found = await service.pages([(t.namespace, t.dbkey) for t in wanted])
    goods: list[PageEntry] = []
    missing: list[Title] = []
    for t in wanted:
        page = found.get((t.namespace, t.dbkey))
        if page is None:
            missing.append(t)
        else:
            goods.append(PageEntry(page.id, t, page, data=_good_data(page, t)))

    if p.get("redirects"):
        goods, missing = await _resolve_redirects(service, namespaces, ps, goods, missing)

    # Missing titles get their fake ids after the lookup, namespace by namespace.
    for t in sorted(missing, key=lambda t: t.namespace):
        ps.entries.append(PageEntry(next_fake(), t, kind="missing",
                                    data={"ns": t.namespace, "title": t.prefixed_text, "missing": True}))
    goods.sort(key=lambda e: e.key)
    ps.entries.extend(goods)
    return ps


@functools.cache
def _special_pages() -> dict[str, str]:
    """Lower-cased name -> canonical name of the Special: pages index.php serves."""
    from wikigate.web import _discover

    names = {cls.title.split(":", 1)[1] for cls in _discover() if cls.title.startswith("Special:")}
    return {n.lower(): n for n in names}


def _special_title(title: Title, namespaces: Namespaces) -> tuple[Title, bool]:
    """The title of a known special page under its canonical name, and whether it is known."""
    name, sep, sub = title.dbkey.partition("/")
    canonical = _special_pages().get(name.lower())
    if canonical is None:
        return title, False
    return make_title(NS_SPECIAL, canonical + sep + sub, namespaces), True


def _good_data(page: Page, title: Title) -> dict[str, Any]:
    return {"pageid": page.id, "ns": page.namespace, "title": title.prefixed_text}


async def _resolve_redirects(service: PageService, namespaces: Namespaces, ps: PageSet, goods: list[PageEntry],
                             missing: list[Title]) -> tuple[list[PageEntry], list[Title]]:
    seen = {(e.page.namespace, e.page.dbkey) for e in goods if e.page is not None}
    for _hop in range(MAX_REDIRECT_HOPS):
        redirecting = [e for e in goods if e.page is not None and e.page.is_redirect]
        if not redirecting:
            break
        pages = {e.key: e.page for e in redirecting if e.page is not None}
        texts = await service.latest_texts(pages)
        next_goods = [e for e in goods if e not in redirecting]
        for e in redirecting:
            target_text = redirect_target(texts[e.key])
            assert e.title is not None
            try:
                target = parse_title(target_text or "", namespaces)
            except InvalidTitle:
                next_goods.append(e)
                continue
            if target.interwiki or target.namespace < 0 or not target.dbkey:
                next_goods.append(e)
                continue
            item: dict[str, Any] = {"from": e.title.prefixed_text, "to": target.prefixed_text}
            if target.fragment:
                item["tofragment"] = target.fragment
            ps.redirects.append(item)
            key = (target.namespace, target.dbkey)
            if key in seen:
                continue
            seen.add(key)
            page = await service.page(target.namespace, target.dbkey)
            if page is None:
                missing.append(target)
            else:
                next_goods.append(PageEntry(page.id, target, page, data=_good_data(page, target)))
        goods = next_goods
    return goods, missing


async def run_pageset(ctx: ApiContext, p: dict[str, Any], modules: list[QueryModule]) -> None:
    """Build the page set, run the ``prop`` modules over it and print ``pages``."""
    _check_sources(p)
    generated: list[Title] | None = None
    from_revisions: list[int] | None = None
    if p.get("generator"):
        reg = ctx.services.api_registry
        gen_cls = reg.by_path(f"query+{p['generator']}")
        if gen_cls is None:
            raise ApiError("apierror-badgenerator-unknown", [p["generator"]], code="badgenerator")
        if not any(hasattr(gen_cls, m) for m in GENERATOR_METHODS):
            raise ApiError("apierror-badgenerator-notgenerator", [p["generator"]], code="badgenerator")
        # A generator module: its generate/generate_from methods are checked above by name.
        gen: Any = gen_cls(ctx)
        # Generator parameters carry a "g" before the module prefix (gaplimit, gptcontinue).
        gen.prefix = "g" + gen_cls.prefix
        gen.generator_mode = True
        before = set(ctx.result.get("continue", {}))
        with errors_of(gen.path):
            values = gen.extract_params()
            # generate_revids, unless the module says it generates titles this time
            # (list=recentchanges without generaterevisions).
            if hasattr(gen, "generate_revids") and getattr(gen, "generates_revids", lambda _v: True)(values):
                from_revisions = await gen.generate_revids(values, await build_pageset(ctx, p))
            elif hasattr(gen, "generate_from"):
                generated = await gen.generate_from(values, await build_pageset(ctx, p))
            else:
                generated = await gen.generate(values)
        added = [k for k in ctx.result.get("continue", {}) if k not in before]
        if added:
            ctx.result["_gen_continue"] = added[0]
    if from_revisions is not None:
        # ApiPageSet::populateFromRevisionIDs: the pages of the generated revisions.
        ps = await build_pageset(ctx, {"revids": from_revisions})
    else:
        if generated is not None:
            # A title a generator yields twice (list=recentchanges) is one page (ApiPageSet).
            generated = list(dict.fromkeys(generated))
        ps = await build_pageset(ctx, p, generated)
    for module in modules:
        execute_pages = getattr(module, "execute_pages", None)
        if getattr(module, "uses_pageset", False) and execute_pages is not None:
            with errors_of(module.path):
                values = module.extract_params()
                await execute_pages(values, ps)
    q = ctx.result.setdefault("query", {})
    if ps.normalized:
        q["normalized"] = Indexed(ps.normalized, "n")
    if ps.interwiki:
        q["interwiki"] = Indexed(ps.interwiki, "i")
    if ps.redirects:
        q["redirects"] = Indexed(ps.redirects, "r")
    if ps.bad_revids:
        # Keyed by revid in JSON; XML lists <rev _idx="…"/> (a number is no element name).
        q["badrevids"] = IndexedMap({str(r): {"revid": r, "missing": True} for r in ps.bad_revids}, "rev")
    ordered = ps.ordered()
    if not ordered:
        return
    if p.get("indexpageids"):
        q["pageids"] = [str(e.key) for e in ordered]
    if p.get("indexpageids") and ctx.format.startswith("xml"):
        q["pageids"] = Indexed(q["pageids"], "id")
    if ctx.format.startswith("xml"):
        # ApiResult keeps the fv1 array key as the _idx attribute in XML.
        q["pages"] = Indexed([{"_idx": str(e.key), **e.data} for e in ordered], "page")
    elif ctx.fv == 1:
        q["pages"] = {str(e.key): e.data for e in ordered}
    else:
        # formatversion 2 lists the pages sorted by (fake) page id (ApiResult's "array" type).
        q["pages"] = Indexed([e.data for e in sorted(ordered, key=lambda e: e.key)], "page")
