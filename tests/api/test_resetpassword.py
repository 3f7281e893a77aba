"""action=resetpassword end to end: a real SMTP server (aiosmtpd) receives the reset mail.

Spec resetpassword.md: silent success for everything that would reveal accounts or
addresses, the per-account resend throttle, the per-IP ``mailpassword`` limit, one mail
per account sharing an address, the old password kept until the temporary one is used.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import logging
import re
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import ApiClient, make_settings, marked, tweak
from wikigate.app import WikigateApp, build_services
from wikigate.config import Settings

OLD_PW = "Old-Secret-Pass-42"
TEMP_RE = re.compile(r"Temporary password:\s*\n\s*(\S+)")


class Sink:
    """aiosmtpd handler that keeps (envelope recipients, parsed message)."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"

    def bodies(self, rcpt: str) -> list[str]:
        out = []
        for tos, msg in self.mails:
            if rcpt in tos:
                part = msg.get_body(preferencelist=("plain",))
                assert part is not None
                out.append(str(part.get_content()).replace("\r\n", "\n"))
        return out


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    port = _port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    yield handler, port
    ctl.stop()


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path, sink: tuple[Sink, int]) -> Settings:
    return marked(request, make_settings(tmp_path, mail__backend="smtp", mail__smtp_port=sink[1],
                                         mail__sender="wiki@refwiki.test"))


async def reset(client: ApiClient, **params: Any) -> Any:
    return await client.jpost(action="resetpassword", token="+\\", **params)


async def settle(app: WikigateApp) -> None:
    await app.services.mailer.drain()
    await asyncio.sleep(0.05)


MakeUser = Callable[..., Awaitable[Any]]


async def test_reset_by_user_sends_one_mail(app: WikigateApp, client: ApiClient, sink: tuple[Sink, int],
                                            make_user: MakeUser, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="wikigate")  # our loggers (the SMTP sink logs DATA)
    handler, _ = sink
    alice = await make_user("Alice", OLD_PW, email="alice@x.test")
    assert await reset(client, user="Alice") == {"resetpassword": {"status": "success"}}
    await settle(app)
    (body,) = handler.bodies("alice@x.test")
    (tos, msg), = handler.mails
    assert tos == ["alice@x.test"]
    assert msg["Subject"] == "Account details on RefWiki"
    assert msg["To"].addresses[0].display_name == "Alice"
    assert "127.0.0.1" in body and "\nAlice\n" in body and "7 days" in body
    match = TEMP_RE.search(body)
    assert match is not None
    temp = match.group(1)
    assert re.fullmatch(r"[0-9a-v]{10}", temp)
    assert temp not in caplog.text  # never logged
    user = await app.services.users.get_by_id(alice.id)
    hashing = app.services.hashing
    # The temporary password is stored hashed; the old password is untouched.
    assert temp not in user.newpassword and await hashing.verify(user.newpassword, temp)
    assert user.password == alice.password and await hashing.verify(user.password, OLD_PW)
    assert user.newpass_time is not None
    # A second request within 24 hours: success, but nothing is sent.
    assert await reset(client, user="Alice") == {"resetpassword": {"status": "success"}}
    await settle(app)
    assert len(handler.mails) == 1


async def test_logged_in_caller_named_and_language(app: WikigateApp, new_client: Callable[..., ApiClient],
                                                   sink: tuple[Sink, int], make_user: MakeUser) -> None:
    handler, _ = sink
    await make_user("Caller", OLD_PW)
    target = await make_user("Zielperson", OLD_PW, email="ziel@x.test")
    await app.services.users.set_options(target.id, {"language": "de"})
    c = new_client("10.1.1.1")
    assert (await c.login("Caller", OLD_PW))["clientlogin"]["status"] == "PASS"
    csrf = await c.token()
    assert (await c.jpost(action="resetpassword", user="Zielperson", token=csrf))["resetpassword"] == {
        "status": "success"}
    await settle(app)
    (body,) = handler.bodies("ziel@x.test")
    (_, msg), = handler.mails
    assert msg["Subject"] == "Zugangsdaten für RefWiki" and msg["Content-Language"] == "de"
    assert "Caller" in body and "Vorläufiges Passwort:" in body and "7 Tage" in body


async def test_reset_by_email_mails_each_account(app: WikigateApp, client: ApiClient, sink: tuple[Sink, int],
                                                 make_user: MakeUser) -> None:
    handler, _ = sink
    await make_user("Bob", OLD_PW, email="shared@x.test")
    await make_user("Carol", OLD_PW, email="shared@x.test")
    await make_user("Dave", OLD_PW, email="other@x.test")
    assert (await reset(client, email="shared@x.test"))["resetpassword"]["status"] == "success"
    await settle(app)
    bodies = handler.bodies("shared@x.test")
    assert len(bodies) == 2
    assert {"Bob", "Carol"} == {re.search(r"Username:\n(\S+)", b).group(1) for b in bodies}  # type: ignore[union-attr]
    # Exact match only: other case finds nobody (and still says success).
    assert (await reset(client, email="SHARED@x.test"))["resetpassword"]["status"] == "success"
    await settle(app)
    assert len(handler.mails) == 2


