"""Helpers shared by the page-writing modules (edit, move, protect).

* :func:`title_or_pageid` — ``ApiBase::getTitleOrPageId`` with its errors;
* :func:`permission_error` — the parts of MediaWiki's ``PermissionManager`` that apply
  here, in its check order: rights (``checkQuickPermissions``), namespace protection,
  page restrictions (``protectedpage``), cascading sources (``cascadeprotected``), then
  action-specific checks (``protect`` needs the ability to edit → ``cantedit``);
* :func:`check_tags` — ``ChangeTags::canAddTagsAccompanyingChange`` (``badtags``);
* :func:`want_watch` — the ``watchlist`` parameter (preferences/watch/unwatch/nochange).

Rights come from ``ctx.rights``, so bot-password grants limit them too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from wikigate.api.context import ApiContext
from wikigate.api.errors import ApiError
from wikigate.i18n import ListParam
from wikigate.i18n.message import RawMessage
from wikigate.pages import protection as prot
from wikigate.pages.namespaces import NS_MEDIAWIKI, NS_SPECIAL, NS_USER
from wikigate.pages.service import PageService, ProtectionState
from wikigate.pages.store import Page, PageStore
from wikigate.pages.titles import InvalidTitle, Title, make_title, parse_title
from wikigate.util.clock import mw_timestamp, to_mw_timestamp
from wikigate.util.ints import is_int_string

#: Rights checked by ``checkQuickPermissions`` per action (MediaWiki 1.39).
ACTION_RIGHTS = {"edit": "edit", "move": "move", "protect": "protect", "create": "createpage"}

#: Conditional rights every page write shares (edit and move), for docs/rights.md:
#: protection levels, the MediaWiki namespace, site and user CSS/JSON/JS, change tags.
PAGE_WRITE_RIGHTS: tuple[tuple[str, str], ...] = (
        ("editsemiprotected", "the page (or, to create it, its title) is protected at the autoconfirmed level"),
        ("editprotected", "the page (or its title) is protected at the sysop level or cascade-protected"),
        ("editinterface", "a page in the MediaWiki namespace"),
        ("editsitecss", "MediaWiki:*.css (likewise editsitejson, editsitejs)"),
        ("editmyusercss", "one's own User:Name/*.css (likewise editmyuserjson, editmyuserjs; or edituser*)"),
        ("editusercss", "another user's User:Name/*.css (likewise edituserjson, edituserjs)"),
        ("applychangetags", "with tags"),
)


def var_list(*names: str) -> ListParam:
    """Parameter names as ApiBase lists them in messages: ``<var>a</var>, <var>b</var> and …``."""
    return ListParam(tuple(f"<var>{n}</var>" for n in names), "text")


def pages_of(ctx: ApiContext) -> PageStore:
    return ctx.services.pages


def page_service(ctx: ApiContext) -> PageService:
    return ctx.services.page_service


def parse_user_title(ctx: ApiContext, text: str, *, param: str = "title") -> Title:
    """Parse a title parameter; ``invalidtitle`` for bad and interwiki titles."""
    from wikigate.api.query.pageset import namespaces_of

    try:
        title = parse_title(text, namespaces_of(ctx))
    except InvalidTitle:
        raise ApiError("apierror-invalidtitle", [text], code="invalidtitle") from None
    if title.interwiki or not title.dbkey:
        raise ApiError("apierror-invalidtitle", [text], code="invalidtitle")
    return title


async def title_or_pageid(ctx: ApiContext, p: dict[str, Any], title_key: str = "title",
                          pageid_key: str = "pageid") -> tuple[Title, Page | None]:
    from wikigate.api.query.pageset import namespaces_of

    if p.get(title_key) is not None and p.get(pageid_key) is not None:
        raise ApiError("apierror-invalidparammix", [var_list(title_key, pageid_key), 2],
                       code="invalidparammix")
    store = pages_of(ctx)
    if p.get(title_key) is not None:
        title = parse_user_title(ctx, p[title_key])
        if title.namespace < 0:
            raise ApiError("apierror-pagecannotexist", code="pagecannotexist")
        return title, await store.page(title.namespace, title.dbkey)
    if p.get(pageid_key) is not None:
        page = await store.page_by_id(p[pageid_key])
        if page is None:
            raise ApiError("apierror-nosuchpageid", [p[pageid_key]], code="nosuchpageid")
        return make_title(page.namespace, page.dbkey, namespaces_of(ctx)), page
    raise ApiError("apierror-missingparam-one-of", [var_list(title_key, pageid_key), 2],
                   code="missingparam")


def badaccess(ctx: ApiContext, right: str) -> ApiError:
    """``badaccess-groups`` naming the groups that hold ``right`` (links to their pages)."""
    groups = [g for g in ctx.services.rights.groups_with_right(right) if g != "*"]
    if not groups:
        return ApiError("badaccess-group0", code="permissiondenied")
    # PermissionManager passes the links ready-made, as one comma list in the user's
    # language, and a plain count (the raw errorformat shows them so).
    cat = ctx.services.catalog
    items = [cat.wikitext(RawMessage(f"[[{{{{int:grouppage-{g}}}}}|{{{{int:group-{g}}}}}]]"), ctx.uselang)
             if cat.exists(f"grouppage-{g}") and cat.exists(f"group-{g}") else g for g in groups]
    return ApiError("badaccess-groups", [", ".join(items), len(groups)], code="permissiondenied")


def _restriction_errors(ctx: ApiContext, state: ProtectionState, title: Title, page: Page | None,
                        action: str) -> list[ApiError]:
    """checkPageRestrictions + checkCascadingSourcesRestrictions for one action."""
    rights = ctx.rights
    errors: list[ApiError] = []
    rtype = "move" if action == "move-target" else action
    if page is not None:
        for r in state.restrictions:
            if r.type != rtype or not r.level:
                continue
            if not prot.user_can_level(r.level, rights) or (r.cascade and "protect" not in rights):
                errors.append(ApiError("protectedpagetext", [prot.level_right(r.level), action],
                                       code="protectedpage"))
    elif action in ("create", "edit", "move-target"):
        # A missing title: its title protection is the "create" restriction; MediaWiki's
        # checkPageRestrictions reports it as protectedpage before titleprotected is reached.
        tp = state.title_protection
        if tp is not None and not prot.user_can_level(tp.level, rights):
            errors.append(ApiError("protectedpagetext", [prot.level_right(tp.level), "create"],
                                   code="protectedpage"))
    if action == "edit":
        sources = [s for s in state.cascade_sources
                   if not prot.user_can_level(s.level, rights)]
        if sources:
            from wikigate.api.query.pageset import namespaces_of

            names = list(dict.fromkeys(make_title(s.namespace, s.dbkey, namespaces_of(ctx)).prefixed_text
                                       for s in sources))
            # Each item ends with a newline (MediaWiki builds "* [[:Title]]\n" per source).
            listing = "".join(f"* [[:{n}]]\n" for n in names)
            errors.append(ApiError("cascadeprotected", [len(names), listing], code="cascadeprotected"))
    return errors


def _quick_errors(ctx: ApiContext, title: Title, page: Page | None, action: str) -> list[ApiError]:
    """checkQuickPermissions: the rights an action needs, with MediaWiki's special messages."""
    rights = ctx.rights
    if action == "move":
        if "move" in rights:
            return []
        if ctx.is_anon and "move" in ctx.services.rights.rights_for_groups(["user"]):
            return [ApiError("movenologintext", code="cantmove-anon")]
        return [ApiError("movenotallowed", code="cantmove")]
    if action == "move-target":
        return [] if "move" in rights else [ApiError("movenotallowed", code="cantmove")]
    errors = []
    right = ACTION_RIGHTS.get(action, action)
    if right not in rights:
        errors.append(badaccess(ctx, right))
    if action == "edit" and page is None:
        create_right = "createtalk" if title.is_talk_page() else "createpage"
        if create_right not in rights:
            key = "nocreatetext" if ctx.is_anon else "nocreate-loggedin"
            errors.append(ApiError(key, code="cantcreate-anon" if ctx.is_anon else "cantcreate"))
    return errors


