"""Storage contract: the same behaviour on SQLite, PostgreSQL, MariaDB and Redis.

Backends come from tests/storage/conftest.py (SQLite and the memory store always; the
servers named by ``WIKIGATE_TEST_DATABASE_URL`` / ``WIKIGATE_TEST_REDIS_URL`` when set).
Each test starts from an empty database and runs the Alembic migrations itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import inspect, select, text

from tests.conftest import make_settings, tweak
from tests.storage.conftest import (
    REDIS_URL,
    SQL_BACKENDS,
    KvBackend,
    SqlBackend,
    flush_redis_prefix,
    unavailable,
)
from wikigate.app import WikigateApp, build_services
from wikigate.auth.sessions import Session, SessionStore
from wikigate.logs.store import LogStore
from wikigate.storage.kv import KeyValueStore
from wikigate.storage.sql import migrate
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import metadata
from wikigate.storage.sql.schema import user as user_table
from wikigate.users.store import UserExists, UserStore, increment_editcount
from wikigate.util.clock import FakeClock, mw_timestamp

# -- migrations ---------------------------------------------------------------------------


async def test_migrations_from_empty_create_every_table(sql_backend: SqlBackend) -> None:
    db = await sql_backend.open(migrated=False)
    try:
        assert await migrate.current_revision(db) is None
        before, after = await migrate.upgrade(db)
        assert before is None
        assert after == migrate.head_revision()
        assert await migrate.current_revision(db) == after
        names = await db.run(lambda c: set(inspect(c).get_table_names()))
        assert set(metadata.tables) <= names
        # A second upgrade is a no-op (every worker runs it at start-up).
        assert await migrate.upgrade(db) == (after, after)
    finally:
        await db.close()


async def test_migrated_columns_match_the_declared_schema(db: Database) -> None:
    """What Alembic built has the columns schema.py declares (no drift between the two)."""

    def columns(conn: Any) -> dict[str, set[str]]:
        insp = inspect(conn)
        return {t: {c["name"] for c in insp.get_columns(t)} for t in metadata.tables}

    built = await db.run(columns)
    for name, table in metadata.tables.items():
        assert built[name] == {c.name for c in table.columns}, name


async def test_expiry_columns_keep_sub_second_precision(db: Database) -> None:
    """MySQL's FLOAT is 4 bytes (a resolution of 128 s for today's epoch); expiry columns
    must round-trip a Unix time with sub-second precision on every dialect."""
    t = 1_795_315_013.25

    def q(conn: Any) -> float:
        conn.execute(text("INSERT INTO wg_kv (kv_key, kv_value, kv_expires) VALUES ('k', :v, :e)"),
                     {"v": b"x", "e": t})
        return float(conn.execute(text("SELECT kv_expires FROM wg_kv WHERE kv_key = 'k'")).scalar_one())

    assert await db.run(q) == pytest.approx(t, abs=0.01)


# -- users --------------------------------------------------------------------------------


@pytest.fixture
def users(db: Database, clock: FakeClock) -> UserStore:
    return UserStore(db, clock)


async def test_user_create_and_read_back(users: UserStore, clock: FakeClock) -> None:
    u = await users.create("Alice", password_hash=":pbkdf2:x", email="a@example.org", real_name="Alice A")
    assert u.id > 0
    assert u.name == "Alice"
    assert u.registration == mw_timestamp(clock.time())
    assert u.touched == mw_timestamp(clock.time())
    assert len(u.token) == 32
    assert u.editcount == 0
    assert u.groups == []
    by_id = await users.get_by_id(u.id)
    by_name = await users.get_by_name("Alice")
    assert by_id == by_name == u
    assert await users.get_by_name("Nobody") is None
    assert await users.get_by_id(u.id + 1000) is None
    assert (await users.find_by_email("a@example.org"))[0].id == u.id
    assert await users.count() == 1


async def test_user_names_are_unique(users: UserStore) -> None:
    await users.create("Bob")
    with pytest.raises(UserExists):
        await users.create("Bob")
    assert await users.count() == 1


@pytest.mark.parametrize(("first", "second"), [
    ("Foo bar", "Foo Bar"),  # MediaWiki names differ by case after the first letter
    ("FOO", "Foo"),
    ("Ärger", "ärger"),
    ("Foo", "Foo "),  # MariaDB's PAD SPACE collations would call these equal
    ("Smile 😀", "Smile 😁"),  # 4-byte UTF-8; general_ci collations treat all emoji alike
])
async def test_user_names_compare_case_and_byte_exact(users: UserStore, first: str, second: str) -> None:
    a = await users.create(first)
    b = await users.create(second)
    assert a.id != b.id
    got_a, got_b = await users.get_by_name(first), await users.get_by_name(second)
    assert got_a is not None and got_a.id == a.id and got_a.name == first
    assert got_b is not None and got_b.id == b.id and got_b.name == second
    found = await users.get_many_by_name([first, second, "Missing"])
    assert {k: v.id for k, v in found.items()} == {first: a.id, second: b.id}


async def test_user_name_lookup_is_case_sensitive(users: UserStore) -> None:
    await users.create("Case Test")
    assert await users.get_by_name("case test") is None
    assert await users.get_by_name("Case test") is None


async def test_four_byte_utf8_round_trips(users: UserStore) -> None:
    name = "Emoji 🦊 𝔘𝔫𝔦"
    u = await users.create(name, real_name="🙂 real", email="fox@example.org")
    got = await users.get_by_name(name)
    assert got is not None and got.id == u.id and got.name == name and got.real_name == "🙂 real"


async def test_user_update_and_password_rotates_token(users: UserStore, clock: FakeClock) -> None:
    u = await users.create("Carol", password_hash="old", newpassword="tmp", newpass_time="20260101000000")
    clock.advance(60)
    await users.set_password(u.id, "new")
    got = await users.get_by_id(u.id)
    assert got is not None
    assert got.password == "new"
    assert got.newpassword == "" and got.newpass_time is None
    assert got.token != u.token, "a password change must end every other session"
    assert got.touched == mw_timestamp(clock.time())
    await users.set_password(got.id, "newer", invalidate_sessions=False)
    again = await users.get_by_id(u.id)
    assert again is not None and again.token == got.token and again.password == "newer"
    await users.invalidate_sessions(u.id)
    third = await users.get_by_id(u.id)
    assert third is not None and third.token != got.token
    await users.update(u.id, email="c@example.org", real_name="Carol C")
    fourth = await users.get_by_id(u.id)
    assert fourth is not None and (fourth.email, fourth.real_name) == ("c@example.org", "Carol C")


async def test_editcount_increments_inside_a_transaction(users: UserStore, db: Database) -> None:
    u = await users.create("Dave")

    def q(conn: Any) -> None:
        increment_editcount(conn, u.id)
        increment_editcount(conn, u.id)

    await db.run(q)
    got = await users.get_by_id(u.id)
    assert got is not None and got.editcount == 2


async def test_failed_transaction_rolls_back(users: UserStore, db: Database) -> None:
    u = await users.create("Erin")

    def q(conn: Any) -> None:
        increment_editcount(conn, u.id)
        raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        await db.run(q)
    got = await users.get_by_id(u.id)
    assert got is not None and got.editcount == 0


async def test_list_users_pages_in_id_order(users: UserStore) -> None:
    ids = [(await users.create(f"Lister {i}")).id for i in range(5)]
    first = await users.list_users(0, 3)
    rest = await users.list_users(3, 3)
    assert [u.id for u in first + rest] == ids


async def test_groups_with_expiry(users: UserStore, clock: FakeClock) -> None:
    u = await users.create("Grace")
    soon = mw_timestamp(clock.time() + 3600)
    await users.set_group(u.id, "sysop", None)
    await users.set_group(u.id, "bot", soon)
    got = await users.get_by_id(u.id)
    assert got is not None
    assert [(g.group, g.expiry) for g in got.groups] == [("bot", soon), ("sysop", None)]
    # Setting a group again replaces its expiry instead of adding a second row.
    later = mw_timestamp(clock.time() + 7200)
    await users.set_group(u.id, "bot", later)
    got = await users.get_by_id(u.id)
    assert got is not None and [(g.group, g.expiry) for g in got.groups] == [("bot", later), ("sysop", None)]
    clock.advance(7201)
    got = await users.get_by_id(u.id)
    assert got is not None and got.group_names() == ["sysop"], "expired memberships are not effective"
    await users.remove_group(u.id, "sysop")
    got = await users.get_by_id(u.id)
    assert got is not None and got.groups == []


async def test_options(users: UserStore) -> None:
    u = await users.create("Heidi")
    other = await users.create("Ivan")
    assert await users.get_options(u.id) == {}
    await users.set_options(u.id, {"gender": "female", "language": "de", "nickname": "Hé 🦊"})
    await users.set_options(other.id, {"language": "tr"})
    await users.set_options(u.id, {"language": "en", "nickname": None})
    assert await users.get_options(u.id) == {"gender": "female", "language": "en"}
    assert await users.get_options(other.id) == {"language": "tr"}


# -- log ----------------------------------------------------------------------------------


async def test_log_store(db: Database, clock: FakeClock) -> None:
    logs = LogStore(db, clock)
    first = await logs.add(type="newusers", action="create", actor_id=1, actor_name="Alice", namespace=2,
                           title="Alice", params={"userid": 1})
    clock.advance(10)
    second = await logs.add(type="protect", action="protect", actor_id=2, actor_name="Admin", namespace=0,
                            title="Main_Page", comment="vandalism 🛡", params={"description": "[edit=sysop]"})
    clock.advance(10)
    third = await logs.add(type="newusers", action="create2", actor_id=2, actor_name="Admin", namespace=2,
                           title="Bob", params={"userid": 3})
    assert first < second < third
    newest = await logs.list(limit=10)
    assert [e.id for e in newest] == [third, second, first]
    oldest = await logs.list(newer=True, limit=10)
    assert [e.id for e in oldest] == [first, second, third]
    by_type = await logs.list(type="newusers", limit=10)
    assert [e.id for e in by_type] == [third, first]
    assert [e.id for e in await logs.list(type="newusers", action="create", limit=10)] == [first]
    assert [e.id for e in await logs.list(actor_name="admin", limit=10)] == [], "names are case-sensitive"
    page = await logs.list(namespace=0, title="Main_Page", limit=10)
    assert len(page) == 1
    entry = page[0]
    assert entry.comment == "vandalism 🛡"
    assert entry.params == {"description": "[edit=sysop]"}
    assert entry.timestamp == mw_timestamp(clock.time() - 10)
    # limit + 1 rows signal "more", and (timestamp, id) continues after them.
    head = await logs.list(limit=1)
    assert [e.id for e in head] == [third, second]
    rest = await logs.list(limit=5, cont=(head[1].timestamp, head[1].id))
    assert [e.id for e in rest] == [second, first]


# -- key-value store ----------------------------------------------------------------------


async def test_kv_get_set_delete(kv_backend: KvBackend) -> None:
    kv = kv_backend.store
    assert await kv.get("k") is None
    await kv.set("k", b"\x00\xffbinary", 60)
    assert await kv.get("k") == b"\x00\xffbinary"
    await kv.set("k", b"replaced", 60)
    assert await kv.get("k") == b"replaced"
    await kv.delete("k")
    assert await kv.get("k") is None
    await kv.delete("never-set")  # deleting a missing key is fine


async def test_kv_keys_are_case_sensitive(kv_backend: KvBackend) -> None:
    kv = kv_backend.store
    await kv.set("throttle:Foo", b"upper", 60)
    await kv.set("throttle:foo", b"lower", 60)
    assert await kv.get("throttle:Foo") == b"upper"
    assert await kv.get("throttle:foo") == b"lower"


async def test_kv_large_value(kv_backend: KvBackend) -> None:
    """An authentication flow or session can exceed MySQL's 64 KiB BLOB."""
    value = bytes(range(256)) * 400  # 100 KiB
    await kv_backend.store.set("big", value, 60)
    assert await kv_backend.store.get("big") == value


