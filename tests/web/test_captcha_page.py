"""The question captcha on Special:CreateAccount: the question is on the page (the flow's
``captchaInfo``), a wrong answer is refused with a new question, the right one creates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import ApiClient, make_settings
from tests.web.test_pages import NEW_PW, get, submit

from wikigate.app import WikigateApp
from wikigate.config import Settings

QUESTION = "Which wiki is this? <b>(answer: refwiki)</b>"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, captcha__kind="question", captcha__questions={QUESTION: "refwiki"})


async def test_sign_up_answers_the_question(app: WikigateApp, client: ApiClient) -> None:
    r = await get(client, "Special:CreateAccount")
    shown = re.search(r'<p class="captcha" id="wp-captchaInfo-value"><strong>(.*?)</strong></p>', r.text)
    assert shown is not None and shown.group(1) == "Which wiki is this? &lt;b&gt;(answer: refwiki)&lt;/b&gt;"
    assert 'for="wp-captchaWord"' in r.text
    fields = {"username": "Asker", "password": NEW_PW, "retype": NEW_PW, "email": "", "realname": ""}

    def captcha_id(page: str) -> str:
        m = re.search(r'name="captchaId" value="([^"]*)"', page)
        assert m is not None
        return m.group(1)

    r = await submit(client, "Special:CreateAccount", {**fields, "captchaWord": "wrong",
                                                      "captchaId": captcha_id(r.text)})
    assert 'id="form-errors"' in r.text and await app.services.users.get_by_name("Asker") is None
    assert 'id="wp-captchaInfo-value"' in r.text  # a new question
    r = await submit(client, "Special:CreateAccount", {**fields, "captchaWord": "RefWiki",
                                                      "captchaId": captcha_id(r.text)})
    assert "Welcome, Asker!" in r.text and await app.services.users.get_by_name("Asker") is not None
