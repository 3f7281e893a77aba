"""ID-token verification (auth/oidc.py): every check refuses on its own.

The tokens are minted here with joserfc and a key set served from a real HTTP server on
127.0.0.1 (a tiny JSON endpoint, so key rotation can be shown); the end-to-end flow with a
real provider is in tests/api/test_oidc.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from tests.conftest import make_settings
from wikigate.app import build_services
from wikigate.auth.oidc import OidcError, OidcService
from wikigate.config import ConfigError, OidcSettings, ProviderConfig, load_settings, provider_configs

NONCE = "n-0S6_WzA2Mj"
CLIENT = "wikigate-client"


class _Issuer:
    def __init__(self) -> None:
        self.keys = [RSAKey.generate_key(2048, parameters={"kid": "k1"})]
        self.jwks_hits = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    body: dict[str, Any] = {"issuer": owner.url, "authorization_endpoint": owner.url + "/auth",
                                            "token_endpoint": owner.url + "/token", "jwks_uri": owner.url + "/jwks"}
                elif self.path == "/jwks":
                    owner.jwks_hits += 1
                    body = KeySet(list(owner.keys)).as_dict(private=False)
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                raw = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, key: Any = None, header: dict[str, Any] | None = None, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": self.url, "aud": CLIENT, "sub": "user-1", "iat": now, "exp": now + 300, "nonce": NONCE}
        body.update(claims)
        for k in [k for k, v in body.items() if v is None]:
            del body[k]
        key = key or self.keys[0]
        return jwt.encode(header or {"alg": "RS256", "kid": key.kid}, body, key)


@pytest.fixture
def issuer() -> Iterator[_Issuer]:
    i = _Issuer()
    yield i
    i.server.shutdown()


@pytest.fixture
def service(tmp_path: Path, issuer: _Issuer) -> OidcService:
    s = make_settings(tmp_path, oidc__allow_insecure_http=True, oidc__providers={
        "p": {"issuer": issuer.url, "client_id": CLIENT, "client_secret": "secret-secret"}})
    return build_services(s).oidc


def _cfg(service: OidcService) -> ProviderConfig:
    return service.providers["p"]


async def _verify(service: OidcService, token: str, nonce: str = NONCE, now: float | None = None) -> dict[str, Any]:
    return await service.verify_id_token(_cfg(service), token, nonce, time.time() if now is None else now)


async def test_a_good_token_passes(service: OidcService, issuer: _Issuer) -> None:
    claims = await _verify(service, issuer.token())
    assert claims["sub"] == "user-1"
    await service.stop()


@pytest.mark.parametrize("claims", [
    {"aud": "someone-else"}, {"aud": None}, {"iss": "https://evil.example"}, {"iss": None},
    {"nonce": "another-nonce"}, {"nonce": None}, {"exp": int(time.time()) - 3600}, {"exp": None},
    {"sub": None}, {"iat": int(time.time()) + 3600},
    {"aud": [CLIENT, "other"]},  # several audiences without azp = us
])
async def test_each_claim_check_refuses(service: OidcService, issuer: _Issuer, claims: dict[str, Any]) -> None:
    with pytest.raises(OidcError) as e:
        await _verify(service, issuer.token(**claims))
    assert e.value.reason == "bad-token"
    await service.stop()


async def test_expiry_uses_the_service_clock(service: OidcService, issuer: _Issuer) -> None:
    token = issuer.token()
    await _verify(service, token, now=time.time() + 300)  # within the 60 s leeway
    with pytest.raises(OidcError):
        await _verify(service, token, now=time.time() + 400)
    await service.stop()


async def test_signature_by_another_key_is_refused(service: OidcService, issuer: _Issuer) -> None:
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # same kid, wrong key
    with pytest.raises(OidcError):
        await _verify(service, issuer.token(key=stranger))
    await service.stop()


async def test_none_and_hmac_algorithms_are_refused(service: OidcService, issuer: _Issuer) -> None:
    secret = OctKey.import_key(b"secret-secret-secret-secret-0123")
    with pytest.raises(OidcError):
        await _verify(service, issuer.token(key=secret, header={"alg": "HS256"}))
    good = issuer.token().split(".")
    unsigned_header = "eyJhbGciOiJub25lIn0"  # {"alg":"none"}
    with pytest.raises(OidcError):
        await _verify(service, f"{unsigned_header}.{good[1]}.")
    with pytest.raises(OidcError):
        await _verify(service, "not-a-jwt")
    await service.stop()


async def test_key_rotation_refreshes_the_key_set_once(service: OidcService, issuer: _Issuer) -> None:
    await _verify(service, issuer.token())
    assert issuer.jwks_hits == 1
    new = RSAKey.generate_key(2048, parameters={"kid": "k2"})
    issuer.keys = [new]
    import wikigate.auth.oidc as mod
    mod._JWKS_MIN_REFRESH = 0.0
    try:
        claims = await _verify(service, issuer.token(key=new))
    finally:
        mod._JWKS_MIN_REFRESH = 30.0
    assert claims["sub"] == "user-1" and issuer.jwks_hits == 2
    await service.stop()


async def test_discovery_must_name_the_configured_issuer(tmp_path: Path, issuer: _Issuer) -> None:
    other = issuer.url.replace("127.0.0.1", "localhost")
    s = make_settings(tmp_path, oidc__allow_insecure_http=True, oidc__providers={
        "p": {"issuer": other, "client_id": CLIENT, "client_secret": "x"}})
    svc = build_services(s).oidc
    with pytest.raises(OidcError) as e:
        await svc.discovery(svc.providers["p"])
    assert e.value.reason in ("bad-discovery", "provider-unreachable")
    await svc.stop()


def test_provider_settings_are_checked(tmp_path: Path) -> None:
    def check(providers: dict[str, Any], insecure: bool = False) -> None:
        provider_configs(OidcSettings(providers=providers, allow_insecure_http=insecure))

    ok = {"issuer": "https://id.example.org/", "client_id": "a", "client_secret": "b"}
    check({"ex": ok})
    assert provider_configs(OidcSettings(providers={"ex": ok}))[0].issuer == "https://id.example.org"
    for bad in ({"bad id": ok}, {"ex": {**ok, "issuer": "http://id.example.org"}},
                {"ex": {**ok, "client_secret": ""}}, {"ex": {**ok, "scopes": ["email"]}},
                {"ex": {**ok, "colour": "red"}}):
        with pytest.raises(ValueError):
            check(bad)
    check({"ex": {**ok, "issuer": "http://127.0.0.1:1"}}, insecure=True)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[oidc.providers.ex]\nissuer = "http://x"\nclient_id = "a"\nclient_secret = "b"\n')
    with pytest.raises(ConfigError, match=r"oidc\.providers\.ex\.issuer"):
        load_settings(cfg, environ={})
