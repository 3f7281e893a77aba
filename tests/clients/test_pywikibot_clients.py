"""pywikibot with a main-account password against a live wikigate (bot passwords are in
test_botpassword_clients.py).

pywikibot runs in a subprocess: its configuration is process-global (families folder,
password file, user-config) and must not leak into the test process. It logs a main account
in through ``action=clientlogin`` (MediaWiki >= 1.27), then reads ``site.userinfo``,
protects a page through ``action=protect`` and logs out. Checked against the MediaWiki 1.39
reference with the same script.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tests.conftest import ADMIN_PASSWORD

from wikigate.app import WikigateApp

SCRIPT = textwrap.dedent('''
    import os
    import pywikibot
    from pywikibot import config
    config.register_families_folder(os.environ["WG_FAMILIES"])
    config.password_file = os.environ["WG_PASSWORDS"]
    config.max_retries = 0
    config.put_throttle = 0
    site = pywikibot.Site("wgtest", "wgtest", user="Ivan")
    print("VERSION", site.mw_version, site.siteinfo["sitename"])
    site.login()
    info = site.userinfo
    print("LOGGED_IN", site.logged_in(), site.user(), info["id"] > 0, sorted(info["groups"]))
    print("RIGHTS", site.has_right("protect"), site.has_right("edit"), site.has_group("sysop"))
    page = pywikibot.Page(site, "Pwb sandbox")
    print("BEFORE", page.exists(), page.protection())
    site.protect(page, protections={"create": "sysop"}, summary="pwb", expiry="infinite")
    print("AFTER", pywikibot.Page(site, "Pwb sandbox").protection())
    site.logout()
    print("LOGGED_OUT", site.logged_in())
''')

FAMILY = '''
from pywikibot import family


class Family(family.SingleSiteFamily):
    name = "wgtest"
    domain = "{domain}"

    def protocol(self, code):
        return "http"

    def scriptpath(self, code):
        return ""
'''


def run_pywikibot(url: str, tmp_path: Path, password_line: str, script: str) -> subprocess.CompletedProcess[str]:
    """Run *script* with an offline pywikibot configuration pointing at *url*."""
    fams = tmp_path / "families"
    fams.mkdir()
    (fams / "wgtest_family.py").write_text(FAMILY.format(domain=url.removeprefix("http://")))
    passwords = tmp_path / "passwords"
    passwords.write_text(password_line + "\n")
    passwords.chmod(0o600)  # pywikibot refuses a password file others can read
    pwb_dir = tmp_path / "pwb"
    pwb_dir.mkdir()
    env = {**os.environ, "PYWIKIBOT_NO_USER_CONFIG": "2", "PYWIKIBOT_DIR": str(pwb_dir),
           "WG_FAMILIES": str(fams), "WG_PASSWORDS": str(passwords)}
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)


def test_pywikibot_main_account_login_userinfo_protect(live_server: tuple[str, WikigateApp],
                                                       tmp_path: Path) -> None:
    pytest.importorskip("pywikibot")
    url, app = live_server

    async def setup() -> None:
        svc = app.services
        ivan = await svc.users.create("Ivan", password_hash=await svc.hashing.hash(ADMIN_PASSWORD))
        await svc.users.set_group(ivan.id, "sysop", None)

    asyncio.run(setup())
    proc = run_pywikibot(url, tmp_path, f'("Ivan", "{ADMIN_PASSWORD}")', SCRIPT)
    out = proc.stdout + proc.stderr
    assert "VERSION 1.39" in out and "RefWiki" in out, out
    assert "LOGGED_IN True Ivan True ['*', 'autoconfirmed', 'sysop', 'user']" in out, out
    assert "RIGHTS True True True" in out, out
    # A missing page takes "create" protection only (missingtitle-createonly otherwise).
    assert "BEFORE False {}" in out, out
    assert "AFTER {'create': ('sysop', 'infinity')}" in out, out
    assert "LOGGED_OUT False" in out, out
    assert ADMIN_PASSWORD not in out
