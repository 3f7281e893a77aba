"""The composition root's shape: one frozen, typed services object built by
wikigate.root, frozen settings, and no string registry of components anywhere in src/."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest
from tests.conftest import make_settings, tweak

from wikigate.auth.oath import NullOath, OathService
from wikigate.auth.providers.captcha import CaptchaService, NullCaptcha
from wikigate.config import Settings, load_settings
from wikigate.root import build_services
from wikigate.services import Services
from wikigate.storage.sql.kv import SqlKeyValueStore

SRC = Path(__file__).resolve().parents[3] / "src" / "wikigate"


def _registry_uses(tree: ast.AST) -> list[str]:
    """``services.get(…)``, ``x.components`` and ``importlib`` lookups of names built from settings."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "components":
            found.append(f"line {node.lineno}: .components")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                and any(isinstance(a, ast.Constant) and a.value == "components" for a in node.args)):
            found.append(f"line {node.lineno}: getattr(…, 'components')")
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and isinstance(node.func.value, ast.Name | ast.Attribute)
                and (getattr(node.func.value, "id", None) or getattr(node.func.value, "attr", None))
                in ("services", "svc")):
            found.append(f"line {node.lineno}: services.get(…)")
    return found


def test_no_string_registry_in_src() -> None:
    offenders = {str(p.relative_to(SRC)): uses for p in sorted(SRC.rglob("*.py"))
                 if (uses := _registry_uses(ast.parse(p.read_text(encoding="utf-8"))))}
    assert offenders == {}
    assert not (SRC / "components.py").exists()


def test_the_check_finds_the_registry() -> None:
    """The AST check is not vacuous: it flags both old spellings."""
    tree = ast.parse("x = services.components['pages']\ny = self.services.get('auth')\nz = svc.get('a')\n"
                     "r = getattr(src.services, 'components', {})\n")
    assert len(_registry_uses(tree)) == 4


def test_services_and_settings_are_frozen(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    services = build_services(settings)
    assert dataclasses.is_dataclass(Services) and Services.__dataclass_params__.frozen  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        services.pages = services.pages  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.site.sitename = "Other"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.site = settings.site  # type: ignore[misc]
    for f in dataclasses.fields(Settings):
        section = getattr(settings, f.name)
        if dataclasses.is_dataclass(section):
            assert type(section).__dataclass_params__.frozen, f.name  # type: ignore[attr-defined]


def test_loading_builds_new_settings(tmp_path: Path) -> None:
    conf = tmp_path / "w.toml"
    conf.write_text('[site]\nsitename = "Loaded"\n[oath]\nenabled = true\n')
    s = load_settings(conf, environ={"WIKIGATE_SITE__LANGUAGE": '"de"'})
    assert (s.site.sitename, s.site.language, s.oath.enabled, s.source) == ("Loaded", "de", True, str(conf))
    assert Settings().site.sitename != "Loaded"  # the defaults are untouched


def test_switched_off_parts_are_null_implementations(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path))
    assert isinstance(services.captcha, NullCaptcha) and not services.captcha.enabled
    assert isinstance(services.oath, NullOath) and not services.oath.enabled
    assert isinstance(services.kv, SqlKeyValueStore)
    assert services.botpasswords.services is services and services.auth.services is services
    on = build_services(make_settings(tmp_path, captcha__kind="arithmetic", oath__enabled=True))
    assert isinstance(on.captcha, CaptchaService) and isinstance(on.oath, OathService)


def test_extension_rights_in_load_order_and_settings_untouched(tmp_path: Path) -> None:
    """OATHAuth's rights are granted before ConfirmEdit's (meta=userinfo lists a group's
    rights in grant order), on a copy: the settings keep the configured lists."""
    settings = make_settings(tmp_path, captcha__kind="arithmetic", oath__enabled=True)
    before = {g: list(r) for g, r in settings.rights.group_permissions.items()}
    sysop = build_services(settings).rights.group_permissions["sysop"]
    assert sysop.index("oathauth-disable-for-user") < sysop.index("skipcaptcha")
    assert sysop[-1] == "skipcaptcha"
    assert settings.rights.group_permissions == before
    plain = build_services(tweak(settings, captcha__kind="", oath__enabled=False)).rights.group_permissions
    assert "skipcaptcha" not in plain["sysop"] and "oathauth-enable" not in plain["user"]


async def test_lifecycle_starts_and_stops_the_components(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path))
    assert services.mailer in services.startables()
    assert services.stoppables() == (services.hashing, services.mailer)


def test_deprecated_submodule_parameter_names_its_group() -> None:
    """api/params.py finds a query submodule's group through ``services.api_registry``."""
    from types import SimpleNamespace

    from wikigate.api.base import Registry
    from wikigate.api.params import _deprecated

    got: list[str] = []
    src = SimpleNamespace(services=SimpleNamespace(api_registry=Registry()),
                          add_deprecation=lambda path, msg, feature: got.append(feature))
    _deprecated(src, "query+users", "usfoo", "1")  # type: ignore[arg-type]
    assert got == ["action=query&list=users&usfoo"]
