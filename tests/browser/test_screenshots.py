"""Every page rendered in the browser, desktop and phone width, saved as PNG.

``SCREENSHOT_DIR=docs/screenshots pytest tests/browser/test_screenshots.py``
refreshes the pictures the README shows; otherwise they go to a temporary directory
(the test still checks that each page renders with its heading)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.browser.conftest import PASSWORD, Server
from tests.browser.test_accounts import goto, log_in


def test_screenshots(browser: Any, wiki: Server, tmp_path: Path) -> None:
    out = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    wiki.make_user("Screenshot user", email_address="shot@example.org")
    shots: list[tuple[str, str, dict[str, str], bool]] = [
        ("main-page", "Main_Page", {}, False),
        ("userlogin", "Special:UserLogin", {}, False),
        ("createaccount", "Special:CreateAccount", {}, False),
        ("passwordreset", "Special:PasswordReset", {}, False),
        ("userlogin-de", "Special:UserLogin", {"uselang": "de"}, False),
        ("createaccount-tr", "Special:CreateAccount", {"uselang": "tr"}, False),
        ("main-page-logged-in", "Main_Page", {}, True),
        ("changepassword", "Special:ChangePassword", {}, True),
        ("userlogout", "Special:UserLogout", {}, True),
        ("botpasswords", "Special:BotPasswords", {}, True),
        ("preferences", "Special:Preferences", {}, True),
    ]
    for width, suffix in ((1000, ""), (390, "-phone")):
        context = browser.new_context(viewport={"width": width, "height": 760}, device_scale_factor=1)
        page = context.new_page()
        for name, title, query, logged_in in shots:
            if suffix and name not in ("userlogin", "main-page-logged-in"):
                continue
            if logged_in and not page.query_selector("#pt-userpage"):
                log_in(page, wiki, "Screenshot user", PASSWORD)
            goto(page, wiki, title, **query)
            assert page.inner_text("h1")
            path = out / f"{name}{suffix}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 1000
        # The login form with an error beside it.
        if not suffix:
            page.click("#pt-logout")
            log_in(page, wiki, "Screenshot user", "not the password")
            page.screenshot(path=str(out / "userlogin-error.png"), full_page=True)
        context.close()
