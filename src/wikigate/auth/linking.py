"""Account linking around the flow engine: the link flow (``action=linkaccount``,
MediaWiki's ``AuthManager::beginAccountLink``/``continueAccountLink``) and preserved
state (a RESTART's creation request carried into ``createaccount`` with
``createpreservestate``: ``CreateFromLoginAuthenticationRequest``).

Kept out of manager.py on purpose: linking providers are optional, and these functions
only need the manager's flow record and provider list.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from wikigate.auth.providers.base import TYPE_LINK, PrimaryAuthenticationProvider
from wikigate.auth.requests import (
    ACTION_LINK,
    AuthenticationRequest,
    AuthResponse,
    dump_request,
    get_request,
    load_request,
)
from wikigate.i18n import Message

if TYPE_CHECKING:
    from wikigate.auth.manager import AuthManager
    from wikigate.auth.sessions import Session
    from wikigate.users.model import User

log = logging.getLogger("wikigate.auth")

#: Session key of the preserved creation request (ApiAuthManagerHelper::createRequest).
PRESERVED_KEY = "authmanager-create-request"


class CreationRefused(Exception):
    """A provider's unit-of-work step refuses the account (rolls the whole creation back)."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


class CreateFromLoginAuthenticationRequest(AuthenticationRequest):
    """Carries a primary provider's creation request from a login RESTART into account
    creation. No fields: it is never read from a submission, only from the session."""

    class_id = "MediaWiki\\Auth\\CreateFromLoginAuthenticationRequest"

    def __init__(self, create_request: AuthenticationRequest | None = None) -> None:
        super().__init__()
        self.inner: dict[str, Any] | None = dump_request(create_request) if create_request is not None else None

    def create_request(self) -> AuthenticationRequest | None:
        if self.inner is None:
            return None
        try:
            return load_request(self.inner)
        except (ImportError, AttributeError, ValueError, KeyError):
            log.warning("dropping an unloadable preserved creation request")
            return None

    def has_state_for(self, action: str) -> bool:
        return action == "create" and self.inner is not None

    def preserved_username(self) -> str:
        req = self.create_request()
        return str(getattr(req, "suggested", "") or "") if req is not None else ""


# -- preserved state in the session ------------------------------------------------------------

def preserve(session: Session, res: AuthResponse) -> None:
    """After a FAIL or RESTART: keep its creation request (or forget an older one)."""
    if res.create_request is not None:
        session.set(PRESERVED_KEY, dump_request(res.create_request))
    else:
        session.pop(PRESERVED_KEY)


def preserved(session: Session) -> CreateFromLoginAuthenticationRequest | None:
    raw = session.data.get(PRESERVED_KEY)
    if not isinstance(raw, dict):
        return None
    try:
        req = load_request(raw)
    except (ImportError, AttributeError, ValueError, KeyError):
        return None
    return req if isinstance(req, CreateFromLoginAuthenticationRequest) else None


def expand_preserved(reqs: list[AuthenticationRequest]) -> list[AuthenticationRequest]:
    """``beginAccountCreation``'s special case: the preserved request's inner request
    joins the submitted ones."""
    outer = get_request(reqs, CreateFromLoginAuthenticationRequest)
    if outer is None:
        return reqs
    inner = outer.create_request()
    return [*reqs, inner] if inner is not None else reqs


# -- the link flow ---------------------------------------------------------------------------

def _link_providers(manager: AuthManager) -> list[PrimaryAuthenticationProvider]:
    return [p for p in manager.primary
            if isinstance(p, PrimaryAuthenticationProvider) and p.account_creation_type == TYPE_LINK]


async def begin_account_link(manager: AuthManager, user: User, reqs: list[AuthenticationRequest],
                             return_url: str | None) -> AuthResponse:
    await manager._drop_flow("link")
    manager.flow_data = {}
    if not _link_providers(manager):
        return AuthResponse.fail(Message("userlogin-cannot-link"))
    if not user.is_registered:
        return AuthResponse.fail(Message("noname"))
    for r in reqs:
        r.username = user.name
        r.return_to_url = return_url
    for provider in _link_providers(manager):
        begin = getattr(provider, "begin_primary_account_link", None)
        if begin is None:
            continue
        res: AuthResponse = await begin(user, reqs)
        if res.status == AuthResponse.ABSTAIN:
            continue
        return await _after(manager, user, provider, res, return_url)
    return AuthResponse.fail(Message("authmanager-link-no-primary"))


async def continue_account_link(manager: AuthManager, user: User,
                                reqs: list[AuthenticationRequest]) -> AuthResponse:
    stored = await manager._load_flow("link")
    if stored is None or stored.get("userid") != user.id:
        await manager._drop_flow("link")
        return AuthResponse.fail(Message("authmanager-link-not-in-progress"))
    manager.flow_data = dict(stored.get("data") or {})
    provider = manager.provider(stored.get("primary"))
    cont = getattr(provider, "continue_primary_account_link", None)
    if not isinstance(provider, PrimaryAuthenticationProvider) or cont is None:
        await manager._drop_flow("link")
        return AuthResponse.fail(Message("authmanager-link-not-in-progress"))
    for r in reqs:
        r.username = user.name
        r.return_to_url = stored.get("return")
    res: AuthResponse = await cont(user, reqs)
    return await _after(manager, user, provider, res, stored.get("return"))


async def _after(manager: AuthManager, user: User, provider: PrimaryAuthenticationProvider,
                 res: AuthResponse, return_url: str | None) -> AuthResponse:
    if res.status in (AuthResponse.REDIRECT, AuthResponse.UI):
        manager._fill(res.needed, ACTION_LINK, user.name)
        await manager._save_flow("link", {
            "userid": user.id, "primary": provider.unique_id, "return": return_url,
            "continue": manager._dump_reqs(res.needed),
        })
        return res
    await manager._drop_flow("link")
    if res.status not in (AuthResponse.PASS, AuthResponse.FAIL):
        raise ValueError(f"{provider.unique_id} returned {res.status} from account linking")
    return res


async def link_continue_requests(manager: AuthManager) -> list[AuthenticationRequest]:
    stored = await manager._load_flow("link")
    return manager._load_reqs(stored["continue"]) if stored else []
