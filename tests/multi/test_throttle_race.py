"""Issue 16 on real processes: 200 concurrent wrong-password clientlogins for one
account, spread over two worker processes, evaluate exactly 5 passwords (the limit)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
import requests

from tests.multi.conftest import Server

PASSWORD = "Race-Passw0rd!2026"
pytestmark = pytest.mark.slow


def test_concurrent_guesses_on_two_workers_stay_within_the_limit(servers: Callable[..., Server]) -> None:
    srv = servers("race", workers=2)
    srv.cli("user", "create", "Racer", "--password-stdin", stdin=PASSWORD)
    srv.start()
    n = 200
    prepared: list[tuple[requests.Session, str]] = []
    for _ in range(n):
        s = requests.Session()
        t = s.get(srv.url, params={"action": "query", "meta": "tokens", "type": "login", "format": "json"},
                  timeout=30).json()["query"]["tokens"]["logintoken"]
        prepared.append((s, t))
    codes: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(n)

    def attempt(i: int) -> None:
        s, t = prepared[i]
        barrier.wait()
        r = s.post(srv.url, data={"action": "clientlogin", "username": "Racer", "password": f"wrong-{i}",
                                  "loginreturnurl": "http://wiki.test/", "logintoken": t, "format": "json"},
                   timeout=60, headers={"Connection": "close"}).json()
        with lock:
            codes[str(r["clientlogin"].get("messagecode"))] += 1

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    for s, _ in prepared:
        s.close()
    assert codes == {"wrongpassword": 5, "login-throttled": n - 5}, codes
