"""JavaScript clients (mwn, nodemw, Wikimedia's api-testing) against a live wikigate.

The mocha suite lives in tests/node (one package.json with a committed lock, installed by
``npm ci`` in .ci/run). This wrapper starts the server in-process, creates the Admin
account (sysop, bureaucrat — api-testing's ``root``) and a bot password for it, writes the
api-testing config file, and runs ``npx mocha`` with the URL and credentials in environment
variables; a failing mocha test fails this test, with mocha's output in the message.

Under CI a missing node/npm or an uninstalled tests/node/node_modules is a failure (a green
run must mean the clients ran); elsewhere the test skips and says why.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import ADMIN_PASSWORD

from wikigate.app import WikigateApp

NODE_DIR = Path(__file__).resolve().parent.parent / "node"


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"{reason} (CI is set: the JavaScript client tests must run)")
    pytest.skip(reason)


def test_node_clients(live_server: tuple[str, WikigateApp], tmp_path: Path) -> None:
    npx = shutil.which("npx")
    if shutil.which("node") is None or npx is None:
        _unavailable("node/npx not installed")
    assert npx is not None
    if not (NODE_DIR / "node_modules" / ".bin" / "mocha").exists():
        _unavailable("tests/node/node_modules missing: run `npm ci` in tests/node")

    url, app = live_server

    async def setup() -> str:
        svc = app.services
        admin = await svc.users.create("Admin", password_hash=await svc.hashing.hash(ADMIN_PASSWORD))
        for group in ("sysop", "bureaucrat"):
            await svc.users.set_group(admin.id, group, None)
        grants = ("editpage", "createeditmovepage", "protect")  # mwn creates, edits and protects a page
        _, secret = await svc.botpasswords.create(admin.id, "nodebot", grants)
        return str(secret)

    secret = asyncio.run(setup())
    config = tmp_path / "api-testing.config.json"
    config.write_text(json.dumps({
        "base_uri": url + "/",
        "main_page": "Main Page",
        "root_user": {"name": "Admin", "password": ADMIN_PASSWORD},
        "secret_key": app.services.settings.site.secret_key,
    }))
    env = {**os.environ, "WIKIGATE_API_URL": url + "/api.php", "WIKIGATE_ADMIN_NAME": "Admin",
           "WIKIGATE_ADMIN_PASSWORD": ADMIN_PASSWORD, "WIKIGATE_BOT_NAME": "Admin@nodebot",
           "WIKIGATE_BOT_PASSWORD": secret, "API_TESTING_CONFIG_FILE": str(config),
           "NO_COLOR": "1", "FORCE_COLOR": "0"}
    proc = subprocess.run([npx, "--no-install", "mocha", "--reporter", "spec"], cwd=NODE_DIR, env=env,
                          capture_output=True, text=True, timeout=180)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert " passing" in output and " failing" not in output, output
    assert secret not in output
