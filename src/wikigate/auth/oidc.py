"""OpenID Connect relying party: provider settings, discovery, the authorization-code
flow with PKCE, ID-token verification, and the table of linked external identities.

The authentication provider (:mod:`wikigate.auth.providers.oidc`) drives it; this module
knows nothing of AuthManager flows. Outbound HTTP goes through one ``httpx.AsyncClient``
per process with ``oidc.timeout_seconds`` on every request, so a provider that is down or
slow costs one bounded wait and a FAIL, never a hung worker.

ID tokens are verified with joserfc (no hand-written crypto): the signature against the
provider's JWKS (asymmetric algorithms only; a ``kid`` not in the cached set refreshes
the set once, at most every ``_JWKS_MIN_REFRESH`` seconds: key rotation), then ``iss``
(equal to the configured issuer), ``aud`` (contains our client id; ``azp`` must be ours
when there are several audiences), ``exp``/``iat`` against the service clock, and
``nonce`` (equal to the flow's). Specs: OpenID Connect Core 1.0 §3.1.3.7, RFC 7636 (PKCE).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from wikigate.config import ProviderConfig, provider_configs
from wikigate.storage.sql.schema import external_identity
from wikigate.util.clock import mw_timestamp

if TYPE_CHECKING:
    from wikigate.config import OidcSettings
    from wikigate.storage.kv import KeyValueStore
    from wikigate.storage.sql.database import Database
    from wikigate.util.clock import Clock

log = logging.getLogger("wikigate.auth.oidc")

#: Signature algorithms accepted on ID tokens (never "none", never HMAC with the secret).
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
#: Clock skew tolerated on exp/iat, seconds.
LEEWAY = 60
_JWKS_MIN_REFRESH = 30.0


class OidcError(Exception):
    """A sign-in step failed; ``reason`` is a short machine word for logs and the audit
    trail (``provider-unreachable``, ``bad-token``, ``bad-state`` …), never a secret."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class PendingSignIn:
    """What the flow keeps between the redirect and the return (never sent to the browser
    except ``state``, and ``nonce`` inside the provider's signed token)."""

    provider: str
    state: str
    nonce: str
    verifier: str
    redirect_uri: str

    def to_json(self) -> dict[str, str]:
        return {"provider": self.provider, "state": self.state, "nonce": self.nonce,
                "verifier": self.verifier, "redirect_uri": self.redirect_uri}

    @classmethod
    def from_json(cls, data: Any) -> PendingSignIn | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**{k: str(data[k]) for k in ("provider", "state", "nonce", "verifier", "redirect_uri")})
        except KeyError:
            return None


@dataclass(frozen=True)
class VerifiedIdentity:
    provider: str
    issuer: str
    subject: str
    claims: dict[str, Any] = field(default_factory=dict)

    def suggested_username(self, claim: str) -> str:
        for name in (claim, "preferred_username", "nickname", "name"):
            value = self.claims.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()
        email = self.claims.get("email")
        if isinstance(email, str) and "@" in email:
            return email.split("@", 1)[0]
        return ""


@dataclass
class _Cached:
    value: Any
    fetched: float


