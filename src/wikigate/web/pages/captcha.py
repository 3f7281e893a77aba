"""index.php?title=Special:Captcha/image&wpCaptchaId=… — the PNG of an image captcha.

The URL is what ``captchaInfo`` carries for ``captcha.kind = "image"`` (FancyCaptcha's
API surface). The image is drawn from the word stored for the session that asked for the
captcha, so it only works with that session's cookie; drawing it does not use the captcha
up (answering does). ``Special:Captcha/help`` explains what a captcha is.
"""

from __future__ import annotations

from wikigate.auth.providers.captcha import CaptchaService, ImageCaptcha
from wikigate.http.request import Request
from wikigate.http.response import Response
from wikigate.web import WebPage, simple_page


class SpecialCaptcha(WebPage):
    title = "Special:Captcha"

    async def handle(self, request: Request, subpage: str | None) -> Response:
        captcha = self.services.captcha
        if not isinstance(captcha, CaptchaService):
            return simple_page("Captcha", "<p>This wiki does not use captchas.</p>", 404)
        if (subpage or "").lower() != "image":
            return simple_page("Captcha", "<p>To stop automated account creation and password guessing, "
                                          "the wiki sometimes asks you to answer a question or type the "
                                          "characters of a picture. The answer is checked once: if it was "
                                          "wrong, you get a new one.</p>")
        if not isinstance(captcha.kind, ImageCaptcha):
            return simple_page("Captcha", "<p>This wiki's captchas are not images.</p>", 404)
        state = await self.cookies.resolve(request, allow_bot=False)
        data = await captcha.peek(state.session, request.params.get("wpCaptchaId", ""))
        if data is None or not isinstance(data.get("answer"), str):
            return simple_page("Captcha", "<p>No such captcha in this session (it may have been used or "
                                          "expired).</p>", 404)
        png = ImageCaptcha.render_png(data["answer"])
        return Response(status=200, content_type="image/png", body=png,
                        headers=[("Cache-Control", "private, no-store, max-age=0"),
                                 ("X-Content-Type-Options", "nosniff")])
