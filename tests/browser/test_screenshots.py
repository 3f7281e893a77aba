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
from tests.browser.test_more_pages import api_edit, api_login


def test_screenshots(browser: Any, wiki: Server, tmp_path: Path) -> None:
    out = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    wiki.make_user("Screenshot user", email_address="shot@example.org", groups=("sysop", "bureaucrat"))
    wiki.make_user("Screenshot other")
    api = api_login(wiki, "Screenshot user")
    api_edit(api, "Sandbox")
    token = api.get("/api.php", params={"action": "query", "meta": "tokens", "format": "json"}).json()
    csrf = token["query"]["tokens"]["csrftoken"]
    for title, protections, expiry in (("Sandbox", "edit=autoconfirmed|move=sysop", "1 month"),
                                       ("Not created yet", "create=sysop", "infinite")):
        api.post("/api.php", data={"action": "protect", "title": title, "protections": protections,
                                   "expiry": expiry, "reason": "Screenshot", "token": csrf, "format": "json"})
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
        ("changeemail", "Special:ChangeEmail", {}, True),
        ("createaccount-other", "Special:CreateAccount", {}, True),
        ("protect", "Sandbox", {"action": "protect"}, True),
        ("protect-de", "Sandbox", {"action": "protect", "uselang": "de"}, True),
        ("protectedpages", "Special:ProtectedPages", {}, True),
        ("protectedtitles", "Special:ProtectedTitles", {}, True),
        ("log", "Special:Log", {}, True),
        ("userrights", "Special:UserRights", {"user": "Screenshot other"}, True),
    ]
    for width, suffix in ((1000, ""), (390, "-phone")):
        context = browser.new_context(viewport={"width": width, "height": 760}, device_scale_factor=1)
        page = context.new_page()
        for name, title, query, logged_in in shots:
            if suffix and name not in ("userlogin", "main-page-logged-in", "protect"):
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


def test_screenshots_two_factor(browser: Any, wiki_ext: Server, tmp_path: Path) -> None:
    """Special:OATHManage (the wiki with two-factor on): the overview and the enrolment."""
    out = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    wiki_ext.make_user("Screenshot user")
    context = browser.new_context(viewport={"width": 1000, "height": 760}, device_scale_factor=1)
    page = context.new_page()
    log_in(page, wiki_ext, "Screenshot user", PASSWORD)
    for name, query in (("oathmanage", {}), ("oathmanage-enable", {"action": "enable", "module": "totp"})):
        goto(page, wiki_ext, "Special:OATHManage", **query)
        assert page.inner_text("h1")
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    goto(page, wiki_ext, "Special:CreateAccount")
    page.click("#pt-logout")
    goto(page, wiki_ext, "Special:CreateAccount")
    assert page.query_selector("#wp-captchaWord") is not None
    page.screenshot(path=str(out / "createaccount-captcha.png"), full_page=True)
    context.close()