class OidcService:
    """Per process: provider settings, cached discovery documents and key sets; the
    short-lived state index in the shared key-value store."""

    def __init__(self, settings: OidcSettings, kv: KeyValueStore) -> None:
        self.kv = kv
        self.settings = settings
        self.providers = {p.id: p for p in provider_configs(self.settings)}
        self._discovery: dict[str, _Cached] = {}
        self._jwks: dict[str, _Cached] = {}
        self._http: httpx.AsyncClient | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.providers)

    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=httpx.Timeout(self.settings.timeout_seconds),
                                           follow_redirects=False, trust_env=False)
        return self._http

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    # -- HTTP to the provider ------------------------------------------------------------

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            resp = await self.http().get(url, headers={"Accept": "application/json"})
        except httpx.TimeoutException as e:
            raise OidcError("provider-timeout", url) from e
        except httpx.HTTPError as e:
            raise OidcError("provider-unreachable", f"{url}: {type(e).__name__}") from e
        if resp.status_code != 200:
            raise OidcError("provider-error", f"{url}: HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError as e:
            raise OidcError("provider-error", f"{url}: not JSON") from e
        if not isinstance(data, dict):
            raise OidcError("provider-error", f"{url}: not a JSON object")
        return data

    def _fresh(self, entry: _Cached | None) -> bool:
        return entry is not None and time.monotonic() - entry.fetched < self.settings.cache_seconds

    async def discovery(self, cfg: ProviderConfig) -> dict[str, Any]:
        entry = self._discovery.get(cfg.id)
        if entry is not None and self._fresh(entry):
            cached: dict[str, Any] = entry.value
            return cached
        doc = await self._get_json(f"{cfg.issuer}/.well-known/openid-configuration")
        # Discovery §4.3: the document's issuer must be exactly the one configured.
        if str(doc.get("issuer", "")).rstrip("/") != cfg.issuer:
            raise OidcError("bad-discovery", f"issuer {doc.get('issuer')!r} is not {cfg.issuer!r}")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(doc.get(name), str) or not doc[name]:
                raise OidcError("bad-discovery", f"no {name}")
        self._discovery[cfg.id] = _Cached(doc, time.monotonic())
        return doc

    async def key_set(self, cfg: ProviderConfig, *, refresh: bool = False) -> KeySet:
        entry = self._jwks.get(cfg.id)
        if entry is not None and not refresh and self._fresh(entry):
            cached: KeySet = entry.value
            return cached
        if entry is not None and refresh and time.monotonic() - entry.fetched < _JWKS_MIN_REFRESH:
            cached = entry.value
            return cached
        doc = await self.discovery(cfg)
        raw = await self._get_json(str(doc["jwks_uri"]))
        try:
            keys = KeySet.import_key_set(raw)  # type: ignore[arg-type]
        except (JoseError, ValueError, KeyError, TypeError) as e:
            raise OidcError("bad-jwks", str(e)) from e
        self._jwks[cfg.id] = _Cached(keys, time.monotonic())
        return keys

    # -- the flow ------------------------------------------------------------------------

    async def begin_sign_in(self, cfg: ProviderConfig, redirect_uri: str) -> tuple[str, PendingSignIn]:
        """(URL to send the browser to, what the flow must keep)."""
        doc = await self.discovery(cfg)
        pending = PendingSignIn(cfg.id, secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                                secrets.token_urlsafe(48), redirect_uri)
        challenge = _b64url(hashlib.sha256(pending.verifier.encode()).digest())
        query = urlencode({
            "response_type": "code", "client_id": cfg.client_id, "redirect_uri": redirect_uri,
            "scope": " ".join(cfg.scopes), "state": pending.state, "nonce": pending.nonce,
            "code_challenge": challenge, "code_challenge_method": "S256",
        })
        endpoint = str(doc["authorization_endpoint"])
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", pending

    async def finish(self, pending: PendingSignIn, code: str, now: float) -> VerifiedIdentity:
        """Exchange ``code`` (with the PKCE verifier) and verify the ID token."""
        cfg = self.providers.get(pending.provider)
        if cfg is None:
            raise OidcError("unknown-provider", pending.provider)
        doc = await self.discovery(cfg)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": pending.redirect_uri,
                "code_verifier": pending.verifier}
        try:
            resp = await self.http().post(str(doc["token_endpoint"]), data=form,
                                          auth=(cfg.client_id, cfg.client_secret),
                                          headers={"Accept": "application/json"})
        except httpx.TimeoutException as e:
            raise OidcError("provider-timeout", "token endpoint") from e
        except httpx.HTTPError as e:
            raise OidcError("provider-unreachable", f"token endpoint: {type(e).__name__}") from e
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code != 200 or not isinstance(body, dict):
            err = body.get("error", "") if isinstance(body, dict) else ""
            raise OidcError("code-refused", f"HTTP {resp.status_code} {err}".strip())
        id_token = body.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise OidcError("bad-token", "no id_token in the token response")
        claims = await self.verify_id_token(cfg, id_token, pending.nonce, now)
        return VerifiedIdentity(cfg.id, cfg.issuer, str(claims["sub"]), claims)

    async def verify_id_token(self, cfg: ProviderConfig, id_token: str, nonce: str, now: float) -> dict[str, Any]:
        keys = await self.key_set(cfg)
        try:
            token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
        except JoseError as e:
            # An unknown kid may mean the provider rotated its keys: refetch once.
            if "kid" in str(e).lower() or type(e).__name__ in ("InvalidKeyIdError",):
                keys = await self.key_set(cfg, refresh=True)
                try:
                    token = jwt.decode(id_token, keys, algorithms=list(ALGORITHMS))
                except JoseError as e2:
                    raise OidcError("bad-token", f"signature: {type(e2).__name__}") from e2
            else:
                raise OidcError("bad-token", f"signature: {type(e).__name__}") from e
        except (ValueError, TypeError) as e:
            raise OidcError("bad-token", f"malformed: {type(e).__name__}") from e
        claims: dict[str, Any] = dict(token.claims)
        registry = jwt.JWTClaimsRegistry(
            now=int(now), leeway=LEEWAY,
            iss={"essential": True, "value": cfg.issuer},
            aud={"essential": True, "value": cfg.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except JoseError as e:
            raise OidcError("bad-token", f"claims: {type(e).__name__}: {e}") from e
        aud = claims.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != cfg.client_id:
            raise OidcError("bad-token", "claims: azp is not our client id")
        iat = claims.get("iat")
        if isinstance(iat, int | float) and iat > now + LEEWAY:
            raise OidcError("bad-token", "claims: issued in the future")
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub or len(sub) > 255:
            raise OidcError("bad-token", "claims: unusable sub")
        return claims

    # -- the state index: lets the return page find a flow without a session cookie ---------

    def _state_key(self, state: str) -> str:
        return "oidc:state:" + hashlib.sha256(state.encode()).hexdigest()

    async def remember_state(self, state: str, return_url: str) -> None:
        await self.kv.set(self._state_key(state), json.dumps({"return": return_url}).encode(),
                                   self.settings.flow_seconds)

    async def return_url_for(self, state: str) -> str | None:
        raw = await self.kv.get(self._state_key(state)) if state else None
        if raw is None:
            return None
        try:
            url = json.loads(raw).get("return")
        except (ValueError, AttributeError):
            return None
        return url if isinstance(url, str) and url else None

    async def consume_state(self, state: str) -> bool:
        """True exactly once per state, on any worker or host (a replayed return is refused)."""
        key = self._state_key(state)
        if await self.kv.get(key) is None:
            return False
        return await self.kv.add(key + ":used", b"1", self.settings.flow_seconds)

    async def forget_state(self, state: str) -> None:
        await self.kv.delete(self._state_key(state))


# -- linked identities -------------------------------------------------------------------------

@dataclass(frozen=True)
class LinkedIdentity:
    user_id: int
    provider: str
    issuer: str
    subject: str
    created: str


class IdentityLinkExists(Exception):
    """The (provider, subject) pair is linked to an account already."""


class ExternalIdentityStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    @staticmethod
    def _row(r: Any) -> LinkedIdentity:
        return LinkedIdentity(int(r.ei_user), str(r.ei_provider), str(r.ei_issuer), str(r.ei_subject),
                              str(r.ei_created))

    async def find(self, provider: str, subject: str) -> LinkedIdentity | None:
        def q(conn: Connection) -> LinkedIdentity | None:
            r = conn.execute(select(external_identity).where(external_identity.c.ei_provider == provider)
                             .where(external_identity.c.ei_subject == subject)).first()
            return self._row(r) if r is not None else None

        return await self.db.run(q)

    async def for_user(self, user_id: int) -> list[LinkedIdentity]:
        def q(conn: Connection) -> list[LinkedIdentity]:
            rows = conn.execute(select(external_identity).where(external_identity.c.ei_user == user_id)
                                .order_by(external_identity.c.ei_id)).all()
            return [self._row(r) for r in rows]

        return await self.db.run(q)

    def link_in(self, conn: Connection, user_id: int, provider: str, issuer: str, subject: str) -> None:
        """Insert in the caller's transaction; IntegrityError if the subject is taken."""
        conn.execute(insert(external_identity).values(
            ei_user=user_id, ei_provider=provider, ei_issuer=issuer, ei_subject=subject,
            ei_created=mw_timestamp(self.clock.time())))

    async def link(self, user_id: int, provider: str, issuer: str, subject: str) -> None:
        try:
            await self.db.run(lambda conn: self.link_in(conn, user_id, provider, issuer, subject))
        except IntegrityError:
            raise IdentityLinkExists(f"{provider}:{subject}") from None

    async def unlink(self, user_id: int, provider: str, subject: str) -> bool:
        def q(conn: Connection) -> bool:
            res = conn.execute(delete(external_identity).where(external_identity.c.ei_user == user_id)
                               .where(external_identity.c.ei_provider == provider)
                               .where(external_identity.c.ei_subject == subject))
            return bool(res.rowcount)

        return await self.db.run(q)