async def test_kv_add_only_when_absent(kv_backend: KvBackend) -> None:
    kv = kv_backend.store
    assert await kv.add("once", b"a", 60) is True
    assert await kv.add("once", b"b", 60) is False
    assert await kv.get("once") == b"a"


async def test_kv_ttl_expiry(kv_backend: KvBackend) -> None:
    kv = kv_backend.store
    await kv.set("short", b"1", 0.5)
    await kv.set("long", b"2", 30)
    assert await kv.add("slot", b"x", 0.5) is True
    assert await kv.get("short") == b"1"
    await kv_backend.advance(0.8)
    assert await kv.get("short") is None
    assert await kv.get("long") == b"2"
    # An expired key counts as absent for add().
    assert await kv.add("slot", b"y", 30) is True
    assert await kv.get("slot") == b"y"


async def test_kv_incr_is_a_fixed_window(kv_backend: KvBackend) -> None:
    kv = kv_backend.store
    assert await kv.get_int("c") == 0
    assert await kv.incr("c", 1.0) == 1
    await kv_backend.advance(0.5)
    assert await kv.incr("c", 1.0) == 2  # the window is not extended by this increment …
    assert await kv.get_int("c") == 2
    await kv_backend.advance(0.7)
    assert await kv.get_int("c") == 0  # … so it ends 1 s after the first one
    assert await kv.incr("c", 1.0) == 1
    await kv.delete("c")
    assert await kv.get_int("c") == 0


