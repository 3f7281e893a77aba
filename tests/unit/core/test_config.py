"""Settings: TOML + environment overrides, and errors that name the bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from wikigate.config import ConfigError, load_settings


def test_defaults_need_no_file() -> None:
    s = load_settings(environ={})
    assert s.database_url.startswith("sqlite:///")
    assert s.site.cookie_prefix == "my_wiki"
    assert s.throttle.password_attempts[0] == {"count": 5, "seconds": 300}
    assert s.throttle.account_attempts == [100, 3600] and s.throttle.ip_attempts == [100, 3600]


def test_toml_and_env_override(tmp_path: Path) -> None:
    cfg = tmp_path / "w.toml"
    cfg.write_text('[site]\nsitename = "X"\n[server]\nport = 8123\n', encoding="utf-8")
    s = load_settings(cfg, environ={"WIKIGATE_SERVER__PORT": "9001", "WIKIGATE_SITE__COOKIE_PREFIX": "abc"})
    assert s.site.sitename == "X"
    assert s.server.port == 9001
    assert s.site.cookie_prefix == "abc"


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[server]\nport = "x"\n', "server.port"),
        ('[server]\nport = 70000\n', "server.port"),
        ('[storage]\ndatabase_url = "oracle://x"\n', "storage.database_url"),
        ('[mail]\nbackend = "pigeon"\n', "mail.backend"),
        ('[site]\nbogus = 1\n', "site.bogus"),
        ('[protection]\nlevels = ["sysop"]\n', "protection.levels"),
        ('[storage]\nredis_url = "http://x"\n', "storage.redis_url"),
        ('[throttle]\naccount_attempts = [10]\n', "throttle.account_attempts"),
        ('[throttle]\nip_attempts = [-1, 60]\n', "throttle.ip_attempts"),
        ('[throttle]\nip_attempts = [true, 60]\n', "throttle.ip_attempts"),
        ('[throttle]\nmailpassword_ip = [5, 3600, 1]\n', "throttle.mailpassword_ip"),
        ('[throttle.rate_limits]\nedit = { ip = [8] }\n', "throttle.rate_limits.edit.ip"),
        ('[throttle.rate_limits]\nedit = { "&can-bypass" = 1 }\n', "can-bypass"),
        ('[throttle]\nrate_limits = { edit = 5 }\n', "throttle.rate_limits.edit"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, toml: str, key: str) -> None:
    cfg = tmp_path / "w.toml"
    cfg.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_settings(cfg, environ={})
    assert key in str(e.value)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})
    bad = tmp_path / "bad.toml"
    bad.write_text("[site\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(bad, environ={})
