"""action=options: change the current user's preferences (MediaWiki ApiOptions, seed
API:Options).

As in 1.39, a bad individual change is never an error: it is skipped with a
``validationfailed`` warning ("Validation error for "x": not a valid preference.")
and the answer is still ``{"options": "success"}``. ``change`` entries are
``name=value``; a bare ``name`` (or ``optionname`` without ``optionvalue``) resets
the preference to its default.

Preference kinds decide what may be set: the registered preferences (MediaWiki's
defaults, users/options.py), ``userjs-*`` keys for user scripts, and "special"
ones shown on Special:Preferences but stored elsewhere (cannot be set here).
Registered preferences are validated the way their HTMLForm field would be, for the
fields whose rules matter to clients (selects and numbers); the rest accept any text.
"""

from __future__ import annotations

import re
from typing import Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.params import Param
from wikigate.i18n import Message, Num
from wikigate.users.options import DEFAULT_OPTIONS

RESET_KINDS = ("all", "registered", "registered-checkmatrix", "registered-multiselect",
               "special", "unused", "userjs")

#: Shown on Special:Preferences but stored outside the options table.
SPECIAL_OPTIONS = frozenset({
    "emailaddress", "password", "realname", "registrationdate", "editcount", "usergroups",
    "username", "userid", "emailauthentication", "downloaddata", "skin-prefs",
})

#: UserOptionsManager::MAX_BYTES_OPTION_VALUE.
MAX_VALUE_BYTES = 65530

#: Registered preferences edited through a select: the values that form offers.
SELECT_CHOICES: dict[str, tuple[str, ...]] = {
    "gender": ("male", "female", "unknown"),
    # wikigate renders no skins; the default is the only value that means anything.
    "skin": ("vector",),
    "editfont": ("monospace", "sans-serif", "serif"),
    "underline": ("0", "1", "2"),
    "imagesize": ("0", "1", "2", "3", "4", "5"),
    "thumbsize": ("0", "1", "2", "3", "4", "5"),
}

#: Registered preferences edited through an integer field.
INT_OPTIONS = frozenset({"rclimit", "rcdays", "wllimit", "watchlistdays", "searchlimit"})

_FLOAT_RE = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
_USERJS_KEY_RE = re.compile(r"[^a-zA-Z0-9_-]")


class ApiOptions(ApiModule):
    name = "options"
    classname = "ApiOptions"
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Options"]
    must_be_posted = True
    is_write = True
    needs_token = "csrf"
    rights_needed = ("editmyoptions",)

    def params(self) -> dict[str, Param]:
        return {
            "reset": Param("boolean"),
            "resetkinds": Param("enum", multi=True, default="all", choices=RESET_KINDS),
            "change": Param("string", multi=True),
            "optionname": Param("string"),
            "optionvalue": Param("string"),
        }

    def _kind(self, key: str) -> str:
        if key in DEFAULT_OPTIONS or (key.startswith("searchNs") and key[8:].isdigit()):
            return "registered"
        if key in SPECIAL_OPTIONS:
            return "special"
        if key.startswith("userjs-"):
            return "userjs"
        return "unused"

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        if ctx.is_anon:
            raise ApiError("apierror-mustbeloggedin", [Message("action-editmyoptions")], code="notloggedin")
        if not ctx.has_right("editmyoptions"):
            raise ApiError("apierror-permissiondenied", [Message("action-editmyoptions")],
                           code="permissiondenied")
        if p["optionvalue"] is not None and p["optionname"] is None:
            raise ApiError("apierror-missingparam", ["optionname"], code="nooptionname")
        reset_kinds: list[str] = list(p["resetkinds"] or []) if p["reset"] else []

        changes: dict[str, str | None] = {}
        for entry in p["change"] or []:
            key, sep, value = entry.partition("=")
            changes[key] = value if sep else None
        if p["optionname"] is not None:
            changes[p["optionname"]] = p["optionvalue"]

        if not reset_kinds and not changes:
            raise ApiError("apierror-nochanges")

        users = self.services.users
        stored = await users.get_options(ctx.user.id)
        updates: dict[str, str | None] = {}
        if reset_kinds:
            for key in stored:
                if "all" in reset_kinds or self._kind(key) in reset_kinds:
                    updates[key] = None

        for key, value in changes.items():
            problem = self._validate(key, value)
            if problem is None and value is not None and len(value.encode("utf-8")) > MAX_VALUE_BYTES:
                problem = Message("apiwarn-validationfailed-valuetoolong", (Num(MAX_VALUE_BYTES),))
            if problem is not None:
                ctx.add_warning(self.path, Message("apiwarn-validationfailed", (key, problem)),
                                "validationfailed")
                continue
            default = DEFAULT_OPTIONS.get(key)
            # Storing the default is the same as resetting (MediaWiki keeps no row for it).
            if value is None or (default is not None and _same(default, value)):
                updates[key] = None
            else:
                updates[key] = value

        if updates:
            await users.set_options(ctx.user.id, updates)
        ctx.result["options"] = "success"

    def _validate(self, key: str, value: str | None) -> Message | None:
        kind = self._kind(key)
        if kind == "registered":
            if value is None:
                return None
            if key == "language":
                langs = self.services.catalog.languages()
                return None if value in langs else Message("htmlform-select-badoption")
            choices = SELECT_CHOICES.get(key)
            if choices is not None and value not in choices:
                return Message("htmlform-select-badoption")
            if key in INT_OPTIONS:
                if not _FLOAT_RE.match(value):
                    return Message("htmlform-float-invalid")
                if not re.fullmatch(r"\s*[+-]?\d+\s*", value):
                    return Message("htmlform-int-invalid")
            return None
        if kind == "userjs":
            if len(key.encode("utf-8")) > 255:
                return Message("apiwarn-validationfailed-keytoolong", (Num(255),))
            if _USERJS_KEY_RE.search(key):
                return Message("apiwarn-validationfailed-badchars")
            return None
        if kind == "special":
            return Message("apiwarn-validationfailed-cannotset")
        return Message("apiwarn-validationfailed-badpref")


def _same(default: Any, value: str) -> bool:
    if isinstance(default, bool):
        return value not in ("", "0") if default else value in ("", "0")
    return str(default) == value
