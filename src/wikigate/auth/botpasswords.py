"""Bot passwords: per-application secrets for ``action=login`` (MediaWiki's BotPassword).

A bot password belongs to one user and one *app id* (``User@appid`` is the login name).
It carries a generated secret (stored hashed like user passwords), a list of *grants*
that cap the rights of sessions it opens, and IP-range restrictions. A successful login
opens a separate, immutable bot-password session (cookie ``<prefix>_BPsession``, api.php
only); the cookie session of the client is left alone, as MediaWiki does (its login token
stays valid, and logging out of the bot session returns to it).

Behaviour follows ``includes/user/BotPassword.php``, ``BotPasswordStore.php`` and
``BotPasswordSessionProvider.php`` of MediaWiki 1.39 (spec login.md §3):

* the app id is trimmed and must be 1..32 *bytes*;
* the secret is 32 characters of ``[0-9a-v]``; ``canonicalize_login_data`` recognises
  credentials that can only be a bot password (``^[0-9a-w]{32,}$``);
* every save (update included) draws a new ``bp_token``, so existing sessions end;
* changing the main account's password empties ``bp_password`` → "must be reset".

This module never imports HTTP code: the API context is only used through the small
:class:`LoginContext` protocol.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from wikigate.auth.passwords import INVALID_HASH, bot_password_secret
from wikigate.auth.passwords.hashing import is_valid_hash
from wikigate.auth.providers.throttle import hit_detail
from wikigate.auth.sessions import Session
from wikigate.auth.throttle import login_throttle
from wikigate.auth.usernames import canonical_username, login_username
from wikigate.i18n import Duration, Message
from wikigate.storage.sql.database import Database
from wikigate.storage.sql.schema import bot_passwords as bp_table
from wikigate.users.rights import GRANT_RIGHTS

if TYPE_CHECKING:
    from wikigate.auth.hashpool import HashingService
    from wikigate.services import Services
    from wikigate.users.model import User

log = logging.getLogger("wikigate.auth.botpasswords")

#: BotPassword::APPID_MAXLENGTH (bytes, PHP strlen).
APPID_MAXLENGTH = 32
#: BotPassword::PASSWORD_MINLENGTH: generated secrets have exactly this length.
PASSWORD_MINLENGTH = 32
#: BotPassword::RESTRICTIONS_MAXLENGTH / GRANTS_MAXLENGTH (bytes of the JSON).
RESTRICTIONS_MAXLENGTH = 65535
GRANTS_MAXLENGTH = 65535
#: $wgUserrightsInterwikiDelimiter.
SEPARATOR = "@"
#: MWRestrictions::newDefault().
DEFAULT_IP_RANGES: tuple[str, ...] = ("0.0.0.0/0", "::/0")
#: Grants every bot password has whether asked for or not (GrantsInfo::getHiddenGrants).
HIDDEN_GRANTS: tuple[str, ...] = ("basic",)

_BP_SECRET = re.compile(rf"[0-9a-w]{{{PASSWORD_MINLENGTH},}}")
#: Characters that can never be part of a page title: an app id containing them could not
#: be reached as ``Special:BotPasswords/<appid>``, so we refuse them up front.
_TITLE_ILLEGAL = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f]")

LoginOutcome = tuple[Literal["success", "failed", "skip"], Any]


@dataclass(frozen=True)
class ThrottleFailure:
    """A throttled bot-password login: the message, and the seconds left to wait."""

    message: Message
    wait: int


class BotPasswordError(Exception):
    """A refused change; ``message`` is the MediaWiki message explaining why."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


