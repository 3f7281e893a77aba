"""The Python samples of the seed pages (API:Resetpassword, API:Validatepassword,
API:Account creation, API:Login, API:Protect), run against a live wikigate with only the
endpoint URL and the credentials rewritten.

Each sample is kept here byte for byte as the seed page prints it (German/Turkish
translations of the pages carry the same English code). :func:`run_sample` replaces the
named strings — and fails if one is absent, so nothing else can be edited silently — then
executes the code and returns what it printed. The expected answers were recorded by running
the same samples against the MediaWiki 1.39 reference with the same kind of credentials
(a bot password with grants basic, editpage and protect, or the main account).

The createaccount sample with a CAPTCHA (a Flask app) runs in test_seed_captcha_sample.py,
against a wiki with the captcha configured.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import html
import io
import json
import re
import sys
import time
import types
from typing import Any

import pytest
import requests
from tests.conftest import ADMIN_PASSWORD

from wikigate.app import WikigateApp

RESET_PASSWORD = r'''#!/usr/bin/python3

"""
    reset_password.py

    MediaWiki API Demos
    Demo of `Resetpassword` module: RReset password for all users with an email address.

    MIT license
"""
import requests

S = requests.Session()

URL = "https://test.wikipedia.org/w/api.php"

# Step 1: Retrieve a login token
PARAMS_1 = {
    "action": "query",
    "meta": "tokens",
    "type": "login",
    "format": "json"
}

R = S.get(url=URL, params=PARAMS_1)
DATA = R.json()

LOGIN_TOKEN = DATA['query']['tokens']['logintoken']

# Step 2: Send a POST request to log in. For this login
# method, obtain credentials by first visiting
# https://www.test.wikipedia.org/wiki/Manual:Bot_passwords
# See https://www.mediawiki.org/wiki/API:Login for more
# information on log in methods.
PARAMS_2 = {
    "action": "login",
    "lgname": "user_name",
    "lgpassword": "password",
    "format": "json",
    "lgtoken": LOGIN_TOKEN
}

R = S.post(URL, data=PARAMS_2)
DATA = R.json()

# Step 3: While logged in, retrieve a CSRF token
PARAMS_3 = {
    "action": "query",
    "meta": "tokens",
    "format": "json"
}

R = S.get(url=URL, params=PARAMS_3)
DATA = R.json()

CSRF_TOKEN = DATA["query"]["tokens"]["csrftoken"]

# Step 4: Send a POST request to reset the password for all
# users with e-mail address user@mediawiki.org.

PARAMS_4 = {
    "token":CSRF_TOKEN,
    "action":"resetpassword",
    "email":"user@mediawiki.org",
    "format":"json"
    }

R = S.post(URL, data=PARAMS_4)
DATA = R.text

print(DATA)
'''

VALIDATE_PASSWORD = r'''#!/usr/bin/python3

"""
    validatepassword.py

    MediaWiki Action API Code Samples
    Demo of `Validatepassword` module: Validate a password against the wiki's password policies.
    MIT license
"""

import requests

URL = "https://en.wikipedia.org/w/api.php"

S = requests.Session()

PARAMS = {
    "action": "validatepassword",
    "format": "json",
    "password": "",
}

R = S.post(URL, data=PARAMS)
DATA = R.json()

print(DATA)
'''

CREATE_ACCOUNT = r'''#!/usr/bin/python3

"""
    create_account.py

    MediaWiki API Demos
    Demo of `createaccount` module: Create an account on a wiki without the
    special authentication extensions

    MIT license
