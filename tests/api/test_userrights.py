"""action=userrights, list=users, action=options: answers as the reference MediaWiki 1.39
gives them (captured with the same requests)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.api.test_main import login_as
from tests.conftest import ApiClient
from wikigate.app import WikigateApp
from wikigate.users.model import User

MakeUser = Callable[..., Awaitable[User]]


async def _bureaucrat(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> str:
    await login_as(app, client, await make_user("Crat", groups=("bureaucrat", "sysop")))
    return await client.token("userrights")


async def test_add_remove_and_log(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    target = await make_user("Target one")
    token = await _bureaucrat(app, client, make_user)
    data = await client.jpost(action="userrights", user="target one", add="bot|sysop",
                              expiry="infinite|1 week", reason="test", token=token, formatversion="2")
    assert data == {"userrights": {"user": "Target one", "userid": target.id, "added": ["bot", "sysop"],
                                   "removed": []}}
    again = await client.jpost(action="userrights", user="Target one", add="bot", token=token)
    assert again["userrights"]["added"] == []
    both = await client.jpost(action="userrights", user="Target one", add="bot", remove="bot", token=token)
    assert (both["userrights"]["added"], both["userrights"]["removed"]) == (["bot"], ["bot"])
    logs = await app.services.logs.list(type="rights", limit=10)
    assert len(logs) == 2
    newest, first = logs
    assert first.title == "Target_one" and first.namespace == 2 and first.comment == "test"
    assert first.params["oldgroups"] == [] and first.params["newgroups"] == ["bot", "sysop"]
    assert first.params["newmetadata"][0] == {"group": "bot", "expiry": "infinity"}
    assert first.params["newmetadata"][1]["expiry"].endswith("Z")
    assert newest.params["newgroups"] == ["sysop", "bot"]
    fresh = await app.services.users.get_by_id(target.id)
    assert fresh is not None and sorted(fresh.group_names()) == ["bot", "sysop"]


async def test_errors(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Target two")
    token = await _bureaucrat(app, client, make_user)

    async def code(**params: str) -> str:
        data = await client.jpost(action="userrights", token=token, **params)
        return str(data["error"]["code"]) if "error" in data else "ok"

    assert await code(user="NoSuchUserZZZ1", add="bot") == "nosuchuser"
    assert await code(userid="999999", add="bot") == "invaliduser"
    assert await code(add="bot") == "missingparam"
    assert await code(user="Target two", userid="1", add="bot") == "invalidparammix"
    assert await code(user="Target two", add="bot|sysop", expiry="1 week|2 weeks|3 weeks") == "toofewexpiries"
    assert await code(user="Target two", add="bot", expiry="garbage") == "invalidexpiry"
    assert await code(user="Target two", add="bot", expiry="2001-01-01") == "pastexpiry"
    assert await code(user="1.2.3.4", add="bot") == "baduser"
    assert await code(user="Target two", add="bot", tags="foo") == "badtags"
    data = await client.jpost(action="userrights", token=token, user="NoSuchUserZZZ1", add="bot")
    assert data["error"]["info"] == 'There is no user by the name "NoSuchUserZZZ1". Check your spelling.'


async def test_anonymous_changes_nothing(client: ApiClient, make_user: MakeUser) -> None:
    await make_user("Target three")
    data = await client.jpost(action="userrights", user="Target three", add="bot", token="+\\")
    assert data["userrights"]["added"] == [] and data["userrights"]["removed"] == []


async def test_list_users_order_and_flags(client: ApiClient, make_user: MakeUser) -> None:
    admin = await make_user("Admin", groups=("sysop",))
    data = await client.jget(action="query", list="users", formatversion="2", usprop="groups|cancreate",
                             ususers="Admin|admin|Spec/Probe|  spec   probe__q1  |1.2.3.4|Foo@Bar")
    assert data["query"]["users"] == [
        {"name": "Spec/Probe", "invalid": True},
        {"name": "1.2.3.4", "invalid": True},
        {"userid": admin.id, "name": "Admin", "groups": ["sysop", "*", "user", "autoconfirmed"]},
        {"userid": admin.id, "name": "Admin", "groups": ["sysop", "*", "user", "autoconfirmed"]},
        {"name": "Spec probe q1", "missing": True, "cancreate": True},
        {"name": "Foo@Bar", "missing": True, "cancreate": False,
         "cancreateerror": [{"message": "noname", "params": [], "code": "invaliduser", "type": "error"}]},
    ]
    fv1 = await client.jget(action="query", list="users", ususers="Nobody here", usprop="cancreate")
    assert fv1["query"]["users"] == [{"name": "Nobody here", "missing": "", "cancreate": ""}]
    ids = await client.jget(action="query", list="users", ususerids=f"{admin.id}|99999", formatversion="2")
    assert ids["query"]["users"] == [{"userid": admin.id, "name": "Admin"}, {"userid": 99999, "missing": True}]
    both = await client.jget(action="query", list="users", ususers="Admin", ususerids="1")
    assert both["error"]["info"] == 'The parameters "ususers" and "ususerids" can not be used together.'


async def test_options(app: WikigateApp, client: ApiClient, make_user: MakeUser) -> None:
    anon = await client.jpost(action="options", change="gender=male", token="+\\")
    assert anon["error"]["code"] == "notloggedin"
    user = await make_user("Prefs user")
    await login_as(app, client, user)
    token = await client.token()
    assert await client.jpost(action="options", change="gender=male|userjs-x=1", token=token) == {
        "options": "success"}
    bad = await client.jpost(action="options", change="unknownopt=1|rclimit=abc", token=token)
    assert bad["warnings"]["options"]["*"] == (
        'Validation error for "unknownopt": not a valid preference.\n'
        'Validation error for "rclimit": The value you specified is not a number.')
    assert (await client.jpost(action="options", token=token))["error"]["code"] == "nochanges"
    stored = await app.services.users.get_options(user.id)
    assert stored == {"gender": "male", "userjs-x": "1"}
    await client.jpost(action="options", reset="1", token=token)
    assert await app.services.users.get_options(user.id) == {}
