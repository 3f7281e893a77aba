"""Typed records of the flow engine and their storage form.

A running login, account creation or account link is ONE :class:`FlowRecord`, written to
the key-value store as one JSON document with an expiry (Kratos ``login/flow.go``). The
record carries a format version: a record of another version (one written before this
engine, or by a newer one) is *stale* and reads as "no flow in progress" — never an error.

Authentication requests inside a record are stored by their registered type key and
restored through the :class:`~wikigate.auth.flow.registry.RequestTypes` table built at
start: nothing named in a stored record is ever imported. Sensitive field values
(passwords) are blanked before a record is written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wikigate.auth.requests import AuthenticationRequest, CreateFromLoginAuthenticationRequest
from wikigate.i18n import Duration, Message, Num, Plaintext, RawMessage

if TYPE_CHECKING:
    from wikigate.auth.flow.registry import RequestTypes

#: Version of the stored record format; records of any other version are stale.
FORMAT = 2

KIND_LOGIN = "login"
KIND_CREATE = "create"
KIND_LINK = "link"
KINDS = (KIND_LOGIN, KIND_CREATE, KIND_LINK)


class StaleFlow(Exception):
    """A stored record that this engine cannot continue (old format, unknown request
    type after a configuration change, expired, corrupt): the flow is not in progress."""


# -- messages ----------------------------------------------------------------------------

def dump_message(msg: Message) -> dict[str, Any]:
    return {"k": msg.key, "r": isinstance(msg, RawMessage), "p": [_dump_param(p) for p in msg.params]}


def _dump_param(p: Any) -> Any:
    if isinstance(p, Message):
        return {"m": dump_message(p)}
    if isinstance(p, Num):
        return {"num": p.value}
    if isinstance(p, Duration):
        return {"duration": p.seconds}
    if isinstance(p, Plaintext):
        return {"plaintext": p.value}
    if p is None or isinstance(p, str | int | float | bool):
        return {"v": p}
    return {"v": str(p)}


def load_message(data: dict[str, Any]) -> Message:
    params = tuple(_load_param(p) for p in data.get("p", []))
    return (RawMessage if data.get("r") else Message)(data["k"], params)


def _load_param(p: dict[str, Any]) -> Any:
    if "m" in p:
        return load_message(p["m"])
    if "num" in p:
        return Num(p["num"])
    if "duration" in p:
        return Duration(p["duration"])
    if "plaintext" in p:
        return Plaintext(p["plaintext"])
    return p.get("v")


# -- requests ----------------------------------------------------------------------------

def dump_req(req: AuthenticationRequest, types: RequestTypes) -> dict[str, Any]:
    """The request as stored: its registered type key and its state minus secrets."""
    if isinstance(req, CreateFromLoginAuthenticationRequest):
        return {"t": types.key(req), "d": {"username": req.username, "action": req.action},
                "create": dump_req(req.create_request, types) if req.create_request is not None else None,
                "link": [dump_req(r, types) for r in req.maybe_link]}
    state = req.serialize_state()
    for name, info in req.fields().items():
        if info.sensitive and name in state:
            state[name] = None
    for name in ("password", "retype"):
        if name in state:
            state[name] = None
    return {"t": types.key(req), "d": state}


def load_req(data: dict[str, Any], types: RequestTypes) -> AuthenticationRequest:
    """Rebuild a stored request; :class:`StaleFlow` if its type is not registered."""
    try:
        cls = types.get(str(data["t"]))
        state = dict(data["d"])
    except (KeyError, TypeError, ValueError) as e:
        raise StaleFlow(f"unusable stored request: {e}") from None
    req = cls.__new__(cls)
    AuthenticationRequest.__init__(req)
    if isinstance(req, CreateFromLoginAuthenticationRequest):
        create = data.get("create")
        req.create_request = load_req(create, types) if create else None
        req.maybe_link = [load_req(r, types) for r in data.get("link") or []]
        req.required = type(req).required
    req.restore_state(state)
    return req


def _dump_reqs(reqs: list[AuthenticationRequest], types: RequestTypes) -> list[dict[str, Any]]:
    return [dump_req(r, types) for r in reqs]


def _load_reqs(data: Any, types: RequestTypes) -> list[AuthenticationRequest]:
    if not isinstance(data, list):
        raise StaleFlow("request list expected")
    return [load_req(d, types) for d in data]


@dataclass
class NewAccount:
    """The account being created (MediaWiki's unsaved User object)."""

    name: str
    email: str = ""
    real_name: str = ""
    #: The user id, set by the unit-of-work step that inserts the user row (0 before).
    id: int = 0


# -- the flow record ---------------------------------------------------------------------

@dataclass
class FlowRecord:
    """The state of one multi-step flow (login, create or link), between two requests."""

    kind: str
    #: Clock time after which the record is void (also the key-value store's TTL).
    expires: float
    return_url: str | None = None
    #: unique_id of the primary provider that took the flow (None: not chosen yet).
    primary: str | None = None
    #: The primary provider has answered PASS.
    primary_done: bool = False
    #: The name the primary PASS reported (login: may be None → RESTART).
    primary_username: str | None = None
    #: Secondary providers that started: unique_id → finished.
    secondary: dict[str, bool] = field(default_factory=dict)
    #: The requests of the first step (secondaries begin with these).
    begin_reqs: list[AuthenticationRequest] = field(default_factory=list)
    #: The requests the client must answer next (``*-continue`` lists them).
    continue_reqs: list[AuthenticationRequest] = field(default_factory=list)
    #: Authentication session data of the providers (``manager.set_flow_data``).
    data: dict[str, Any] = field(default_factory=dict)
    #: Login: the user name the submitted requests agree on.
    guess: str | None = None
    #: Create: the new account's name; link: the linking user's name.
    username: str | None = None
    #: Create: the new user's id once its row exists; link: the linking user's id.
    user_id: int = 0
    creator_id: int = 0
    creator_name: str = ""
    ran_pretests: bool = False
    email: str = ""
    real_name: str = ""
    #: Link requests of a third-party identity kept for a later link (MediaWiki maybeLink).
    maybe_link: list[AuthenticationRequest] = field(default_factory=list)

    def to_json(self, types: RequestTypes) -> bytes:
        doc = {
            "v": FORMAT, "kind": self.kind, "exp": self.expires, "ret": self.return_url,
            "pri": self.primary, "pri_done": self.primary_done, "pri_user": self.primary_username,
            "sec": self.secondary, "reqs": _dump_reqs(self.begin_reqs, types),
            "cont": _dump_reqs(self.continue_reqs, types), "data": self.data, "guess": self.guess,
            "user": self.username, "uid": self.user_id, "cid": self.creator_id, "cname": self.creator_name,
            "pre": self.ran_pretests, "email": self.email, "real": self.real_name,
            "link": _dump_reqs(self.maybe_link, types),
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes, kind: str, types: RequestTypes, now: float) -> FlowRecord:
        """The stored record; :class:`StaleFlow` for anything this engine cannot continue."""
        try:
            d = json.loads(raw)
        except ValueError:
            raise StaleFlow("not JSON") from None
        if not isinstance(d, dict) or d.get("v") != FORMAT:
            raise StaleFlow("record of another format")
        if d.get("kind") != kind:
            raise StaleFlow("record of another kind")
        try:
            expires = float(d["exp"])
            if expires <= now:
                raise StaleFlow("expired")
            return cls(
                kind=kind, expires=expires, return_url=d.get("ret"), primary=d.get("pri"),
                primary_done=bool(d.get("pri_done")), primary_username=d.get("pri_user"),
                secondary={str(k): bool(v) for k, v in (d.get("sec") or {}).items()},
                begin_reqs=_load_reqs(d.get("reqs") or [], types),
                continue_reqs=_load_reqs(d.get("cont") or [], types),
                data=dict(d.get("data") or {}), guess=d.get("guess"), username=d.get("user"),
                user_id=int(d.get("uid") or 0), creator_id=int(d.get("cid") or 0),
                creator_name=str(d.get("cname") or ""), ran_pretests=bool(d.get("pre")),
                email=str(d.get("email") or ""), real_name=str(d.get("real") or ""),
                maybe_link=_load_reqs(d.get("link") or [], types),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise StaleFlow(f"corrupt record: {e}") from None


def dump_preserved(req: CreateFromLoginAuthenticationRequest, types: RequestTypes) -> dict[str, Any]:
    """The preserved state of a login for ``preservestate`` (kept in the session data)."""
    return {"v": FORMAT, "req": dump_req(req, types)}


def load_preserved(data: Any, types: RequestTypes) -> CreateFromLoginAuthenticationRequest | None:
    if not isinstance(data, dict) or data.get("v") != FORMAT:
        return None
    try:
        req = load_req(data["req"], types)
    except (StaleFlow, KeyError, TypeError):
        return None
    return req if isinstance(req, CreateFromLoginAuthenticationRequest) else None
