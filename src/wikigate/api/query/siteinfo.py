"""meta=siteinfo: what the wiki is (MediaWiki ApiQuerySiteinfo, seed API:Siteinfo).

Clients read it at start-up: mwclient takes ``general`` and ``namespaces`` and parses
``generator``; pywikibot loads ``general|namespaces|namespacealiases`` and later
``usergroups``, ``restrictions`` … Every ``siprop`` of 1.39 is accepted and answered
with the shape MediaWiki uses. Where wikigate has no such thing (it has no parser, no
skins, no extensions, no interwiki table) the answer is the honest empty value of the
right type, never invented data.

``generator`` is ``MediaWiki 1.39.17-wikigate`` (see docs/compatibility.md): clients
require the ``MediaWiki `` prefix and compare the version number for feature checks,
and the suffix tells humans that this is not MediaWiki. pywikibot and mwclient both
accept an unknown suffix; a suffix containing ``wmf``/``alpha``/``beta``/``rc`` would
not be accepted by pywikibot, hence no version number of our own here.
"""

from __future__ import annotations

import importlib.metadata
import re
from typing import Any
from urllib.parse import urlsplit

from wikigate.api.base import Values
from wikigate.api.output import ContentKey, Indexed, IndexedMap, RealBool
from wikigate.api.params import Param
from wikigate.api.query.base import QueryModule
from wikigate.auth.usernames import INVALID_USERNAME_CHARACTERS
from wikigate.pages.namespaces import Namespaces
from wikigate.storage.sql import statistics
from wikigate.users.options import effective_options
from wikigate.users.rights import IMPLICIT_GROUPS
from wikigate.util.clock import iso_timestamp, mw_timestamp

#: The MediaWiki release whose Action API wikigate speaks.
MW_VERSION = "1.39.17"
GENERATOR = f"MediaWiki {MW_VERSION}-wikigate"

SIPROPS = (
    "dbrepllag", "defaultoptions", "extensions", "extensiontags", "fileextensions",
    "functionhooks", "general", "interwikimap", "languages", "languagevariants", "libraries",
    "magicwords", "namespacealiases", "namespaces", "protocols", "restrictions", "rightsinfo",
    "showhooks", "skins", "specialpagealiases", "statistics", "uploaddialog", "usergroups",
    "variables",
)

#: $wgLegalTitleChars as siteinfo prints it (pages/titles.py implements the same set).
LEGAL_TITLE_CHARS = " %!\"$&'()*,\\-.\\/0-9:;=?@A-Z\\\\^_`a-z~\\x80-\\xFF+"

#: $wgUrlProtocols of 1.39: the URL schemes external links and return URLs may use.
URL_PROTOCOLS = (
    "bitcoin:", "ftp://", "ftps://", "geo:", "git://", "gopher://", "http://", "https://",
    "irc://", "ircs://", "magnet:", "mailto:", "matrix:", "mms://", "news:", "nntp://",
    "redis://", "sftp://", "sip:", "sips:", "sms:", "ssh://", "svn://", "tel:", "telnet://",
    "urn:", "worldwind://", "xmpp:", "//",
)

#: Autonyms of the languages wikigate has message files for.
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English", "tr": "Türkçe"}

#: $wgActiveUserDays: "active users" edited within this many days.
ACTIVE_USER_DAYS = 30

#: XML element names of the lists wikigate leaves empty.
_EMPTY_TAGS = {
    "interwikimap": "iw", "magicwords": "magicword", "extensions": "ext", "extensiontags": "t",
    "fileextensions": "fe", "functionhooks": "h", "showhooks": "hook", "skins": "skin",
    "variables": "v",
}

_DB_TYPES = {"sqlite": "sqlite", "postgresql": "postgres", "mysql": "mysql"}