"""

import requests

S = requests.Session()

WIKI_URL = "http://dev.wiki.local.wmftest.net:8080"
API_ENDPOINT = WIKI_URL + "/w/api.php"

# First step
# Retrieve account creation token from `tokens` module

PARAMS_0 = {
    'action':"query",
    'meta':"tokens",
    'type':"createaccount",
    'format':"json"
}

R = S.get(url=API_ENDPOINT, params=PARAMS_0)
DATA = R.json()

TOKEN = DATA['query']['tokens']['createaccounttoken']

# Second step
# Send a post request with the fetched token and other data (user information,
# return URL, etc.)  to the API to create an account

PARAMS_1 = {
    'action': "createaccount",
    'createtoken': TOKEN,
    'username': 'your_username',
    'password': 'your_password',
    'retype': 'retype_your_password',
    'createreturnurl': WIKI_URL,
    'format': "json"
}

R = S.post(API_ENDPOINT, data=PARAMS_1)
DATA = R.json()

print(DATA)
'''

LOGIN = r'''#!/usr/bin/python3

"""
    login.py

    MediaWiki API Demos
    Demo of `Login` module: Sending post request to login
    MIT license
"""

import requests

S = requests.Session()

URL = "https://www.mediawiki.org/w/api.php"

# Retrieve login token first
PARAMS_0 = {
    'action':"query",
    'meta':"tokens",
    'type':"login",
    'format':"json"
}

R = S.get(url=URL, params=PARAMS_0)
DATA = R.json()

LOGIN_TOKEN = DATA['query']['tokens']['logintoken']

print(LOGIN_TOKEN)

# Send a post request to login. Using the main account for login is not
# supported. Obtain credentials via Special:BotPasswords
# (https://www.mediawiki.org/wiki/Special:BotPasswords) for lgname & lgpassword

PARAMS_1 = {
    'action':"login",
    'lgname':"your_bot_username",
    'lgpassword':"your_bot_password",
    'lgtoken':LOGIN_TOKEN,
    'format':"json"
}

R = S.post(URL, data=PARAMS_1)
DATA = R.json()

print(DATA)
'''

PROTECT = r'''#!/usr/bin/python3
"""
protect.py
MediaWiki API Demos
Demo of `Protect` module: Demo to change the edit protection
level of a given page.
MIT License
"""
import requests
S = requests.Session()
URL = "https://test.wikipedia.org/w/api.php"
# Step 1: Retrieve a login token
PARAMS_1 = {
"action": "query",
"meta": "tokens",
"type": "login",
"format": "json"
}
R = S.get(url=URL, params=PARAMS_1)
DATA = R.json()
LOGIN_TOKEN = DATA['query']['tokens']['logintoken']
# Step 2: Send a post request to login. Use of main account for login
# is not supported. Obtain credentials via Special:BotPasswords
# (https://www.mediawiki.org/wiki/Special:BotPasswords) for lgname &
# lgpassword
PARAMS_2 = {
"action": "login",
"lgname": "bot_user_name",
"lgpassword": "bot_password",
"lgtoken": LOGIN_TOKEN,
"format": "json"
}
R = S.post(URL, data=PARAMS_2)
# Step 3: While logged in, retrieve a CSRF token
PARAMS_3 = {
"action": "query",
"meta": "tokens",
"type": "csrf",
"format": "json"
}
R = S.get(url=URL, params=PARAMS_3)
DATA = R.json()
CSRF_TOKEN = DATA["query"]["tokens"]["csrftoken"]
# Step 4: Send a post request to change edit protection level of a page
PARAMS_4 = {
"title": "User:SSethi (WMF)/common.js",
"protections": "edit=autoconfirmed|move=sysop",
"expiry": "infinite",
"token": CSRF_TOKEN,
"action": "protect"
}
R = S.post(URL, data=PARAMS_4)
print(R.text)
'''


API_NOTICE = ("See {api} for API usage. Subscribe to the mediawiki-api-announce mailing list at "
              "&lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists.wikimedia.org/&gt; "
              "for notice of API deprecations and breaking changes.")


def run_sample(code: str, replacements: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """Execute *code* with each key of *replacements* swapped for its value; return
    (everything it printed, its globals). The code runs as a module registered under
    ``__sample__`` while it executes (Flask's ``config.from_object(__name__)`` imports it)."""
    for old, new in replacements.items():
        assert old in code, f"sample no longer contains {old!r}"
        code = code.replace(old, new)
    out = io.StringIO()
    module = types.ModuleType("__sample__")
    sys.modules["__sample__"] = module
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "<seed sample>", "exec"), module.__dict__)
    finally:
        del sys.modules["__sample__"]
    return out.getvalue(), module.__dict__


