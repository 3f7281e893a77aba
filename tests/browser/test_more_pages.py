"""A person in a real browser, continued: sign up with a question captcha, enrol in
two-factor authentication, log in with a code and remove it again, create a bot
password, change the e-mail address, the live checks of the sign-up form, protect and
unprotect a page as a sysop (refused for a normal user), change user groups, and
``<script>`` in titles, reasons and user names staying text."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import quote

import httpx
import pyotp

from tests.browser.conftest import PASSWORD, Server
from tests.browser.test_accounts import goto, log_in, logged_in_as

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def api_login(wiki: Server, name: str, password: str = PASSWORD) -> httpx.Client:
    """An API client logged in as ``name`` (clientlogin, the modern path)."""
    http = httpx.Client(base_url=wiki.url, timeout=30)
    lt = http.get("/api.php", params={"action": "query", "meta": "tokens", "type": "login",
                                      "format": "json"}).json()["query"]["tokens"]["logintoken"]
    r = http.post("/api.php", data={"action": "clientlogin", "username": name, "password": password,
                                    "loginreturnurl": wiki.url + "/", "logintoken": lt, "format": "json"}).json()
    assert r["clientlogin"]["status"] == "PASS", r
    return http


def api_edit(http: httpx.Client, title: str) -> None:
    token = http.get("/api.php", params={"action": "query", "meta": "tokens", "format": "json"}).json()
    r = http.post("/api.php", data={"action": "edit", "title": title, "text": "Some text", "format": "json",
                                    "token": token["query"]["tokens"]["csrftoken"]}).json()
    assert r["edit"]["result"] == "Success", r


def protection(http: httpx.Client, title: str) -> list[dict[str, Any]]:
    r = http.get("/api.php", params={"action": "query", "prop": "info", "inprop": "protection", "titles": title,
                                     "format": "json", "formatversion": "2"}).json()
    return list(r["query"]["pages"][0]["protection"])


# -- the wiki with a question captcha and two-factor authentication ----------------------------


def test_sign_up_with_a_question_captcha(page: Any, wiki_ext: Server) -> None:
    goto(page, wiki_ext, "Special:CreateAccount")
    assert page.inner_text("#wp-captchaInfo-value") == "Which wiki is this? (answer: extwiki)"
    page.fill("#wp-username", "Captcha person")
    page.fill("#wp-password", PASSWORD)
    page.fill("#wp-retype", PASSWORD)
    page.fill("#wp-captchaWord", "not it")
    page.click("#userlogin2-submit")
    assert page.query_selector("#form-errors") is not None
    assert logged_in_as(page) == ""
    page.fill("#wp-password", PASSWORD)
    page.fill("#wp-retype", PASSWORD)
    page.fill("#wp-captchaWord", "extwiki")  # a new question was drawn: the same one here
    page.click("#userlogin2-submit")
    assert "Welcome, Captcha person!" in page.inner_text("main")
    assert logged_in_as(page) == "Captcha person"


def test_enrol_log_in_with_a_code_and_remove_two_factor(page: Any, wiki_ext: Server) -> None:
    wiki_ext.make_user("Totp person")
    log_in(page, wiki_ext, "Totp person", PASSWORD)
    page.click("#pt-oathmanage")
    assert "not enabled" in page.inner_text("main")
    page.click("#oath-enable-link")
    assert page.query_selector(".qr svg") is not None
    secret = page.inner_text("dl.secret kbd").replace(" ", "")
    recovery = [c.replace(" ", "") for c in page.locator("ul kbd").all_inner_texts()]
    assert len(secret) >= 16 and len(recovery) == 10
    totp = pyotp.TOTP(secret)
    page.fill("#oath-token", "000000" if totp.now() != "000000" else "111111")
    page.click("#oath-enable-submit")
    assert "not right" in page.inner_text("#form-errors")
    assert page.get_attribute("#oath-token", "aria-invalid") == "true"
    page.fill("#oath-token", totp.now())
    page.click("#oath-enable-submit")
    enrolled_step = int(time.time()) // 30
    assert "now enabled" in page.inner_text("main")
    page.click("#pt-logout")
    # Log in again: the flow asks for the code after the password.
    log_in(page, wiki_ext, "Totp person", PASSWORD)
    assert logged_in_as(page) == "" and page.query_selector("#wp-OATHToken") is not None
    # Each code works once: wait for a time step after the one used at enrolment.
    while int(time.time()) // 30 <= enrolled_step:
        time.sleep(0.5)
    page.fill("#wp-OATHToken", totp.now())
    page.click("#userloginForm-submit")
    errors = page.query_selector("#form-errors")
    assert logged_in_as(page) == "Totp person", errors.inner_text() if errors else page.inner_text("main")
    # Remove it with a recovery code.
    page.click("#pt-oathmanage")
    page.click("#oath-disable-link")
    page.fill("#oath-token", recovery[0])
    page.click("#oath-disable-submit")
    assert "now off" in page.inner_text("main")
    page.click("#pt-logout")
    log_in(page, wiki_ext, "Totp person", PASSWORD)
    assert logged_in_as(page) == "Totp person"


# -- the plain wiki ---------------------------------------------------------------------------


def test_create_a_bot_password(page: Any, wiki: Server) -> None:
    wiki.make_user("Bot owner")
    log_in(page, wiki, "Bot owner", PASSWORD)
    goto(page, wiki, "Special:BotPasswords")
    page.fill("#wpappId", "mytool")
    page.click("#mw-botpasswords-form button.primary")
    page.check("#grant-basic")
    page.click("#mw-botpasswords-form button.primary")
    text = page.inner_text(".secret")
    m = re.search(r"\b([a-z0-9]{32})\b", text)
    assert m, text
    assert "Bot owner@mytool" in text
    http = httpx.Client(base_url=wiki.url, timeout=30)
    lt = http.get("/api.php", params={"action": "query", "meta": "tokens", "type": "login",
                                      "format": "json"}).json()["query"]["tokens"]["logintoken"]
    r = http.post("/api.php", data={"action": "login", "lgname": "Bot owner@mytool", "lgpassword": m.group(1),
                                    "lgtoken": lt, "format": "json"}).json()
    assert r["login"]["result"] == "Success", r


def test_change_email(page: Any, wiki: Server) -> None:
    wiki.make_user("Mail changer", email_address="before@example.org")
    log_in(page, wiki, "Mail changer", PASSWORD)
    page.click("#pt-changeemail")
    assert "before@example.org" in page.inner_text("main")
    page.fill("#wpNewEmail", "not an address")
    page.click("#mw-changeemail-form-submit")
    assert "not valid" in page.inner_text("#form-errors")
    assert page.get_attribute("#wpNewEmail", "aria-invalid") == "true"
    page.fill("#wpNewEmail", "after@example.org")
    page.click("#mw-changeemail-form-submit")
    assert "Your e-mail address was changed." in page.inner_text("main")
    page.click("#pt-changeemail")
    assert "after@example.org" in page.inner_text("main") and "before@" not in page.inner_text("main")


def test_sign_up_checks_name_and_password_as_you_type(page: Any, wiki: Server) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    wiki.make_user("Taken name")
    goto(page, wiki, "Special:CreateAccount")
    page.fill("#wp-username", "Taken name")
    page.wait_for_selector("#wp-username-live.bad")
    assert page.inner_text("#wp-username-live") == "This user name is already taken."
    assert "wp-username-live" in (page.get_attribute("#wp-username", "aria-describedby") or "")
    page.fill("#wp-username", "Free name here")
    page.wait_for_selector("#wp-username-live.ok")
    page.fill("#wp-password", "Free name here")
    page.wait_for_selector("#wp-password-live.bad")
    assert page.inner_text("#wp-password-live")
    page.fill("#wp-password", PASSWORD)
    page.wait_for_selector("#wp-password-live.ok")
    assert page.inner_text("#wp-password-live") == "This password meets the rules."
    assert not violations, violations


def test_protect_and_unprotect_as_a_sysop_refused_for_a_normal_user(page: Any, wiki: Server) -> None:
    wiki.make_user("Browser sysop", groups=("sysop",))
    wiki.make_user("Browser normal")
    api = api_login(wiki, "Browser sysop")
    api_edit(api, "Guarded page")
    log_in(page, wiki, "Browser sysop", PASSWORD)
    goto(page, wiki, "Guarded_page", action="protect")
    assert page.inner_text("h1") == "Change protection of “Guarded page”"
    page.select_option("#mwProtect-level-edit", "sysop")
    page.select_option("#mwProtectExpirySelection-edit", "1 week")
    page.select_option("#mwProtect-level-move", "sysop")
    page.fill("#mwProtect-reason", EVIL)
    page.click("#mw-Protect-submit")
    assert "The protection of “Guarded page” was changed." in page.inner_text("main")
    assert {(p["type"], p["level"]) for p in protection(api, "Guarded page")} == {("edit", "sysop"),
                                                                                  ("move", "sysop")}
    goto(page, wiki, "Special:ProtectedPages")
    assert "Guarded page" in page.inner_text("#mw-protectedpages-form-results")
    goto(page, wiki, "Special:Log", type="protect")
    assert EVIL in page.inner_text("#mw-log-form-results")  # the reason, as text
    assert page.query_selector("main script") is None and page.query_selector("main td img") is None
    # Unprotect.
    goto(page, wiki, "Guarded_page", action="unprotect")
    page.click("#mw-Protect-submit")
    assert "“Guarded page” is no longer protected." in page.inner_text("main")
    assert protection(api, "Guarded page") == []
    # A normal user sees why, and no form.
    page.click("#pt-logout")
    log_in(page, wiki, "Browser normal", PASSWORD)
    with page.expect_response(lambda r: "action=protect" in r.url) as answer:
        goto(page, wiki, "Guarded_page", action="protect")
    assert answer.value.status == 403
    assert "You do not have permission" in page.inner_text("#form-errors")
    assert page.query_selector("#mw-Protect-Form") is None


def test_user_rights_for_a_bureaucrat(page: Any, wiki: Server) -> None:
    wiki.make_user("Browser crat", groups=("bureaucrat",))
    wiki.make_user("Browser promoted")
    log_in(page, wiki, "Browser crat", PASSWORD)
    goto(page, wiki, "Special:UserRights")
    page.fill("#mw-user", "Browser promoted")
    page.click("#mw-userrights-lookup-submit")
    page.check("#wpGroup-sysop")
    page.fill("#wpExpiry-sysop", "1 month")
    page.fill("#wpReason", "trusted")
    page.click("#mw-userrights-submit")
    assert "The groups of Browser promoted were saved." in page.inner_text("main")
    assert page.is_checked("#wpGroup-sysop")
    goto(page, wiki, "Special:Log", type="rights")
    assert "Browser promoted" in page.inner_text("#mw-log-form-results")


def test_script_in_protect_titles_and_log_filters_is_text(page: Any, wiki: Server) -> None:
    wiki.make_user("Browser sysop2", groups=("sysop",))
    log_in(page, wiki, "Browser sysop2", PASSWORD)
    goto(page, wiki, EVIL, action="protect")
    assert "not a valid page title" in page.inner_text("main")
    page.goto(f"{wiki.url}/index.php?title=Special:Log&page={quote(EVIL)}&user={quote(EVIL)}")
    assert page.input_value("#mw-user") == EVIL
    assert page.query_selector("main script") is None and page.query_selector("main img") is None
    # (the page fixture fails the test if any alert() ran)


def test_new_messages_banner_until_the_talk_page_is_viewed(page: Any, wiki: Server) -> None:
    wiki.make_user("Talk owner")
    wiki.make_user("Talk writer")
    writer = api_login(wiki, "Talk writer")
    token = writer.get("/api.php", params={"action": "query", "meta": "tokens", "format": "json"}).json()
    r = writer.post("/api.php", data={"action": "edit", "title": "User talk:Talk owner", "format": "json",
                                      "text": "Hello <b>owner</b> & " + EVIL,
                                      "token": token["query"]["tokens"]["csrftoken"]}).json()
    assert r["edit"]["result"] == "Success", r
    log_in(page, wiki, "Talk owner", PASSWORD)
    goto(page, wiki, "Special:Preferences")
    assert page.query_selector("#usermessage") is not None  # on every page, until read
    page.click("#usermessage a")
    assert page.inner_text("#firstHeading") == "User talk:Talk owner"
    assert page.inner_text("#page-source") == "Hello <b>owner</b> & " + EVIL  # source, as text
    assert page.query_selector("#page-source b") is None and page.query_selector("#page-source script") is None
    assert "Talk writer" in page.inner_text("#source-note")
    goto(page, wiki, "Main Page")
    assert page.query_selector("#usermessage") is None
    owner = api_login(wiki, "Talk owner")
    info = owner.get("/api.php", params={"action": "query", "meta": "userinfo", "uiprop": "hasmsg",
                                         "format": "json", "formatversion": "2"}).json()
    assert info["query"]["userinfo"]["messages"] is False
