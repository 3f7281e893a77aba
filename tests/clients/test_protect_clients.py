"""Real clients protect pages on a live wikigate and read the protection back:
the seed's Python sample (API:Protect) with only the URL changed, mwclient and pywikibot.

pywikibot runs in a subprocess with its own PYWIKIBOT_DIR (see test_startup.py)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from tests.conftest import ADMIN_PASSWORD

from wikigate.app import WikigateApp

# The Python sample of the seed page API:Protect, verbatim but for the URL placeholder.
SEED_SAMPLE = '''
import requests
S = requests.Session()
URL = "@@URL@@"
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


def _setup_user(app: WikigateApp, name: str, password: str, groups: tuple[str, ...]) -> None:
    async def make() -> None:
        svc = app.services
        user = await svc.users.create(name, password_hash=await svc.hashing.hash(password))
        for g in groups:
            await svc.users.set_group(user.id, g, None)

    asyncio.run(make())


def _run_sample(url: str) -> dict[str, object]:
    """Run the sample; its last request has no ``format``, so the answer is jsonfm (HTML)."""
    import html
    import re

    code = SEED_SAMPLE.replace("@@URL@@", url + "/api.php")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    m = re.search(r'<pre class="api-pretty-content">(.*)</pre>', proc.stdout, re.S)
    assert m, proc.stdout[-2000:]
    data = json.loads(html.unescape(m.group(1)))
    assert isinstance(data, dict)
    return data


def test_seed_sample(live_server: tuple[str, WikigateApp]) -> None:
    url, app = live_server
    _setup_user(app, "Bot user name", "bot_password", ("sysop",))
    # Another user's .js page needs edituserjs, which sysops lack (interface-admins have it):
    # MediaWiki's checkUserConfigPermissions, also for a page that does not exist yet.
    first = _run_sample(url)
    assert first["error"]["code"] == "customjsprotected"  # type: ignore[index]

    async def promote() -> None:
        user = await app.services.users.get_by_name("Bot user name")
        assert user is not None
        await app.services.users.set_group(user.id, "interface-admin", None)

    asyncio.run(promote())
    # With edituserjs the check passes, and the missing title gives MediaWiki's answer.
    second = _run_sample(url)
    assert second["error"]["code"] == "missingtitle-createonly"  # type: ignore[index]
    assert second["error"]["info"] == 'Missing titles can only be protected with "create".'  # type: ignore[index]


def test_mwclient_protect_and_protection(live_server: tuple[str, WikigateApp]) -> None:
    mwclient = pytest.importorskip("mwclient")
    url, app = live_server
    _setup_user(app, "Admin", ADMIN_PASSWORD, ("sysop", "bureaucrat"))
    _setup_user(app, "Plain editor", ADMIN_PASSWORD, ())
    host = urlsplit(url).netloc
    site = mwclient.Site(host, path="/", scheme="http")
    site.login("Admin", ADMIN_PASSWORD)
    page = site.pages["Mwclient protected"]
    page.edit("Some text {{Shared}}", summary="create")
    site.pages["Template:Shared"].edit("shared", summary="create")
    token = site.get_token("csrf")
    result = site.post("protect", title="Mwclient protected", protections="edit=sysop|move=sysop",
                       expiry="infinite|1 week", cascade="1", reason="mwclient", token=token)
    assert result["protect"]["cascade"] == ""
    fresh = site.pages["Mwclient protected"]
    assert fresh.protection["edit"] == ("sysop", "infinity")
    assert fresh.protection["move"][0] == "sysop" and fresh.protection["move"][1].endswith("Z")
    assert fresh.restrictiontypes == ["edit", "move"]
    tpl = site.pages["Template:Shared"]
    assert tpl.protection["edit"] == ("sysop", "infinity")

    other = mwclient.Site(host, path="/", scheme="http")
    other.login("Plain editor", ADMIN_PASSWORD)
    assert not other.pages["Mwclient protected"].can("edit")
    with pytest.raises(mwclient.errors.ProtectedPageError):
        other.pages["Mwclient protected"].edit("vandalism")
    # mwclient refuses locally from the cascaded protection prop=info reported ...
    with pytest.raises(mwclient.errors.ProtectedPageError):
        other.pages["Template:Shared"].edit("vandalism")
    # ... and the server refuses the raw request.
    with pytest.raises(mwclient.errors.APIError) as cascade:
        other.post("edit", title="Template:Shared", text="vandalism", token=other.get_token("csrf"))
    assert cascade.value.code == "cascadeprotected"
    logs = list(site.logevents(type="protect"))
    assert logs[0]["action"] == "protect" and logs[0]["comment"] == "mwclient"


PYWIKIBOT_SCRIPT = textwrap.dedent("""
    import json
    import pywikibot
    site = pywikibot.Site("en", "wikigatetest")
    site.login()
    page = pywikibot.Page(site, "Pywikibot protected")
    page.text = "text"
    page.save("create")
    page.protect(reason="pwb", protections={"edit": "sysop", "move": "autoconfirmed"}, expiry="infinite")
    out = {"protection": pywikibot.Page(site, "Pywikibot protected").protection(),
           "applicable": sorted(page.applicable_protections())}
    missing = pywikibot.Page(site, "Pywikibot salted")
    missing.protect(reason="salt", protections={"create": "sysop"}, expiry="2099-01-01T00:00:00Z")
    out["missing"] = pywikibot.Page(site, "Pywikibot salted").protection()
    out["protectedtitles"] = [p.title() for p in site.protectedpages(type="create")]
    print("RESULT " + json.dumps(out))
""")


def test_pywikibot_protect_and_protection(live_server: tuple[str, WikigateApp], tmp_path: Path) -> None:
    pytest.importorskip("pywikibot")
    url, app = live_server
    _setup_user(app, "Admin", ADMIN_PASSWORD, ("sysop", "bureaucrat"))
    host = urlsplit(url).netloc
    base = tmp_path / "pwb"
    (base / "families").mkdir(parents=True)
    family_file = base / "families" / "wikigatetest_family.py"
    family_file.write_text(textwrap.dedent(f"""
        from pywikibot import family

        class Family(family.Family):
            name = "wikigatetest"
            langs = {{"en": "{host}"}}

            def scriptpath(self, code):
                return ""

            def protocol(self, code):
                return "http"
    """))
    (base / "passwords.txt").write_text(f'("Admin", "{ADMIN_PASSWORD}")\n')
    os.chmod(base / "passwords.txt", 0o600)
    (base / "user-config.py").write_text(textwrap.dedent(f"""
        family = "wikigatetest"
        mylang = "en"
        family_files["wikigatetest"] = {str(family_file)!r}
        usernames["wikigatetest"]["en"] = "Admin"
        password_file = {str(base / "passwords.txt")!r}
        put_throttle = 0
        max_retries = 1
    """))
    env = dict(os.environ, PYWIKIBOT_DIR=str(base), PYWIKIBOT_NO_USER_CONFIG="0")
    proc = subprocess.run([sys.executable, "-c", PYWIKIBOT_SCRIPT], env=env, cwd=base,
                          capture_output=True, text=True, timeout=180)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, proc.stdout[-2000:] + proc.stderr[-4000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["protection"] == {"edit": ["sysop", "infinity"], "move": ["autoconfirmed", "infinity"]}
    assert out["applicable"] == ["edit", "move"]
    assert out["missing"] == {"create": ["sysop", "2099-01-01T00:00:00Z"]}
    assert out["protectedtitles"] == ["Pywikibot salted"]
