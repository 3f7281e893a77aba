"""Every module and every parameter has its help text (apihelp-<path>-summary,
apihelp-<path>-param-<name>) in English, so action=help and action=paraminfo never
show a missing message. A module added without its texts fails here, naming the keys."""

from __future__ import annotations

from types import SimpleNamespace

from wikigate.api.base import Registry
from wikigate.api.main import main_params, printer_params
from wikigate.config import Settings
from wikigate.i18n import Catalog
from wikigate.users.rights import Rights


def _all_module_params() -> list[tuple[str, dict]]:
    registry = Registry()
    settings = Settings()
    services = SimpleNamespace(api_registry=registry, param_cache={}, settings=settings,
                               rights=Rights(settings.rights), catalog=Catalog())
    ctx = SimpleNamespace(services=services)
    out: list[tuple[str, dict]] = [("main", main_params(registry))]
    for fmt in ("json", "php", "xml", "rawfm", "none"):
        out.append((fmt, printer_params(fmt)))
    classes = list(registry.actions.values()) + [c for g in registry.query.values() for c in g.values()]
    for cls in classes:
        module = cls(ctx)  # type: ignore[arg-type]
        out.append((module.path, module.final_params()))
    return out


def test_every_module_and_parameter_has_english_help() -> None:
    catalog = Catalog()
    missing = []
    for path, params in _all_module_params():
        keys = [f"apihelp-{path}-summary"]
        keys += [p.help_key or f"apihelp-{path}-param-{name}" for name, p in params.items()]
        missing += [k for k in keys if not catalog.exists(k, "en")]
    assert missing == [], f"help texts missing from i18n/messages/en: {missing}"


def test_the_check_sees_every_discovered_module() -> None:
    paths = {path for path, _ in _all_module_params()}
    assert {"main", "query", "help", "paraminfo", "userrights", "options", "query+siteinfo",
            "query+users", "query+tokens"} <= paths