class ApiQuerySiteinfo(QueryModule):
    name = "siteinfo"
    group = "meta"
    prefix = "si"
    classname = "ApiQuerySiteinfo"
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Siteinfo"]

    def params(self) -> dict[str, Param]:
        return {
            "prop": Param("enum", multi=True, default="general", choices=SIPROPS),
            "filteriw": Param("enum", choices=("!local", "local")),
            "showalldb": Param("boolean"),
            "numberingroup": Param("boolean"),
            "inlanguagecode": Param("string"),
        }

    async def execute(self, p: Values) -> None:
        q = self.query_result()
        fv = self.ctx.fv
        for prop in p["prop"]:
            if prop == "general":
                q["general"] = await self._general()
            elif prop == "namespaces":
                q["namespaces"] = IndexedMap(self._namespaces().siteinfo_namespaces(fv), "ns")
            elif prop == "namespacealiases":
                q["namespacealiases"] = Indexed(self._namespaces().siteinfo_aliases(fv), "ns")
            elif prop == "usergroups":
                q["usergroups"] = await self._usergroups(p["numberingroup"])
            elif prop == "restrictions":
                prot = self.services.settings.protection
                q["restrictions"] = {
                    "types": Indexed(prot.types, "type"), "levels": Indexed(prot.levels, "level"),
                    "cascadinglevels": Indexed(prot.cascading_levels, "level"),
                    "semiprotectedlevels": Indexed(prot.semiprotected_levels, "level"),
                }
            elif prop == "statistics":
                q["statistics"] = await self._statistics()
            elif prop == "dbrepllag":
                # A single database server: MediaWiki reports lag -1 (see maxlag in api/main).
                q["dbrepllag"] = Indexed([{"host": "", "lag": -1}], "db")
            elif prop == "languages":
                q["languages"] = self._languages()
            elif prop == "languagevariants":
                # No language with variants is supported; PHP prints an empty array as [] in fv1.
                q["languagevariants"] = [] if fv == 1 else {}
            elif prop == "defaultoptions":
                q["defaultoptions"] = effective_options(self.services.settings, {})
            elif prop == "rightsinfo":
                q["rightsinfo"] = {"url": "", "text": ""}
            elif prop == "protocols":
                q["protocols"] = Indexed(URL_PROTOCOLS, "p")
            elif prop == "specialpagealiases":
                q["specialpagealiases"] = self._special_pages()
            elif prop == "libraries":
                q["libraries"] = Indexed(_libraries(), "library")
            elif prop == "uploaddialog":
                q["uploaddialog"] = _upload_dialog()
            else:
                # interwikimap, magicwords, extensions, extensiontags, fileextensions,
                # functionhooks, showhooks, skins, variables: wikigate has none of them.
                q[prop] = Indexed([], _EMPTY_TAGS[prop])

    # -- general -------------------------------------------------------------------------

    def _server(self) -> str:
        return self.services.settings.site.server or self.ctx.request.server

    async def _general(self) -> dict[str, Any]:
        site = self.services.settings.site
        ctx = self.ctx
        server = self._server()
        script_path = site.script_path
        article_path = f"{script_path}/index.php/$1"
        main_page = "Main Page"
        host = urlsplit(server if "//" in server else f"//{server}").hostname or ""
        db = self.services.db
        dbversion = await statistics.server_version(db)
        g: dict[str, Any] = {
            "mainpage": main_page,
            "base": server + article_path.replace("$1", main_page.replace(" ", "_")),
            "sitename": site.sitename,
            "mainpageisdomainroot": False,
            # No logo is configured; MediaWiki's default asset does not exist here.
            "logo": "",
            "generator": GENERATOR,
            # phpversion/phpsapi are omitted: wikigate does not run on PHP.
            "dbtype": _DB_TYPES.get(db.dialect, db.dialect),
            "dbversion": dbversion,
            "imagewhitelistenabled": False,
            "langconversion": True,
            "linkconversion": True,
            "titleconversion": True,
            "linkprefixcharset": "",
            "linkprefix": "",
            "linktrail": "/^([a-z]+)(.*)$/sD",
            "legaltitlechars": LEGAL_TITLE_CHARS,
            "invalidusernamechars": INVALID_USERNAME_CHARACTERS,
            "allunicodefixes": False,
            "fixarabicunicode": True,
            "fixmalayalamunicode": True,
            "case": "first-letter",
            "lang": site.language,
            "fallback": [],
            "rtl": False,
            "fallback8bitEncoding": "windows-1252",
            "readonly": bool(site.read_only),
        }
        if site.read_only:
            g["readonlyreason"] = site.read_only
        g.update({
            "writeapi": True,
            "maxarticlesize": 2097152,
            "timezone": "UTC",
            "timeoffset": 0,
            "articlepath": article_path,
            "scriptpath": script_path,
            "script": f"{script_path}/index.php",
            # MediaWiki sets this one without the boolean type: it stays false in fv1.
            "variantarticlepath": RealBool(False),
            "server": server,
            "servername": host,
            "wikiid": site.cookie_prefix,
            "time": iso_timestamp(ctx.now),
            "misermode": False,
            "uploadsenabled": False,
            "maxuploadsize": 104857600,
            "minuploadchunksize": 1024,
            "galleryoptions": {
                "imagesPerRow": 0, "imageWidth": 120, "imageHeight": 120, "captionLength": True,
                "showBytes": True, "showDimensions": True, "mode": "traditional",
            },
            # Indexed PHP arrays: lists in fv1, objects keyed "0".."5" in fv2.
            "thumblimits": _indexed([120, 150, 180, 200, 250, 300], ctx.fv),
            "imagelimits": _indexed([{"width": w, "height": h} for w, h in (
                (320, 240), (640, 480), (800, 600), (1024, 768), (1280, 1024), (2560, 2048))], ctx.fv),
            "favicon": f"{server}/favicon.ico",
            "centralidlookupprovider": "local",
            "allcentralidlookupproviders": ["local"],
            "interwikimagic": True,
            # All false: fv1 drops them and PHP prints the empty array as [].
            "magiclinks": [] if ctx.fv == 1 else {"ISBN": False, "PMID": False, "RFC": False},
            "categorycollation": "uppercase",
            "nofollowlinks": True,
            "nofollownsexceptions": [],
            "nofollowdomainexceptions": ["mediawiki.org"],
            "externallinktarget": False,
        })
        return g

    def _namespaces(self) -> Namespaces:
        return Namespaces(self.services.settings.site.sitename)

    # -- groups and statistics -----------------------------------------------------------

    async def _usergroups(self, number: bool) -> list[dict[str, Any]]:
        rights = self.services.rights
        rs = self.services.settings.rights
        now = mw_timestamp(self.ctx.now)
        counts = await statistics.group_member_counts(self.services.db, now) if number else {}
        out: list[dict[str, Any]] = []
        for g in rights.all_groups():
            entry: dict[str, Any] = {"name": g, "rights": Indexed(rights.rights_for_groups([g]), "permission")}
            if number:
                if g == "user":
                    entry["number"] = counts.get("", 0)
                elif g not in IMPLICIT_GROUPS:
                    entry["number"] = counts.get(g, 0)
            # $wgAddGroups & co. are printed only where configured. wikigate's defaults list
            # bureaucrat's groups there too, but MediaWiki derives those from the userrights
            # right, so they are not printed for groups that hold it.
            if "userrights" not in rights.rights_for_groups([g]):
                for key, table in (("add", rs.add_groups), ("remove", rs.remove_groups)):
                    if table.get(g):
                        entry[key] = Indexed(table[g], "group")
            out.append(entry)
        return Indexed(out, "group")

    async def _statistics(self) -> dict[str, Any]:
        since = mw_timestamp(self.ctx.now - ACTIVE_USER_DAYS * 86400)
        now = mw_timestamp(self.ctx.now)

        stats: dict[str, Any] = await statistics.site_statistics(self.services.db, active_since=since, now=now)
        return stats

    # -- languages and pages -------------------------------------------------------------

    def _languages(self) -> list[dict[str, Any]]:
        out = []
        for code in sorted(self.services.catalog.languages()):
            out.append({"code": code, "bcp47": code, ContentKey("name"): LANGUAGE_NAMES.get(code, code)})
        return Indexed(out, "lang")

    def _special_pages(self) -> list[dict[str, Any]]:
        """The Special: pages index.php serves (wikigate.web.pages)."""
        from wikigate.web import _discover

        names = sorted({cls.title.split(":", 1)[1] for cls in _discover() if cls.title.startswith("Special:")})
        return Indexed([{"realname": n, "aliases": Indexed([n], "alias")} for n in names], "specialpage")


