"""index.php?title=Special:UserLogout — log out by POST with the session's token.

As in MediaWiki 1.39, a GET only shows a confirmation form (a link or an image on another
site must not be able to log anyone out); the POST with a valid ``wpEditToken`` ends the
session server-side and deletes the cookies (http.session_cookies.log_out, shared with
action=logout), with the same audit record.
"""

from __future__ import annotations

from wikigate.http.response import Response
from wikigate.http.session_cookies import log_out
from wikigate.users.model import anonymous
from wikigate.web.texts import texts_for
from wikigate.web.ui import HtmlPage, PageContext


class SpecialUserLogout(HtmlPage):
    title = "Special:UserLogout"
    texts = "logout"
    authentication = "session cookie; POST with the csrf token (wpEditToken)"

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        if not ctx.user.is_registered:
            return ctx.render("flow.html", t["title"], fields=None, errors=[], intro="", notice=t["not_logged_in"],
                              notice_class="notice", links=[("", ctx.url("Main Page"),
                                                             texts_for(ctx.lang, "ui")["back_main"])])
        errors: list[str] = []
        status = 200
        if ctx.request.method == "POST":
            if ctx.csrf_ok():
                await self.services.audit.record("logout", ctx.user, ctx.request.client_ip)
                await log_out(self.services, ctx.state, ctx.request)
                ctx.state.user = anonymous(ctx.request.client_ip)
                return ctx.render("flow.html", t["title"], fields=None, errors=[], intro="", notice=t["done"],
                                  notice_class="success",
                                  links=[("", ctx.url("Main Page"), texts_for(ctx.lang, "ui")["back_main"])])
            errors = [texts_for(ctx.lang, "ui")["bad_token"]]
            status = 400
        return ctx.render("flow.html", t["title"], status=status, form_id="logout", action=ctx.url(self.title),
                          fields=[], token=ctx.csrf_token(), hidden=[], submit=t["submit"], cancel="",
                          errors=errors, intro=t["confirm"].format(sitename=self.services.settings.site.sitename),
                          notice="", notice_class="", links=[])
