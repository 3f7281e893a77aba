"""MediaWiki 1.39's default namespace table, as reported by ``meta=siteinfo`` on a stock install.

The table is fixed (no ``$wgExtraNamespaces``) except for the project namespace, which MediaWiki
names after ``$wgSitename``; keeping it in one immutable object lets title parsing, user-name
validation and the siteinfo module agree on names, aliases and flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NS_MEDIA = -2
NS_SPECIAL = -1
NS_MAIN = 0
NS_TALK = 1
NS_USER = 2
NS_USER_TALK = 3
NS_PROJECT = 4
NS_PROJECT_TALK = 5
NS_FILE = 6
NS_FILE_TALK = 7
NS_MEDIAWIKI = 8
NS_MEDIAWIKI_TALK = 9
NS_TEMPLATE = 10
NS_TEMPLATE_TALK = 11
NS_HELP = 12
NS_HELP_TALK = 13
NS_CATEGORY = 14
NS_CATEGORY_TALK = 15

# (id, canonical name, subpages) for every namespace except the main one.  Subpage support follows
# $wgNamespacesWithSubpages of 1.39: every talk namespace plus User, Project, MediaWiki, Template
# and Help.
_CANONICAL: tuple[tuple[int, str, bool], ...] = (
    (NS_MEDIA, "Media", False),
    (NS_SPECIAL, "Special", False),
    (NS_TALK, "Talk", True),
    (NS_USER, "User", True),
    (NS_USER_TALK, "User talk", True),
    (NS_PROJECT, "Project", True),
    (NS_PROJECT_TALK, "Project talk", True),
    (NS_FILE, "File", False),
    (NS_FILE_TALK, "File talk", True),
    (NS_MEDIAWIKI, "MediaWiki", True),
    (NS_MEDIAWIKI_TALK, "MediaWiki talk", True),
    (NS_TEMPLATE, "Template", True),
    (NS_TEMPLATE_TALK, "Template talk", True),
    (NS_HELP, "Help", True),
    (NS_HELP_TALK, "Help talk", True),
    (NS_CATEGORY, "Category", False),
    (NS_CATEGORY_TALK, "Category talk", True),
)

# English-language aliases shipped with 1.39 (MessagesEn.php $namespaceAliases); siteinfo lists
# these and only these.  "Project"/"Project talk" are canonical names, not aliases.
_ALIASES: tuple[tuple[str, int], ...] = (("Image", NS_FILE), ("Image talk", NS_FILE_TALK))


@dataclass(frozen=True)
class NamespaceInfo:
    """One namespace as siteinfo describes it; ``canonical`` is None for the main namespace."""

    id: int
    name: str
    canonical: str | None
    subpages: bool = False
    content: bool = False
    nonincludable: bool = False
    case: str = "first-letter"
    protection: str | None = None

    @property
    def is_talk(self) -> bool:
        """Odd, non-negative ids are talk namespaces (MediaWiki's NamespaceInfo::isTalk)."""
        return self.id > 0 and self.id % 2 == 1


def _key(name: str) -> str:
    """Lookup key: MediaWiki compares namespace names lower-cased with underscores for spaces."""
    return name.replace(" ", "_").lower()


class Namespaces:
    """The namespace table of one wiki; only the project namespace depends on ``sitename``."""

    def __init__(self, sitename: str) -> None:
        self.sitename = sitename
        infos: list[NamespaceInfo] = []
        for ns_id, canonical, subpages in _CANONICAL:
            if ns_id == NS_PROJECT:
                name = sitename
            elif ns_id == NS_PROJECT_TALK:
                name = f"{sitename} talk"
            else:
                name = canonical
            infos.append(
                NamespaceInfo(
                    id=ns_id,
                    name=name,
                    canonical=canonical,
                    subpages=subpages,
                    protection="editinterface" if ns_id == NS_MEDIAWIKI else None,
                )
            )
        infos.insert(2, NamespaceInfo(id=NS_MAIN, name="", canonical=None, content=True))
        self._by_id = {info.id: info for info in infos}
        index: dict[str, int] = {}
        # Canonical names win over local names and aliases, like Language::getNsIndex, which
        # consults NamespaceInfo::getCanonicalIndex first.
        for alias, ns_id in _ALIASES:
            index[_key(alias)] = ns_id
        for info in infos:
            if info.id != NS_MAIN:
                index[_key(info.name)] = info.id
        for info in infos:
            if info.canonical is not None:
                index[_key(info.canonical)] = info.id
        self._index = index

    def by_id(self, ns: int) -> NamespaceInfo:
        """Return the namespace with id ``ns``; raises KeyError for ids the wiki does not define."""
        return self._by_id[ns]

    def exists(self, ns: int) -> bool:
        """Whether ``ns`` is a defined namespace id (used to validate ``namespace`` parameters)."""
        return ns in self._by_id

    def lookup(self, name: str) -> int | None:
        """Namespace id for a canonical, local or alias name, case-insensitively; None if unknown.

        Spaces and underscores are interchangeable, as in titles' dbkey form.  The empty string is
        not a namespace name (the main namespace is only reachable by having no prefix).
        """
        if name == "":
            return None
        return self._index.get(_key(name))

    def all(self) -> list[NamespaceInfo]:
        """All namespaces in id order."""
        return [self._by_id[k] for k in sorted(self._by_id)]

    def aliases(self) -> list[tuple[str, int]]:
        """Alias names and their target ids, in siteinfo order."""
        return list(_ALIASES)

    def siteinfo_namespaces(self, fv: int) -> dict[str, dict[str, Any]]:
        """The ``query.namespaces`` object of siteinfo for formatversion ``fv`` (1 or 2).

        fv1 marks true booleans with ``""``, omits false ones and puts the name under ``"*"`` last;
        fv2 always has real booleans and a ``name`` key.  Key order mirrors the reference output.
        """
        out: dict[str, dict[str, Any]] = {}
        for info in self.all():
            entry: dict[str, Any] = {"id": info.id, "case": info.case}
            if fv >= 2:
                entry["name"] = info.name
                entry["subpages"] = info.subpages
            elif info.subpages:
                entry["subpages"] = ""
            if info.canonical is not None:
                entry["canonical"] = info.canonical
            if fv >= 2:
                entry["content"] = info.content
                entry["nonincludable"] = info.nonincludable
            else:
                if info.content:
                    entry["content"] = ""
                if info.nonincludable:
                    entry["nonincludable"] = ""
            if info.protection is not None:
                entry["namespaceprotection"] = info.protection
            if fv < 2:
                entry["*"] = info.name
            out[str(info.id)] = entry
        return out

    def siteinfo_aliases(self, fv: int) -> list[dict[str, Any]]:
        """The ``query.namespacealiases`` list of siteinfo for formatversion ``fv``."""
        key = "alias" if fv >= 2 else "*"
        return [{"id": ns_id, key: alias} for alias, ns_id in _ALIASES]
