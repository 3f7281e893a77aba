"""Remember-me on a real ``wikigate serve --workers 2`` (issue 9 finding 6): the Token
cookie of one login restores the session on either worker once the session cookie is
gone, and logging out (on any worker) revokes it for both."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.multi.conftest import Server
from tests.multi.test_scaleout import _cpu_ticks, _fresh, _login_token
from tests.procs import worker_pids

PASSWORD = "Remember-Passw0rd!"
PREFIX = "my_wiki"
pytestmark = pytest.mark.slow


def test_remember_me_restores_sessions_on_both_workers(servers: Callable[..., Server]) -> None:
    srv = servers("remember", workers=2)
    srv.cli("user", "create", "Remy", "--password-stdin", stdin=PASSWORD)
    srv.start()
    assert srv.proc is not None
    workers = worker_pids(srv.proc.pid)
    assert len(workers) == 2, workers
    before = {pid: _cpu_ticks(pid) for pid in workers}

    jar: dict[str, str] = {}
    lt = _login_token(srv.url, jar)
    res = _fresh(srv.url, "POST", jar, action="clientlogin", username="Remy", password=PASSWORD,
                 rememberMe="1", loginreturnurl="http://wiki.test/", logintoken=lt)["clientlogin"]
    assert res["status"] == "PASS", res
    remembered = {k: jar[k] for k in (f"{PREFIX}UserID", f"{PREFIX}UserName", f"{PREFIX}Token")}
    assert f"{PREFIX}_session" in jar

    # No session cookie: each fresh connection (either worker) is logged in by the token.
    for _ in range(30):
        own = dict(remembered)
        info = _fresh(srv.url, "GET", own, action="query", meta="userinfo")
        assert info["query"]["userinfo"]["name"] == "Remy", info
        assert f"{PREFIX}_session" in own  # a new session was opened for it

    after = {pid: _cpu_ticks(pid) for pid in workers}
    assert all(after[p] > before[p] for p in workers), f"not both workers served: {before} -> {after}"

    # Logout in a restored session revokes this login's token on every worker.
    own = dict(remembered)
    csrf = _fresh(srv.url, "GET", own, action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
    assert _fresh(srv.url, "POST", own, action="logout", token=csrf) == {}
    for _ in range(10):
        info = _fresh(srv.url, "GET", dict(remembered), action="query", meta="userinfo")
        assert "anon" in info["query"]["userinfo"], info
