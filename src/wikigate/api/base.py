"""Base class of every api.php module, and discovery of the modules.

A module declares its parameters once in :meth:`ApiModule.params`; the token parameter
(``token`` plus the module prefix) is appended automatically when ``needs_token`` is
set, as MediaWiki's ``getFinalParams`` does.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, ClassVar

from wikigate.api.context import ApiContext
from wikigate.api.errors import ApiError
from wikigate.api.params import Param, validate_param
from wikigate.auth.containment import ERROR_CODE, ERROR_KEY

Values = dict[str, Any]


class ApiModule:
    #: The action name (``login``) or submodule name (``tokens``).
    name: ClassVar[str] = ""
    prefix: ClassVar[str] = ""
    #: action, meta, list, prop
    group: ClassVar[str] = "action"
    must_be_posted: ClassVar[bool] = False
    is_write: ClassVar[bool] = False
    #: Needs the ``read`` right (readapidenied otherwise).
    is_read: ClassVar[bool] = True
    #: Token type if the module takes a token parameter checked by api/main.
    needs_token: ClassVar[str | None] = None
    deprecated: ClassVar[bool] = False
    internal: ClassVar[bool] = False
    #: MediaWiki's class name, reported by paraminfo (clients ignore it; humans like it).
    classname: ClassVar[str] = ""
    #: Modules that read request fields not declared in params() (AuthManager fields).
    dynamic_parameters: ClassVar[bool] = False
    #: Examples for help/paraminfo: (query string, message key).
    examples: ClassVar[list[tuple[str, str]]] = []
    help_urls: ClassVar[list[str]] = []
    #: Allows maxlag checks (write modules and most read modules do).
    allows_maxlag: ClassVar[bool] = True
    #: An account-security operation (a key of auth.containment.ACCOUNT_SECURITY_OPERATIONS):
    #: refused in bot-password sessions by api/main before execute().
    account_security: ClassVar[str | None] = None
    #: Rights every successful call needs (checked by the module itself, in MediaWiki's
    #: order and with its errors); docs/rights.md and the grant property test read them.
    rights_needed: ClassVar[tuple[str, ...]] = ()
    #: Rights needed only in some cases: (right, when).
    rights_conditional: ClassVar[tuple[tuple[str, str], ...]] = ()

    @classmethod
    def available(cls, settings: Any) -> bool:
        """Whether the configuration offers this module (extension modules may be off)."""
        return True

    def __init__(self, ctx: ApiContext) -> None:
        self.ctx = ctx

    @property
    def path(self) -> str:
        return self.name if self.group == "action" else f"query+{self.name}"

    @property
    def services(self) -> Any:
        return self.ctx.services

    def params(self) -> dict[str, Param]:
        return {}

    #: True when params() depends only on the configuration (never on the request): the
    #: table is then built once per Services and shared. It is read on every request
    #: (meta=tokens alone builds ~10 frozen Param dataclasses), ~10 % of a tokens request.
    static_params: ClassVar[bool] = False

    def final_params(self) -> dict[str, Param]:
        """params() plus ``token``; callers must not mutate the returned table."""
        if not self.static_params:
            return self._build_final_params()
        cache = self.ctx.services.param_cache
        table: dict[str, Param] | None = cache.get(type(self))
        if table is None:
            table = cache[type(self)] = self._build_final_params()
        return table

    def _build_final_params(self) -> dict[str, Param]:
        p = dict(self.params())
        if self.needs_token:
            p["token"] = Param("string", required=True, sensitive=True, token_type=self.needs_token,
                               help_key="api-help-param-token")
        return p

    def extract_params(self) -> Values:
        """Validate every declared parameter in declaration order (first error wins)."""
        out: Values = {}
        for name, spec in self.final_params().items():
            out[name] = validate_param(self.ctx, self.path, self.prefix + name, spec)
        return out

    def account_security_applies(self, p: Values) -> bool:
        """Whether this call is the ``account_security`` operation (resetpassword: only for
        the session's own account)."""
        return True

    def refused_in_bot_session(self, p: Values) -> None:
        """Answer a refused account-security call; by default the API error
        ``cannotreauthenticate`` (modules with a MediaWiki answer of their own override)."""
        raise ApiError(ERROR_KEY, code=ERROR_CODE)

    async def execute(self, p: Values) -> None:
        raise NotImplementedError

    def add_result(self, key: str, value: Any) -> None:
        self.ctx.result[key] = value


def _discover(package: str) -> list[type[ApiModule]]:
    pkg = importlib.import_module(package)
    found: list[type[ApiModule]] = []
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"{package}.{info.name}")
        for obj in vars(mod).values():
            if (isinstance(obj, type) and issubclass(obj, ApiModule) and obj is not ApiModule
                    and obj.name and obj.__module__ == mod.__name__):
                found.append(obj)
    return found


class Registry:
    """All modules, found by importing ``wikigate.api.modules`` and ``wikigate.api.query``."""

    def __init__(self, settings: Any = None) -> None:
        self.actions: dict[str, type[ApiModule]] = {}
        self.query: dict[str, dict[str, type[ApiModule]]] = {"prop": {}, "list": {}, "meta": {}}
        # Without settings every module is listed; with them, modules of features that are
        # switched off (ApiModule.available) are absent, as an uninstalled extension's are.
        for cls in _discover("wikigate.api.modules"):
            if settings is None or cls.available(settings):
                self.actions[cls.name] = cls
        for cls in _discover("wikigate.api.query"):
            if settings is None or cls.available(settings):
                self.query[cls.group][cls.name] = cls
        self.actions = dict(sorted(self.actions.items()))
        for group in self.query:
            self.query[group] = dict(sorted(self.query[group].items()))

    def by_path(self, path: str) -> type[ApiModule] | None:
        if path.startswith("query+"):
            name = path[len("query+"):]
            for group in self.query.values():
                if name in group:
                    return group[name]
            return None
        return self.actions.get(path)
