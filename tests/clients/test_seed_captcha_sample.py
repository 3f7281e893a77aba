"""The seed's captcha sample (API:Account creation, example 2: ``create_account_with_captcha.py``,
a small Flask app, and its ``create_account_form.html``), run against a live wikigate with a
captcha configured like the ext reference wiki (QuestyCaptcha, one question).

The sample and its template are kept byte for byte as the seed page prints them; only the
wiki's URL and api.php path are rewritten (checked replacements, as in
test_seed_samples.py). The test plays the person in front of the form: Flask's test
client GETs the page (authmanagerinfo read, fields and captcha shown) and POSTs the form
with the answer a person reads from the question.

Two properties of the sample decide how it is driven:

* the view reads authmanagerinfo again on the POST and sends the *new* captcha id with
  the person's answer, so only a captcha whose answer does not change between ids (a
  question, as on the reference wiki) can pass — with an image captcha the sample fails
  on MediaWiki too;
* the template names its inputs ``confirm-password`` and ``captcha-word`` while the code
  reads ``retype`` and ``captchaWord``; the POST sends the names the code reads, as the
  page would have to for the sample to work anywhere.

The same two runs against the ext reference wiki (:8082) print the same flash messages
("Success! …" and "Oops! Something went wrong -- captcha-createaccount-fail.Incorrect or
missing CAPTCHA."), checked by hand on 2026-12-03.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from tests.clients.test_seed_samples import run_sample
from tests.conftest import make_settings, serve_in_thread

from wikigate.app import WikigateApp

QUESTION = "What is the name of this test wiki? (answer: refwiki)"
PASSWORD = "Seed-Captcha-Sample-2026!"

CREATE_ACCOUNT_WITH_CAPTCHA = r'''#!/usr/bin/python3

"""
    create_account_with_captcha.py

    MediaWiki Action API Code Samples
    Demo of `createaccount` module: Create an account on a wiki with a special
    authentication extension installed. This example considers a case of a wiki
    where captcha is enabled through extensions like ConfirmEdit
    (https://www.mediawiki.org/wiki/Extension:ConfirmEdit)

    MIT license
"""

import requests
from flask import Flask, render_template, flash, request

S = requests.Session()
WIKI_URL = "https://test.wikipedia.org"
API_ENDPOINT = WIKI_URL + "/w/api.php"

# App config.
DEBUG = True
APP = Flask(__name__)
APP.config.from_object(__name__)
APP.config['SECRET_KEY'] = 'enter_your_secret_key'


@APP.route("/", methods=['GET', 'POST'])
def show_form():
    """ Render form template and handle form submission request """

    fields = get_form_fields()
    captcha = fields['CaptchaAuthenticationRequest']
    captcha_url = WIKI_URL + captcha['captchaInfo']['value']
    captcha_id = captcha['captchaId']['value']

    display_fields = []
    user_fields = []
    captcha_fields = []

    for field in fields:
        for name in fields[field]:
            details = {
                'name': name,
                'type': fields[field][name]['type'],
                'label': fields[field][name]['label']
            }

            if field != "CaptchaAuthenticationRequest":
                user_fields.append(details)
            else:
                if name == 'captchaWord':
                    captcha_fields.append(details)

    display_fields = user_fields + captcha_fields

    if request.method == 'POST':
        create_account(request.form, captcha_id)

    return render_template('create_account_form.html', \
        captcha=captcha_url, fields=display_fields)


def get_form_fields():
    """ Fetch the form fields from `authmanagerinfo` module """

    result = {}
    response = S.get(url=API_ENDPOINT, params={
        'action': 'query',
        'meta': 'authmanagerinfo',
        'amirequestsfor': 'create',
        'format': 'json'
    })
    data = response.json()

    query = data and data['query']
    authmanagerinfo = query and query['authmanagerinfo']
    fields = authmanagerinfo and authmanagerinfo['requests']

    for field in fields:
        if field['id'] in ('MediaWiki\\Auth\\UserDataAuthenticationRequest', \
            'CaptchaAuthenticationRequest', 'MediaWiki\\Auth\\PasswordAuthenticationRequest'):
            result[field['id']] = field['fields']

    return result


def create_account(form, captcha_id):
    """ Send a post request along with create account token, user information
     and return URL to the API to create an account on a wiki """

    createtoken = fetch_create_token()
    response = S.post(url=API_ENDPOINT, data={
        'action': 'createaccount',
        'createtoken': createtoken,
        'username': form['username'],
        'password': form['password'],
        'retype': form['retype'],
        'email': form['email'],
        'createreturnurl': 'http://127.0.0.1:5000/',
        'captchaId': captcha_id,
        'captchaWord': form['captchaWord'],
        'format': 'json'
    })

    data = response.json()
    createaccount = data['createaccount']

    if createaccount['status'] == "PASS":
        flash('Success! An account with username ' + \
            form['username'] + ' has been created!')
    else:
        flash('Oops! Something went wrong -- ' + \
            createaccount['messagecode'] + "." + createaccount['message'])

def fetch_create_token():
    """ Fetch create account token via `tokens` module """

    response = S.get(url=API_ENDPOINT, params={
        'action': 'query',
        'meta': 'tokens',
        'type': 'createaccount',
        'format': 'json'
    })

    data = response.json()
    return data['query']['tokens']['createaccounttoken']


if __name__ == "__main__":
    APP.run()
'''

CREATE_ACCOUNT_FORM_HTML = r'''<!DOCTYPE html>
  <title>MediaWiki Create Account</title>
 <!-- CSS files are in here: https://github.com/srish/MediaWiki-Action-API-Code-Samples/tree/master/static -->
  <link rel="stylesheet" href="static/bootstrap/css/bootstrap.min.css">
  <link rel="stylesheet" href="static/css/account_form.css">

<div class="container">
  <h2>Create MediaWiki Account</h2>
  <form method="POST">
    <div class="form-group">
      <div class="form-field">
        <div class="label-field">Enter your username</div>
        <input name="username">
      </div>
      <div class="form-field">
        <div class="label-field">Password</div>
        <input type="password" name="password">
      </div>
      <div class="form-field">
        <div class="label-field">Confirm password</div>
        <input type="password" name="confirm-password">
      </div>
      <div class="form-field">
        <div class="label-field">Enter address (optional)</div>
        <input name="email">
      </div>
      <div class="form-field">
        <div class="label-field">Enter the text you see on the image below</div>
        <input name="captcha-word">
      </div>
      <img src="{{ captcha }}">
    </div>
    <button type="submit" class="btn btn-success">Create your account</button>
  </form>

  <br>
  {% with messages = get_flashed_messages(with_categories=true) %}
  {% if messages %}
  {% for message in messages %}
  <div class="alert alert-info">
    {{ message[1] }}
  </div>
  {% endfor %}
  {% endif %}
  {% endwith %}
</div>
<br>
</div>
</div>
'''


@pytest.fixture
def captcha_wiki(tmp_path: Path) -> Any:
    settings = make_settings(tmp_path, captcha__kind="question", captcha__questions={QUESTION: "refwiki"})
    with serve_in_thread(settings) as served:
        yield served


def sample_app(url: str, tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    _, ns = run_sample(CREATE_ACCOUNT_WITH_CAPTCHA, {'"https://test.wikipedia.org"': repr(url),
                                                     '"/w/api.php"': '"/api.php"'})
    templates = tmp_path / "sample-templates"
    templates.mkdir()
    (templates / "create_account_form.html").write_text(CREATE_ACCOUNT_FORM_HTML, encoding="utf-8")
    app = ns["APP"]
    app.template_folder = str(templates)  # the seed keeps the template beside the script
    return app, ns


def logs_in(url: str, name: str) -> bool:
    s = requests.Session()
    lt = s.get(url + "/api.php", params={"action": "query", "meta": "tokens", "type": "login",
                                         "format": "json"}).json()["query"]["tokens"]["logintoken"]
    r = s.post(url + "/api.php", data={"action": "clientlogin", "username": name, "password": PASSWORD,
                                       "loginreturnurl": "http://127.0.0.1:5000/", "logintoken": lt,
                                       "format": "json"}).json()
    return bool(r["clientlogin"]["status"] == "PASS")


def form(name: str, answer: str) -> dict[str, str]:
    return {"username": name, "password": PASSWORD, "retype": PASSWORD, "email": "", "captchaWord": answer}


def test_seed_captcha_sample_creates_the_account(captcha_wiki: tuple[str, WikigateApp], tmp_path: Path) -> None:
    url, _ = captcha_wiki
    flask_app, _ = sample_app(url, tmp_path)
    client = flask_app.test_client()
    page = client.get("/").get_data(as_text=True)
    # The sample shows the captcha (captchaInfo appended to the wiki URL) and its fields.
    assert QUESTION in page
    assert "Create MediaWiki Account" in page
    # The person answers the question; the account is created and logs in.
    done = client.post("/", data=form("Seed Captcha Person", "RefWiki")).get_data(as_text=True)
    assert "Success! An account with username Seed Captcha Person has been created!" in done
    assert logs_in(url, "Seed Captcha Person")


def test_seed_captcha_sample_wrong_answer(captcha_wiki: tuple[str, WikigateApp], tmp_path: Path) -> None:
    url, _ = captcha_wiki
    flask_app, _ = sample_app(url, tmp_path)
    client = flask_app.test_client()
    client.get("/")
    done = client.post("/", data=form("Seed Captcha Robot", "not the answer")).get_data(as_text=True)
    assert "Oops! Something went wrong -- captcha-createaccount-fail.Incorrect or missing CAPTCHA." in done
    users = requests.get(url + "/api.php", params={"action": "query", "list": "users",
                                                   "ususers": "Seed Captcha Robot", "format": "json"}).json()
    assert users["query"]["users"][0].get("missing") == ""
