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

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.params import Param
from wikigate.i18n import Message
from wikigate.users.options import check_option, option_kind, stored_value

RESET_KINDS = ("all", "registered", "registered-checkmatrix", "registered-multiselect",
               "special", "unused", "userjs")

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
                if "all" in reset_kinds or option_kind(key) in reset_kinds:
                    updates[key] = None

        for key, value in changes.items():
            problem = check_option(key, value, self.services.catalog.languages())
            if problem is not None:
                ctx.add_warning(self.path, Message("apiwarn-validationfailed", (key, problem)),
                                "validationfailed")
                continue
            updates[key] = stored_value(key, value)

        if updates:
            await users.set_options(ctx.user.id, updates)
        ctx.result["options"] = "success"
