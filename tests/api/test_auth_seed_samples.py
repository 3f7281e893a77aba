"""The Python samples of the seed pages (API:Login, API:Account creation) against a live
wikigate, with only the URL changed (credentials filled in)."""

from __future__ import annotations

import requests

from tests.conftest import ADMIN_PASSWORD
from wikigate.app import WikigateApp


def test_create_account_sample(live_server: tuple[str, WikigateApp]) -> None:
    url, _ = live_server
    S = requests.Session()
    WIKI_URL = url
    API_ENDPOINT = WIKI_URL + "/api.php"
    PARAMS_0 = {"action": "query", "meta": "tokens", "type": "createaccount", "format": "json"}
    R = S.get(url=API_ENDPOINT, params=PARAMS_0)
    DATA = R.json()
    TOKEN = DATA["query"]["tokens"]["createaccounttoken"]
    PARAMS_1 = {"action": "createaccount", "createtoken": TOKEN, "username": "your_username",
                "password": "your_password", "retype": "your_password", "createreturnurl": WIKI_URL, "format": "json"}
    R = S.post(API_ENDPOINT, data=PARAMS_1)
    DATA = R.json()
    assert DATA == {"createaccount": {"status": "PASS", "username": "Your username"}}


def test_login_and_clientlogin_samples(live_server: tuple[str, WikigateApp]) -> None:
    url, _ = live_server
    API = url + "/api.php"
    # Create the account through the API itself (the sample assumes one exists).
    s0 = requests.Session()
    ct = s0.get(API, params={"action": "query", "meta": "tokens", "type": "createaccount",
                             "format": "json"}).json()["query"]["tokens"]["createaccounttoken"]
    r = s0.post(API, data={"action": "createaccount", "createtoken": ct, "username": "Sample bot",
                           "password": ADMIN_PASSWORD, "retype": ADMIN_PASSWORD, "createreturnurl": url,
                           "format": "json"}).json()
    assert r["createaccount"]["status"] == "PASS"

    # login.py
    S = requests.Session()
    URL = API
    PARAMS_0 = {"action": "query", "meta": "tokens", "type": "login", "format": "json"}
    R = S.get(url=URL, params=PARAMS_0)
    DATA = R.json()
    LOGIN_TOKEN = DATA["query"]["tokens"]["logintoken"]
    PARAMS_1 = {"action": "login", "lgname": "Sample bot", "lgpassword": ADMIN_PASSWORD, "lgtoken": LOGIN_TOKEN,
                "format": "json"}
    R = S.post(URL, data=PARAMS_1)
    DATA = R.json()
    assert DATA["login"]["result"] == "Success" and DATA["login"]["lgusername"] == "Sample bot"

    # clientlogin (Example 1 of the seed page)
    S = requests.Session()
    LOGIN_TOKEN = S.get(url=URL, params=PARAMS_0).json()["query"]["tokens"]["logintoken"]
    R = S.post(URL, data={"action": "clientlogin", "username": "Sample bot", "password": ADMIN_PASSWORD,
                          "loginreturnurl": "http://127.0.0.1:5000/", "logintoken": LOGIN_TOKEN, "format": "json"})
    assert R.json() == {"clientlogin": {"status": "PASS", "username": "Sample bot"}}
    assert S.get(URL, params={"action": "query", "meta": "userinfo", "format": "json"}).json()[
        "query"]["userinfo"]["name"] == "Sample bot"