async def test_kv_concurrent_incr_counts_exactly(kv_backend: KvBackend) -> None:
    """Many tasks on two store instances (two workers or hosts) lose no increment."""
    stores: list[KeyValueStore] = [kv_backend.store]
    if kv_backend.twin is not None:
        stores.append(await kv_backend.twin())
    n = 200
    results = await asyncio.gather(*(stores[i % len(stores)].incr("hot", 300) for i in range(n)))
    assert sorted(results) == list(range(1, n + 1))
    assert await kv_backend.store.get_int("hot") == n


async def test_kv_decr_gives_back_without_going_below_zero(kv_backend: KvBackend) -> None:
    kv = kv_backend.store
    assert await kv.decr("absent") == 0
    assert await kv.get_int("absent") == 0  # decr never creates a counter
    assert await kv.incr("c", 1.0) == 1
    assert await kv.incr("c", 1.0) == 2
    assert await kv.decr("c") == 1
    assert await kv.decr("c") == 0
    assert await kv.decr("c") == 0
    assert await kv.incr("c", 1.0) == 1  # same window: the expiry was kept …
    await kv_backend.advance(1.2)
    assert await kv.decr("c") == 0  # … and an expired counter is not revived
    assert await kv.get_int("c") == 0


async def test_kv_ttl_of_a_counter(kv_backend: KvBackend) -> None:
    kv = kv_backend.store
    assert await kv.ttl("none") == 0
    await kv.incr("w", 30)
    assert 29 <= await kv.ttl("w") <= 30
    await kv.decr("w")
    assert 29 <= await kv.ttl("w") <= 30  # decr keeps the window
    await kv.delete("w")
    assert await kv.ttl("w") == 0