async def permission_errors(ctx: ApiContext, title: Title, page: Page | None, action: str) -> list[ApiError]:
    """Every error MediaWiki's PermissionManager reports for ``action`` on ``title`` (RIGOR_SECURE)."""
    errors = _quick_errors(ctx, title, page, action)
    if title.namespace == NS_SPECIAL and action != "createaccount":
        errors.append(ApiError("ns-specialprotected"))
    if title.namespace == NS_MEDIAWIKI and action in ("edit", "move", "move-target", "create") \
            and "editinterface" not in ctx.rights:
        errors.append(ApiError("protectedinterface", code="protectednamespace-interface"))
    errors += _config_page_errors(ctx, title, action)
    # protect also needs the ability to edit; restrictions are only looked at for edit
    # when the edit right itself is there. One read for both.
    check_edit = action == "protect" and not _quick_errors(ctx, title, page, "edit")
    state = await page_service(ctx).protection_state(
        title, page, title_protection=action in ("create", "edit", "move-target") or check_edit,
        cascade_sources=action == "edit" or check_edit)
    errors += _restriction_errors(ctx, state, title, page, action)
    if action == "protect" and (not check_edit or _restriction_errors(ctx, state, title, page, "edit")):
        errors.append(ApiError("protect-cantedit", code="cantedit"))
    return errors


_CONFIG_KINDS = ((".css", "css"), (".json", "json"), (".js", "js"))


def _config_kind(title: Title) -> str | None:
    """css/json/js for pages whose content model MediaWiki derives from the suffix."""
    for suffix, kind in _CONFIG_KINDS:
        if title.dbkey.endswith(suffix):
            return kind
    return None


