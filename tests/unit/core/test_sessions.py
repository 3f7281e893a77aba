"""Sessions in the key-value store: lazy creation, TTL refresh, id regeneration."""

from __future__ import annotations

from wikigate.auth.sessions import Session, SessionStore, new_session_id, valid_session_id
from wikigate.storage.kv import MemoryKeyValueStore
from wikigate.util.clock import FakeClock


def test_ids() -> None:
    sid = new_session_id()
    assert len(sid) == 32 and set(sid) <= set("0123456789abcdefghijklmnopqrstuv")
    assert valid_session_id(sid)
    assert not valid_session_id("short")
    assert not valid_session_id("x" * 31 + "/")


async def test_unpersisted_session_is_not_stored() -> None:
    kv = MemoryKeyValueStore()
    store = SessionStore(kv, 3600)
    s = Session()
    s.data["x"] = 1
    await store.save(s, now=0)
    assert s.id is None and kv._data == {}


def test_secrets_are_derived_agree_and_reset() -> None:
    a = Session(id="a" * 32)
    b = Session(id="a" * 32)  # the same session loaded by two concurrent requests
    assert a.token_secret("login", create=False, mac_key=b"k") is None
    sa = a.token_secret("login", create=True, mac_key=b"k")
    sb = b.token_secret("login", create=True, mac_key=b"k")
    assert sa == sb and sa is not None and len(sa) == 32
    assert a.token_secret("default", create=True, mac_key=b"k") != sa
    assert Session(id="b" * 32).token_secret("login", create=True, mac_key=b"k") != sa
    a.reset_secrets()
    assert a.token_secret("login", create=False, mac_key=b"k") is None
    assert a.token_secret("login", create=True, mac_key=b"k") != sa


async def test_round_trip_and_expiry() -> None:
    clock = FakeClock(1000)
    kv = MemoryKeyValueStore(clock.time)
    store = SessionStore(kv, 3600)
    s = Session()
    s.persist()
    secret = s.token_secret("login", create=True, mac_key=b"k")
    s.set_user(7, "Alice", "tok", remember=True, now=1000)
    await store.save(s, now=clock.time())
    assert s.id is not None
    loaded = await store.load(s.id)
    assert loaded is not None and loaded.user_id == 7
    assert loaded.token_secret("login", create=False, mac_key=b"k") == secret
    clock.advance(3601)
    assert await store.load(s.id) is None


async def test_ttl_is_refreshed_by_use_without_writing_every_request() -> None:
    clock = FakeClock(0)
    kv = MemoryKeyValueStore(clock.time)
    store = SessionStore(kv, 3600)
    s = Session()
    s.persist()
    await store.save(s, now=clock.time())
    for _ in range(5):
        clock.advance(1000)
        loaded = await store.load(s.id or "")
        assert loaded is not None
        await store.save(loaded, now=clock.time())


async def test_regenerate_deletes_old_id() -> None:
    kv = MemoryKeyValueStore()
    store = SessionStore(kv, 3600)
    s = Session()
    s.persist()
    await store.save(s, now=0)
    old = s.id
    s.regenerate_id()
    await store.save(s, now=0)
    assert old != s.id
    assert await store.load(old or "") is None
    assert await store.load(s.id or "") is not None