def make_account(app: WikigateApp, name: str, groups: tuple[str, ...] = (), email: str = "") -> int:
    async def go() -> int:
        svc = app.services
        user = await svc.users.create(name, password_hash=await svc.hashing.hash(ADMIN_PASSWORD),
                                      email=email)
        for g in groups:
            await svc.users.set_group(user.id, g, None)
        return int(user.id)

    return asyncio.run(go())


def make_bot_password(app: WikigateApp, user_id: int, appid: str, grants: tuple[str, ...]) -> str:
    async def go() -> str:
        _, secret = await app.services.botpasswords.create(user_id, appid, grants)
        return str(secret)

    return asyncio.run(go())


@pytest.fixture
def wiki(live_server: tuple[str, WikigateApp]) -> tuple[str, WikigateApp, str]:
    """The live server with Admin (sysop, bureaucrat) and the bot password Admin@seedbot
    (basic, editpage, protect — the grants used on the reference)."""
    url, app = live_server
    uid = make_account(app, "Admin", ("sysop", "bureaucrat"))
    return url, app, make_bot_password(app, uid, "seedbot", ("editpage", "protect"))


def test_reset_password_sample_with_bot_password(wiki: tuple[str, WikigateApp, str]) -> None:
    url, _, secret = wiki
    api = url + "/api.php"
    out, _ = run_sample(RESET_PASSWORD, {
        '"https://test.wikipedia.org/w/api.php"': repr(api),
        '"lgname": "user_name"': '"lgname": "Admin@seedbot"',
        '"lgpassword": "password"': f'"lgpassword": {secret!r}'})
    # Recorded on the reference: resetpassword is not within these grants.
    assert json.loads(out) == {"error": {"code": "badaccess", "info": "Permission error",
                                         "*": API_NOTICE.format(api=api)}}


def test_reset_password_sample_with_main_account_sends_mail(wiki: tuple[str, WikigateApp, str]) -> None:
    url, app, _ = wiki
    make_account(app, "Mailed user", email="user@mediawiki.org")
    out, ns = run_sample(RESET_PASSWORD, {
        '"https://test.wikipedia.org/w/api.php"': repr(url + "/api.php"),
        '"lgname": "user_name"': '"lgname": "Admin"',
        '"lgpassword": "password"': f'"lgpassword": {ADMIN_PASSWORD!r}'})
    assert out == '{"resetpassword":{"status":"success"}}\n'  # exactly the reference's bytes
    assert ns["DATA"] == out.strip() and ns["CSRF_TOKEN"] != "+\\"
    # The mail to the account with that address leaves through the outbox after the response.
    sent = app.services.mailer.transport.outbox
    deadline = time.time() + 10
    while not sent and time.time() < deadline:
        time.sleep(0.05)
    assert [m.recipient for m in sent] == ["user@mediawiki.org"]
    assert "Mailed user" in sent[0].body


def test_validate_password_sample(live_server: tuple[str, WikigateApp]) -> None:
    url, _ = live_server
    api = url + "/api.php"
    out, ns = run_sample(VALIDATE_PASSWORD, {'"https://en.wikipedia.org/w/api.php"': repr(api)})
    # The sample posts an empty password: a required parameter that is empty is missing.
    expected = {"error": {"code": "missingparam", "info": 'The "password" parameter must be set.',
                          "*": API_NOTICE.format(api=api)}}
    assert ns["DATA"] == expected
    assert ast.literal_eval(out) == expected


def test_create_account_sample(live_server: tuple[str, WikigateApp]) -> None:
    url, _ = live_server
    out, ns = run_sample(CREATE_ACCOUNT, {'"http://dev.wiki.local.wmftest.net:8080"': repr(url),
                                          '"/w/api.php"': '"/api.php"'})
    # The sample's password and retype differ, so the reference answers badretype.
    expected = {"createaccount": {"status": "FAIL", "message": "The passwords you entered do not match.",
                                  "messagecode": "badretype"}}
    assert ns["DATA"] == expected and ast.literal_eval(out) == expected
    assert len(ns["TOKEN"]) == 42 and ns["TOKEN"].endswith("+\\")


