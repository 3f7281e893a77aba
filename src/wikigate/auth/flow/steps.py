"""The one state machine behind login, account creation and account linking.

Every flow runs the same steps (spec authmanager.md §1; MediaWiki AuthManager):

1. checks that run on every step (:meth:`FlowKind.before`: creation permissions, …);
2. the *primary* stage: while no primary provider has the flow, each provider's
   ``begin`` is asked in order — the first that does not ABSTAIN takes it; later steps
   go to that provider's ``continue`` until it answers PASS;
3. :meth:`FlowKind.after_primary` turns the primary PASS into the local user (login:
   the account, or RESTART when the identity has none; creation: the new user row);
4. the *secondary* stage: every secondary provider begins with the first step's
   requests and continues with later ones until it PASSes or ABSTAINs;
5. :meth:`FlowKind.finish`.

Answers are handled alike everywhere: PASS/ABSTAIN move on; UI and REDIRECT *pause* the
flow (the requests the client must answer are filled in and the record is written, one
KV write); FAIL ends it (:meth:`FlowKind.fail`: the kind's hooks, then the record is
deleted); RESTART from a primary provider starts the primary stage over
(:meth:`FlowKind.restart`). A kind is a small class with the provider calls and hooks
that differ; :mod:`.login`, :mod:`.creation` and :mod:`.link` hold the three.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from wikigate.auth.providers.base import PrimaryAuthenticationProvider, SecondaryAuthenticationProvider
from wikigate.auth.requests import AuthenticationRequest, AuthResponse
from wikigate.i18n import Message

if TYPE_CHECKING:
    from wikigate.auth.flow.engine import AuthManager
    from wikigate.auth.flow.records import FlowRecord
    from wikigate.users.model import User

PASS, FAIL, UI, REDIRECT, RESTART, ABSTAIN = "PASS", "FAIL", "UI", "REDIRECT", "RESTART", "ABSTAIN"


class FlowKind:
    """What differs between login, creation and link; the defaults suit a plain flow."""

    #: The record's kind (its KV key part) and the action filled into needed requests.
    kind: ClassVar[str]
    action: ClassVar[str]
    not_in_progress: ClassVar[str]
    no_primary: ClassVar[str]
    #: A secondary provider may answer FAIL (login); elsewhere FAIL is a provider bug.
    secondary_may_fail: ClassVar[bool] = False

    def __init__(self, manager: AuthManager, flow: FlowRecord) -> None:
        self.manager = manager
        self.flow = flow
        #: The primary PASS of this request (with its in-memory create_request, which
        #: holds the password and is never stored); None when it came in an earlier step.
        self.primary_response: AuthResponse | None = None

    # -- the provider calls of this kind ---------------------------------------------------

    def primaries(self) -> list[PrimaryAuthenticationProvider]:
        return [p for p in self.manager.primary if isinstance(p, PrimaryAuthenticationProvider)]

    def secondaries(self) -> list[SecondaryAuthenticationProvider]:
        return [p for p in self.manager.secondary if isinstance(p, SecondaryAuthenticationProvider)]

    async def begin_primary(self, p: PrimaryAuthenticationProvider, reqs: list[AuthenticationRequest]) -> AuthResponse:
        raise NotImplementedError

    async def continue_primary(self, p: PrimaryAuthenticationProvider,
                               reqs: list[AuthenticationRequest]) -> AuthResponse:
        raise NotImplementedError

    async def begin_secondary(self, p: SecondaryAuthenticationProvider, user: User,
                              reqs: list[AuthenticationRequest]) -> AuthResponse:
        return AuthResponse.abstain()

    async def continue_secondary(self, p: SecondaryAuthenticationProvider, user: User,
                                 reqs: list[AuthenticationRequest]) -> AuthResponse:
        raise NotImplementedError

    # -- hooks -------------------------------------------------------------------------

    def fill_name(self, user: User | None) -> str | None:
        """The username filled into the requests a provider asks for."""
        return None

    def start_primary(self, reqs: list[AuthenticationRequest]) -> None:
        """The primary stage (re)starts with these requests."""

    async def before(self, reqs: list[AuthenticationRequest]) -> AuthResponse | None:
        """Checks on every step; a response ends the step (call :meth:`fail` for FAIL)."""
        return None

    async def after_primary(self) -> User | AuthResponse:
        raise NotImplementedError

    async def complete(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        """The secondary stage and the finish (creation guards it against outages)."""
        return await run_secondary(self, user, reqs)

    async def finish(self, user: User) -> AuthResponse:
        raise NotImplementedError

    async def fail(self, res: AuthResponse, name: str | None = None) -> AuthResponse:
        """End the flow with ``res`` (hooks of the kind, then the record is deleted)."""
        await self.manager.drop_flow(self.kind)
        return res

    async def restart(self, res: AuthResponse) -> AuthResponse:
        """A primary provider answered RESTART: offer the first step's requests again."""
        return await self.fail(AuthResponse.fail(res.message or Message(self.not_in_progress)))

    async def pause(self, res: AuthResponse) -> AuthResponse:
        self.flow.continue_reqs = list(res.needed)
        await self.manager.save_flow(self.flow)
        return res


