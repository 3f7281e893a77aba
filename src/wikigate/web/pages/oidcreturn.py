"""index.php?title=Special:OpenIDConnectReturn — where OpenID Connect providers send the
browser back (the ``redirect_uri`` of every authorization request).

The browser that comes back is often not the API client that started the flow (a web
view, the system browser), so this page does not need the flow's session: it looks the
``state`` up in the short-lived state index (auth/oidc.py) and forwards ``code`` and
``state`` — or the provider's ``error`` — to the return URL that the client gave when it
started (``loginreturnurl``/``createreturnurl``/``linkreturnurl``). Nothing is decided
here: the code is exchanged and the token checked only by ``*continue`` in the session
that owns the flow, where the state must match and is used up. An unknown or expired
state gets an error page and no redirect (the page never forwards to a URL it was not
given by a flow).
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from wikigate.http.request import Request
from wikigate.http.response import Response
from wikigate.web import WebPage, simple_page

#: Parameters passed on to the client (RFC 6749 §4.1.2, §4.1.2.1).
FORWARDED = ("code", "state", "error", "error_description")


def is_provider_return(request: Request) -> bool:
    """A GET that comes back from a provider through this page (Special:UserLogin and
    Special:CreateAccount continue their flow with it; the state check in the flow is
    what makes it safe without the form's CSRF token)."""
    p = request.params
    return request.method == "GET" and bool(p.get("state")) and bool(p.get("code") or p.get("error"))


class OpenIDConnectReturnPage(WebPage):
    title = "Special:OpenIDConnectReturn"
    authentication = "none (the state parameter names the sign-in)"

    async def handle(self, request: Request, subpage: str | None) -> Response:
        oidc = self.services.oidc if self.services.oidc.enabled else None
        if oidc is None:
            return simple_page("OpenID Connect", "<p>No OpenID Connect provider is configured on this wiki.</p>",
                               status=404)
        state = request.params.get("state", "")
        target = await oidc.return_url_for(state) if 0 < len(state) <= 256 else None
        if target is None:
            return simple_page("Sign-in failed", "<p>" + html.escape(
                "This sign-in is unknown or has expired. Please start again from the application "
                "you were signing in to.") + "</p>", status=400)
        values = {k: request.params[k][:4096] for k in FORWARDED if request.params.get(k)}
        base, hash_mark, fragment = target.partition("#")
        location = f"{base}{'&' if '?' in base else '?'}{urlencode(values)}{hash_mark}{fragment}"
        page = simple_page("Sign-in", f'<p><a href="{html.escape(location)}">Continue</a></p>', status=302)
        page.set_header("Location", location)
        page.set_header("Referrer-Policy", "no-referrer")
        return page