def _indexed(items: list[Any], fv: int) -> Any:
    return items if fv == 1 else {str(i): v for i, v in enumerate(items)}


_REQ_NAME = re.compile(r"^[A-Za-z0-9._-]+")


def _libraries() -> list[dict[str, str]]:
    """wikigate's own runtime dependencies and their installed versions."""
    try:
        reqs = importlib.metadata.requires("wikigate") or []
    except importlib.metadata.PackageNotFoundError:
        return []
    out: list[dict[str, str]] = []
    for req in reqs:
        if "extra ==" in req:
            continue
        m = _REQ_NAME.match(req)
        if not m:
            continue
        try:
            version = importlib.metadata.version(m.group(0))
        except importlib.metadata.PackageNotFoundError:
            continue
        out.append({"name": m.group(0).lower(), "version": version})
    return sorted(out, key=lambda x: x["name"])


def _upload_dialog() -> dict[str, Any]:
    """$wgUploadDialog's default (uploads are disabled, the configuration shape stays)."""
    return {
        "fields": {"description": True, "date": False, "categories": False},
        "licensemessages": {"local": "generic-local", "foreign": "generic-foreign"},
        "comment": {"local": "", "foreign": ""},
        "format": {"filepage": "$DESCRIPTION", "description": "$TEXT", "ownwork": "", "license": "",
                   "uncategorized": ""},
    }