async def test_throttle_reserve_is_atomic_across_workers(kv_backend: KvBackend) -> None:
    """200 concurrent attempts on two store instances (two workers or hosts): exactly
    ``count`` get a slot (issue 16 measured 9 of 200 against a limit of 5); refused ones
    and released ones leave nothing behind."""
    from wikigate.auth.throttle import SCOPE_ACCOUNT, SCOPE_USER_IP, Condition, Throttler

    stores: list[KeyValueStore] = [kv_backend.store]
    if kv_backend.twin is not None:
        stores.append(await kv_backend.twin())
    conds = [Condition(0, 5, 300, SCOPE_USER_IP, True), Condition(0, 8, 300, SCOPE_ACCOUNT, False)]
    throttlers = [Throttler(s, "password", conds) for s in stores]
    results = await asyncio.gather(*(throttlers[i % len(throttlers)].reserve("Eve", "192.0.2.1")
                                     for i in range(200)))
    held = [r for r, hit in results if hit is None]
    assert len(held) == 5
    assert all(hit is not None and hit.scope == "user-ip" and 1 <= hit.wait <= 300
               for r, hit in results if r not in held)
    # Refused attempts gave their increments back: the counters show the 5 slots held.
    assert await kv_backend.store.get_int("throttle:login-account:" + _user_key("Eve")) == 5
    # Two attempts that never verified a password release their slots, concurrently.
    await asyncio.gather(*(throttlers[0].release(r) for r in held[:2]))
    assert await kv_backend.store.get_int("throttle:login-account:" + _user_key("Eve")) == 3
    again = await asyncio.gather(*(throttlers[-1].reserve("Eve", "192.0.2.1") for _ in range(10)))
    assert sum(hit is None for _, hit in again) == 2
    # From another address only the per-account limit (8) is left: 3 slots.
    other = await asyncio.gather(*(throttlers[0].reserve("Eve", "192.0.2.2") for _ in range(10)))
    assert sum(hit is None for _, hit in other) == 3
    # (Which limit refused an attempt depends on the interleaving; the account limit
    # refused at least the ones that passed the per-address one.)
    assert any(h is not None and h.scope == "account" and h.count == 8 for _, h in other)


def _user_key(name: str) -> str:
    import hashlib

    return hashlib.sha256(name.encode()).hexdigest()[:32]


async def test_kv_concurrent_add_has_one_winner(kv_backend: KvBackend) -> None:
    stores: list[KeyValueStore] = [kv_backend.store]
    if kv_backend.twin is not None:
        stores.append(await kv_backend.twin())
    results = await asyncio.gather(*(stores[i % len(stores)].add("lock", str(i).encode(), 60)
                                     for i in range(40)))
    assert results.count(True) == 1


