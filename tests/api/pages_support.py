"""Shared helpers for the page tests (edit, move, protect, info): logged-in clients and pages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from tests.api.test_main import login_as
from tests.conftest import ApiClient
from wikigate.app import WikigateApp, build_services
from wikigate.config import Settings
from wikigate.users.model import User

MakeUser = Callable[..., Awaitable[User]]
NewClient = Callable[..., ApiClient]


class Actor:
    """A client plus its csrf token, with post/get shortcuts."""

    def __init__(self, client: ApiClient, token: str) -> None:
        self.client = client
        self.csrf = token

    async def post(self, **params: Any) -> Any:
        params.setdefault("token", self.csrf)
        return await self.client.jpost(**params)

    async def get(self, **params: Any) -> Any:
        return await self.client.jget(**params)

    async def edit(self, title: str, text: str, **params: Any) -> Any:
        return await self.post(action="edit", title=title, text=text, **params)

    async def protect(self, title: str, protections: str, **params: Any) -> Any:
        return await self.post(action="protect", title=title, protections=protections, **params)


async def actor(app: WikigateApp, new_client: NewClient, make_user: MakeUser | None, name: str | None,
                groups: tuple[str, ...] = ()) -> Actor:
    """A logged-in actor (``name``), or an anonymous one when ``name`` is None."""
    client = new_client()
    if name is None:
        return Actor(client, "+\\")
    assert make_user is not None
    user = await make_user(name, groups=groups)
    await login_as(app, client, user)
    return Actor(client, await client.token())


def info_page(data: Any) -> dict[str, Any]:
    """The single page of a fv1/fv2 action=query answer."""
    pages = data["query"]["pages"]
    page = pages[0] if isinstance(pages, list) else next(iter(pages.values()))
    assert isinstance(page, dict)
    return page


@contextlib.asynccontextmanager
async def admin_and_newbie(settings: Settings, ip: str) -> AsyncIterator[tuple[WikigateApp, Actor, Actor, ApiClient]]:
    """A started app on ``settings`` with a sysop ``Admin`` and a plain ``Newbie``, both
    logged in, and an anonymous client, all from address ``ip``: (app, admin, newbie, anon)."""
    application = WikigateApp(settings, build_services(settings))
    await application.startup()
    try:
        svc = application.services
        admin_user = await svc.users.create("Admin")
        await svc.users.set_group(admin_user.id, "sysop", None)
        newbie = await svc.users.create("Newbie")
        transport = httpx.ASGITransport(app=application, client=(ip, 1))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as h1, \
                httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as h2, \
                httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as h3:
            a, n = ApiClient(h1), ApiClient(h2)
            fresh_admin = await svc.users.get_by_id(admin_user.id)
            assert fresh_admin is not None
            await login_as(application, a, fresh_admin)
            await login_as(application, n, newbie)
            yield application, Actor(a, await a.token()), Actor(n, await n.token()), ApiClient(h3)
    finally:
        await application.shutdown()