def _config_page_errors(ctx: ApiContext, title: Title, action: str) -> list[ApiError]:
    """checkSiteConfigPermissions + checkUserConfigPermissions: site-wide and personal
    CSS/JSON/JS pages can run code in other people's browsers, so they need their own
    rights (interface-admins have them; sysops do not have ``edituserjs``)."""
    if action in ("patrol", "delete", "deleterevision", "suppressrevision"):
        return []
    kind = _config_kind(title)
    if kind is None:
        return []
    rights = ctx.rights
    if title.namespace == NS_MEDIAWIKI:
        if f"editsite{kind}" not in rights:
            return [ApiError(f"site{kind}protected", [action])]
        return []
    if title.namespace != NS_USER or "/" not in title.text:
        return []
    if title.text.startswith(ctx.user.name + "/") and not ctx.is_anon:
        if f"editmyuser{kind}" not in rights and f"edituser{kind}" not in rights:
            return [ApiError(f"mycustom{kind}protected", [action])]
        return []
    if f"edituser{kind}" not in rights:
        return [ApiError(f"custom{kind}protected", [action])]
    return []


def combine(errors: list[ApiError]) -> ApiError | None:
    """The first error, carrying the others (deduplicated) for non-bc errorformats."""
    unique: list[ApiError] = []
    for e in errors:
        if not any(u.code == e.code and u.message == e.message for u in unique):
            unique.append(e)
    if not unique:
        return None
    first = unique[0]
    first.also = unique[1:]
    return first


async def permission_error(ctx: ApiContext, title: Title, page: Page | None, action: str) -> ApiError | None:
    return combine(await permission_errors(ctx, title, page, action))


async def check_tags(ctx: ApiContext, tags: list[str] | None) -> None:
    """Only defined, user-defined (manually applicable) tags; ``applychangetags`` needed."""
    if not tags:
        return
    if "applychangetags" not in ctx.rights:
        raise ApiError("tags-apply-no-permission", code="tags-apply-no-permission")
    allowed = await page_service(ctx).user_defined_tags(tags)
    bad = [t for t in tags if t not in allowed]
    if len(bad) == 1:
        raise ApiError("tags-apply-not-allowed-one", [bad[0]], code="badtags", data={"disallowedtags": bad})
    if bad:
        raise ApiError("tags-apply-not-allowed-multi", [", ".join(bad), len(bad)],
                       code="badtags", data={"disallowedtags": bad})


async def want_watch(ctx: ApiContext, value: str, title: Title, exists: bool, *,
                     option: str | None = None) -> bool:
    """``ApiBase::getWatchlistValue``: whether the page should end up watched.

    ``preferences`` keeps a watched page watched, lets bots change nothing, and otherwise
    follows ``option`` (protect passes ``watchdefault``) or, for edits, ``watchdefault`` or
    ``watchcreations`` for new pages. Anonymous users watch nothing and get the default
    preferences (so an anonymous edit answers ``watched`` as MediaWiki's does); callers
    store nothing for them.
    """
    watched = False if ctx.is_anon else await page_service(ctx).watched(ctx.user.id, title)
    if value == "watch":
        return True
    if value == "unwatch":
        return False
    # User::isBot: in the bot group *and* holding the bot right in this session (a bot
    # password without the highvolume grant is not a bot).
    if value == "nochange" or watched or ("bot" in ctx.groups and ctx.has_right("bot")):
        return watched
    from wikigate.users.options import effective_options

    stored = {} if ctx.is_anon else await ctx.services.users.get_options(ctx.user.id)
    opts = effective_options(ctx.services.settings, stored)

    def on(name: str) -> bool:
        return str(opts.get(name, 0)) not in ("", "0", "False", "false")

    if option is None:
        return on("watchdefault") or (on("watchcreations") and not exists)
    return on(option)


# re.ASCII: "\d" must not match other scripts' digits ("١٢", which int() would accept).
_TS_FORMATS = (
    re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z?$", re.ASCII),
    re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$", re.ASCII),
)


def parse_timestamp_param(ctx: ApiContext, name: str, value: str | None) -> str | None:
    """A ``timestamp`` parameter as TS_MW (ISO 8601 or 14 digits; ``now``; unix seconds).

    ``badtimestamp`` otherwise, as ParamValidator's TimestampDef reports it.
    """
    if value is None:
        return None
    if value == "now":
        return mw_timestamp(ctx.now)
    for rx in _TS_FORMATS:
        m = rx.match(value)
        if m:
            try:
                y, mo, d, h, mi, sec = (int(g) for g in m.groups())
                dt = datetime(y, mo, d, h, mi, sec, tzinfo=UTC)
            except ValueError:
                break
            return to_mw_timestamp(dt)
    if is_int_string(value, signed=False) and len(value) <= 13:  # not isdigit(): "²" is a digit
        return mw_timestamp(float(value))
    raise ApiError("paramvalidator-badtimestamp", [name, value], code="badtimestamp")