async def test_kv_add_under_contention_fresh_and_expired(kv_backend: KvBackend) -> None:
    """200 concurrent adds on two store instances, on a new key and then on an expired
    one: exactly one winner each time, and no error. On MariaDB the old delete-then-insert
    in a savepoint deadlocked under this load, and the savepoint hid the deadlock from the
    retry (CI of 2026-12-03 failed with "SAVEPOINT sa_savepoint_1 does not exist")."""
    stores: list[KeyValueStore] = [kv_backend.store]
    if kv_backend.twin is not None:
        stores.append(await kv_backend.twin())
    for round_ in range(3):
        results = await asyncio.gather(*(stores[i % len(stores)].add(f"hot{round_}", b"x", 1.0)
                                         for i in range(200)))
        assert results.count(True) == 1
    await kv_backend.advance(1.5)
    results = await asyncio.gather(*(stores[i % len(stores)].add("hot0", str(i).encode(), 60)
                                     for i in range(200)))
    assert results.count(True) == 1
    winner = results.index(True)
    assert await kv_backend.store.get("hot0") == str(winner).encode()
    assert await kv_backend.store.add("hot0", b"late", 60) is False


@pytest.mark.parametrize("sql_name", [p.values[0] for p in SQL_BACKENDS],
                         ids=[p.id for p in SQL_BACKENDS])
def test_sql_incr_from_threads_with_own_connections(sql_name: str, tmp_path: Path,
                                                    request: pytest.FixtureRequest) -> None:
    """Four threads, each with its own engine and event loop (like worker processes),
    increment one counter; SQLite must wait on its lock, never fail with "database is locked"."""
    from wikigate.storage.sql.kv import SqlKeyValueStore

    if sql_name == "sqlite":
        url = f"sqlite:///{tmp_path / 'threads.db'}"
    else:
        url = request.getfixturevalue("external_database_url")

    async def setup() -> None:
        db = Database(url, pool_size=1)
        from tests.storage.conftest import reset_schema

        await reset_schema(db)
        await migrate.upgrade(db)
        await db.close()

    asyncio.run(setup())
    errors: list[BaseException] = []
    per_thread = 50

    def worker() -> None:
        async def go() -> None:
            db = Database(url, pool_size=2)
            kv = SqlKeyValueStore(db)
            try:
                for _ in range(per_thread):
                    await kv.incr("threads", 300)
            finally:
                await db.close()

        try:
            asyncio.run(go())
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors

    async def total() -> int:
        db = Database(url, pool_size=1)
        try:
            return await SqlKeyValueStore(db).get_int("threads")
        finally:
            await db.close()

    assert asyncio.run(total()) == 4 * per_thread


# -- sessions -----------------------------------------------------------------------------


async def test_session_store_round_trip(kv_backend: KvBackend, clock: FakeClock) -> None:
    store = SessionStore(kv_backend.store, ttl=3600)
    s = Session()
    s.persist()
    assert s.id is not None and len(s.id) == 32
    s.set_user(7, "Zoë 🦊", "t" * 32, remember=True, now=clock.time())
    secret = s.token_secret("default", create=True, mac_key=b"k")
    s.set("authflow", {"id": "abc", "step": 2})
    await store.save(s, now=clock.time())
    assert not s.dirty
    loaded = await store.load(s.id)
    assert loaded is not None
    assert (loaded.user_id, loaded.user_name, loaded.user_token, loaded.remember) == (7, "Zoë 🦊", "t" * 32, True)
    assert loaded.token_secret("default", create=False, mac_key=b"k") == secret
    assert loaded.data == {"authflow": {"id": "abc", "step": 2}}
    # Another worker sees the same session.
    if kv_backend.twin is not None:
        other = SessionStore(await kv_backend.twin(), ttl=3600)
        seen = await other.load(s.id)
        assert seen is not None and seen.user_id == 7


async def test_session_store_rejects_bad_ids_and_garbage(kv_backend: KvBackend) -> None:
    store = SessionStore(kv_backend.store, ttl=3600)
    assert await store.load("short") is None
    assert await store.load("x" * 32 + "/../") is None
    assert await store.load("a" * 32) is None
    await kv_backend.store.set("sess:" + "b" * 32, b"not json", 60)
    assert await store.load("b" * 32) is None


