"""The import contract of pyproject.toml ([tool.importlinter], docs/architecture.md) holds.

The same check runs in .ci/run as the step ``lint-imports``; this test keeps it in the
plain ``pytest`` run too. A second run on a copy of the contract with two layers swapped
must report a break, so the check is known to bite."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytest.importorskip("importlinter")


def _lint(config: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(" \
        f"config_filename={str(config)!r}, no_cache=True, no_logo=True))"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def test_layers_contract_is_kept() -> None:
    done = _lint(ROOT / "pyproject.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 broken" in done.stdout


def test_a_swapped_layer_breaks_the_contract(tmp_path: Path) -> None:
    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    contract = conf["contracts"][0]
    layers = contract["layers"]
    i, j = layers.index("auth"), layers.index("pages | mail")
    layers[i], layers[j] = layers[j], layers[i]  # auth/usernames parses titles with pages/titles
    lines = [
        "[importlinter]",
        f"root_package = {conf['root_package']}",
        "[importlinter:contract:swapped]",
        f"name = {contract['name']}",
        "type = layers",
        "containers = " + " ".join(contract["containers"]),
        "layers =\n    " + "\n    ".join(layers),
        "ignore_imports =\n    " + "\n    ".join(contract["ignore_imports"]),
    ]
    cfg = tmp_path / "swapped.ini"
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = _lint(cfg)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "wikigate.auth is not allowed to import wikigate.pages" in done.stdout
