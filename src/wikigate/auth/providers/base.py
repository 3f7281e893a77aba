"""Provider interfaces of the authentication engine (MediaWiki's AuthManager providers).

Three kinds, called in this order (spec authmanager.md §1):

* :class:`PreAuthenticationProvider` — vetoes before anything happens (throttles, captcha);
* :class:`PrimaryAuthenticationProvider` — identifies the user (login) or creates the
  credential (account creation); the first non-ABSTAIN answer wins;
* :class:`SecondaryAuthenticationProvider` — runs after a primary PASS (forced password
  change, second factor).

A provider instance lives for one request and reaches everything through its
``manager`` (services, client IP, the flow's session data); all state that must survive
to the next step goes into the flow record via ``manager.set_flow_data``. Providers never
see HTTP, so api.php and HTML pages share them.

Providers are plugged in by configuration (``auth.providers``) through the registry of
known types (:mod:`wikigate.auth.flow.registry`); the engine (:mod:`wikigate.auth.flow`)
handles UI, REDIRECT and RESTART answers, account links and credential changes for any
provider that implements the methods below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from wikigate.auth.requests import AuthenticationRequest, AuthResponse
from wikigate.i18n import Message

if TYPE_CHECKING:
    from wikigate.auth.flow.engine import AuthManager
    from wikigate.auth.flow.records import NewAccount
    from wikigate.storage.sql.unit import UnitOfWork
    from wikigate.users.model import User

#: accountCreationType(): what a primary provider does with account creation.
TYPE_CREATE = "create"
TYPE_LINK = "link"
TYPE_NONE = "none"


class AuthenticationProvider:
    #: Sort key within its kind (MediaWiki's 'sort').
    sort: ClassVar[int] = 50
    #: Request classes this provider puts into flows, when they are not defined in the
    #: provider's own module (those are registered automatically).
    request_types: ClassVar[tuple[type[AuthenticationRequest], ...]] = ()

    def __init__(self, manager: AuthManager) -> None:
        self.manager = manager

    @property
    def unique_id(self) -> str:
        return type(self).__name__

    async def get_authentication_requests(self, action: str, username: str | None) -> list[AuthenticationRequest]:
        """Requests this provider needs for ``action`` (``username``: the logged-in performer)."""
        return []

    # -- account creation checks (all kinds) ---------------------------------------------

    async def test_user_for_creation(self, name: str) -> list[Message]:
        """Veto the creation of ``name`` (e.g. a blocked name); errors, empty if fine."""
        return []

    async def test_for_account_creation(self, account: NewAccount, creator: User,
                                        reqs: list[AuthenticationRequest]) -> list[Message]:
        """Check the submitted creation data before any provider creates anything."""
        return []

    async def post_account_creation(self, account: NewAccount, creator: User, response: AuthResponse) -> None:
        return None

    async def post_authentication(self, username: str | None, response: AuthResponse) -> None:
        return None

    async def post_account_link(self, user: User, response: AuthResponse) -> None:
        """Called once a link flow ends (PASS or FAIL)."""
        return None

    # -- authentication data changes (change/remove) -------------------------------------

    async def allows_authentication_data_change(self, req: AuthenticationRequest,
                                                check_data: bool) -> list[Message] | None:
        """None = "ignored" (not this provider's request); [] = allowed; else errors."""
        return None

    async def change_authentication_data(self, req: AuthenticationRequest) -> None:
        return None


class PreAuthenticationProvider(AuthenticationProvider):
    async def test_for_authentication(self, reqs: list[AuthenticationRequest]) -> Message | None:
        """None lets the login proceed; a message fails it at once."""
        return None

    async def end_attempt(self, verified: bool) -> None:
        """Called once at the end of every ``begin_authentication``, whatever happened
        (failure, pause, exception); ``verified``: a password was actually checked."""
        return None


    async def test_for_account_link(self, user: User) -> list[Message]:
        """Veto linking a third-party account to ``user``; errors, empty if fine."""
        return []


class PrimaryAuthenticationProvider(AuthenticationProvider):
    account_creation_type: ClassVar[str] = TYPE_NONE

    async def begin_primary_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        return AuthResponse.abstain()

    async def continue_primary_authentication(self, reqs: list[AuthenticationRequest]) -> AuthResponse:
        raise NotImplementedError(f"{self.unique_id} never returns UI or REDIRECT")

    async def user_exists(self, name: str) -> bool:
        return False

    async def begin_primary_account_creation(self, account: NewAccount, creator: User,
                                             reqs: list[AuthenticationRequest]) -> AuthResponse:
        return AuthResponse.abstain()

    async def continue_primary_account_creation(self, account: NewAccount, creator: User,
                                                reqs: list[AuthenticationRequest]) -> AuthResponse:
        raise NotImplementedError(f"{self.unique_id} never returns UI or REDIRECT")

    async def begin_primary_account_link(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        """Only for ``account_creation_type == TYPE_LINK``: PASS, FAIL, UI, REDIRECT or ABSTAIN."""
        return AuthResponse.abstain()

    async def continue_primary_account_link(self, user: User,
                                            reqs: list[AuthenticationRequest]) -> AuthResponse:
        raise NotImplementedError(f"{self.unique_id} never returns UI or REDIRECT")

    async def finish_account_creation(self, account: NewAccount, creator: User, response: AuthResponse,
                                      uow: UnitOfWork) -> str | None:
        """Queue the steps that store the credential on ``uow``; return a log subtype or None.

        Do the slow work (hashing) here, then ``uow.add(step)``: the steps run in the
        transaction that inserts the user row (which runs first and sets ``account.id``),
        so the account and its credential commit together or not at all."""
        return None


class SecondaryAuthenticationProvider(AuthenticationProvider):
    async def begin_secondary_authentication(self, user: User, reqs: list[AuthenticationRequest]) -> AuthResponse:
        return AuthResponse.abstain()

    async def continue_secondary_authentication(self, user: User,
                                                reqs: list[AuthenticationRequest]) -> AuthResponse:
        raise NotImplementedError(f"{self.unique_id} never returns UI or REDIRECT")

    async def begin_secondary_account_creation(self, user: User, creator: User,
                                               reqs: list[AuthenticationRequest]) -> AuthResponse:
        return AuthResponse.abstain()

    async def continue_secondary_account_creation(self, user: User, creator: User,
                                                  reqs: list[AuthenticationRequest]) -> AuthResponse:
        raise NotImplementedError(f"{self.unique_id} never returns UI or REDIRECT")
