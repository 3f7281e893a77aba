"""index.php/Main_Page (and every title that is not a special page): what this server is,
who is logged in, and links to the pages for people — so the link in every mail
(password reset, account creation) lands somewhere useful."""

from __future__ import annotations

from wikigate.http.response import Response
from wikigate.web.ui import HtmlPage, PageContext


class MainPage(HtmlPage):
    title = "Main Page"
    texts = "main"
    authentication = "session cookie, optional (shows who is logged in)"

    def current_title(self, subpage: str | None) -> str:
        return subpage or self.title

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        t = ctx.t
        site = self.services.settings.site
        api = f"{site.script_path}/api.php"
        user = ctx.user
        links: list[tuple[str, str]] = []
        if user.is_registered:
            links += [(ctx.url("Special:ChangePassword"), t["changepassword"]),
                      (ctx.url("Special:ChangeEmail"), t["changeemail"])]
            if ctx.two_factor_available():
                links.append((ctx.url("Special:OATHManage"), t["twofactor"]))
            links.append((ctx.url("Special:BotPasswords"), t["botpasswords"]))
            if any(ctx.changeable_groups().values()):
                links.append((ctx.url("Special:UserRights"), t["userrights"]))
            links.append((ctx.url("Special:UserLogout"), t["logout"]))
        else:
            links += [(ctx.url("Special:UserLogin"), t["login"]),
                      (ctx.url("Special:CreateAccount"), t["createaccount"]),
                      (ctx.url("Special:PasswordReset"), t["passwordreset"])]
        links += [(ctx.url("Special:ProtectedPages"), t["protectedpages"]),
                  (ctx.url("Special:ProtectedTitles"), t["protectedtitles"]),
                  (ctx.url("Special:Log"), t["log"]),
                  (api, t["api"])]
        missing = ""
        heading = t["title"]
        status = 200
        if subpage is not None:
            # WebPages hands over any title it has no page for: MediaWiki answers 404 for a
            # page that does not exist, with the skin around it.
            missing = t["missing"].format(title=subpage)
            heading = t["missing_title"]
            status = 404
        return ctx.render(
            "main.html", heading, status=status, missing=missing,
            intro=t["intro"].format(sitename=site.sitename, api=api),
            who=t["user"].format(user=user.name) if user.is_registered else t["anon"], links=links)
