"""User and site CSS/JSON/JS pages need their own rights (PermissionManager config checks)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import ApiClient


async def _edit(c: ApiClient, title: str) -> Any:
    return await c.jpost(action="edit", title=title, text="x", token=await c.token())


async def test_user_config_pages(new_client: Callable[..., ApiClient],
                                 make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Alice")
    await make_user("Sys", groups=("sysop",))
    await make_user("Ia", groups=("interface-admin",))
    alice, sys_, ia = new_client(), new_client(), new_client()
    for c, name in ((alice, "Alice"), (sys_, "Sys"), (ia, "Ia")):
        assert (await c.login(name, "AdminPassw0rd!2026"))["clientlogin"]["status"] == "PASS"

    # Own subpages: editmyuser* (every user has it).
    assert (await _edit(alice, "User:Alice/common.js"))["edit"]["result"] == "Success"
    # Someone else's: edituser* — sysops have edituserjson but not edituserjs/css.
    assert (await _edit(sys_, "User:Alice/common.js"))["error"]["code"] == "customjsprotected"
    assert (await _edit(sys_, "User:Alice/common.css"))["error"]["code"] == "customcssprotected"
    assert (await _edit(sys_, "User:Alice/data.json"))["edit"]["result"] == "Success"
    assert (await _edit(alice, "User:Sys/data.json"))["error"]["code"] == "customjsonprotected"
    assert (await _edit(ia, "User:Alice/common.js"))["edit"]["result"] == "Success"
    # A page that is not a subpage is an ordinary user page.
    assert (await _edit(alice, "User:Sys.js"))["edit"]["result"] == "Success"
    # protect checks the same thing, even for a title that does not exist yet.
    r = await sys_.jpost(action="protect", title="User:Alice/other.js", protections="create=sysop",
                         token=await sys_.token())
    assert r["error"]["code"] == "customjsprotected"


async def test_site_config_pages(new_client: Callable[..., ApiClient],
                                 make_user: Callable[..., Awaitable[Any]]) -> None:
    await make_user("Sys", groups=("sysop",))
    await make_user("Ia", groups=("sysop", "interface-admin"))
    sys_, ia = new_client(), new_client()
    for c, name in ((sys_, "Sys"), (ia, "Ia")):
        assert (await c.login(name, "AdminPassw0rd!2026"))["clientlogin"]["status"] == "PASS"
    r = await _edit(sys_, "MediaWiki:Common.js")
    assert r["error"]["code"] == "sitejsprotected"
    assert r["error"]["info"] == ("You do not have permission to edit this JavaScript page because "
                                  "it may affect all visitors.")
    assert (await _edit(sys_, "MediaWiki:Common.json"))["edit"]["result"] == "Success"
    assert (await _edit(ia, "MediaWiki:Common.js"))["edit"]["result"] == "Success"
