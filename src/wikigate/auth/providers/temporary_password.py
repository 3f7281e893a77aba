"""Temporary (e-mailed) passwords: TemporaryPasswordPrimaryAuthenticationProvider.

* Login: the password is checked against ``user_newpassword`` while
  ``user_newpass_time + passwords.temporary_password_expiry`` lies in the future; this
  provider is *not* authoritative, so a mismatch abstains and the local password is tried
  next. Success forces a hard password change (UI ``resetpass-temp-emailed``).
* Create: a logged-in creator may tick ``mailpassword``; a random password becomes the new
  account's temporary password and is mailed through ``services.mailer``.
  Without a mailer (or with mail disabled) the creation fails with ``emaildisabled``.
* Remove: ``TemporaryPasswordAuthenticationRequest`` clears the temporary password.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from wikigate.auth.hashpool import HashQueueFull
from wikigate.auth.passwords import random_password, random_password_min_length
from wikigate.auth.providers.base import TYPE_CREATE, PrimaryAuthenticationProvider
from wikigate.auth.providers.password import busy_response
from wikigate.auth.requests import (
    ACTION_CHANGE,
    ACTION_CREATE,
    ACTION_LOGIN,
    ACTION_REMOVE,
    AuthenticationRequest,
    AuthResponse,
    PasswordAuthenticationRequest,
    TemporaryPasswordAuthenticationRequest,
    get_request,
    status_message,
)
from wikigate.auth.usernames import login_username
from wikigate.i18n import Message, format_duration
from wikigate.util.clock import mw_timestamp, parse_mw_timestamp

if TYPE_CHECKING:
    from wikigate.auth.flow.records import NewAccount
    from wikigate.storage.sql.unit import UnitOfWork
    from wikigate.users.model import User

log = logging.getLogger("wikigate.auth")


class TemporaryPasswordPrimaryAuthenticationProvider(PrimaryAuthenticationProvider):
    sort = 0
    account_creation_type = TYPE_CREATE

    @property
    def email_enabled(self) -> bool:
        svc = self.manager.services
        return svc.settings.mail.enabled

    def _new_random(self) -> TemporaryPasswordAuthenticationRequest:
        return TemporaryPasswordAuthenticationRequest(
            random_password(random_password_min_length(self.manager.service.policies)))

    async def get_authentication_requests(self, action: str, username: str | None) -> list[AuthenticationRequest]:
        if action == ACTION_LOGIN:
            return [PasswordAuthenticationRequest()]
        if action == ACTION_CHANGE:
            return [self._new_random()]
        if action == ACTION_REMOVE:
            return [TemporaryPasswordAuthenticationRequest()]
        if action == ACTION_CREATE and username is not None and self.manager.services.settings.mail.enabled:
            # Only someone logged in creates an account *for another person*.
            return [self._new_random()]
        return []

    def _timestamp_valid(self, ts: str | None) -> bool:
        if not ts:
            return True
        try:
            created = parse_mw_timestamp(ts)
        except ValueError:
            return False
        return self.manager.now < created + self.manager.services.settings.passwords.temporary_password_expiry

    async def begin_primary_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        from wikigate.auth.flow.records import dump_message

        req = get_request(reqs, PasswordAuthenticationRequest)
        if req is None or req.username is None or req.password is None:
            return AuthResponse.abstain()
        name = login_username(req.username)
        if name is None:
            return AuthResponse.abstain()
        svc = self.manager.services
        user = await svc.users.get_by_name(name)
        if user is None or not user.newpassword:
            return AuthResponse.abstain()
        policy = self.manager.check_password_validity(name, req.password, user)
        if policy.fatal:
            return AuthResponse.fail(status_message(self.manager.policy_messages(policy)))
        try:
            ok = await svc.hashing.verify(user.newpassword, req.password, user_id=user.id)
            self.manager.note_verification()
        except HashQueueFull:
            return busy_response()
        if not ok or not self._timestamp_valid(user.newpass_time):
            return AuthResponse.abstain()
        self.manager.set_flow_data("reset-pass", {"msg": dump_message(Message("resetpass-temp-emailed")),
                                                  "hard": True})
        return AuthResponse.pass_(name)

    async def user_exists(self, name: str) -> bool:
        return False  # the local password provider answers for the same table

    # -- account creation ----------------------------------------------------------------

    async def test_for_account_creation(self, account: NewAccount, creator: User,
                                        reqs: list[AuthenticationRequest]) -> list[Message]:
        req = get_request(reqs, TemporaryPasswordAuthenticationRequest)
        if req is None:
            return []
        errors: list[Message] = []
        if req.mailpassword:
            if not self.email_enabled:
                errors.append(Message("emaildisabled"))
            elif not account.email:
                errors.append(Message("noemailcreate"))
        if req.password is not None:
            policy = self.manager.check_password_validity(account.name, req.password, None)
            errors += self.manager.policy_messages(policy)
        return errors

    async def begin_primary_account_creation(self, account: NewAccount, creator: User,
                                             reqs: list[AuthenticationRequest]) -> AuthResponse:
        req = get_request(reqs, TemporaryPasswordAuthenticationRequest)
        if req is None or req.username is None or req.password is None:
            return AuthResponse.abstain()
        res = AuthResponse.pass_(account.name)
        res.create_request = req
        return res

    async def finish_account_creation(self, account: NewAccount, creator: User, response: AuthResponse,
                                      uow: UnitOfWork) -> str | None:
        req = response.create_request
        if not isinstance(req, TemporaryPasswordAuthenticationRequest) or req.password is None:
            return None
        svc = self.manager.services
        hashed = await svc.hashing.hash(req.password)
        users = svc.users
        when = mw_timestamp(self.manager.now)
        uow.add(lambda conn: users.update_in(conn, account.id, newpassword=hashed, newpass_time=when))
        if req.mailpassword:
            # Queued in the same transaction: the mail goes out if and only if the
            # account exists.
            self._mail(account, creator, req.password, uow)
            return "byemail"
        return None

    def _mail(self, account: NewAccount, creator: User, password: str, uow: UnitOfWork) -> None:
        from wikigate.mail.render import render

        svc = self.manager.services
        mailer = svc.mailer
        lang = svc.settings.site.language
        expiry = svc.settings.passwords.temporary_password_expiry
        shown = round(expiry / 86400) * 86400 if expiry >= 43200 else expiry
        base = self.manager.base_url
        subject, body, used = render(
            "account-created-temporary-password", lang, sitename=svc.settings.site.sitename,
            url=f"{base}/index.php/Main_Page", requester=creator.name, username=account.name,
            password=password, expiry=format_duration(shown, lang))
        uow.add(mailer.prepare(account.name, account.email, subject, body, used))
        uow.after_commit(mailer.wake)

    # -- remove --------------------------------------------------------------------------

    async def allows_authentication_data_change(self, req: AuthenticationRequest,
                                                check_data: bool) -> list[Message] | None:
        if type(req) is not TemporaryPasswordAuthenticationRequest:
            return None
        if not check_data:
            return []
        return []

    async def change_authentication_data(self, req: AuthenticationRequest) -> None:
        if type(req) is not TemporaryPasswordAuthenticationRequest or req.username is None:
            return
        name = login_username(req.username)
        user = await self.manager.services.users.get_by_name(name) if name else None
        if user is None:
            return
        if req.action == ACTION_REMOVE or req.password is None:
            await self.manager.services.users.update(user.id, newpassword="", newpass_time=None)
        else:
            hashed = await self.manager.services.hashing.hash(req.password)
            await self.manager.services.users.update(user.id, newpassword=hashed,
                                                     newpass_time=mw_timestamp(self.manager.now))
