"""The registry of known provider and request types, built once at start.

Configuration names providers (``auth.providers``); the registry maps each name to its
class when the service starts, and a bad name fails then, naming the setting. A name is
either a *provider id* of :data:`KNOWN_PROVIDERS` (``"oidc"``) or, for providers that
live outside wikigate (tests, site code), an entry point ``"module:Class"`` — imported
at start, never later.

The registry also holds every :class:`AuthenticationRequest` class a stored flow may
contain: the core ones, those a provider declares in ``request_types``, and those defined
in a provider's module. Stored records name their requests by a key of this table
(:mod:`wikigate.auth.flow.records`); a key that is not in it makes the record stale.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from wikigate.auth.providers.base import AuthenticationProvider
from wikigate.auth.requests import CORE_REQUEST_TYPES, AuthenticationRequest, request_type_key

#: Provider id → entry point, for providers a configuration may name by id. Core ones are
#: always on (MediaWiki's $wgAuthManagerAutoConfig), in call order within each kind.
KNOWN_PROVIDERS: dict[str, str] = {
    "throttle": "wikigate.auth.providers.throttle:ThrottlePreAuthenticationProvider",
    # Captcha (ConfirmEdit): asks nothing while the captcha component is NullCaptcha.
    "captcha": "wikigate.auth.providers.captcha:CaptchaPreAuthenticationProvider",
    "temporary-password": "wikigate.auth.providers.temporary_password:TemporaryPasswordPrimaryAuthenticationProvider",
    "password": "wikigate.auth.providers.password:LocalPasswordPrimaryAuthenticationProvider",
    "check-blocks": "wikigate.auth.providers.check_blocks:CheckBlocksSecondaryAuthenticationProvider",
    "reset-password": "wikigate.auth.providers.reset_password:ResetPasswordSecondaryAuthenticationProvider",
    # Second factor (OATHAuth TOTP): abstains while the oath component is NullOath.
    "totp": "wikigate.auth.providers.totp:TOTPSecondaryAuthenticationProvider",
}

#: The providers every configuration has, in order.
CORE_PROVIDER_IDS = ("throttle", "captcha", "temporary-password", "password", "check-blocks",
                     "reset-password", "totp")


class RequestTypes:
    """Storage key → request class, for the request types known at start."""

    def __init__(self) -> None:
        self._by_key: dict[str, type[AuthenticationRequest]] = dict(CORE_REQUEST_TYPES)

    def add(self, cls: type[AuthenticationRequest]) -> None:
        self._by_key[request_type_key(cls)] = cls

    def key(self, req: AuthenticationRequest) -> str:
        """The storage key of ``req``; ValueError for a type the registry does not know
        (a provider must list such classes in its ``request_types``)."""
        key = request_type_key(type(req))
        if key not in self._by_key:
            raise ValueError(f"{key} is not a registered request type: list it in the provider's request_types")
        return key

    def get(self, key: str) -> type[AuthenticationRequest]:
        """KeyError for a type not registered at start."""
        return self._by_key[key]

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def as_mapping(self) -> dict[str, type[AuthenticationRequest]]:
        return dict(self._by_key)


class ProviderRegistry:
    """Provider id → class (in configuration order) and the known request types."""

    def __init__(self) -> None:
        self.providers: dict[str, type[AuthenticationProvider]] = {}
        self.requests = RequestTypes()

    def register(self, pid: str, cls: type[AuthenticationProvider]) -> None:
        if not (isinstance(cls, type) and issubclass(cls, AuthenticationProvider)):
            raise ValueError(f"auth.providers: {pid!r} is not an authentication provider")
        if pid in self.providers:
            raise ValueError(f"auth.providers: {pid!r} is configured twice")
        self.providers[pid] = cls
        for req_cls in getattr(cls, "request_types", ()):
            self.requests.add(req_cls)
        # The request classes defined next to the provider (its module is loaded already).
        module = importlib.import_module(cls.__module__)
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, AuthenticationRequest) and obj is not AuthenticationRequest:
                self.requests.add(obj)

    @property
    def classes(self) -> list[type[AuthenticationProvider]]:
        return list(self.providers.values())

    @classmethod
    def build(cls, configured: Iterable[str]) -> ProviderRegistry:
        """The core providers, then each configured one (an id or a ``module:Class``)."""
        registry = cls()
        for pid in CORE_PROVIDER_IDS:
            registry.register(pid, _load(KNOWN_PROVIDERS[pid], pid))
        for name in configured:
            if name in KNOWN_PROVIDERS:
                if name in CORE_PROVIDER_IDS:
                    continue  # always on already
                registry.register(name, _load(KNOWN_PROVIDERS[name], name))
            elif ":" in name:
                registry.register(name, _load(name, name))
            else:
                known = ", ".join(sorted(set(KNOWN_PROVIDERS) - set(CORE_PROVIDER_IDS))) or "none"
                raise ValueError(f"auth.providers: unknown provider id {name!r} (known: {known}; "
                                 "or give a 'module:Class' entry point)")
        return registry


def _load(target: str, name: str) -> type[AuthenticationProvider]:
    module_name, _, attr = target.partition(":")
    try:
        obj = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as e:
        raise ValueError(f"auth.providers: cannot load {name!r}: {e}") from None
    if not (isinstance(obj, type) and issubclass(obj, AuthenticationProvider)):
        raise ValueError(f"auth.providers: {name!r} is not an authentication provider")
    result: type[AuthenticationProvider] = obj
    return result