async def test_session_regenerate_and_destroy(kv_backend: KvBackend, clock: FakeClock) -> None:
    store = SessionStore(kv_backend.store, ttl=3600)
    s = Session()
    s.persist()
    await store.save(s, now=clock.time())
    old = s.id
    assert old is not None
    s.regenerate_id()
    await store.save(s, now=clock.time())
    assert s.id != old
    assert await store.load(old) is None, "the pre-login id must die (session fixation)"
    assert s.id is not None and await store.load(s.id) is not None
    s.destroyed = True
    await store.save(s, now=clock.time())
    assert await store.load(s.id) is None


async def test_session_expires_after_ttl(kv_backend: KvBackend, clock: FakeClock) -> None:
    store = SessionStore(kv_backend.store, ttl=1)
    s = Session()
    s.persist()
    await store.save(s, now=clock.time())
    assert s.id is not None and await store.load(s.id) is not None
    await kv_backend.advance(1.3)
    assert await store.load(s.id) is None


# -- the whole app on each backend -------------------------------------------------------

APP_BACKENDS = [pytest.param((p.values[0], "sql"), id=f"{p.id}-kv-sql", marks=p.marks) for p in SQL_BACKENDS]
if REDIS_URL:
    APP_BACKENDS += [pytest.param((p.values[0], "redis"), id=f"{p.id}-kv-redis", marks=[*p.marks, pytest.mark.redis])
                     for p in SQL_BACKENDS]


@pytest.fixture(params=APP_BACKENDS)
async def backend_app(request: pytest.FixtureRequest, tmp_path: Path,
                      redis_prefix: str) -> AsyncIterator[WikigateApp]:
    sql_name, kv_name = request.param
    settings = make_settings(tmp_path)
    if sql_name != "sqlite":
        url: str = request.getfixturevalue("external_database_url")
        db = Database(url, pool_size=1)
        from tests.storage.conftest import reset_schema

        await reset_schema(db)
        await db.close()
        settings = tweak(settings, storage__database_url=url)
    kv = None
    if kv_name == "redis":
        from tests.storage.conftest import _redis_reachable
        from wikigate.storage.redis import RedisKeyValueStore

        try:
            await _redis_reachable(REDIS_URL)
        except Exception as e:
            unavailable(f"WIKIGATE_TEST_REDIS_URL is unreachable: {type(e).__name__}: {e}")
        settings = tweak(settings, storage__redis_url=REDIS_URL)
        kv = RedisKeyValueStore(REDIS_URL, prefix=redis_prefix)
    application = WikigateApp(settings, build_services(settings, kv=kv))
    await application.startup()
    try:
        yield application
    finally:
        await application.shutdown()
        if kv_name == "redis":
            await flush_redis_prefix(REDIS_URL, redis_prefix)