class InvalidRestriction(ValueError):
    """An entry of the IP-range list that is not an IP address or CIDR range."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


# -- app ids and credentials ---------------------------------------------------------------


def normalize_app_id(raw: str) -> str | None:
    """The app id as stored (trimmed), or None if it is empty, longer than 32 bytes or
    contains characters a page title cannot hold."""
    app_id = raw.strip()
    if not app_id or len(app_id.encode("utf-8")) > APPID_MAXLENGTH or _TITLE_ILLEGAL.search(app_id):
        return None
    return app_id


def validate_new_app_id(raw: str) -> str:
    """The app id a *new* bot password gets (trimmed), or :class:`BotPasswordError`
    ``botpasswords-bad-appid``. The one check behind Special:BotPasswords, ``wikigate
    botpassword create`` and :meth:`BotPasswords.create`.

    Stricter than :func:`normalize_app_id` (which still finds existing ids, imported ones
    included) in one way: no ``@``. The login name is ``User@app`` and the legacy password
    form ``app@secret``; MediaWiki 1.39 accepts ``@`` in new app ids and splits at the first
    (name) or last (password) separator, but a tool that splits the other way — or a human
    reading an audit line — gets the wrong user or app. docs/compatibility.md.
    """
    app_id = normalize_app_id(raw)
    if app_id is None or SEPARATOR in app_id:
        raise BotPasswordError(Message("botpasswords-bad-appid", (raw.strip(),)))
    return app_id


def canonicalize_login_data(username: str, password: str) -> tuple[str, str] | None:
    """BotPassword::canonicalizeLoginData: ``(User@app, secret)`` if the credentials look
    like a bot password, else None.

    Either ``lgname=User@app`` with a secret of 32+ ``[0-9a-w]``, or the legacy form
    ``lgname=User`` with ``lgpassword=app@secret`` (split at the *last* separator). The
    length test comes first so that ordinary passwords are not run through the regex
    (MediaWiki's reason: less timing information about the password).
    """
    if len(password.encode("utf-8")) >= PASSWORD_MINLENGTH and SEPARATOR in username:
        if _BP_SECRET.fullmatch(password):
            return username, password
    elif len(password.encode("utf-8")) > PASSWORD_MINLENGTH and SEPARATOR in password:
        app_id, _, secret = password.rpartition(SEPARATOR)
        if _BP_SECRET.fullmatch(secret):
            return f"{username}{SEPARATOR}{app_id}", secret
    return None


def split_login_name(name: str) -> tuple[str, str] | None:
    """``User@app`` → ("User", "app"), split at the *first* separator (user names cannot
    contain it, app ids may)."""
    if SEPARATOR not in name:
        return None
    user, _, app_id = name.partition(SEPARATOR)
    return user, app_id


def normalize_grants(grants: Iterable[str]) -> list[str]:
    """Known grants, without duplicates, with the hidden ``basic`` grant first (the order
    MediaWiki stores: hidden grants, then the chosen ones). Unknown names raise ValueError."""
    out = list(HIDDEN_GRANTS)
    for g in grants:
        g = g.removeprefix("grant-")
        if g not in GRANT_RIGHTS:
            raise ValueError(g)
        if g not in out:
            out.append(g)
    return out


# -- restrictions ----------------------------------------------------------------------------


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    v = value.strip()
    try:
        # strict=False: "192.0.2.7/24" means 192.0.2.0/24, like Wikimedia\IPSet.
        return ipaddress.ip_network(v, strict=False)
    except ValueError:
        raise InvalidRestriction(value) from None


def _referer_matches(referer: str | None, patterns: Sequence[str]) -> bool:
    host = urlsplit(referer).hostname if referer else None
    if not host:
        return False
    host = host.lower()
    for p in patterns:
        p = p.lower()
        if p.startswith("*.") and (host.endswith(p[1:]) and len(host) > len(p) - 1):
            return True
        if host == p:
            return True
    return False


@dataclass(frozen=True)
class Restrictions:
    """MWRestrictions: allowed client IP ranges (and, if set, allowed Referer hosts —
    a later MediaWiki addition that the 1.39 form does not offer but rows may carry)."""

    ip_ranges: tuple[str, ...] = DEFAULT_IP_RANGES
    referers: tuple[str, ...] | None = None

    @classmethod
    def from_lines(cls, text: str) -> Restrictions:
        """The form's textarea: one address or CIDR range per line, blank lines ignored."""
        ranges = tuple(line.strip() for line in text.splitlines() if line.strip())
        for r in ranges:
            _network(r)
        return cls(ranges)

    @classmethod
    def from_json(cls, raw: str) -> Restrictions:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        ips = data.get("IPAddresses")
        referers = data.get("Referers")
        return cls(
            tuple(str(x) for x in ips) if isinstance(ips, list) else DEFAULT_IP_RANGES,
            tuple(str(x) for x in referers) if isinstance(referers, list) else None,
        )

    def to_json(self) -> str:
        data: dict[str, list[str]] = {"IPAddresses": list(self.ip_ranges)}
        if self.referers is not None:
            data["Referers"] = list(self.referers)
        # MediaWiki's FormatJson::ALL_OK: no escaping of "/" or non-ASCII.
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    def check_ip(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip.strip())
        except ValueError:
            return False
        candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [addr]
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            candidates.append(addr.ipv4_mapped)
        for r in self.ip_ranges:
            try:
                net = _network(r)
            except InvalidRestriction:
                continue  # a bad stored entry matches nothing rather than breaking logins
            if any(a.version == net.version and a in net for a in candidates):
                return True
        return False

    def check(self, ip: str, referer: str | None = None) -> bool:
        if not self.check_ip(ip):
            return False
        return self.referers is None or _referer_matches(referer, self.referers)


# -- the record and its store ----------------------------------------------------------------


@dataclass
class BotPassword:
    user_id: int
    app_id: str
    token: str
    restrictions: Restrictions = field(default_factory=Restrictions)
    grants: list[str] = field(default_factory=lambda: list(HIDDEN_GRANTS))
    #: The stored hash; "" (or anything unreadable) means the password must be reset.
    password_hash: str = field(default=INVALID_HASH, repr=False)

    @property
    def needs_reset(self) -> bool:
        return not is_valid_hash(self.password_hash)


def _row_to_bp(m: Any) -> BotPassword:
    try:
        grants = json.loads(m["bp_grants"] or "[]")
    except ValueError:
        grants = []
    if not isinstance(grants, list):
        grants = []
    return BotPassword(
        user_id=int(m["bp_user"]), app_id=m["bp_app_id"], token=m["bp_token"],
        restrictions=Restrictions.from_json(m["bp_restrictions"] or ""),
        grants=[str(g) for g in grants], password_hash=m["bp_password"] or INVALID_HASH,
    )


def _grants_json(grants: list[str]) -> str:
    return json.dumps(grants, separators=(",", ":"), ensure_ascii=False)


def _validate_sizes(restrictions: Restrictions, grants: list[str]) -> None:
    if len(restrictions.to_json().encode()) > RESTRICTIONS_MAXLENGTH:
        raise BotPasswordError(Message("botpasswords-toolong-restrictions"))
    if len(_grants_json(grants).encode()) > GRANTS_MAXLENGTH:
        raise BotPasswordError(Message("botpasswords-toolong-grants"))


class BotPasswordStore:
    """SQL access to ``wg_bot_passwords`` (one implementation for every dialect)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _key(user_id: int, app_id: str) -> Any:
        return and_(bp_table.c.bp_user == user_id, bp_table.c.bp_app_id == app_id)

    async def get(self, user_id: int, app_id: str) -> BotPassword | None:
        def q(conn: Connection) -> BotPassword | None:
            row = conn.execute(select(bp_table).where(self._key(user_id, app_id))).first()
            # The comparison in SQL may be case- or pad-insensitive on some collations;
            # app ids are exact, as in MediaWiki's binary columns.
            return _row_to_bp(row._mapping) if row is not None and row._mapping["bp_app_id"] == app_id else None

        return await self.db.run(q)

    async def list_for_user(self, user_id: int) -> list[BotPassword]:
        def q(conn: Connection) -> list[BotPassword]:
            rows = conn.execute(select(bp_table).where(bp_table.c.bp_user == user_id)
                                .order_by(bp_table.c.bp_app_id))
            return [_row_to_bp(r._mapping) for r in rows]

        return await self.db.run(q)

    async def insert(self, bp: BotPassword, password_hash: str) -> bool:
        """Add the row with a fresh token (stored into ``bp.token``); False if it exists."""
        token = secrets.token_hex(16)

        def q(conn: Connection) -> bool:
            if conn.execute(select(bp_table.c.bp_user).where(self._key(bp.user_id, bp.app_id))).first():
                return False
            conn.execute(insert(bp_table).values(
                bp_user=bp.user_id, bp_app_id=bp.app_id, bp_password=password_hash, bp_token=token,
                bp_restrictions=bp.restrictions.to_json(), bp_grants=_grants_json(bp.grants)))
            return True

        try:
            ok = await self.db.run(q)
        except IntegrityError:  # a concurrent insert of the same (user, app id) won
            ok = False
        if ok:
            bp.token, bp.password_hash = token, password_hash
        return ok

    async def update(self, bp: BotPassword, password_hash: str | None) -> bool:
        """Save grants and restrictions (and the hash if given) with a NEW token, which
        ends the sessions opened with the old settings; False if the row is gone."""
        token = secrets.token_hex(16)
        values: dict[str, Any] = {"bp_token": token, "bp_restrictions": bp.restrictions.to_json(),
                                  "bp_grants": _grants_json(bp.grants)}
        if password_hash is not None:
            values["bp_password"] = password_hash

        def q(conn: Connection) -> bool:
            res = conn.execute(update(bp_table).where(self._key(bp.user_id, bp.app_id)).values(**values))
            return bool(res.rowcount)

        ok = await self.db.run(q)
        if ok:
            bp.token = token
            if password_hash is not None:
                bp.password_hash = password_hash
        return ok

    async def delete(self, user_id: int, app_id: str) -> bool:
        def q(conn: Connection) -> bool:
            return bool(conn.execute(delete(bp_table).where(self._key(user_id, app_id))).rowcount)

        return await self.db.run(q)

    async def invalidate_all(self, user_id: int) -> int:
        """Empty every password of the user (the rows, grants and tokens stay)."""
        def q(conn: Connection) -> int:
            res = conn.execute(update(bp_table).where(bp_table.c.bp_user == user_id)
                               .values(bp_password=INVALID_HASH))
            return int(res.rowcount or 0)

        return await self.db.run(q)

    async def remove_all(self, user_id: int) -> int:
        def q(conn: Connection) -> int:
            return int(conn.execute(delete(bp_table).where(bp_table.c.bp_user == user_id)).rowcount or 0)

        return await self.db.run(q)


# -- the component -------------------------------------------------------------------------


class _State(Protocol):
    session: Session
    provider: str


class _Request(Protocol):
    client_ip: str

    def header(self, name: str) -> str | None: ...


class LoginContext(Protocol):
    """What :meth:`BotPasswords.login` needs from the API request context."""

    state: Any
    request: Any
    now: float

    def set_user(self, user: User) -> None: ...


class BotPasswords:
    """``services.botpasswords``: management, login and session checks."""

    def __init__(self, services: Services, store: BotPasswordStore | None = None) -> None:
        self.services = services
        self.store = store or BotPasswordStore(services.db)

    @property
    def enabled(self) -> bool:
        return bool(self.services.settings.auth.enable_bot_passwords)

    @property
    def _hashing(self) -> HashingService:
        return self.services.hashing

    # -- management (Special:BotPasswords, CLI) --------------------------------------------

    async def get(self, user_id: int, app_id: str) -> BotPassword | None:
        return await self.store.get(user_id, app_id)

    async def list_for_user(self, user_id: int) -> list[BotPassword]:
        return await self.store.list_for_user(user_id)

    def _prepare(self, user_id: int, app_id: str, grants: Iterable[str],
                 restrictions: Restrictions | None) -> BotPassword:
        norm = normalize_app_id(app_id)
        if norm is None:
            raise BotPasswordError(Message("botpasswords-bad-appid", (app_id,)))
        try:
            grant_list = normalize_grants(grants)
        except ValueError as e:
            raise BotPasswordError(Message("botpasswords-unknown-grant", (str(e),))) from None
        restr = restrictions or Restrictions()
        _validate_sizes(restr, grant_list)
        return BotPassword(user_id=user_id, app_id=norm, token="", restrictions=restr, grants=grant_list)

    async def create(self, user_id: int, app_id: str, grants: Iterable[str] = (),
                     restrictions: Restrictions | None = None) -> tuple[BotPassword, str]:
        """Create a bot password; returns it and the generated secret (shown once)."""
        validate_new_app_id(app_id)
        bp = self._prepare(user_id, app_id, grants, restrictions)
        secret = bot_password_secret()
        if not await self.store.insert(bp, await self._hashing.hash(secret)):
            raise BotPasswordError(Message("botpasswords-insert-failed", (bp.app_id,)))
        log.info("bot password created for user %d app %r", user_id, bp.app_id)
        return bp, secret

    async def update(self, user_id: int, app_id: str, grants: Iterable[str] = (),
                     restrictions: Restrictions | None = None, *,
                     reset_password: bool = False) -> tuple[BotPassword, str | None]:
        """Change grants/restrictions (and optionally draw a new secret)."""
        bp = self._prepare(user_id, app_id, grants, restrictions)
        secret = bot_password_secret() if reset_password else None
        password_hash = await self._hashing.hash(secret) if secret is not None else None
        if not await self.store.update(bp, password_hash):
            raise BotPasswordError(Message("botpasswords-update-failed", (bp.app_id,)))
        log.info("bot password updated for user %d app %r (reset=%s)", user_id, bp.app_id, reset_password)
        return bp, secret

    async def reset(self, user_id: int, app_id: str) -> str:
        """A new secret for an existing bot password, grants and restrictions kept."""
        current = await self.store.get(user_id, app_id.strip())
        if current is None:
            raise BotPasswordError(Message("botpasswords-update-failed", (app_id.strip(),)))
        _, secret = await self.update(user_id, current.app_id, current.grants, current.restrictions,
                                      reset_password=True)
        assert secret is not None
        return secret

    async def delete(self, user_id: int, app_id: str) -> bool:
        ok = await self.store.delete(user_id, app_id.strip())
        if ok:
            log.info("bot password deleted for user %d app %r", user_id, app_id.strip())
        return ok

    async def invalidate_all(self, user_id: int) -> int:
        """Called when the main account's password changes: every bot password of the
        user must then be reset before it works again (``botpasswords-needs-reset``)."""
        return await self.store.invalidate_all(user_id)

    async def invalidate_user_passwords(self, username: str) -> int:
        """BotPasswordStore::invalidateUserPasswords, by name (what AuthManager holds when a
        password change goes through); 0 if there is no such user."""
        canonical = canonical_username(username)
        user = await self.services.users.get_by_name(canonical) if canonical else None
        return await self.invalidate_all(user.id) if user is not None else 0

    async def remove_all(self, user_id: int) -> int:
        return await self.store.remove_all(user_id)

    # -- login (action=login) ------------------------------------------------------------------

    async def login(self, ctx: LoginContext, username: str, app_id: str, password: str) -> LoginOutcome:
        """Try a bot-password login (BotPassword::login).

        Returns ("success", user) after switching the request to a new bot-password
        session; ("failed", Message) for the failures action=login reports as such
        (password needs reset), ("failed", ThrottleFailure) when throttled; ("skip", None)
        for everything else — unknown user or app, restriction failed, wrong secret — so
        the caller falls through to the main-account login, exactly as ApiLogin does.

        The throttle (Throttler type "botpassword", plus the per-account and per-IP limits
        shared with every login) counts under the same canonical name as the login itself,
        takes its slot atomically, and gives it back if no secret was verified.
        """
        if not self.enabled:
            return "skip", None
        ip = ctx.request.client_ip
        canonical = login_username(username)
        user = await self.services.users.get_by_name(canonical) if canonical else None
        if user is None:
            # No such account: spend a verification anyway so timing does not tell.
            await self._hashing.dummy_verify(password)
            return "skip", None
        throttle = login_throttle(self.services.kv, self.services.settings, "botpassword")
        reservation, hit = await throttle.reserve(user.name, ip)
        if hit is not None:
            log.info("bot password login throttled for user %d", user.id)
            await self._audit("login-throttled", user, ip, hit_detail("botpassword", hit))
            return "failed", ThrottleFailure(Message("login-throttled", (Duration(hit.seconds),)), hit.wait)
        verified = False
        try:
            bp = await self.store.get(user.id, app_id)
            if bp is None or not bp.restrictions.check(ip, ctx.request.header("referer")):
                await self._hashing.dummy_verify(password)
                verified = True
                return "skip", None
            if bp.needs_reset:
                await self._audit("login-failure", user, ip, f"botpassword app={bp.app_id} reason=needs-reset")
                return "failed", Message("botpasswords-needs-reset", (username, app_id))
            ok = await self._hashing.verify(bp.password_hash, password)
            verified = True
            if not ok:
                await self._audit("login-failure", user, ip, f"botpassword app={bp.app_id} reason=wrong-secret")
                return "skip", None
        finally:
            if not verified:  # nothing was checked (store down, hashing busy): not an attempt
                await throttle.release(reservation)
        await throttle.succeeded(user.name, ip)
        await self._open_session(ctx, user, bp)
        log.info("bot password login for user %d app %r", user.id, bp.app_id)
        await self._audit("login-success", user, ip,
                          f"botpassword app={bp.app_id} grants={','.join(bp.grants)}")
        return "success", user

    async def _audit(self, event: str, user: User, ip: str, detail: str) -> None:
        audit = self.services.audit
        try:
            await audit.record(event, user, ip, detail)
        except Exception:  # the audit trail must never break a login
            log.exception("audit record %s failed", event)

    async def _open_session(self, ctx: LoginContext, user: User, bp: BotPassword) -> None:
        state = ctx.state
        # The cookie session is kept (saved now, with whatever this request changed) and
        # not re-sent: MediaWiki answers a bot-password login with the BPsession cookie
        # only, and the client's earlier session — its login token included — stays valid.
        await self.services.sessions.save(state.session, now=ctx.now)
        session = Session()
        session.persist()  # a fresh random id: never reuse an id the client chose
        session.set_user(user.id, user.name, user.token, remember=False, now=ctx.now)
        session.bot = {"app_id": bp.app_id, "grants": list(bp.grants), "bp_token": bp.token}
        state.session = session
        state.provider = "botpassword"
        ctx.set_user(user)

    # -- session refresh (BotPasswordSessionProvider::refreshSessionInfo) --------------------

    async def session_valid(self, session: Session, user: User, ip: str) -> bool:
        """Whether a stored bot-password session may still be used: bot passwords still
        enabled, the row still exists with the same token (any save or delete ends the
        session), and the client IP is still allowed. The grants are re-read, so the
        rights follow the current row (MediaWiki refreshes them the same way)."""
        if not self.enabled or not session.bot:
            return False
        # A changed user_token ("log out everywhere", password change) ends every session
        # of the user, bot-password sessions included.
        if not user.token or not secrets.compare_digest(user.token, session.user_token):
            return False
        app_id = session.bot.get("app_id")
        token = session.bot.get("bp_token")
        if not isinstance(app_id, str) or not isinstance(token, str):
            return False
        bp = await self.store.get(user.id, app_id)
        if bp is None or not secrets.compare_digest(bp.token, token):
            return False
        if not bp.restrictions.check_ip(ip):
            return False
        if session.bot.get("grants") != bp.grants:
            session.bot = {**session.bot, "grants": list(bp.grants)}
            session.dirty = True
        return True

