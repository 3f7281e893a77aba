"""Registration of the optional components on the services object.

Each subsystem provides a ``setup(services)`` function that stores its component in
``services.components[<name>]``; :func:`setup_all` calls them in dependency order.
A component may define ``async start()`` / ``async stop()`` (called by the app).
"""

from __future__ import annotations

import importlib

from wikigate.services import Services

#: "module:function" entries, in order.
SETUPS: list[str] = [
    "wikigate.components:setup_hashing",
    "wikigate.components:setup_logs",
    "wikigate.auth.audit:setup",
    # OATHAuth before ConfirmEdit, as the reference loads them: their rights are appended
    # to the groups in this order (meta=userinfo lists rights in group order).
    "wikigate.auth.oath:setup",
    "wikigate.auth.providers.captcha:setup",
    "wikigate.auth.audit:setup_auth",
    "wikigate.auth.botpasswords.service:setup",
    "wikigate.components:setup_pages",
    "wikigate.pages.service:setup",
    "wikigate.pages.protect:setup",
    "wikigate.users.groups:setup",
    "wikigate.mail.outbox:setup",
]


def setup_hashing(services: Services) -> None:
    from wikigate.auth.hashpool import HashingService

    services.components["hashing"] = HashingService(services.settings.passwords)


def setup_all(services: Services) -> None:
    for target in SETUPS:
        module_name, func = target.split(":")
        getattr(importlib.import_module(module_name), func)(services)


def setup_logs(services: Services) -> None:
    from wikigate.logs.store import LogStore

    services.components["logs"] = LogStore(services.db, services.clock)


def setup_pages(services: Services) -> None:
    from wikigate.pages.namespaces import Namespaces
    from wikigate.pages.store import PageStore

    services.components.setdefault("namespaces", Namespaces(services.settings.site.sitename))
    services.components["pages"] = PageStore(services.db, services.clock, services.components["logs"],
                                              services.components["namespaces"])
