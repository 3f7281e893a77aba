"""The account-creation flow (``beginAccountCreation`` / ``continueAccountCreation``;
createaccount.md §2): name → permission → exists/creatable → email → provider checks →
primary creation → user row, credential, log and audit entry in ONE transaction →
secondary providers → post-creation hooks.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from wikigate.auth.flow.records import KIND_CREATE, NewAccount
from wikigate.auth.flow.steps import FlowKind, run, run_secondary
from wikigate.auth.hashpool import HashQueueFull
from wikigate.auth.providers.base import (
    TYPE_NONE,
    CreationRefused,
    PrimaryAuthenticationProvider,
    SecondaryAuthenticationProvider,
)
from wikigate.auth.requests import (
    ACTION_CREATE,
    AuthenticationRequest,
    AuthResponse,
    CreateFromLoginAuthenticationRequest,
    CreationReasonAuthenticationRequest,
    UserDataAuthenticationRequest,
    get_request,
    status_message,
    username_from_requests,
)
from wikigate.auth.usernames import canonical_username
from wikigate.i18n import ListParam, Message, Num, RawMessage
from wikigate.storage.errors import is_backend_outage
from wikigate.storage.sql.unit import UnitOfWork
from wikigate.users.store import UserExists

if TYPE_CHECKING:
    from wikigate.auth.flow.engine import AuthManager
    from wikigate.auth.flow.records import FlowRecord
    from wikigate.users.model import User

log = logging.getLogger("wikigate.auth")

#: Sanitizer::validateEmail (the HTML5 rule), case-insensitive.
_EMAIL_RE = re.compile(r"^[a-z0-9!#$%&'*+\-/=?^_`{|}~.]+@[a-z0-9-]+(\.[a-z0-9-]+)*$", re.IGNORECASE)


def valid_email(address: str) -> bool:
    return bool(_EMAIL_RE.match(address))


class CreationFlow(FlowKind):
    kind = KIND_CREATE
    action = ACTION_CREATE
    not_in_progress = "authmanager-create-not-in-progress"
    no_primary = "authmanager-create-no-primary"

    def __init__(self, manager: AuthManager, flow: FlowRecord, creator: User, creator_rights: set[str]) -> None:
        super().__init__(manager, flow)
        self.creator = creator
        self.creator_rights = creator_rights
        self.account = NewAccount(flow.username or "", flow.email, flow.real_name)

    def primaries(self) -> list[PrimaryAuthenticationProvider]:
        return [p for p in super().primaries() if p.account_creation_type != TYPE_NONE]

    async def begin_primary(self, p: PrimaryAuthenticationProvider, reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.begin_primary_account_creation(self.account, self.creator, reqs)

    async def continue_primary(self, p: PrimaryAuthenticationProvider,
                               reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.continue_primary_account_creation(self.account, self.creator, reqs)

    async def begin_secondary(self, p: SecondaryAuthenticationProvider, user: User,
                              reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.begin_secondary_account_creation(user, self.creator, reqs)

    async def continue_secondary(self, p: SecondaryAuthenticationProvider, user: User,
                                 reqs: list[AuthenticationRequest]) -> AuthResponse:
        return await p.continue_secondary_account_creation(user, self.creator, reqs)

    async def fail(self, res: AuthResponse, name: str | None = None) -> AuthResponse:
        for p in self.manager.all_providers:
            await p.post_account_creation(self.account, self.creator, res)
        await self.manager.drop_flow(self.kind)
        return res

    async def restart(self, res: AuthResponse) -> AuthResponse:
        # Creation cannot start over by itself: the client begins again (canpreservestate
        # says whether the provider's creation request is kept for that).
        out = AuthResponse.fail(res.message or Message(self.not_in_progress))
        out.create_request = res.create_request
        return await self.fail(out)

    async def before(self, reqs: list[AuthenticationRequest]) -> AuthResponse | None:
        m, flow, account = self.manager, self.flow, self.account
        perm = check_account_create_permissions(m, self.creator, self.creator_rights)
        if perm is not None:
            return await self.fail(AuthResponse.fail(perm))
        if flow.user_id == 0 and await m.services.users.get_by_name(account.name) is not None:
            return await self.fail(AuthResponse.fail(Message("userexists")))
        if not flow.ran_pretests:
            for provider in m.all_providers:
                errors = await provider.test_for_account_creation(account, self.creator, reqs)
                if errors:
                    return await self.fail(AuthResponse.fail(status_message(errors)))
            flow.ran_pretests = True
        return None

    async def after_primary(self) -> User | AuthResponse:
        if self.flow.user_id == 0:
            self.account.id = 0
            user = await self._insert_user()
            if isinstance(user, AuthResponse):
                return await self.fail(user)
            self.flow.user_id = user.id
            return user
        got = await self.manager.services.users.get_by_id(self.flow.user_id)
        if got is None:
            return await self.fail(AuthResponse.fail(Message(self.not_in_progress)))
        return got

    async def complete(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        try:
            return await run_secondary(self, user, reqs)
        except Exception as e:
            if not is_backend_outage(e):
                raise
            # The account is committed (and complete: credential, log, audit); a backend
            # failing now must not make the answer say otherwise, or a client would retry
            # and get "userexists" for its own account. Throttle counters and the flow
            # record are what is lost; the flow record expires with the session.
            log.warning("account %r created; finishing steps failed: %s: %s",
                        user.name, type(e).__name__, e)
            done = AuthResponse.pass_(user.name)
            done.user = user
            return done

    async def finish(self, user: User) -> AuthResponse:
        res = AuthResponse.pass_(user.name)
        res.user = user
        for p in self.manager.all_providers:
            await p.post_account_creation(self.account, self.creator, res)
        await self.manager.drop_flow(self.kind)
        return res

    async def _insert_user(self) -> User | AuthResponse:
        """The user row, the provider's credential, the log entry and the audit entry,
        committed in ONE transaction (:class:`UnitOfWork`).

        The slow part (hashing the password, rendering a mail) happens before the
        transaction opens; a database failure or a killed worker therefore leaves either
        the whole account or nothing — never a name that is taken but cannot log in.
        """
        m, account, creator = self.manager, self.account, self.creator
        svc = m.services
        users = svc.users
        uow = UnitOfWork(svc.db)

        def insert_user(conn: Connection) -> User:
            got = users.create_in(conn, account.name, email=account.email, real_name=account.real_name)
            account.id = got.id
            return got

        uow.add(insert_user)
        provider = m.provider(self.flow.primary)
        assert isinstance(provider, PrimaryAuthenticationProvider)
        response = self.primary_response or AuthResponse.pass_(self.flow.primary_username)
        try:
            subtype = await provider.finish_account_creation(account, creator, response, uow)
        except HashQueueFull:
            return AuthResponse.fail(Message("actionthrottledtext"))
        except CreationRefused as e:
            return AuthResponse.fail(e.message)
        anon = not creator.is_registered
        action = subtype or ("create" if anon else "create2")
        reason = get_request(self.flow.begin_reqs, CreationReasonAuthenticationRequest)
        comment = reason.reason if reason is not None else ""
        logs = svc.logs
        uow.add(lambda conn: logs.add_in(
            conn, type="newusers", action=action,
            actor_id=account.id if anon else creator.id,
            actor_name=account.name if anon else creator.name,
            namespace=2, title=account.name.replace(" ", "_"), comment=comment,
            params={"userid": account.id}, bot=not anon and "bot" in self.creator_rights))
        audit = svc.audit
        detail = f"by {creator.name}" if not anon else ""
        uow.add(lambda conn: audit.record_in(conn, "account-created", account, m.ip, detail))
        # Read the finished row back in the same transaction: after the commit nothing may
        # fail any more (the account exists; the answer must say so).
        uow.add(lambda conn: users.get_by_id_in(conn, account.id))
        try:
            results = await uow.commit()
        except UserExists:
            return AuthResponse.fail(Message("userexists"))
        except CreationRefused as e:
            return AuthResponse.fail(e.message)
        fresh: User | None = results[-1]
        assert fresh is not None
        return fresh


async def can_create_account(m: AuthManager, name: str) -> Message | None:
    """``canCreateAccount``: exists → userexists; not creatable → noname; provider vetoes."""
    if await m.services.users.get_by_name(name) is not None:
        return Message("userexists")
    for prim in m.primary:
        if isinstance(prim, PrimaryAuthenticationProvider) and await prim.user_exists(name):
            return Message("userexists")
    if canonical_username(name, rigor="creatable") != name:
        return Message("noname")
    for p in m.all_providers:
        errors = await p.test_user_for_creation(name)
        if errors:
            return status_message(errors)
    return None


def check_account_create_permissions(m: AuthManager, creator: User, creator_rights: set[str]) -> Message | None:
    if "createaccount" not in creator_rights:
        groups = m.services.rights.groups_with_right("createaccount")
        cat = m.services.catalog
        items = tuple(RawMessage(f"[[{{{{int:grouppage-{g}}}}}|{{{{int:group-{g}}}}}]]")
                      if cat.exists(f"grouppage-{g}") and cat.exists(f"group-{g}") else g for g in groups)
        return Message("badaccess-groups", (ListParam(items, "comma"), Num(len(groups))))
    if m.services.settings.site.read_only:
        return Message("readonlytext", (m.services.settings.site.read_only,))
    return None


async def begin_account_creation(m: AuthManager, creator: User, creator_rights: set[str],
                                 reqs: list[AuthenticationRequest], return_url: str | None) -> AuthResponse:
    await m.drop_flow(KIND_CREATE)
    m.flow_data = {}
    if not m.can_create_accounts():
        return AuthResponse.fail(Message("authmanager-create-disabled"))
    raw_name = username_from_requests(reqs)
    name = canonical_username(raw_name, rigor="creatable") if raw_name is not None else None
    if name is None:
        # An invalid name cannot even be checked for existence: MediaWiki says "noname".
        return AuthResponse.fail(Message("noname"))
    perm = check_account_create_permissions(m, creator, creator_rights)
    if perm is not None:
        return AuthResponse.fail(perm)
    msg = await can_create_account(m, name)
    if msg is not None:
        return AuthResponse.fail(msg)
    email = real_name = ""
    for r in reqs:
        r.username = name
        r.return_to_url = return_url
        if isinstance(r, UserDataAuthenticationRequest):
            if r.email:
                if not valid_email(r.email):
                    return AuthResponse.fail(Message("invalidemailaddress"))
                email = r.email
            if r.realname:
                real_name = r.realname
    flow = m.new_flow(KIND_CREATE, return_url, username=name, creator_id=creator.id, creator_name=creator.name,
                      begin_reqs=reqs, email=email, real_name=real_name)
    preserved = get_request(reqs, CreateFromLoginAuthenticationRequest)
    if preserved is not None:
        # preservestate: what a login left for this creation (MediaWiki maybeLink and
        # the primary provider's creation request).
        flow.maybe_link = list(preserved.maybe_link)
        if preserved.create_request is not None:
            reqs.append(preserved.create_request)
    m.session.persist()
    return await run(CreationFlow(m, flow, creator, creator_rights), reqs)


async def continue_account_creation(m: AuthManager, creator: User, creator_rights: set[str],
                                    reqs: list[AuthenticationRequest]) -> AuthResponse:
    flow = await m.load_flow(KIND_CREATE)
    if flow is None:
        return AuthResponse.fail(Message("authmanager-create-not-in-progress"))
    if creator.id != flow.creator_id:
        await m.drop_flow(KIND_CREATE)
        return AuthResponse.fail(Message("authmanager-create-not-in-progress"))
    for r in reqs:
        r.username = flow.username
        r.return_to_url = flow.return_url
    return await run(CreationFlow(m, flow, creator, creator_rights), reqs)
