"""From cookies to (session, user) and back, for api.php and index.php alike.

Cookie names and lifetimes are MediaWiki's (``<prefix>_session``, ``<prefix>UserID``,
``<prefix>UserName``, ``<prefix>Token``, ``<prefix>_BPsession``). The remember-me
``Token`` cookie is an HMAC of the user's ``user_token`` (SHA-256 here, where MediaWiki
uses Whirlpool; the value is opaque to clients), so changing ``user_token`` revokes it.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from wikigate.auth.sessions import Session
from wikigate.http.request import Request
from wikigate.http.response import Cookie, Response
from wikigate.users.model import User, anonymous

if TYPE_CHECKING:
    from wikigate.services import Services

AUTH_TOKEN_VERSION = "1"


def remember_token(user: User) -> str:
    return hmac.new(user.token.encode(), AUTH_TOKEN_VERSION.encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class SessionState:
    session: Session
    user: User
    #: "cookie" or "botpassword" (immutable-user session).
    provider: str = "cookie"
    #: Cookies to delete because they were rejected on input.
    rejected: tuple[str, ...] = ()
    #: The remember-me cookies logged the user in (all login cookies must be re-sent).
    from_token: bool = False
    #: The request asked us to ignore credentials (origin=*, JSONP, Treat-as-Untrusted).
    suppressed: bool = False
    logged_out: bool = False
    #: A login happened in this request: send UserID/UserName(/Token) cookies.
    send_login_cookies: bool = False


class SessionCookies:
    def __init__(self, services: Services) -> None:
        self.services = services
        prefix = services.settings.site.cookie_prefix
        self.session_name = f"{prefix}_session"
        self.bp_name = f"{prefix}_BPsession"
        self.userid_name = f"{prefix}UserID"
        self.username_name = f"{prefix}UserName"
        self.token_name = f"{prefix}Token"

    def _secure(self, request: Request) -> bool:
        mode = self.services.settings.site.cookie_secure
        return mode == "always" or (mode == "detect" and request.scheme == "https")

    async def resolve(self, request: Request, *, suppressed: bool = False, allow_bot: bool = True) -> SessionState:
        svc = self.services
        anon = anonymous(request.client_ip)
        if suppressed:
            return SessionState(Session(), anon, suppressed=True)
        cookies = {k: v for k, v in request.cookies.items() if v != "deleted"}
        bp_sid = cookies.get(self.bp_name) if allow_bot else None
        if bp_sid:
            session = await svc.sessions.load(bp_sid)
            if session is not None and session.bot and session.user_id:
                user = await svc.users.get_by_id(session.user_id)
                if user is not None and await svc.bot_session_valid(session, user, request.client_ip):
                    return SessionState(session, user, provider="botpassword")
        sid = cookies.get(self.session_name)
        session = await svc.sessions.load(sid) if sid else None
        user_id_cookie = cookies.get(self.userid_name)
        if session is not None and session.user_id:
            user = await svc.users.get_by_id(session.user_id)
            name_cookie = cookies.get(self.username_name)
            if (user is None or not hmac.compare_digest(user.token, session.user_token)
                    or (user_id_cookie is not None and user_id_cookie != str(user.id))
                    or (name_cookie is not None and unquote(name_cookie) != user.name)):
                session.clear_user()
                session.reset_secrets()
                return SessionState(session, anon)
            return SessionState(session, user)
        if session is None and user_id_cookie and user_id_cookie.isdigit():
            token = cookies.get(self.token_name)
            if token:
                user = await svc.users.get_by_id(int(user_id_cookie))
                if user is not None and user.token and hmac.compare_digest(remember_token(user), token):
                    fresh = Session()
                    fresh.persist()
                    fresh.set_user(user.id, user.name, user.token, remember=True, now=0.0)
                    return SessionState(fresh, user, from_token=True)
                return SessionState(Session(), anon, rejected=(self.userid_name, self.token_name))
        if session is None:
            session = Session()
        return SessionState(session, anon)

    def apply(self, state: SessionState, request: Request, response: Response) -> None:
        """Emit the Set-Cookie lines this request's session changes call for."""
        settings = self.services.settings
        secure = self._secure(request)
        samesite = settings.site.cookie_samesite
        for name in state.rejected:
            response.delete_cookie(name, secure)
        session = state.session
        if state.logged_out:
            response.delete_cookie(self.bp_name if state.provider == "botpassword" else self.session_name, secure)
            if state.provider != "botpassword":
                response.delete_cookie(self.userid_name, secure)
                if self.token_name in request.cookies:
                    response.delete_cookie(self.token_name, secure)
            return
        if state.suppressed or not session.persist_requested or session.id is None:
            return
        # The id cookie is only sent when the client does not hold it already: MediaWiki
        # does not repeat Set-Cookie for an unchanged session (e.g. a second token fetch).
        if state.provider == "botpassword" or session.bot:
            if request.cookies.get(self.bp_name) != session.id:
                response.set_cookie(Cookie(self.bp_name, session.id, secure=secure, samesite=samesite))
            return
        if request.cookies.get(self.session_name) != session.id or state.send_login_cookies or state.from_token:
            response.set_cookie(Cookie(self.session_name, session.id, secure=secure, samesite=samesite))
        if session.user_id and (state.send_login_cookies or state.from_token):
            s = settings.sessions
            remember = session.remember
            age = s.extended_cookie_expiration if remember else s.cookie_expiration
            response.set_cookie(Cookie(self.userid_name, str(session.user_id), max_age=age,
                                       secure=secure, samesite=samesite))
            response.set_cookie(Cookie(self.username_name, quote(session.user_name, safe=" !$&'()*+,/:=?@"),
                                       max_age=age, secure=secure, samesite=samesite))
            if remember:
                user = state.user
                response.set_cookie(Cookie(self.token_name, remember_token(user), max_age=age,
                                           secure=secure, samesite=samesite))
            elif self.token_name in request.cookies:
                response.delete_cookie(self.token_name, secure)


# -- the session side of logging in and out, shared by api.php and index.php -----------------


def log_in(state: SessionState, user: User, *, remember: bool, now: float) -> None:
    """Bind ``user`` to the request's session after a PASS: a new session id and fresh
    token secrets (so a session id or token seen before the login is worthless after it)."""
    session = state.session
    session.reset_secrets()
    session.data.clear()
    session.regenerate_id()
    session.bot = None
    session.set_user(user.id, user.name, user.token, remember=remember, now=now)
    state.provider = "cookie"
    state.send_login_cookies = True


def log_out(state: SessionState) -> None:
    """End the session server-side; :meth:`SessionCookies.apply` then deletes the cookies."""
    state.session.destroyed = True
    state.logged_out = True


def rebind_after_credential_change(state: SessionState, fresh: User) -> None:
    """A password change rotates ``user_token`` (ending every other session); keep *this*
    session logged in with the same login time and remember-me choice."""
    session = state.session
    if fresh.token != session.user_token and state.provider == "cookie":
        session.set_user(fresh.id, fresh.name, fresh.token, remember=session.remember, now=session.last_auth)
        # A remembered session needs a new Token cookie (the old one is revoked).
        state.send_login_cookies = session.remember
