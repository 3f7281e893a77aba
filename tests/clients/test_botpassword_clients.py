"""Real clients logging in with bot passwords over HTTP (live uvicorn server, no network
beyond 127.0.0.1): mwclient ``Site.login('User@app', secret)`` and pywikibot with a
``BotPassword`` entry in its password file."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from wikigate.app import WikigateApp

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _setup(app: WikigateApp, grants: tuple[str, ...]) -> str:
    """Create user Bob and the bot password Bob@mybot on the server's own database."""

    async def go() -> str:
        svc = app.services
        pw = await svc.hashing.hash("Bob-Passw0rd!2026")
        bob = await svc.users.create("Bob", password_hash=pw)
        _, secret = await svc.botpasswords.create(bob.id, "mybot", grants)
        return str(secret)

    # The app's database is SQLite in a file; a separate loop is fine for this one-off write.
    return asyncio.run(go())


def test_mwclient_bot_password_login(live_server: tuple[str, WikigateApp]) -> None:
    mwclient = pytest.importorskip("mwclient")
    url, app = live_server
    secret = _setup(app, ("editpage",))
    host = url.removeprefix("http://")
    site = mwclient.Site(host, path="/", scheme="http", clients_useragent="wikigate-tests")
    site.login("Bob@mybot", secret)
    assert site.logged_in and site.username == "Bob"
    info: dict[str, Any] = site.api("query", meta="userinfo", uiprop="rights|groups")["query"]["userinfo"]
    assert info["name"] == "Bob"
    assert "edit" in info["rights"] and "createaccount" not in info["rights"]
    # Wrong secret: mwclient raises LoginError carrying the reference's reason.
    other = mwclient.Site(host, path="/", scheme="http", clients_useragent="wikigate-tests")
    with pytest.raises(mwclient.errors.LoginError) as e:
        other.login("Bob@mybot", "0" * 32)
    assert "Incorrect username or password" in str(e.value)


PYWIKIBOT_SCRIPT = textwrap.dedent('''
    import os, sys
    import pywikibot
    from pywikibot import config
    config.register_families_folder(os.environ["WG_FAMILIES"])
    config.password_file = os.environ["WG_PASSWORDS"]
    config.max_retries = 0
    site = pywikibot.Site("wgtest", "wgtest", user="Bob")
    site.login()
    print("LOGGED_IN", site.logged_in(), site.user(), site.has_right("edit"), site.has_right("protect"))
''')


def test_pywikibot_bot_password_login(live_server: tuple[str, WikigateApp], tmp_path: Path) -> None:
    pytest.importorskip("pywikibot")
    url, app = live_server
    secret = _setup(app, ("editpage",))
    fams = tmp_path / "families"
    fams.mkdir()
    (fams / "wgtest_family.py").write_text(textwrap.dedent(f'''
        from pywikibot import family

        class Family(family.SingleSiteFamily):
            name = "wgtest"
            domain = "{url.removeprefix("http://")}"

            def protocol(self, code):
                return "http"

            def scriptpath(self, code):
                return ""
    '''))
    passwords = tmp_path / "passwords"
    passwords.write_text(f'("Bob", BotPassword("mybot", "{secret}"))\n')
    passwords.chmod(0o600)
    pwb_dir = tmp_path / "pwb"
    pwb_dir.mkdir()
    env = {**os.environ, "PYWIKIBOT_NO_USER_CONFIG": "2", "PYWIKIBOT_DIR": str(pwb_dir),
           "WG_FAMILIES": str(fams), "WG_PASSWORDS": str(passwords)}
    proc = subprocess.run([sys.executable, "-c", PYWIKIBOT_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert "LOGGED_IN True Bob True False" in proc.stdout, proc.stdout + proc.stderr
    assert secret not in proc.stdout + proc.stderr  # the client never echoes it; neither do we