@pytest.mark.parametrize("params", [
    {"user": "Nobody"},                       # unknown user
    {"user": "Nomail"},                       # no address
    {"email": "nobody@x.test"},               # unknown address
    {"email": "not-an-email"},                # malformed
    {"email": "evil@x.test\r\nBcc: victim@evil.test"},  # header injection attempt
    {"email": "victim@evil.test, eve@x.test"},  # two recipients in one value
])
async def test_enumeration_hiding(app: WikigateApp, client: ApiClient, sink: tuple[Sink, int],
                                  make_user: MakeUser, params: dict[str, str]) -> None:
    await make_user("Nomail", OLD_PW)
    await make_user("Eve", OLD_PW, email="eve@x.test")
    assert await reset(client, **params) == {"resetpassword": {"status": "success"}}
    await settle(app)
    assert sink[0].mails == []


async def test_errors(client: ApiClient) -> None:
    err = (await reset(client))["error"]
    assert err["code"] == "passwordreset-nodata"
    assert err["info"] == "Neither a username nor an email address was supplied"
    assert (await client.jpost(action="resetpassword", user="X"))["error"]["code"] == "missingparam"
    bad = await client.jpost(action="resetpassword", user="X", token="0123456789abcdef+\\")
    assert bad["error"]["code"] == "badtoken"
    r = await client.get(action="resetpassword", user="X", token="+\\")
    assert r.json()["error"]["code"] == "mustpostparams"
    assert (await reset(client, user="Mwd<bad>"))["error"]["code"] == "baduser"
    got = await reset(client, user="X", capture="1")
    assert got["resetpassword"] == {"status": "success"}
    assert "capture" in got["warnings"]["main"]["*"]


async def test_ip_rate_limit_is_silent(app: WikigateApp, new_client: Callable[..., ApiClient],
                                       sink: tuple[Sink, int], make_user: MakeUser) -> None:
    for i in range(7):
        await make_user(f"Rl{i}", OLD_PW, email=f"rl{i}@x.test")
    c = new_client("10.9.9.9")
    for i in range(7):
        assert (await reset(c, user=f"Rl{i}"))["resetpassword"]["status"] == "success"
    await settle(app)
    # $wgRateLimits['mailpassword']['ip'] = 5 per hour: the 6th and 7th did nothing.
    assert sorted(t[0] for t, _ in sink[0].mails) == [f"rl{i}@x.test" for i in range(5)]
    # Another IP is not affected; even "nodata" counts toward the limit, like MediaWiki.
    other = new_client("10.9.9.10")
    assert (await reset(other, user="Rl5"))["resetpassword"]["status"] == "success"
    await settle(app)
    assert len(sink[0].mails) == 6


async def test_noratelimit_exempt(app: WikigateApp, new_client: Callable[..., ApiClient],
                                  sink: tuple[Sink, int], make_user: MakeUser) -> None:
    await make_user("Boss", OLD_PW, groups=("sysop",))
    for i in range(7):
        await make_user(f"Ex{i}", OLD_PW, email=f"ex{i}@x.test")
    c = new_client("10.8.8.8")
    assert (await c.login("Boss", OLD_PW))["clientlogin"]["status"] == "PASS"
    csrf = await c.token()
    for i in range(7):
        assert (await c.jpost(action="resetpassword", user=f"Ex{i}", token=csrf))["resetpassword"]
    await settle(app)
    assert len(sink[0].mails) == 7


async def test_ip_limit_spares_autoconfirmed_users(app: WikigateApp, new_client: Callable[..., ApiClient],
                                                   sink: tuple[Sink, int], make_user: MakeUser) -> None:
    """Issue 9: MediaWiki applies the ``ip`` key of a rate limit to anonymous and new
    users only; an autoconfirmed user behind a busy address is not limited by it."""
    await make_user("Plain", OLD_PW)  # autoconfirmed: every registered user is, by default
    for i in range(7):
        await make_user(f"Ac{i}", OLD_PW, email=f"ac{i}@x.test")
        await make_user(f"Ad{i}", OLD_PW, email=f"ad{i}@x.test")
    c = new_client("10.7.7.7")
    assert (await c.login("Plain", OLD_PW))["clientlogin"]["status"] == "PASS"
    csrf = await c.token()
    for i in range(7):
        assert (await c.jpost(action="resetpassword", user=f"Ac{i}", token=csrf))["resetpassword"]
    await settle(app)
    assert len(sink[0].mails) == 7
    # Anonymous callers from the same address are still counted (5 per hour).
    anon = new_client("10.7.7.7")
    for i in range(7):
        await reset(anon, user=f"Ad{i}")
    await settle(app)
    assert len(sink[0].mails) == 12


