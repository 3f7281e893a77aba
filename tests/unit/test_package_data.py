"""Package data loads through importlib.resources and survives a reinstall under a
running server (issue 9: ``pip install -e .`` after ``pip install .`` broke a running
server with ``FileNotFoundError`` for ``common-passwords.json``)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from wikigate.util.package_data import data_files

SRC = Path(__file__).resolve().parents[2] / "src" / "wikigate"
#: Modules that may use ``__file__``, and why: not for package data.
FILE_ALLOWED: dict[str, str] = {}


def test_no_module_finds_files_through___file__() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel in FILE_ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Name) and n.id == "__file__" for n in ast.walk(tree)):
            offenders.append(rel)
    assert offenders == [], f"use importlib.resources instead of __file__ in {offenders}"


def test_every_data_file_loads_through_importlib_resources() -> None:
    loaded = {name: res.read_bytes() for name, res in data_files()}
    # Every non-Python file in the source tree is reachable that way (a new data folder
    # must be added to DATA_ROOTS, and to package-data in pyproject.toml).
    on_disk = {
        "wikigate/" + p.relative_to(SRC).as_posix()
        for p in SRC.rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert on_disk <= set(loaded), sorted(on_disk - set(loaded))
    assert "wikigate/data/common-passwords.json" in loaded
    assert "wikigate/i18n/messages/en/core.json" in loaded
    assert "wikigate/mail/templates/password-reset-user/en.txt" in loaded
    assert "wikigate/web/templates/botpasswords.html" in loaded
    assert any(n.startswith("wikigate/storage/sql/migrations/versions/0001") for n in loaded)
    assert all(loaded.values()), [n for n, b in loaded.items() if not b]


SCRIPT = textwrap.dedent("""
    import asyncio, json, shutil, sys
    import httpx
    from tests.conftest import make_settings
    from wikigate.app import WikigateApp, build_services

    async def main(copy, data):
        settings = make_settings(__import__("pathlib").Path(data))
        app = WikigateApp(settings, build_services(settings))
        await app.startup()
        # What `pip install -e .` does to the files of a `pip install .`: they vanish.
        shutil.rmtree(copy)
        t = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=t, base_url="http://wiki.test") as http:
            r = await http.post("/api.php", data={"action": "validatepassword", "password": "password",
                                                  "user": "Newbie", "format": "json"})
            out = {"validate": r.json()}
            from wikigate.mail.render import render
            out["mail"] = render("password-reset-user", "de", sitename="W", url="u", username="A", password="p",
                                 expiry="1", requester="B", ip="1", count="1", names="A")[0]
            r = await http.get("/index.php", params={"title": "Special:BotPasswords"})
            out["page"] = r.status_code
        await app.shutdown()
        print("RESULT " + json.dumps(out))

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


def test_running_server_survives_its_package_files_vanishing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(SRC, site / "wikigate", ignore=shutil.ignore_patterns("__pycache__"))
    repo = SRC.parents[1]
    env = dict(os.environ, PYTHONPATH=f"{site}{os.pathsep}{repo}", PYTHONDONTWRITEBYTECODE="1")
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(site / "wikigate"), str(tmp_path / "data")],
                       env=env, cwd=repo, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")]
    assert lines, r.stdout[-2000:] + r.stderr[-4000:]
    out = json.loads(lines[-1][len("RESULT "):])
    validity = out["validate"]["validatepassword"]
    assert validity["validity"] != "Good"
    assert "passwordincommonlist" in json.dumps(validity)  # the filter was read before the files went
    assert out["mail"]
    assert out["page"] == 200
