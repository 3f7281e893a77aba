"""Bot passwords: credential recognition, app ids, grants, restrictions, and the component
(create/update/reset/delete, login outcomes, throttle, session validity)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable

import pytest

from wikigate.app import WikigateApp
from wikigate.auth.botpasswords import (
    BotPasswordError,
    BotPasswords,
    InvalidRestriction,
    Restrictions,
    ThrottleFailure,
    canonicalize_login_data,
    normalize_app_id,
    normalize_grants,
    split_login_name,
)
from wikigate.auth.sessions import Session
from wikigate.http.session_cookies import SessionState
from wikigate.i18n import Duration, Message
from wikigate.users.model import User, anonymous

SECRET = "hualo994d0g3o2m7unldu5pcuk2a4acr"


# -- pure functions ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "password", "expected"), [
    ("Bob@app", SECRET, ("Bob@app", SECRET)),
    ("Bob@app", SECRET + "w", ("Bob@app", SECRET + "w")),  # [0-9a-w], 32 or more
    ("Bob@app", SECRET.upper(), None),
    ("Bob@app", SECRET[:31], None),
    ("Bob", SECRET, None),  # no separator anywhere
    ("Bob", "app@" + SECRET, ("Bob@app", SECRET)),  # legacy form
    ("Bob", "my@app@" + SECRET, ("Bob@my@app", SECRET)),  # split at the last "@"
    ("Bob", "app@" + SECRET[:31], None),
    ("Bob@app", "app@" + SECRET, None),  # name has "@": password must be the bare secret
    ("Bob", "x" * 40, None),
])
def test_canonicalize_login_data(name: str, password: str, expected: tuple[str, str] | None) -> None:
    assert canonicalize_login_data(name, password) == expected


def test_split_login_name_at_first_separator() -> None:
    assert split_login_name("Bob@my@app") == ("Bob", "my@app")
    assert split_login_name("Bob") is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("  mybot ", "mybot"),
    ("", None),
    ("   ", None),
    ("a" * 32, "a" * 32),
    ("a" * 33, None),
    ("ü" * 16, "ü" * 16),  # 32 bytes
    ("ü" * 17, None),  # 34 bytes: the limit is in bytes, like PHP strlen
    ("bad#id", None),
    ("bad[id]", None),
    ("with space@and at", "with space@and at"),
])
def test_normalize_app_id(raw: str, expected: str | None) -> None:
    assert normalize_app_id(raw) == expected


def test_grants_basic_first_deduplicated_prefix_stripped() -> None:
    assert normalize_grants(["grant-editpage", "basic", "editpage", "protect"]) == ["basic", "editpage", "protect"]
    assert normalize_grants([]) == ["basic"]
    with pytest.raises(ValueError):
        normalize_grants(["nosuchgrant"])


def test_restrictions_ip_ranges() -> None:
    default = Restrictions()
    assert default.to_json() == '{"IPAddresses":["0.0.0.0/0","::/0"]}'
    assert default.check_ip("192.0.2.1") and default.check_ip("2001:db8::1")
    r = Restrictions.from_lines("192.0.2.0/24\n\n  2001:db8::/32 \n10.1.2.3\n")
    assert r.ip_ranges == ("192.0.2.0/24", "2001:db8::/32", "10.1.2.3")
    assert r.check_ip("192.0.2.200")
    assert not r.check_ip("192.0.3.1")
    assert r.check_ip("2001:db8:ffff::1")
    assert not r.check_ip("2001:db9::1")
    assert r.check_ip("10.1.2.3") and not r.check_ip("10.1.2.4")
    assert r.check_ip("::ffff:192.0.2.9")  # IPv4-mapped client address
    assert not r.check_ip("not-an-ip")
    assert Restrictions.from_lines("192.0.2.7/24").check_ip("192.0.2.1")  # host bits ignored
    with pytest.raises(InvalidRestriction) as e:
        Restrictions.from_lines("192.0.2.0/24\nexample.org")
    assert e.value.value == "example.org"
    with pytest.raises(InvalidRestriction):
        Restrictions.from_lines("10.0.0.0/33")


def test_restrictions_json_round_trip_and_referers() -> None:
    raw = '{"IPAddresses":["10.0.0.0/8"],"Referers":["*.example.org","tool.test"]}'
    r = Restrictions.from_json(raw)
    assert r.to_json() == raw
    assert r.check("10.2.3.4", "https://a.example.org/page")
    assert r.check("10.2.3.4", "http://tool.test/")
    assert not r.check("10.2.3.4", "https://example.org.evil.test/")
    assert not r.check("10.2.3.4", None)
    assert not r.check("11.0.0.1", "https://a.example.org/")
    assert Restrictions.from_json("garbage") == Restrictions()


# -- the component ------------------------------------------------------------------------


class FakeRequest:
    def __init__(self, ip: str, referer: str | None = None) -> None:
        self.client_ip = ip
        self._referer = referer

    def header(self, name: str) -> str | None:
        return self._referer if name.lower() == "referer" else None


class FakeCtx:
    """The parts of ApiContext the login uses, with a real SessionState."""

    def __init__(self, app: WikigateApp, ip: str = "192.0.2.10") -> None:
        self.request = FakeRequest(ip)
        main = Session()
        main.persist()
        main.token_secret("login", create=True, mac_key=app.services.secret_key)
        self.state = SessionState(main, anonymous(ip))
        self.now = app.services.clock.time()
        self.user: User = anonymous(ip)

    def set_user(self, user: User) -> None:
        self.user = user


MakeUser = Callable[..., Awaitable[User]]


@pytest.fixture
def bps(app: WikigateApp) -> BotPasswords:
    return app.services.botpasswords


async def test_create_stores_hash_token_and_grants(app: WikigateApp, bps: BotPasswords,
                                                   make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    bp, secret = await bps.create(bob.id, "  mybot ", ["grant-editpage"])
    assert re.fullmatch(r"[0-9a-v]{32}", secret)
    assert bp.app_id == "mybot" and bp.grants == ["basic", "editpage"]
    stored = await bps.get(bob.id, "mybot")
    assert stored is not None
    assert re.fullmatch(r"[0-9a-f]{32}", stored.token)
    assert secret not in stored.password_hash and stored.password_hash.startswith(":pbkdf2:")
    assert not stored.needs_reset
    assert stored.restrictions == Restrictions()
    with pytest.raises(BotPasswordError) as e:
        await bps.create(bob.id, "mybot")
    assert e.value.message == Message("botpasswords-insert-failed", ("mybot",))
    with pytest.raises(BotPasswordError) as e:
        await bps.create(bob.id, "x" * 33)
    assert e.value.message.key == "botpasswords-bad-appid"
    assert [b.app_id for b in await bps.list_for_user(bob.id)] == ["mybot"]


async def test_update_rotates_token_and_reset_changes_secret(bps: BotPasswords, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    bp, secret = await bps.create(bob.id, "mybot")
    old_hash = (await bps.get(bob.id, "mybot")).password_hash  # type: ignore[union-attr]
    upd, none = await bps.update(bob.id, "mybot", ["protect"], Restrictions(("10.0.0.0/8",)))
    assert none is None and upd.token != bp.token
    row = await bps.get(bob.id, "mybot")
    assert row is not None and row.grants == ["basic", "protect"] and row.password_hash == old_hash
    assert row.restrictions.ip_ranges == ("10.0.0.0/8",)
    new_secret = await bps.reset(bob.id, "mybot")
    assert new_secret != secret
    row2 = await bps.get(bob.id, "mybot")
    assert row2 is not None and row2.password_hash != old_hash and row2.grants == ["basic", "protect"]
    with pytest.raises(BotPasswordError) as e:
        await bps.update(bob.id, "gone")
    assert e.value.message.key == "botpasswords-update-failed"
    assert await bps.delete(bob.id, "mybot")
    assert not await bps.delete(bob.id, "mybot")
    assert await bps.get(bob.id, "mybot") is None


async def test_login_success_opens_a_separate_bot_session(app: WikigateApp, bps: BotPasswords,
                                                          make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    bp, secret = await bps.create(bob.id, "mybot", ["editpage"])
    ctx = FakeCtx(app)
    main = ctx.state.session
    kind, user = await bps.login(ctx, "bob", "mybot", secret)  # first letter is normalised
    assert kind == "success" and isinstance(user, User) and user.id == bob.id
    assert ctx.user.id == bob.id
    session = ctx.state.session
    assert session is not main and session.id != main.id and session.persist_requested
    assert ctx.state.provider == "botpassword"
    assert session.user_id == bob.id and session.secrets == {}
    assert session.bot == {"app_id": "mybot", "grants": ["basic", "editpage"], "bp_token": bp.token}
    # The cookie session was saved as it was, login-token secret included.
    kept = await app.services.sessions.load(main.id or "")
    assert kept is not None and "login" in kept.secrets


@pytest.mark.parametrize("case", ["nouser", "noapp", "wrongpw", "ip"])
async def test_login_skips_to_main_account_login(app: WikigateApp, bps: BotPasswords, make_user: MakeUser,
                                                 case: str) -> None:
    bob = await make_user("Bob")
    _, secret = await bps.create(bob.id, "mybot", restrictions=Restrictions(("192.0.2.0/24",)))
    ctx = FakeCtx(app, ip="198.51.100.1" if case == "ip" else "192.0.2.10")
    main = ctx.state.session
    args = {"nouser": ("Nobody", "mybot", secret), "noapp": ("Bob", "other", secret),
            "wrongpw": ("Bob", "mybot", "0" * 32), "ip": ("Bob", "mybot", secret)}[case]
    assert await bps.login(ctx, *args) == ("skip", None)
    assert ctx.state.session is main and ctx.state.provider == "cookie"


async def test_login_needs_reset_after_invalidate_all(app: WikigateApp, bps: BotPasswords,
                                                      make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    _, secret = await bps.create(bob.id, "mybot")
    await bps.create(bob.id, "other")
    assert await bps.invalidate_all(bob.id) == 2
    row = await bps.get(bob.id, "mybot")
    assert row is not None and row.needs_reset
    kind, msg = await bps.login(FakeCtx(app), "bob", "mybot", secret)
    assert (kind, msg) == ("failed", Message("botpasswords-needs-reset", ("bob", "mybot")))
    assert app.services.catalog.bc(msg) == 'The bot password for bot name "mybot" of user "bob" must be reset.'
    assert await bps.invalidate_user_passwords("bob") == 2  # by name, as AuthManager calls it
    assert await bps.invalidate_user_passwords("Nobody") == 0
    new = await bps.reset(bob.id, "mybot")
    assert (await bps.login(FakeCtx(app), "Bob", "mybot", new))[0] == "success"


async def test_login_throttle_is_separate_and_cleared_on_success(app: WikigateApp, bps: BotPasswords,
                                                                 make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    _, secret = await bps.create(bob.id, "mybot")
    for _ in range(5):
        assert (await bps.login(FakeCtx(app), "Bob", "mybot", "0" * 32))[0] == "skip"
    # The 6th attempt in the window is refused even with the right secret.
    kind, failure = await bps.login(FakeCtx(app), "Bob", "mybot", secret)
    assert (kind, failure) == ("failed", ThrottleFailure(Message("login-throttled", (Duration(300),)), 300))
    msg = failure.message
    assert app.services.catalog.bc(msg) == ("You have made too many recent login attempts. "
                                            "Please wait 5 minutes before trying again.")
    # Another IP has its own counter; success there clears only that one.
    assert (await bps.login(FakeCtx(app, ip="192.0.2.99"), "Bob", "mybot", secret))[0] == "success"
    assert (await bps.login(FakeCtx(app), "Bob", "mybot", secret))[0] == "failed"


async def test_session_valid_follows_the_row(app: WikigateApp, bps: BotPasswords, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    _, secret = await bps.create(bob.id, "mybot", ["editpage"])
    ctx = FakeCtx(app)
    await bps.login(ctx, "Bob", "mybot", secret)
    session = ctx.state.session
    assert await bps.session_valid(session, bob, "192.0.2.10")
    await bps.update(bob.id, "mybot", ["protect"])  # every save draws a new token: the session ends
    assert not await bps.session_valid(session, bob, "192.0.2.10")
    ctx = FakeCtx(app)
    await bps.login(ctx, "Bob", "mybot", secret)
    session = ctx.state.session
    assert session.bot is not None and session.bot["grants"] == ["basic", "protect"]
    assert not await bps.session_valid(session, bob, "not an ip")
    rotated = User(**{**bob.__dict__, "token": "f" * 32})
    assert not await bps.session_valid(session, rotated, "192.0.2.10")
    await bps.delete(bob.id, "mybot")
    assert not await bps.session_valid(session, bob, "192.0.2.10")


@pytest.mark.settings(auth__enable_bot_passwords=False)
async def test_disabled_bot_passwords_skip(app: WikigateApp, bps: BotPasswords, make_user: MakeUser) -> None:
    bob = await make_user("Bob")
    _, secret = await bps.create(bob.id, "mybot")
    assert await bps.login(FakeCtx(app), "Bob", "mybot", secret) == ("skip", None)


async def test_stored_json_is_compact_like_mediawiki(app: WikigateApp, bps: BotPasswords,
                                                     make_user: MakeUser) -> None:
    from sqlalchemy import select

    from wikigate.storage.sql.schema import bot_passwords

    bob = await make_user("Bob")
    await bps.create(bob.id, "mybot", ["editpage"])
    row = await app.services.db.run(lambda c: c.execute(select(bot_passwords)).one()._mapping)
    assert row["bp_grants"] == '["basic","editpage"]'
    assert row["bp_restrictions"] == '{"IPAddresses":["0.0.0.0/0","::/0"]}'
    assert json.loads(row["bp_grants"]) == ["basic", "editpage"]


async def test_login_throttle_counts_only_verifications_and_audits_hits(
        app: WikigateApp, bps: BotPasswords, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 15: attempts that failed because the store was down do not count; issue 9:
    throttle hits are in the audit log; the per-account limit is shared with main logins."""
    bob = await make_user("Bob")
    _, secret = await bps.create(bob.id, "mybot")
    real_get = bps.store.get

    async def down(*a: object) -> None:
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(bps.store, "get", down)
    for _ in range(8):
        with pytest.raises(ConnectionRefusedError):
            await bps.login(FakeCtx(app), "Bob", "mybot", secret)
    monkeypatch.setattr(bps.store, "get", real_get)
    for _ in range(5):
        assert (await bps.login(FakeCtx(app), "bob_", "mybot", "0" * 32))[0] == "skip"
    kind, failure = await bps.login(FakeCtx(app), "Bob\u200e", "mybot", secret)
    assert kind == "failed" and isinstance(failure, ThrottleFailure)
    entries = await app.services.audit.list(user="Bob", event="login-throttled")
    assert [e.detail.split()[:3] for e in entries] == [["botpassword", "user-ip", "5/300s"]]
    # The five failures count in the per-account limit shared with main-account logins.
    import hashlib

    key = "throttle:login-account:" + hashlib.sha256(b"Bob").hexdigest()[:32]
    assert await app.services.kv.get_int(key) == 5
