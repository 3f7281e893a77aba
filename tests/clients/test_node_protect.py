"""tests/node/test/protect.test.js — Wikimedia's api-testing library in the style of MediaWiki
core's PageProtection.js — against a live wikigate.

The node modules come from ``npm ci`` in tests/node (run by .ci/run from the committed
package-lock.json). Under CI a missing toolchain fails the test; elsewhere it is skipped.
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

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


def _require_node() -> None:
    missing = []
    if shutil.which("node") is None:
        missing.append("node")
    if not (NODE_DIR / "node_modules" / "api-testing").is_dir():
        missing.append("tests/node/node_modules (run npm ci in tests/node)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail("missing: " + ", ".join(missing))
        pytest.skip("missing: " + ", ".join(missing))


def test_api_testing_page_protection(live_server: tuple[str, WikigateApp], tmp_path: Path) -> None:
    _require_node()
    url, app = live_server

    async def admin() -> None:
        svc = app.services
        user = await svc.users.create("Admin", password_hash=await svc.hashing.hash(ADMIN_PASSWORD))
        for g in ("sysop", "bureaucrat"):
            await svc.users.set_group(user.id, g, None)

    asyncio.run(admin())
    config = tmp_path / "api-testing.json"
    config.write_text(json.dumps({
        "base_uri": url + "/",
        "main_page": "Main_Page",
        "root_user": {"name": "Admin", "password": ADMIN_PASSWORD},
        # Client.edit() runs jobs through Special:RunJobs, signed with $wgSecretKey.
        "secret_key": app.services.settings.site.secret_key,
    }))
    mocha = NODE_DIR / "node_modules" / ".bin" / "mocha"
    env = dict(os.environ, API_TESTING_CONFIG_FILE=str(config))
    proc = subprocess.run([str(mocha), "--no-config", "--timeout", "30000", "--reporter", "spec",
                           "test/protect.test.js"], cwd=NODE_DIR, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert "10 passing" in proc.stdout, proc.stdout[-4000:]