async def run(k: FlowKind, reqs: list[AuthenticationRequest]) -> AuthResponse:
    """One step of flow ``k`` with the requests the client submitted."""
    k.flow.continue_reqs = []
    stop = await k.before(reqs)
    if stop is not None:
        return stop
    res = await run_primary(k, reqs)
    if res is not None:
        return res
    got = await k.after_primary()
    if isinstance(got, AuthResponse):
        return got
    return await k.complete(got, reqs)


async def run_primary(k: FlowKind, reqs: list[AuthenticationRequest]) -> AuthResponse | None:
    """The primary stage; None once the primary provider has passed."""
    flow = k.flow
    if flow.primary is None:
        k.start_primary(reqs)
        for p in k.primaries():
            res = await k.begin_primary(p, reqs)
            if res.status == ABSTAIN:
                continue
            if res.status == PASS:
                _primary_passed(k, p, res)
                return None
            if res.status in (UI, REDIRECT):
                flow.primary = p.unique_id
            return await _primary_answer(k, p, res)
        return await k.fail(AuthResponse.fail(Message(k.no_primary)), flow.guess)
    if flow.primary_done:
        return None
    provider = k.manager.provider(flow.primary)
    if not isinstance(provider, PrimaryAuthenticationProvider):
        # The configuration changed under the flow: start over.
        return await k.fail(AuthResponse.fail(Message(k.not_in_progress)), flow.guess)
    res = await k.continue_primary(provider, reqs)
    if res.status == PASS:
        _primary_passed(k, provider, res)
        return None
    if res.status == ABSTAIN:
        raise ValueError(f"{provider.unique_id} answered ABSTAIN to a continued {k.kind}")
    return await _primary_answer(k, provider, res)


def _primary_passed(k: FlowKind, p: PrimaryAuthenticationProvider, res: AuthResponse) -> None:
    k.flow.primary = p.unique_id
    k.flow.primary_done = True
    k.flow.primary_username = res.username
    k.primary_response = res


async def _primary_answer(k: FlowKind, p: PrimaryAuthenticationProvider, res: AuthResponse) -> AuthResponse:
    if res.status == FAIL:
        return await k.fail(res, k.flow.guess)
    if res.status in (UI, REDIRECT):
        k.manager.fill(res.needed, k.action, k.fill_name(None))
        return await k.pause(res)
    if res.status == RESTART:
        return await k.restart(res)
    raise ValueError(f"{p.unique_id} answered {res.status} in a {k.kind} flow")


async def run_secondary(k: FlowKind, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
    """The secondary stage, then :meth:`FlowKind.finish`."""
    done = k.flow.secondary
    for p in k.secondaries():
        pid = p.unique_id
        if pid not in done:
            res = await k.begin_secondary(p, user, k.flow.begin_reqs)
        elif not done[pid]:
            res = await k.continue_secondary(p, user, reqs)
        else:
            continue
        if res.status in (PASS, ABSTAIN):
            done[pid] = True
        elif res.status == FAIL and k.secondary_may_fail:
            return await k.fail(res, user.name)
        elif res.status in (UI, REDIRECT):
            k.manager.fill(res.needed, k.action, k.fill_name(user))
            done[pid] = False
            return await k.pause(res)
        else:
            raise ValueError(f"{pid} answered {res.status} in the secondary {k.kind} stage")
    return await k.finish(user)
