"""A person in a real browser: sign up, log in and out, forgot password → the mail →
temporary password → forced new password, change password; and the defences (escaping,
tokens, returnto, the stylesheet allowed by the CSP and nothing else)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

from tests.browser.conftest import PASSWORD, Server

NEW = "Another-Browser-Pass-77"


def goto(page: Any, wiki: Server, title: str, **query: str) -> Any:
    extra = "".join(f"&{k}={quote(v, safe='')}" for k, v in query.items())
    return page.goto(f"{wiki.url}/index.php?title={quote(title, safe=':/')}{extra}")


def log_in(page: Any, wiki: Server, name: str, password: str, **query: str) -> None:
    goto(page, wiki, "Special:UserLogin", **query)
    page.fill("#wp-username", name)
    page.fill("#wp-password", password)
    page.click("#userloginForm-submit")


def logged_in_as(page: Any) -> str:
    el = page.query_selector("#pt-userpage .username")
    return str(el.inner_text()) if el else ""


def test_sign_up(page: Any, wiki: Server) -> None:
    goto(page, wiki, "Main_Page")
    page.click("#pt-createaccount")
    page.fill("#wp-username", "Browser signup")
    page.fill("#wp-password", PASSWORD)
    page.fill("#wp-retype", PASSWORD + "x")
    page.click("#userlogin2-submit")
    assert "The passwords you entered do not match." in page.inner_text("#form-errors")
    assert page.input_value("#wp-username") == "Browser signup"
    page.fill("#wp-password", PASSWORD)
    page.fill("#wp-retype", PASSWORD)
    page.fill("#wp-email", "signup@example.org")
    page.click("#userlogin2-submit")
    assert "Welcome, Browser signup!" in page.inner_text("main")
    assert logged_in_as(page) == "Browser signup"


def test_log_in_and_out(page: Any, wiki: Server) -> None:
    wiki.make_user("Browser alice")
    log_in(page, wiki, "Browser alice", "wrong password")
    assert "Incorrect username or password" in page.inner_text("#form-errors")
    assert page.get_attribute("#wp-username", "value") == "Browser alice"
    page.fill("#wp-password", PASSWORD)
    page.click("#userloginForm-submit")
    assert urlsplit(page.url).query == "title=Main_Page"
    assert logged_in_as(page) == "Browser alice"
    assert "You are logged in as Browser alice." in page.inner_text("#whoami")
    page.click("#pt-logout")
    assert "You are now logged out." in page.inner_text("main")
    goto(page, wiki, "Main_Page")
    assert logged_in_as(page) == "" and "You are not logged in." in page.inner_text("#whoami")


def test_forgot_password_mail_temporary_password_forced_change(page: Any, wiki: Server) -> None:
    wiki.make_user("Browser carol", email_address="carol@example.org")
    goto(page, wiki, "Special:UserLogin")
    page.click("text=Forgot your password?")
    page.fill("#wpUsername", "Browser carol")
    page.click("#mw-passwordreset-submit")
    assert "a temporary password was sent" in page.inner_text("main")
    body = wiki.sink.wait_for("carol@example.org")
    temporary = re.search(r"Temporary password:\s*\n\s*(\S+)", body)
    assert temporary, body
    link = re.search(r"(http://127\.0\.0\.1:\d+/\S*Main_Page)", body)
    assert link, body
    page.goto(link.group(1))  # the link in the mail lands on a useful page
    page.click("#pt-login")
    page.fill("#wp-username", "Browser carol")
    page.fill("#wp-password", temporary.group(1))
    page.click("#userloginForm-submit")
    # The flow asks for a new password before the login completes.
    assert page.query_selector("#wp-retype") is not None
    assert logged_in_as(page) == ""
    page.fill("#wp-password", NEW)
    page.fill("#wp-retype", NEW)
    page.click("#userloginForm-submit")
    assert logged_in_as(page) == "Browser carol"
    page.click("#pt-logout")
    log_in(page, wiki, "Browser carol", NEW)
    assert logged_in_as(page) == "Browser carol"


def test_change_password(page: Any, wiki: Server) -> None:
    wiki.make_user("Browser dave")
    log_in(page, wiki, "Browser dave", PASSWORD)
    page.click("text=Change password")
    page.fill("#wp-password", NEW)
    page.fill("#wp-retype", NEW + "!")
    page.click("#mw-changecredentials-form-submit")
    assert "do not match" in page.inner_text("#form-errors")
    page.fill("#wp-password", NEW)
    page.fill("#wp-retype", NEW)
    page.click("#mw-changecredentials-form-submit")
    assert "Your password was changed." in page.inner_text("main")
    assert logged_in_as(page) == "Browser dave"  # this session stays
    page.click("#pt-logout")
    log_in(page, wiki, "Browser dave", PASSWORD)
    assert logged_in_as(page) == ""
    page.fill("#wp-password", NEW)
    page.click("#userloginForm-submit")
    assert logged_in_as(page) == "Browser dave"


def test_script_in_names_titles_and_returnto_is_text(page: Any, wiki: Server) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    log_in(page, wiki, evil, "whatever", returnto=evil)
    assert page.query_selector("main script") is None and page.query_selector("main img") is None
    assert page.input_value("#wp-username") == evil
    page.goto(f"{wiki.url}/index.php/{quote(evil)}")
    assert evil.replace("_", " ") in page.inner_text("main")
    assert page.query_selector("main script") is None
    # (the page fixture fails the test if any alert() ran)


def test_missing_or_foreign_token_is_refused(page: Any, wiki: Server, browser: Any) -> None:
    wiki.make_user("Browser erin")
    other = browser.new_context()
    foreign = other.new_page()
    goto(foreign, wiki, "Special:UserLogin")
    foreign_token = foreign.get_attribute("input[name=wpEditToken]", "value")
    other.close()
    for token in (foreign_token, None):
        goto(page, wiki, "Special:UserLogin")
        if token is None:
            page.eval_on_selector("input[name=wpEditToken]", "e => e.remove()")
        else:
            page.eval_on_selector("input[name=wpEditToken]", "(e, v) => { e.value = v; }", token)
        page.fill("#wp-username", "Browser erin")
        page.fill("#wp-password", PASSWORD)
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.click("#userloginForm-submit")
        assert answer.value.status == 400
        assert "This form has expired" in page.inner_text("#form-errors")
        assert logged_in_as(page) == ""


def test_returnto_another_host_stays_here(page: Any, wiki: Server) -> None:
    wiki.make_user("Browser frank")
    for target in ("https://evil.example/", "//evil.example/x"):
        log_in(page, wiki, "Browser frank", PASSWORD, returnto=target)
        assert urlsplit(page.url).netloc == urlsplit(wiki.url).netloc, page.url
        assert logged_in_as(page) == "Browser frank"
    log_in(page, wiki, "Browser frank", PASSWORD, returnto="Special:BotPasswords")
    assert urlsplit(page.url).query == "title=Special:BotPasswords"


def test_stylesheet_allowed_by_csp_and_german_turkish(page: Any, wiki: Server) -> None:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    goto(page, wiki, "Special:UserLogin", uselang="de")
    assert page.inner_text("h1") == "Anmelden"
    # The inline stylesheet applies (its hash is in the CSP): the page background is ours.
    assert page.eval_on_selector("body", "e => getComputedStyle(e).backgroundColor") == "rgb(248, 249, 250)"
    goto(page, wiki, "Special:CreateAccount", uselang="tr")
    assert page.inner_text("h1") == "Hesap oluştur"
    assert not violations, violations


def test_serve_prints_the_login_url(wiki: Server) -> None:
    log = (wiki.data_dir / "server.log").read_text()
    assert f"log in with a browser at {wiki.url}/index.php/Special:UserLogin" in log


def test_language_preference_turns_the_pages_turkish(page: Any, wiki: Server) -> None:
    wiki.make_user("Browser gina")
    log_in(page, wiki, "Browser gina", PASSWORD)
    page.click("#pt-preferences")
    page.select_option("#wp-language", "tr")
    page.click("#mw-prefs-form-submit")
    assert page.inner_text("h1") == "Tercihler" and "Tercihleriniz kaydedildi." in page.inner_text("main")
    goto(page, wiki, "Main_Page")
    assert page.get_attribute("html", "lang") == "tr"
    assert "Browser gina olarak oturum açtınız." in page.inner_text("#whoami")
