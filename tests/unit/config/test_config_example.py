"""docs/config.example.toml documents every setting and is itself a valid configuration."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from pathlib import Path

from wikigate.config import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "config.example.toml"


def _documented_keys(text: str) -> set[str]:
    """``section.key`` for every key written in the file, set or commented out
    (long default tables are shown commented out)."""
    keys: set[str] = set()
    section = ""
    for line in text.splitlines():
        head = re.match(r"^#?\s*\[([a-z_]+)(?:\.[^\]]*)?\]\s*$", line)
        if head:
            if not line.startswith("#"):
                section = head.group(1)
            else:
                keys.add(f"{section}.{line.strip('# []').split('.')[-1]}")
            continue
        m = re.match(r"^#?\s?([a-z_0-9]+)\s*=", line)
        if m and section:
            keys.add(f"{section}.{m.group(1)}")
    return keys


def _all_settings() -> set[str]:
    out: set[str] = set()
    s = Settings()
    for f in fields(s):
        value = getattr(s, f.name)
        if is_dataclass(value):
            out |= {f"{f.name}.{g.name}" for g in fields(value)}
    return out


def test_example_loads_and_equals_the_defaults() -> None:
    loaded = load_settings(EXAMPLE, environ={})
    defaults = Settings()
    for f in fields(defaults):
        if f.name != "source":
            assert getattr(loaded, f.name) == getattr(defaults, f.name), f.name


def test_example_documents_every_setting() -> None:
    missing = _all_settings() - _documented_keys(EXAMPLE.read_text(encoding="utf-8"))
    assert not missing, f"add these settings to docs/config.example.toml: {sorted(missing)}"
