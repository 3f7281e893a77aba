"""Real clients start up against wikigate: mwclient's Site() and pywikibot's site
initialisation (siteinfo, paraminfo for main/query/tokens, userinfo), served by uvicorn.

pywikibot runs in a subprocess with its own PYWIKIBOT_DIR (a generated user-config.py
and family file), so its global configuration never leaks into the test process and
no network beyond the local server is touched."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from wikigate.app import WikigateApp


def test_mwclient_site_starts(live_server: tuple[str, WikigateApp]) -> None:
    mwclient = pytest.importorskip("mwclient")
    url, _ = live_server
    host = urlsplit(url).netloc
    site = mwclient.Site(host, path="/", scheme="http")
    assert site.version[:2] == (1, 39)
    assert site.site["sitename"] == "RefWiki"
    assert site.namespaces[4] == "RefWiki"
    assert site.username == "127.0.0.1"
    assert "read" in site.rights
    assert site.get_token("csrf") == "+\\"


PYWIKIBOT_SCRIPT = textwrap.dedent("""
    import json
    import pywikibot
    site = pywikibot.Site("en", "wikigatetest")
    out = {
        "version": site.version(),
        "sitename": site.siteinfo["sitename"],
        "case": site.siteinfo["case"],
        "ns4": site.namespaces[4].custom_name,
        "user": site.userinfo["name"],
    }
    site._paraminfo.fetch(["main", "query", "query+tokens", "query+siteinfo"])
    out["tokens_param"] = site._paraminfo.parameter("query+tokens", "type")["type"]
    out["query_submodules"] = sorted(site._paraminfo.submodules("query"))
    print("RESULT " + json.dumps(out))
""")


def test_pywikibot_site_starts(live_server: tuple[str, WikigateApp], tmp_path: Path) -> None:
    pytest.importorskip("pywikibot")
    url, _ = live_server
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
    (base / "user-config.py").write_text(textwrap.dedent(f"""
        family = "wikigatetest"
        mylang = "en"
        family_files["wikigatetest"] = {str(family_file)!r}
        put_throttle = 0
        max_retries = 1
    """))
    env = dict(os.environ, PYWIKIBOT_DIR=str(base), PYWIKIBOT_NO_USER_CONFIG="0")
    proc = subprocess.run([sys.executable, "-c", PYWIKIBOT_SCRIPT], env=env, cwd=base,
                          capture_output=True, text=True, timeout=120)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, proc.stdout[-2000:] + proc.stderr[-4000:]
    out = json.loads(lines[-1][len("RESULT "):])
    assert out["version"].startswith("1.39.")
    assert out["sitename"] == "RefWiki" and out["case"] == "first-letter" and out["ns4"] == "RefWiki"
    assert out["user"] == "127.0.0.1"
    assert "csrf" in out["tokens_param"]
    assert {"siteinfo", "tokens", "userinfo", "users"} <= set(out["query_submodules"])
