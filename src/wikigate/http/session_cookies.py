"""From cookies to (session, user) and back, for api.php and index.php alike.

Cookie names and lifetimes are MediaWiki's (``<prefix>_session``, ``<prefix>UserID``,
``<prefix>UserName``, ``<prefix>Token``, ``<prefix>_BPsession``), all ``HttpOnly``,
``secure`` on https (``site.cookie_secure``) and with ``site.cookie_samesite``. The
remember-me ``Token`` cookie is a random per-login token checked against a hashed record
in the shared store (:mod:`wikigate.auth.remember`); logout, "log out everywhere" and a
password change revoke it. Malformed cookie values are ignored, never compared.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from wikigate.auth.remember import RememberMe, parse_user_id, remember_me, well_formed_token
from wikigate.auth.sessions import Session
from wikigate.http.request import Request
from wikigate.http.response import Cookie, Response
from wikigate.users.model import User, anonymous

if TYPE_CHECKING:
    from wikigate.services import Services


def same_token(a: str, b: str) -> bool:
    """Constant-time equality of two token strings of any content (compare_digest on
    ``str`` raises TypeError for non-ASCII text, which a cookie can carry)."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


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
    #: The remember-me token to send as the Token cookie (new login, or the one that
    #: restored this session); None sends none.
    remember_token: str | None = None


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
        name_cookie = cookies.get(self.username_name)
        if session is not None and session.user_id:
            user = await svc.users.get_by_id(session.user_id)
            if (user is None or not same_token(user.token, session.user_token)
                    or (user_id_cookie is not None and user_id_cookie != str(user.id))
                    or (name_cookie is not None and unquote(name_cookie) != user.name)):
                session.clear_user()
                session.reset_secrets()
                return SessionState(session, anon)
            return SessionState(session, user)
        if session is None:
            restored = await self._from_remember_cookie(cookies, name_cookie, anon)
            if restored is not None:
                return restored
            session = Session()
        return SessionState(session, anon)

    async def _from_remember_cookie(self, cookies: dict[str, str], name_cookie: str | None,
                                    anon: User) -> SessionState | None:
        """A new session from the UserID + Token cookies (no live session), if they are
        valid; malformed values are ignored as if absent, revoked ones are deleted."""
        svc = self.services
        uid = parse_user_id(cookies.get(self.userid_name))
        token = cookies.get(self.token_name)
        if uid is None or token is None or not well_formed_token(token):
            return None
        user = await svc.users.get_by_id(uid)
        if (user is None or (name_cookie is not None and unquote(name_cookie) != user.name)
                or not await remember_me(svc).check(user.id, token, user.token)):
            return SessionState(Session(), anon, rejected=(self.userid_name, self.token_name))
        fresh = Session()
        fresh.persist()
        # last_auth stays 0: a cookie is not a fresh authentication, so security-sensitive
        # operations still ask to log in again (MediaWiki's lastAuthTimestamp is unset too).
        fresh.set_user(user.id, user.name, user.token, remember=True, now=0.0)
        fresh.remember_id = RememberMe.record_id(token)
        return SessionState(fresh, user, from_token=True, remember_token=token)

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
                if state.remember_token is not None:
                    response.set_cookie(Cookie(self.token_name, state.remember_token, max_age=age,
                                               secure=secure, samesite=samesite))
            elif self.token_name in request.cookies:
                response.delete_cookie(self.token_name, secure)


# -- the session side of logging in and out, shared by api.php and index.php -----------------


async def log_in(services: Services, state: SessionState, user: User, *, remember: bool, now: float) -> None:
    """Bind ``user`` to the request's session after a PASS: a new session id and fresh
    token secrets (so a session id or token seen before the login is worthless after it),
    and a remember-me token of this login when ``remember``."""
    session = state.session
    session.reset_secrets()
    session.data.clear()
    session.regenerate_id()
    session.bot = None
    session.set_user(user.id, user.name, user.token, remember=remember, now=now)
    state.provider = "cookie"
    state.send_login_cookies = True
    await issue_remember_token(services, state, user)


async def issue_remember_token(services: Services, state: SessionState, user: User) -> None:
    """A new remember-me token for the session's login (when it is remembered): at login,
    and after a password change revoked the previous one. The session's previous token,
    if any, is revoked."""
    session = state.session
    store = remember_me(services)
    await store.revoke(session.remember_id)
    session.remember_id = ""
    state.remember_token = None
    if session.remember:
        issued = await store.issue(user.id, user.token)
        session.remember_id = issued.record_id
        state.remember_token = issued.token
        session.dirty = True


async def log_out(services: Services, state: SessionState, request: Request) -> None:
    """End the session server-side (:meth:`SessionCookies.apply` then deletes the cookies)
    and revoke this login's remember-me token and the one the client holds (they differ
    when the session came from another login of the same browser)."""
    if state.provider != "botpassword":
        store = remember_me(services)
        await store.revoke(state.session.remember_id)
        token = request.cookies.get(services.settings.site.cookie_prefix + "Token")
        if token is not None and well_formed_token(token):
            await store.revoke(RememberMe.record_id(token))
    state.session.destroyed = True
    state.logged_out = True


async def rebind_after_credential_change(services: Services, state: SessionState, fresh: User) -> None:
    """A password change rotates ``user_token`` (ending every other session); keep *this*
    session logged in with the same login time and remember-me choice."""
    session = state.session
    if fresh.token != session.user_token and state.provider == "cookie":
        session.set_user(fresh.id, fresh.name, fresh.token, remember=session.remember, now=session.last_auth)
        # A remembered session needs a new Token cookie: the old one was issued under the
        # previous user_token and no longer works.
        state.send_login_cookies = session.remember
        if session.remember:
            session.persist()  # cookies are only sent for a session asked to persist
        await issue_remember_token(services, state, fresh)