async def test_api_tokens_and_userinfo_on_each_backend(backend_app: WikigateApp) -> None:
    transport = httpx.ASGITransport(app=backend_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
        r = await http.get("/api.php", params={"action": "query", "meta": "tokens", "type": "login",
                                                "format": "json"})
        assert r.status_code == 200
        login_token = r.json()["query"]["tokens"]["logintoken"]
        assert login_token.endswith("+\\") and len(login_token) > 34
        assert "my_wiki_session" in http.cookies
        # The session (and its token secret) was stored: a later request still accepts the token.
        await http.get("/api.php", params={"action": "query", "meta": "tokens", "format": "json"})
        check = (await http.post("/api.php", data={"action": "checktoken", "type": "login",
                                                    "token": login_token, "format": "json"})).json()
        assert check["checktoken"]["result"] == "valid"
        anon = (await http.get("/api.php", params={"action": "query", "meta": "userinfo",
                                                    "format": "json"})).json()
        assert anon["query"]["userinfo"]["id"] == 0 and "anon" in anon["query"]["userinfo"]

        # A logged-in session written straight into the store, as a login would leave it.
        svc = backend_app.services
        user = await svc.users.create("Backend User ✓")
        await svc.users.set_group(user.id, "sysop", None)
        session = Session()
        session.persist()
        session.set_user(user.id, user.name, user.token, remember=False, now=svc.clock.time())
        await svc.sessions.save(session, now=svc.clock.time())
        assert session.id is not None
        http.cookies.set("my_wiki_session", session.id, domain="wiki.test")
        info = (await http.get("/api.php", params={"action": "query", "meta": "userinfo|tokens",
                                                    "uiprop": "groups", "format": "json",
                                                    "formatversion": "2"})).json()
        ui = info["query"]["userinfo"]
        assert (ui["id"], ui["name"]) == (user.id, "Backend User ✓")
        assert "sysop" in ui["groups"]
        csrf = info["query"]["tokens"]["csrftoken"]
        assert csrf != "+\\"
        check = (await http.post("/api.php", data={"action": "checktoken", "type": "csrf",
                                                    "token": csrf, "format": "json"})).json()
        assert check["checktoken"]["result"] == "valid"
        # A password change (new user_token) ends the session on every backend.
        await svc.users.invalidate_sessions(user.id)
        after = (await http.get("/api.php", params={"action": "query", "meta": "userinfo",
                                                     "format": "json"})).json()
        assert after["query"]["userinfo"]["id"] == 0


async def test_user_table_is_binary_on_mariadb(db: Database) -> None:
    """Guard for revision 0002: MariaDB tables use a binary collation (no-op elsewhere)."""
    if db.dialect != "mysql":
        pytest.skip("MariaDB only")

    def q(conn: Any) -> str:
        return str(conn.execute(text(
            "SELECT TABLE_COLLATION FROM information_schema.TABLES "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'wg_user'")).scalar_one())

    assert (await db.run(q)).endswith("_bin")
    rows = await db.run(lambda c: c.execute(select(user_table.c.user_name)).all())
    assert rows == []


# -- pages --------------------------------------------------------------------------------


async def test_latest_contribution_and_bounded_prefix(db: Database, clock: FakeClock) -> None:
    from wikigate.pages.namespaces import Namespaces
    from wikigate.pages.store import PageStore

    pages = PageStore(db, clock, LogStore(db, clock), Namespaces("Wiki"))
    assert await pages.latest_contribution(7) is None
    await db.run(lambda conn: pages.insert_revision_in(conn, namespace=0, dbkey="A%b", text="x", comment="",
                                                       user_id=7, user_name="U"))
    clock.advance(100)
    await db.run(lambda conn: pages.insert_revision_in(conn, namespace=0, dbkey="Axb", text="x", comment="",
                                                       user_id=7, user_name="U"))
    assert await pages.latest_contribution(7) == mw_timestamp(clock.time())
    assert await pages.latest_contribution(8) is None

    for prefix, want in (("A%", ["A%b"]), ("A", ["A%b", "Axb"]), ("é" * 200, [])):
        got = await db.run(lambda conn, pf=prefix: pages.all_pages_in(  # type: ignore[misc]
            conn, namespace=0, start=None, prefix=pf, redirects="all", newer=True, limit=10))
        assert [p.dbkey for p in got] == want, prefix


async def test_ids_beyond_32_bits_on_each_backend(backend_app: WikigateApp) -> None:
    """Integer columns are 32-bit on PostgreSQL and MariaDB; a client's 64-bit id must find
    nothing, not fail (asyncpg refused such parameters: internal_api_error_DBAPIError)."""
    transport = httpx.ASGITransport(app=backend_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://wiki.test") as http:
        for params in ({"revids": "2147483648|4294967296|-2147483649|9223372036854775807"},
                       {"pageids": "-9223372036854775808|2147483648"},
                       {"list": "users", "ususerids": "2147483648|9223372036854775807"},
                       {"list": "allpages", "apmaxsize": "-2147483649", "apminsize": "4294967296"},
                       {"prop": "templates", "titles": "X", "tlcontinue": "20300101000000|1|Foo"}):
            r = await http.get("/api.php", params={"action": "query", "format": "json", **params})
            assert "error" not in r.json(), (params, r.text)


async def test_fuzz_on_each_backend(backend_app: WikigateApp) -> None:
    """A short fuzz run (tests/fuzz) on every database and session store."""
    from tests.fuzz import engine
    from tests.fuzz.targets import InProcessTarget

    target = InProcessTarget(backend_app)
    try:
        report = await engine.run(target, seed=77, requests=1500)
    finally:
        target.detach()
    assert not report.real_failures, report.summary()


async def test_newtalk_flag_upsert(db: Database) -> None:
    """New-talk-page flags (wg_user_newtalk): set twice (and at once) without a key
    collision, only for IPs and existing users, cleared."""
    from wikigate.users.newtalk import NewTalkStore
    from wikigate.users.store import UserStore
    from wikigate.util.clock import FakeClock

    store = NewTalkStore(db)
    await UserStore(db, FakeClock()).create("Talker", password_hash="")
    assert await db.run(lambda c: store.notify_in(c, "Talker", "20260101000000", is_ip=False))
    assert not await db.run(lambda c: store.notify_in(c, "Nobody here", "20260101000000", is_ip=False))
    def notify(ts: str) -> Any:
        return db.run(lambda c: store.notify_in(c, "192.0.2.7", ts, is_ip=True))

    await asyncio.gather(*(notify(f"2026010100000{i}") for i in range(5)))
    assert await store.has("Talker") and await store.has("192.0.2.7") and not await store.has("Nobody here")
    await store.clear("Talker")
    assert not await store.has("Talker") and await store.has("192.0.2.7")


async def test_recent_changes_store(db: Database, clock: FakeClock) -> None:
    """wg_recentchanges on each backend: filters (booleans, patrol states, case-sensitive
    whole-line tags, users), continuation, the title cleanup of a deletion, patrol marking
    once under concurrency, purging by age."""
    from wikigate.logs.recentchanges import PRC_AUTOPATROLLED, PRC_UNPATROLLED, ChangeQuery, RecentChangesStore

    store = RecentChangesStore(db, clock, max_age_days=90)
    logs = LogStore(db, clock, store)
    ts = mw_timestamp(clock.time())

    def edit(title: str, rev: int, old: int, **kw: Any) -> Any:
        values: dict[str, Any] = {"timestamp": ts, "namespace": 0, "title": title, "page_id": 7, "actor_id": 1,
                                  "actor_name": "Alice", "comment": " c ", "minor": False, "bot": False,
                                  "patrolled": PRC_UNPATROLLED, "rev_id": rev, "old_rev_id": old, "old_len": 1,
                                  "new_len": 2} | kw
        return db.run(lambda c: store.add_edit_in(c, **values))

    first = await edit("T", 1, 0, tags=["Mw-Tag", "mw-tag-two"])
    second = await edit("T", 2, 1, minor=True, bot=True, patrolled=PRC_AUTOPATROLLED, actor_name="Bot", tags=["mw-tag"])
    await db.run(lambda c: logs.add_in(c, type="protect", action="protect", actor_id=1, actor_name="Alice",
                                       namespace=0, title="T", page_id=7, params={"x": [1]}, bot=True, rev_id=3))
    await db.run(lambda c: logs.add_in(c, type="oath", action="verify", actor_id=1, actor_name="Alice",
                                       namespace=2, title="Alice"))  # restricted: not published

    async def ids(**kw: Any) -> list[int]:
        return [r.change.id for r in await store.search(ChangeQuery(**kw))]

    everything = await ids()
    assert len(everything) == 3 and everything[1:] == [second, first]
    log_row = (await store.search(ChangeQuery(types=[3])))[0].change
    assert (log_row.log_type, log_row.params, log_row.bot, log_row.this_oldid, log_row.patrolled) == (
        "protect", {"x": [1]}, True, 3, PRC_AUTOPATROLLED)
    assert (await store.search(ChangeQuery(types=[1])))[0].change.comment == "c"  # trimmed
    assert await ids(minor=True) == [second]
    assert await ids(minor=False, types=[0, 1]) == [first]
    assert await ids(bot=False) == [first]
    assert await ids(patrolled=False) == [first] and await ids(unpatrolled=True) == [first]
    assert await ids(autopatrolled=True, types=[0, 1]) == [second]
    assert await ids(tag="mw-tag") == [second], "a whole line, case-sensitive"
    assert await ids(tag="Mw-Tag") == [first]
    assert await ids(tag="mw-%") == []
    assert await ids(user="bot") == [] and await ids(user="Bot") == [second]
    assert await ids(exclude_user="Alice") == [second]
    newest = (await store.search(ChangeQuery(limit=1)))[1].change
    assert await ids(cont=(newest.timestamp, newest.id)) == [second, first]
    assert await ids(newer=True) == list(reversed(everything))
    # Patrol once, even when two try at the same time.
    row = (await store.search(ChangeQuery(types=[1])))[0].change
    outcomes = await asyncio.gather(*(logs.record_patrol(row, actor_id=2, actor_name="Mindy") for _ in range(4)))
    assert sorted(outcomes) == [False, False, False, True]
    assert len(await logs.list(type="patrol")) == 1
    # A deletion removes the title's edit rows before it, keeps the log row.
    clock.advance(10)
    await db.run(lambda c: store.remove_page_in(c, 99, 0, "T", mw_timestamp(clock.time())))
    assert await ids() == [everything[0]]
    clock.advance(91 * 86400)
    assert await db.run(lambda c: store.purge_in(c)) == 1
    assert await ids() == []
