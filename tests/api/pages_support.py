"""Shared helpers for the page tests (edit, move, protect, info): logged-in clients and pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.api.test_main import login_as
from tests.conftest import ApiClient
from wikigate.app import WikigateApp
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
