"""Local password login and account creation (LocalPasswordPrimaryAuthenticationProvider).

Login (spec authmanager.md §2): invalid names abstain (→ "authmanager-authn-no-primary");
an unknown user fails with ``wrongpassword`` exactly like a wrong password, after a dummy
hash verification so both take the same time (no user enumeration by timing); a fatal
policy failure (e.g. a password longer than 4096 bytes) fails; otherwise the hash is
verified, upgraded to the configured algorithm if it is outdated, and a soft or hard
password reset is requested when the policy says so or the password has expired.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wikigate.auth.hashpool import HashingService, HashQueueFull
from wikigate.auth.passwords import PolicyResult
from wikigate.auth.providers.base import TYPE_CREATE, PrimaryAuthenticationProvider
from wikigate.auth.requests import (
    ACTION_CHANGE,
    ACTION_CREATE,
    ACTION_LOGIN,
    ACTION_REMOVE,
    AuthenticationRequest,
    AuthResponse,
    PasswordAuthenticationRequest,
    get_request,
    status_message,
)
from wikigate.auth.usernames import login_username
from wikigate.i18n import Message
from wikigate.users.store import new_user_token
from wikigate.util.clock import parse_mw_timestamp

if TYPE_CHECKING:
    from wikigate.auth.flow.records import NewAccount
    from wikigate.storage.sql.unit import UnitOfWork
    from wikigate.users.model import User

#: $wgPasswordExpireGrace: a week in which an expired password only suggests a change.
PASSWORD_EXPIRE_GRACE = 7 * 86400


def busy_response() -> AuthResponse:
    """The hashing pool is saturated: refuse now rather than queue without bound."""
    return AuthResponse.fail(Message("actionthrottledtext"))


class LocalPasswordPrimaryAuthenticationProvider(PrimaryAuthenticationProvider):
    sort = 100
    account_creation_type = TYPE_CREATE
    authoritative = True

    @property
    def hashing(self) -> HashingService:
        service: HashingService = self.manager.services.hashing
        return service

    async def get_authentication_requests(self, action: str, username: str | None) -> list[AuthenticationRequest]:
        if action in (ACTION_LOGIN, ACTION_CREATE, ACTION_CHANGE, ACTION_REMOVE):
            return [PasswordAuthenticationRequest()]
        return []

    def fail_response(self, req: PasswordAuthenticationRequest) -> AuthResponse:
        if self.authoritative:
            return AuthResponse.fail(Message("wrongpasswordempty" if req.password == "" else "wrongpassword"))
        return AuthResponse.abstain()

    async def begin_primary_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        req = get_request(reqs, PasswordAuthenticationRequest)
        if req is None or req.username is None or req.password is None:
            return AuthResponse.abstain()
        name = login_username(req.username)
        if name is None:
            return AuthResponse.abstain()
        svc = self.manager.services
        user = await svc.users.get_by_name(name)
        try:
            if user is None:
                # Same work as a real check, so response time does not reveal whether
                # the account exists (T134100 is MediaWiki's reason for the same message).
                await self.hashing.dummy_verify(req.password)
                self.manager.note_verification()
                return self.fail_response(req)
            policy = self.manager.check_password_validity(name, req.password, user)
            if policy.fatal:
                return AuthResponse.fail(status_message(self.manager.policy_messages(policy)))
            ok = await self.hashing.verify(user.password, req.password, user_id=user.id)
            self.manager.note_verification()
            if not ok:
                return self.fail_response(req)
            if self.hashing.needs_rehash(user.password):
                new_hash = await self.hashing.hash(req.password)
                # Same password, better hash: other sessions stay valid.
                await svc.users.set_password(user.id, new_hash, clear_temporary=False, invalidate_sessions=False)
        except HashQueueFull:
            return busy_response()
        self.set_reset_flag(user, policy)
        return AuthResponse.pass_(name)

    def set_reset_flag(self, user: User, policy: PolicyResult) -> None:
        from wikigate.auth.flow.records import dump_message

        reset: tuple[Message, bool] | None = None
        if user.password_expires:
            try:
                expires = parse_mw_timestamp(user.password_expires)
            except ValueError:
                expires = None
            if expires is not None and expires < self.manager.now:
                hard = expires + PASSWORD_EXPIRE_GRACE < self.manager.now
                reset = (Message("resetpass-expired" if hard else "resetpass-expired-soft"), hard)
        if reset is None and not policy.good:
            hard = policy.force_change
            if hard or policy.suggest_change_on_login:
                key = "resetpass-validity" if hard else "resetpass-validity-soft"
                reset = (status_message(self.manager.policy_messages(policy), key), hard)
        if reset is not None:
            self.manager.set_flow_data("reset-pass", {"msg": dump_message(reset[0]), "hard": reset[1]})

    async def user_exists(self, name: str) -> bool:
        return await self.manager.services.users.get_by_name(name) is not None

    # -- account creation ----------------------------------------------------------------

    async def test_for_account_creation(self, account: NewAccount, creator: User,
                                        reqs: list[AuthenticationRequest]) -> list[Message]:
        req = get_request(reqs, PasswordAuthenticationRequest)
        if req is None or req.username is None or req.password is None:
            return []
        if req.password != req.retype:
            return [Message("badretype")]
        # A new account has only the implicit "*" group, so the default policy applies;
        # every failure (fatal or not) refuses the creation.
        policy = self.manager.check_password_validity(account.name, req.password, None)
        return self.manager.policy_messages(policy)

    async def begin_primary_account_creation(self, account: NewAccount, creator: User,
                                             reqs: list[AuthenticationRequest]) -> AuthResponse:
        req = get_request(reqs, PasswordAuthenticationRequest)
        if req is None or req.username is None or req.password is None:
            return AuthResponse.abstain()
        res = AuthResponse.pass_(account.name)
        res.create_request = req
        return res

    async def finish_account_creation(self, account: NewAccount, creator: User, response: AuthResponse,
                                      uow: UnitOfWork) -> str | None:
        req = response.create_request
        if isinstance(req, PasswordAuthenticationRequest) and req.password is not None:
            password_hash = await self.hashing.hash(req.password)
            users = self.manager.services.users
            uow.add(lambda conn: users.update_in(conn, account.id, password=password_hash,
                                                 newpassword="", newpass_time=None))
        return None

    # -- change / remove -----------------------------------------------------------------

    async def allows_authentication_data_change(self, req: AuthenticationRequest,
                                                check_data: bool) -> list[Message] | None:
        if type(req) is not PasswordAuthenticationRequest:
            return None
        if not check_data:
            return []
        name = login_username(req.username or "")
        if name is None:
            return None
        user = await self.manager.services.users.get_by_name(name)
        if user is None:
            return None
        if req.password is None:
            return []
        if req.password != req.retype:
            return [Message("badretype")]
        return self.manager.policy_messages(self.manager.check_password_validity(name, req.password, user))

    async def change_authentication_data(self, req: AuthenticationRequest) -> None:
        if type(req) is not PasswordAuthenticationRequest or req.username is None:
            return
        name = login_username(req.username)
        user = await self.manager.services.users.get_by_name(name) if name else None
        if user is None:
            return
        svc = self.manager.services
        if req.action == ACTION_REMOVE or req.password is None:
            # Removing the password leaves an unusable hash; sessions end too.
            await svc.users.set_password(user.id, "", clear_temporary=False)
        else:
            new_hash = await self.hashing.hash(req.password)
            # A new password ends every other session of the user (user_token rotates)
            # and clears a pending temporary password.
            # One statement: the new hash, the cleared temporary password and expiry and
            # the rotated user_token are written together or not at all.
            await svc.users.update(user.id, password=new_hash, newpassword="", newpass_time=None,
                                   token=new_user_token(), password_expires=None)
        await self.manager.audit("password-change", user)
