"""index.php?title=Special:Preferences — the preferences wikigate has a use for:
the language of the pages, grammatical gender and the real name; the e-mail address is
shown with a link to Special:ChangeEmail (changing it needs a recent login).

Each change goes through the rule action=options applies (users.options.check_option and
stored_value), needs ``editmyoptions`` and the csrf token, and is stored with the same
``UserStore.set_options`` call, so the API reads back what the page saved.
"""

from __future__ import annotations

from typing import Any

from wikigate.http.response import Response
from wikigate.users.options import check_option, effective_options, stored_value
from wikigate.web.texts import texts_for
from wikigate.web.ui import LANGUAGES, HtmlPage, PageContext

#: The preferences this page edits, in form order (the real name is a column of the user
#: row, as in MediaWiki, not an option: action=options refuses it).
FIELDS = ("language", "gender")

#: user_real_name is VARBINARY(255) in MediaWiki's schema.
MAX_REAL_NAME_BYTES = 255


class SpecialPreferences(HtmlPage):
    title = "Special:Preferences"
    texts = "preferences"
    rights_needed = ("editmyoptions",)
    authentication = "session cookie; POST with the csrf token (same rules as action=options)"

    def _notice(self, ctx: PageContext, text: str, status: int) -> Response:
        return ctx.render("flow.html", ctx.t["title"], status=status, fields=None, errors=[], intro="",
                          notice=text, notice_class="notice",
                          links=[("", ctx.url("Special:UserLogin", returnto=self.title),
                                  texts_for(ctx.lang, "ui")["login"])] if status == 200 else [])

    def _fields(self, ctx: PageContext, values: dict[str, str], real_name: str,
                real_name_error: str) -> list[dict[str, Any]]:
        t = ctx.t
        options = {
            "language": [(code, name) for code, name in LANGUAGES
                         if code in self.services.catalog.languages()],
            "gender": [(g, t[f"gender_{g}"]) for g in ("unknown", "female", "male")],
        }
        return [{"name": name, "id": f"wp-{name}", "type": "select", "input_type": "text", "label": t[name],
                 "help": "", "optional": False, "optional_text": "", "value": values.get(name, ""),
                 "checked": False, "options": options[name], "autocomplete": "", "error": "",
                 "autofocus": False} for name in FIELDS] + [
            {"name": "realname", "id": "wp-realname", "type": "text", "input_type": "text", "label": t["realname"],
             "help": "", "optional": True, "optional_text": "", "value": real_name, "checked": False,
             "options": [], "autocomplete": "name", "error": real_name_error, "autofocus": False}]

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        user = ctx.user
        if not user.is_registered:
            return self._notice(ctx, t["anon"], 200)
        if "editmyoptions" not in ctx.rights():
            return self._notice(ctx, t["denied"], 403)
        users = self.services.users
        current = {k: str(v) for k, v in effective_options(self.services.settings,
                                                               await users.get_options(user.id)).items()}
        errors: list[str] = []
        status = 200
        notice = ""
        real_name = user.real_name
        real_name_error = ""
        if ctx.request.method == "POST":
            if not ctx.csrf_ok():
                errors, status = [texts_for(ctx.lang, "ui")["bad_token"]], 400
            else:
                languages = self.services.catalog.languages()
                updates: dict[str, str | None] = {}
                for name in FIELDS:
                    value = ctx.request.params.get(name)
                    if value is None:
                        continue
                    problem = check_option(name, value, languages)
                    if problem is not None:
                        errors.append(f"{t[name]}: {ctx.msg(problem)}")
                        continue
                    updates[name] = stored_value(name, value)
                new_real_name = ctx.request.params.get("realname")
                if new_real_name is not None:
                    real_name = new_real_name.strip()
                    if len(real_name.encode()) > MAX_REAL_NAME_BYTES:
                        real_name_error = t["realname_long"]
                        errors.append(real_name_error)
                if errors:
                    status = 400
                else:
                    if updates:
                        await users.set_options(user.id, updates)
                    if new_real_name is not None and real_name != user.real_name:
                        await users.update(user.id, real_name=real_name)
                    # Shown at once in the language just chosen.
                    return ctx.redirect(ctx.url(self.title, saved="1"))
        if ctx.request.params.get("saved") == "1" and ctx.request.method != "POST":
            notice = t["done"]
        return ctx.render("flow.html", t["title"], status=status, form_id="mw-prefs-form",
                          action=ctx.url(self.title), fields=self._fields(ctx, current, real_name, real_name_error),
                          token=ctx.csrf_token(), hidden=[], submit=t["submit"], cancel="", errors=errors,
                          intro=t["intro"].format(user=user.name), notice=notice, notice_class="success",
                          links=[(f"{t['email']}: {user.email or t['email_none']}.",
                                  ctx.url("Special:ChangeEmail", returnto=self.title), t["changeemail"])])