@pytest.mark.settings(rights__autoconfirm_count=10)  # nobody has 10 edits: all are new
async def test_ip_limit_applies_to_new_users(app: WikigateApp, new_client: Callable[..., ApiClient],
                                             sink: tuple[Sink, int], make_user: MakeUser) -> None:
    await make_user("Newbie", OLD_PW)
    for i in range(7):
        await make_user(f"Nb{i}", OLD_PW, email=f"nb{i}@x.test")
    c = new_client("10.7.7.8")
    assert (await c.login("Newbie", OLD_PW))["clientlogin"]["status"] == "PASS"
    csrf = await c.token()
    for i in range(7):
        assert (await c.jpost(action="resetpassword", user=f"Nb{i}", token=csrf))["resetpassword"]
    await settle(app)
    assert len(sink[0].mails) == 5


@contextlib.asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[ApiClient]:
    """A started app for ``settings`` and an anonymous client of it."""
    import httpx

    application = WikigateApp(settings, build_services(settings))
    await application.startup()
    try:
        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
            yield ApiClient(http)
    finally:
        await application.shutdown()


async def test_routes_from_settings(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    async with serving(tweak(s, auth__password_reset_routes=[])) as c:
        err = (await c.jpost(action="resetpassword"))["error"]
        assert err["code"] == "moduledisabled"
        assert err["info"] == "⧼apihelp-resetpassword-description-noroutes⧽"
    async with serving(tweak(s, auth__password_reset_routes=["email"])) as c:
        got = await c.jpost(action="resetpassword", user="X", token="+\\")
        assert got["error"]["code"] == "passwordreset-nodata"  # no user param on this route
        got = await c.jpost(action="resetpassword", email="nobody@x.test", user="X", token="+\\")
        assert got["resetpassword"] == {"status": "success"}
        assert got["warnings"]["main"]["*"] == "Unrecognized parameter: user."


async def test_temporary_password_login_forces_change(app: WikigateApp, new_client: Callable[..., ApiClient],
                                                      sink: tuple[Sink, int], make_user: MakeUser) -> None:
    """resetpassword.md §4: both passwords work until the temporary one is used; logging
    in with it demands a new password; afterwards only the new password works."""
    await make_user("Forgetful", OLD_PW, email="forgetful@x.test")
    assert (await reset(new_client("10.4.0.1"), user="Forgetful"))["resetpassword"]["status"] == "success"
    await settle(app)
    (body,) = sink[0].bodies("forgetful@x.test")
    m = TEMP_RE.search(body)
    assert m is not None
    temp = m.group(1)
    # The old password still works before the temporary one is used.
    assert (await new_client("10.4.0.2").login("Forgetful", OLD_PW))["clientlogin"]["status"] == "PASS"
    # action=login cannot show the change form: Aborted, and the client stays anonymous.
    legacy = new_client("10.4.0.3")
    lt = await legacy.token("login")
    got = await legacy.jpost(action="login", lgname="Forgetful", lgpassword=temp, lgtoken=lt)
    assert got["login"]["result"] == "Aborted"
    c = new_client("10.4.0.4")
    ui = await c.login("Forgetful", temp)
    assert ui["clientlogin"]["status"] == "UI"
    assert ui["clientlogin"]["messagecode"] == "resetpass-temp-emailed"
    assert ui["clientlogin"]["message"] == ("You logged in with a temporary emailed code.\n"
                                            "To finish logging in, you must set a new password here:")
    assert set(ui["clientlogin"]["requests"][0]["fields"]) == {"password", "retype"}
    lt = await c.token("login")
    bad = await c.jpost(action="clientlogin", logincontinue="1", password="password", retype="password",
                        logintoken=lt)
    assert bad["clientlogin"]["status"] == "UI"  # policy failure: asked again
    lt = await c.token("login")
    new = "Chosen-New-Pass-9"
    done = await c.jpost(action="clientlogin", logincontinue="1", password=new, retype=new, logintoken=lt)
    assert done["clientlogin"] == {"status": "PASS", "username": "Forgetful"}
    for pw, status in ((OLD_PW, "FAIL"), (temp, "FAIL"), (new, "PASS")):
        got = await new_client("10.4.1.1").login("Forgetful", pw)
        assert got["clientlogin"]["status"] == status, (pw, got)


async def test_mail_disabled_and_no_right(tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    async with serving(tweak(s, mail__enabled=False)) as c:
        err = (await c.jpost(action="resetpassword", user="X", token="+\\"))["error"]
        assert (err["code"], err["info"]) == ("passwordreset-emaildisabled",
                                              "Email features have been disabled on this wiki.")
    async with serving(tweak(s, rights__revoke_permissions={"*": ["editmyprivateinfo"]})) as c:
        err = (await c.jpost(action="resetpassword", user="X", token="+\\"))["error"]
        assert (err["code"], err["info"]) == ("badaccess", "Permission error")
