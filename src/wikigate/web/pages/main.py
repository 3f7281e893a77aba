"""index.php/Main_Page (and every title that is not a special page): what this server is,
who is logged in, and links to the pages for people — so the link in every mail
(password reset, account creation) lands somewhere useful.

Another title that names an existing page shows that page's source (wikigate renders no
wikitext); a user viewing their own talk page this way has read their new messages, as
MediaWiki's page view (WikiPage::doViewUpdates) has them. A title without a page answers
404 with the main page's text.
"""

from __future__ import annotations

from wikigate.http.response import Response
from wikigate.pages.titles import InvalidTitle, Title, parse_title
from wikigate.web.listing import when
from wikigate.web.ui import HtmlPage, PageContext


class MainPage(HtmlPage):
    title = "Main Page"
    texts = "main"
    authentication = "session cookie, optional (shows who is logged in)"

    def current_title(self, subpage: str | None) -> str:
        return subpage or self.title

    async def show(self, ctx: PageContext, subpage: str | None) -> Response:
        if subpage is not None:
            viewed = await self._view(ctx, subpage)
            if viewed is not None:
                return viewed
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

    async def _view(self, ctx: PageContext, name: str) -> Response | None:
        """The source of the existing page ``name`` (None: no such page)."""
        try:
            title: Title = parse_title(name, self.services.namespaces)
        except InvalidTitle:
            return None
        if title.interwiki or not title.can_exist() or not title.dbkey:
            return None
        pages = self.services.page_service
        page = await pages.page(title.namespace, title.dbkey)
        if page is None:
            return None
        revision = await pages.revision(page.latest)
        if revision is None:
            return None
        user = ctx.user
        if title.namespace == 3 and title.text == user.name and ctx.new_messages:
            await self.services.newtalk.clear(user.name)
            ctx.new_messages = False
        date = when(revision.timestamp)
        return ctx.render("view.html", title.prefixed_text, source=revision.text,
                          note=ctx.t["source_note"].format(user=revision.actor_name, date=date),
                          protect_url=ctx.url(title.prefixed_text, action="protect"))