def test_login_sample(wiki: tuple[str, WikigateApp, str]) -> None:
    url, _, secret = wiki
    out, ns = run_sample(LOGIN, {'"https://www.mediawiki.org/w/api.php"': repr(url + "/api.php"),
                                 '"your_bot_username"': repr("Admin@seedbot"),
                                 '"your_bot_password"': repr(secret)})
    token_line, data_line = out.splitlines()
    assert re.fullmatch(r"[0-9a-f]{40}\+\\", token_line)
    assert ast.literal_eval(data_line) == {"login": {"result": "Success", "lguserid": 1, "lgusername": "Admin"}}
    # The sample's session is the bot-password session, with the grants' rights only.
    info = ns["S"].get(url + "/api.php", params={"action": "query", "meta": "userinfo", "uiprop": "rights",
                                                 "format": "json"}).json()["query"]["userinfo"]
    assert info["name"] == "Admin" and "protect" in info["rights"] and "userrights" not in info["rights"]


def pretty_json(page: str) -> Any:
    """The JSON inside jsonfm's <pre> (the sample sends no format, so api.php pretty-prints HTML)."""
    m = re.search(r'<pre class="api-pretty-content">(.*?)</pre>', page, re.S)
    assert m, page
    return json.loads(html.unescape(m.group(1)))


def test_protect_sample_on_another_users_js_page(wiki: tuple[str, WikigateApp, str]) -> None:
    url, _, secret = wiki
    api = url + "/api.php"
    out, ns = run_sample(PROTECT, {'"https://test.wikipedia.org/w/api.php"': repr(api),
                                   '"bot_user_name"': repr("Admin@seedbot"), '"bot_password"': repr(secret)})
    assert ns["R"].headers["Content-Type"].startswith("text/html")
    # Recorded on the reference: protecting User:SSethi (WMF)/common.js needs edituserjs.
    assert pretty_json(out) == {"error": {"code": "customjsprotected", "info": (
        "You do not have permission to edit this JavaScript page because it contains another user's "
        "personal settings."), "*": API_NOTICE.format(api=api)}}


def test_protect_sample_on_an_existing_page(wiki: tuple[str, WikigateApp, str]) -> None:
    """The PHP/JS variants of the same page protect "Sandbox"/"Main Page"; the Python code with
    that title (the one other string rewritten here) shows the seed's documented answer."""
    url, _, secret = wiki
    api = url + "/api.php"
    # The page must exist; "editpage" does not include createpage (cantcreate on the
    # reference too), so the main account creates it.
    s = requests.Session()
    lt = s.get(api, params={"action": "query", "meta": "tokens", "type": "login", "format": "json"}).json()
    assert s.post(api, data={"action": "clientlogin", "username": "Admin", "password": ADMIN_PASSWORD,
                             "loginreturnurl": url, "logintoken": lt["query"]["tokens"]["logintoken"],
                             "format": "json"}).json()["clientlogin"]["status"] == "PASS"
    csrf = s.get(api, params={"action": "query", "meta": "tokens", "format": "json"}).json()
    assert s.post(api, data={"action": "edit", "title": "Main Page", "text": "Welcome", "format": "json",
                             "token": csrf["query"]["tokens"]["csrftoken"]}).json()["edit"]["result"] == "Success"
    out, _ = run_sample(PROTECT, {'"https://test.wikipedia.org/w/api.php"': repr(api),
                                   '"bot_user_name"': repr("Admin@seedbot"), '"bot_password"': repr(secret),
                                   '"User:SSethi (WMF)/common.js"': repr("Main Page")})
    assert pretty_json(out) == {"protect": {"title": "Main Page", "reason": "", "protections": [
        {"edit": "autoconfirmed", "expiry": "infinite"}, {"move": "sysop", "expiry": "infinite"}]}}
