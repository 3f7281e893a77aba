"""The fuzzer: catalogue from ``action=paraminfo``, request generator, checks, runner.

A run is a pure function of its seed: requests are generated from one
``random.Random(seed)`` without looking at responses (tokens are placeholders filled in
when sending), so ``--seed N --start I --requests 1`` replays request I of a run.

Each request is sent in one of two sessions — anonymous (cookies dropped every 100
requests), or a sysop with valid tokens (re-created whenever the fuzzer itself logged it
out, renamed it or took its rights) — and checked:

* HTTP status below 500, and no ``internal_api_error_*`` anywhere in the body;
* the body well-formed in the format it was asked for (:mod:`tests.fuzz.checks`);
* answered within :func:`slow_seconds` (a slow request is sent again once, so a
  scheduler hiccup on a shared machine is not reported; a slow *input* is slow twice);
* nothing logged at ERROR level or with a traceback while it was served.

A failing request is shrunk (parameters removed one at a time while it still fails the
same way) and reported with a replayable description.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from tests.fuzz import checks
from tests.fuzz import values as V
from tests.fuzz.values import RawValue, Token, Value


def slow_seconds() -> float:
    """1 s per request; 3 s while coverage traces the in-process server (.ci/run's plain
    step measures it): line tracing makes the pure-Python request path about 2-3x slower,
    and a limit meant for the server would then measure the tracer."""
    try:
        from coverage import Coverage
    except ImportError:
        return 1.0
    return 3.0 if Coverage.current() is not None else 1.0


SYSOP_PASSWORD = "FuzzSysopPassw0rd!2026"

FORMATS = ["json", "jsonfm", "none", "php", "phpfm", "rawfm", "xml", "xmlfm"]
FORMAT_WEIGHTS = [34, 8, 4, 12, 5, 4, 22, 6]
ERRORFORMATS = ["bc", "html", "none", "plaintext", "raw", "wikitext"]
#: Fields AuthManager modules take besides their declared parameters (dynamic parameters).
AUTH_FIELDS: dict[str, list[Value]] = {
    "username": ["Admin", "Fuzzsysop1", "New user", "Nobody", "127.0.0.1", "a" * 300, "Foo@bar", "#1"],
    "password": V.PASSWORDS, "retype": V.PASSWORDS, "email": ["a@b.test", "not-an-email", ""],
    "realname": ["Real Name", ""], "rememberMe": ["1", ""], "loginreturnurl": V.URLS, "createreturnurl": V.URLS,
    "linkreturnurl": V.URLS, "returnurl": V.URLS, "OATHToken": ["123456", "", "x" * 100],
    "captchaWord": ["x", ""], "captchaId": ["1", "bogus"], "newpassword": V.PASSWORDS,
}
AUTH_MODULES = {"clientlogin", "createaccount", "linkaccount", "changeauthenticationdata",
                "removeauthenticationdata", "unlinkaccount"}

WEB_TITLES: list[Value] = [
    "Special:BotPasswords", "Special:BotPasswords/fuzzapp", "Special:BotPasswords/" + "x" * 300,
    "Special:RunJobs", "Special:UserLogin", "Special:CreateAccount", "Special:UserLogout",
    "Special:ChangePassword", "Special:PasswordReset", "Special:Preferences", "Special:Version",
    "Special:ChangeCredentials", "Special:RemoveCredentials", "Special:OATH", "Special:Nonexistent",
    "Special:botpasswords", "special:BotPasswords", "Special:BotPasswords/../x",
]
WEB_ACTIONS = ["view", "edit", "submit", "history", "raw", "protect", "unprotect", "info", "delete", "watch",
               "purge", "render", "markpatrolled", "bogus", ""]
WEB_FIELDS: dict[str, list[Value]] = {
    "wpName": V.USERS, "wpPassword": V.PASSWORDS, "wpRetype": V.PASSWORDS, "wpAppId": ["fuzzapp", "", "a" * 40],
    "wpGrants[]": ["basic", "highvolume", "editpage", "bogus"], "wpRestrictions": ['{"IPAddresses":["0.0.0.0/0"]}',
                                                                                  "{", '{"IPAddresses":5}'],
    "wpSave": ["1"], "wpDelete": ["1"], "wpReset": ["1"], "wpEditToken": ["+\\", "bogus"],
    "returnto": V.TITLES, "returntoquery": ["a=b", "%zz"], "uselang": V.LANGS, "useskin": ["vector", "x"],
    "oldid": ["1", "0", "-1", "9" * 30], "diff": ["prev", "next", "1"], "curid": ["1", "9" * 30],
    "redirect": ["no"], "printable": ["yes"], "search": ["Foo"], "max": ["5", "9" * 30], "secret": ["x"],
}


# -- catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamSpec:
    name: str  # as sent: prefix + name
    type: str | tuple[str, ...]
    multi: bool = False
    required: bool = False
    min: int | None = None
    max: int | None = None
    highmax: int | None = None
    tokentype: str | None = None
    allspecifier: str | None = None
    base: str = ""  # the name without the module prefix, as paraminfo lists it


@dataclass(frozen=True)
class ModuleSpec:
    path: str
    name: str
    group: str  # action | list | prop | meta
    mustbeposted: bool
    params: tuple[ParamSpec, ...]


@dataclass
class Catalogue:
    main: ModuleSpec
    actions: dict[str, ModuleSpec]
    query: dict[str, ModuleSpec]

    @classmethod
    def from_paraminfo(cls, main: dict[str, Any], modules: list[dict[str, Any]]) -> Catalogue:
        query_groups: dict[str, str] = {}
        for m in modules:
            if m["path"] == "query":
                for p in m["parameters"]:
                    if p["name"] in ("list", "prop", "meta") and isinstance(p["type"], list):
                        query_groups.update({sub: p["name"] for sub in p["type"]})
        actions: dict[str, ModuleSpec] = {}
        query: dict[str, ModuleSpec] = {}
        for m in modules:
            head, _, sub = m["path"].partition("+")
            spec = _module(m, query_groups.get(sub, "action") if sub else "action")
            if sub:
                query[sub] = spec
            else:
                actions[head] = spec
        return cls(_module(main, "main"), actions, query)


def _module(m: dict[str, Any], group: str) -> ModuleSpec:
    prefix = m.get("prefix", "")
    params = tuple(
        ParamSpec(
            name=prefix + p["name"],
            type=tuple(str(t) for t in p["type"]) if isinstance(p["type"], list) else p["type"],
            multi=bool(p.get("multi")), required=bool(p.get("required")), min=p.get("min"), max=p.get("max"),
            highmax=p.get("highmax"), tokentype=p.get("tokentype"), allspecifier=p.get("allspecifier"),
            base=p["name"])
        for p in m["parameters"])
    return ModuleSpec(m["path"], m["name"], group, bool(m.get("mustbeposted")), params)


# -- requests ----------------------------------------------------------------------------------


@dataclass
class FuzzRequest:
    index: int
    endpoint: str
    method: str  # GET | POST
    encoding: str  # query | urlencoded | multipart
    params: list[tuple[str, RawValue]]
    session: str  # anon | sysop
    cookies: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def module(self) -> str:
        if self.endpoint != "/api.php":
            return "index.php"
        action = self.action()
        if action == "query":
            subs = [f"{k}={_text(v)}" for k, v in self.params if k in ("list", "prop", "meta", "generator")]
            return "query&" + "&".join(subs) if subs else "query"
        return action

    def last(self, name: str) -> RawValue | None:
        """The value the server sees: the last occurrence wins, and ``name[]`` (PHP's array
        syntax, "unsupported") makes the parameter an array, which reads as :data:`ARRAY`."""
        found: RawValue | None = None
        for k, v in self.params:
            if k == name:
                found = v
            elif k == name + "[]":
                found = ARRAY
        return found

    def action(self) -> str:
        a = self.last("action")
        return "help" if a is None or a is ARRAY else (_text(a) or "")

    def format(self) -> str:
        """The output format the server should use (an invalid one falls back to jsonfm)."""
        if self.endpoint != "/api.php":
            return "html"
        f = _text(self.last("format"))
        return f if f in FORMATS else "jsonfm"

    def describe(self, limit: int = 120) -> str:
        def show(v: RawValue) -> str:
            if isinstance(v, Token):
                return f"<{'broken ' if v.broken else ''}{v.kind} token>"
            r = repr(v)
            return r if len(r) <= limit else f"{r[:limit]}…({len(v)} {'bytes' if isinstance(v, bytes) else 'chars'})"
        ps = " ".join(f"{k}={show(v)}" for k, v in self.params)
        extra = f" cookies={self.cookies!r}" if self.cookies else ""
        return f"#{self.index} {self.method} {self.endpoint} ({self.encoding}, {self.session}) {ps}{extra}"


ARRAY = "\x00[array]"  # a parameter sent in PHP array syntax (never a generated value)


def _text(v: RawValue | None) -> str | None:
    if v is None or isinstance(v, Token) or v is ARRAY:
        return None
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


class Generator:
    """Draws requests from the catalogue; every choice comes from ``rng``."""

    def __init__(self, cat: Catalogue, rng: random.Random, *, api_share: float = 0.9) -> None:
        self.cat = cat
        self.rng = rng
        self.api_share = api_share
        self.actions = sorted(cat.actions)
        # query is by far the biggest surface (11 submodules): a third of API requests.
        self.action_weights = [len(self.actions) // 2 if a == "query" else 1 for a in self.actions]
        self.main_params = {p.name: p for p in cat.main.params}

    def next(self, index: int) -> FuzzRequest:
        if self.rng.random() < self.api_share:
            return self._api(index)
        return self._web(index)

    # api.php ---------------------------------------------------------------------------------

    def _api(self, index: int) -> FuzzRequest:
        rng = self.rng
        session = "sysop" if rng.random() < 0.5 else "anon"
        action = rng.choices(self.actions, self.action_weights)[0]
        mod = self.cat.actions[action]
        params: list[tuple[str, RawValue]] = [("action", action)]
        posted = mod.mustbeposted
        specs: list[tuple[str, ParamSpec]] = [(action, p) for p in mod.params if p.name not in ("list", "prop", "meta")]
        if action == "query":
            subs = rng.sample(sorted(self.cat.query), rng.choice([1, 1, 1, 2, 3]))
            for group in ("list", "prop", "meta"):
                names = [s for s in subs if self.cat.query[s].group == group]
                if names:
                    params.append((group, "|".join(names)))
            for s in subs:
                specs += [(s, p) for p in self.cat.query[s].params]
            if rng.random() < 0.15:
                gens = [s for s in self.cat.query if self.cat.query[s].group in ("list", "prop")]
                g = rng.choice(gens)
                params.append(("generator", g))
                specs += [(g, ParamSpec("g" + p.name, p.type, p.multi, p.required, p.min, p.max, p.highmax,
                                        base=p.base)) for p in self.cat.query[g].params]
            specs = [(m, p) for m, p in specs if p.name != "generator"]
        for module, p in specs:
            if p.tokentype is not None or p.name.endswith("token"):
                if rng.random() < 0.92:
                    params.append((p.name, self._token(p)))
                continue
            chance = 0.85 if p.required else 0.35
            if rng.random() < chance:
                params.append((p.name, self._value(module, p)))
        if action in AUTH_MODULES:
            for name, pool in AUTH_FIELDS.items():
                if rng.random() < 0.3:
                    params.append((name, rng.choice(pool) if rng.random() < 0.85 else V.junk(rng)))
        self._main(params)
        if rng.random() < 0.06 and len(params) > 1:  # a duplicated parameter, another value
            name, _ = rng.choice(params)
            params.insert(rng.randrange(len(params) + 1), (name, V.junk(rng)))
        if rng.random() < 0.04:  # an unknown parameter
            params.append((rng.choice(["bogus", "Action", "action[]", "format[]", "", "\x1f", "a" * 300]), V.junk(rng)))
        rng.shuffle(params) if rng.random() < 0.1 else None
        method, encoding = self._transport(posted)
        return FuzzRequest(index, "/api.php", method, encoding, params, session, self._cookies(session))

    def _main(self, params: list[tuple[str, RawValue]]) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.93:
            params.append(("format", rng.choices(FORMATS, FORMAT_WEIGHTS)[0]))
        elif r < 0.97:
            params.append(("format", V.junk(rng)))
        fv = rng.random()
        if fv < 0.45:
            params.append(("formatversion", "2"))
        elif fv < 0.55:
            params.append(("formatversion", rng.choice(["1", "latest", "3", "0", "-1", "9" * 30, ""])))
        for name, chance, pool in (
            ("errorformat", 0.35, ERRORFORMATS), ("errorlang", 0.1, V.LANGS), ("uselang", 0.12, V.LANGS),
            ("utf8", 0.15, ["1"]), ("ascii", 0.08, ["1"]), ("includexmlnamespace", 0.05, ["1"]),
            ("callback", 0.04, ["cb", "a.b[0]$", "<x>", "é", ""]), ("requestid", 0.08, ["r1", "<x&y>", "é"]),
            ("curtimestamp", 0.08, [""]), ("servedby", 0.05, [""]), ("responselanginfo", 0.05, [""]),
            ("errorsuselocal", 0.03, [""]), ("assert", 0.05, ["user", "bot", "anon", "sysop"]),
            ("assertuser", 0.04, V.USERS), ("maxlag", 0.02, ["-1", "0", "5", "9" * 30]),
            ("smaxage", 0.03, ["0", "60", "9" * 30, "-5"]), ("maxage", 0.03, ["0", "60", "9" * 30]),
            ("origin", 0.02, ["*", "http://wiki.test", "https://evil.example", ""]),
            ("wrappedhtml", 0.02, ["1"]), ("variant", 0.02, ["zh-hant", "x"]),
        ):
            if rng.random() < chance:
                params.append((name, rng.choice(pool) if rng.random() < 0.85 else V.junk(rng)))

    def _transport(self, posted: bool) -> tuple[str, str]:
        rng = self.rng
        if (posted and rng.random() < 0.92) or (not posted and rng.random() < 0.35):
            return "POST", "multipart" if rng.random() < 0.25 else "urlencoded"
        return "GET", "query"

    def _cookies(self, session: str) -> list[tuple[str, bytes]]:
        if session != "anon" or self.rng.random() > 0.03:
            return []
        pool: list[tuple[str, bytes]] = [
            ("my_wikiUserID", b"1"), ("my_wikiUserID", b"\xc3\xa9"), ("my_wikiUserID", b"9" * 30),
            ("my_wikiToken", b"\xc3\xa9"), ("my_wikiToken", b"x" * 32), ("my_wiki_session", b"bogus"),
            ("my_wikiUserName", b"Admin"), ("my_wiki_session", b"\xff"), ("my_wikiUserID", b"-1"),
        ]
        return self.rng.sample(pool, self.rng.randint(1, 3))

    def _token(self, p: ParamSpec) -> RawValue:
        kind = p.tokentype or ("login" if p.name in ("lgtoken", "logintoken") else "csrf")
        if self.rng.random() < 0.9:
            return Token(kind)
        return self.rng.choice([Token(kind, broken=True), "+\\", "", "bogus", *V.HOSTILE[:6]])

    def _value(self, module: str, p: ParamSpec) -> RawValue:
        rng = self.rng
        r = rng.random()
        if r < 0.6:
            value = self._valid(module, p)
        else:
            value = V.junk(rng)
        if p.multi and rng.random() < 0.25:
            parts = [self._valid(module, p) if rng.random() < 0.7 else V.junk(rng) for _ in range(rng.randint(2, 5))]
            if all(isinstance(x, str) for x in parts):
                strs = [x for x in parts if isinstance(x, str)]
                value = "\x1f" + "\x1f".join(strs) if rng.random() < 0.3 else "|".join(strs)
        return value

    def _valid(self, module: str, p: ParamSpec) -> Value:
        rng = self.rng
        t = p.type
        base = p.base
        if isinstance(t, tuple):
            if not t:
                return rng.choice(["", "bogus"])
            if p.multi:
                if p.allspecifier and rng.random() < 0.15:
                    return p.allspecifier
                return "|".join(rng.sample(list(t), rng.randint(1, min(3, len(t)))))
            return rng.choice(t)
        if t == "boolean":
            return rng.choice(["", "1", "0", "false"])
        if t == "limit":
            return rng.choice(["max", "1", "2", "10", "50", "500", "5000", "0", "-1"])
        if t == "integer":
            if base in ("pageid", "fromid", "pageids"):
                return str(rng.choice([1, 2, 3, 4, 5, 0, -1, 999999]))
            if base in ("revids", "baserevid", "startid", "endid", "undo", "undoafter", "oldid"):
                return str(rng.choice([1, 2, 3, 5, 8, 0, -1, 999999]))
            if p.min is not None or p.max is not None:
                lo = p.min if p.min is not None else -10
                hi = p.max if p.max is not None else lo + 1000
                return str(rng.choice([lo, hi, rng.randint(lo, hi), lo - 1, hi + 1]))
            return str(rng.choice([0, 1, 2, 5, 60, -1, 10**6, 2**31]))
        if t == "timestamp":
            return rng.choice(V.TIMESTAMPS)
        if t == "user":
            return rng.choice(V.USERS)
        if t == "password":
            return rng.choice(V.PASSWORDS)
        return self._string(module, base, p)

    def _string(self, module: str, base: str, p: ParamSpec) -> Value:
        rng = self.rng
        if base in ("title", "titles", "from", "to", "prefix", "templates", "linkcontext", "sectiontitle"):
            return rng.choice(V.TITLES) if rng.random() < 0.7 else rng.choice(V.HOSTILE_TITLES)
        if base == "expiry":
            return rng.choice(V.EXPIRIES)
        if base == "protections":
            return rng.choice(V.PROTECTIONS)
        if base in ("text", "appendtext", "prependtext"):
            return rng.choice(V.TEXTS)
        if base in ("summary", "reason", "comment"):
            return rng.choice(["fuzz", "", "[[link]] /* sec */", "a" * 600, "~~~~"])
        if base == "section":
            return rng.choice(["0", "1", "2", "new", "T-1", "x", "-1", "9" * 30, ""])
        if base == "md5":
            return rng.choice(["", "d41d8cd98f00b204e9800998ecf8427e", "zz"])
        if base in ("request", "requests"):
            return rng.choice(V.AUTH_REQUESTS)
        if base in ("returnurl", "loginreturnurl", "createreturnurl", "linkreturnurl"):
            return rng.choice(V.URLS)
        if base in ("modules", "mainmodule", "pagesetmodule"):
            mods = [*self.cat.actions, *[f"query+{q}" for q in self.cat.query]]
            return rng.choice([*mods, "*", "main", "query+*", "bogus", "json", "query+bogus", "a+b+c"])
        if base == "change":
            return rng.choice(V.OPTION_CHANGES)
        if base in ("optionname", "optionvalue"):
            return rng.choice(["language", "gender", "userjs-x", "bogus", "", "de", "x" * 300])
        if base == "continue":
            return rng.choice(V.QUERY_CONTINUES if module == "query" else V.CONTINUES)
        if base == "action":  # list=logevents&leaction
            return rng.choice(["protect/protect", "move/move", "create/create", "newusers/create", "bogus", "protect/"])
        if base == "tag":
            return rng.choice(["", "mobile edit", "bogus"])
        if base == "testactions":
            return rng.choice(["edit", "move", "protect", "edit|move|create", "bogus"])
        if base in ("users",):
            return rng.choice(V.USERS)
        if base == "email":
            return rng.choice(["a@b.test", "not-an-email", ""])
        if base in ("uselang", "errorlang", "inlanguagecode"):
            return rng.choice(V.LANGS)
        if base == "token":
            return rng.choice(["+\\", "bogus", ""])
        return rng.choice(["Foo", "x", "", "Admin", "1", "a b", "ünï"])

    # index.php -------------------------------------------------------------------------------

    def _web(self, index: int) -> FuzzRequest:
        rng = self.rng
        session = "sysop" if rng.random() < 0.5 else "anon"
        pool: list[Value] = [*WEB_TITLES, *V.TITLES, *V.HOSTILE_TITLES]
        title = rng.choice(pool) if rng.random() < 0.9 else V.junk(rng)
        params: list[tuple[str, RawValue]] = []
        style = rng.random()
        if style < 0.6:
            endpoint = "/index.php"
            params.append(("title", title))
        else:
            path = urllib.parse.quote_from_bytes(V.to_bytes(title), safe="/:")
            if len(path) < 4000:  # longer request lines are refused by any HTTP server
                endpoint = ("/index.php/" if style < 0.8 else "/wiki/") + path
            else:
                endpoint = "/index.php"
                params.append(("title", title))
        if rng.random() < 0.5:
            params.append(("action", rng.choice(WEB_ACTIONS)))
        for name, vals in WEB_FIELDS.items():
            if rng.random() < 0.12:
                params.append((name, rng.choice(vals) if rng.random() < 0.8 else V.junk(rng)))
        if rng.random() < 0.3:
            params.append(("wpEditToken", Token("csrf")))
        posted = rng.random() < 0.35
        method, encoding = ("POST", rng.choice(["urlencoded", "multipart"])) if posted else ("GET", "query")
        return FuzzRequest(index, endpoint, method, encoding, params, session, self._cookies(session))


# -- encoding ----------------------------------------------------------------------------------


def encode_urlencoded(params: list[tuple[str, Value]]) -> bytes:
    return "&".join(urllib.parse.quote_from_bytes(V.to_bytes(k), safe="") + "="
                    + urllib.parse.quote_from_bytes(V.to_bytes(v), safe="") for k, v in params).encode("ascii")


def encode_multipart(params: list[tuple[str, Value]], boundary: str) -> bytes:
    out = bytearray()
    for k, v in params:
        out += f"--{boundary}\r\n".encode()
        name = V.to_bytes(k).replace(b'"', b"%22").replace(b"\r", b"%0D").replace(b"\n", b"%0A")
        out += b'Content-Disposition: form-data; name="' + name + b'"\r\n\r\n'
        out += V.to_bytes(v) + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


# -- failures and known classes ----------------------------------------------------------------


@dataclass
class Failure:
    kind: str  # http-5xx internal-error malformed wrong-content-type slow traceback exception
    detail: str
    request: FuzzRequest
    status: int = 0
    elapsed: float = 0.0
    excerpt: str = ""
    known: str | None = None
    shrunk: FuzzRequest | None = None

    def signature(self) -> str:
        detail = re.sub(r"\d+", "N", self.detail)[:100]
        return f"{self.kind} | {self.request.module.split('&')[0]} | {detail}"


@dataclass(frozen=True)
class KnownClass:
    id: str
    owner: str
    description: str
    #: (failure, response body, what the server logged for the request) → covered?
    matches: Callable[[Failure, bytes, str], bool]


#: Failure classes owned by work in progress elsewhere, matched precisely and counted,
#: never silently (the report lists them). Empty: the fuzzer is strict about everything.
KNOWN_FIXED_ELSEWHERE: list[KnownClass] = []


def classify(f: Failure, body: bytes, log: str) -> Failure:
    for k in KNOWN_FIXED_ELSEWHERE:
        if k.matches(f, body, log):
            f.known = k.id
            break
    return f


_CONTENT_TYPES = {
    "json": "application/json", "php": "application/vnd.php.serialized", "xml": "text/xml",
    "jsonfm": "text/html", "phpfm": "text/html", "xmlfm": "text/html", "rawfm": "text/html",
}


def check_response(req: FuzzRequest, status: int, headers: httpx.Headers, body: bytes, elapsed: float,
                   log_lines: list[str]) -> list[Failure]:
    """Every property a response must have; one Failure per violated property."""
    out: list[Failure] = []

    def fail(kind: str, detail: str) -> None:
        out.append(Failure(kind, detail, req, status, elapsed, body[:300].decode("utf-8", "replace")))

    if status == 599:
        fail("connection", headers.get("x-fuzz-error", ""))
    elif status >= 500:
        fail("http-5xx", f"HTTP {status}")
    m = re.search(rb"internal_api_error_[A-Za-z0-9_]+", body)
    if m is not None:
        fail("internal-error", m.group(0).decode())
    if log_lines:
        first = next((line for line in log_lines if "Error" in line or "Exception" in line), log_lines[0])
        fail("traceback", first.strip()[:600])
    if elapsed > slow_seconds():
        fail("slow", f"{elapsed:.2f}s")
    if req.endpoint == "/api.php" and status == 200:
        fmt = req.format()
        ctype = headers.get("content-type", "").split(";")[0].strip()
        try:
            if req.action() == "help" and req.last("wrap") is None and ctype == "text/html":
                pass  # the help page is HTML whatever the format (errors use the format)
            elif fmt == "none":
                pass
            elif fmt == "json" and req.last("callback") not in (None, ARRAY):
                if ctype != "text/javascript":
                    fail("wrong-content-type", f"{fmt} → {ctype}")
                checks.check_json(body, jsonp=True)
            elif ctype != _CONTENT_TYPES[fmt]:
                fail("wrong-content-type", f"{fmt} → {ctype}")
            elif fmt == "json":
                checks.check_json(body)
            elif fmt == "xml":
                checks.check_xml(body)
            elif fmt == "php":
                checks.check_php(body)
            else:
                checks.check_fm(body, fmt[:-2])
        except checks.Malformed as e:
            fail("malformed", f"{fmt}: {e}")
    log = "\n".join(log_lines)
    return [classify(f, body, log) for f in out]


# -- targets and sessions ----------------------------------------------------------------------


class Target(Protocol):
    """Where requests go: an in-process app or a live server."""

    base_url: str

    def client(self) -> httpx.AsyncClient: ...

    def drain_log(self) -> list[str]:
        """Log lines at ERROR level or with a traceback since the last call."""
        ...

    async def make_sysop(self, name: str, password: str) -> None: ...


class Sessions:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.anon = target.client()
        self.sysop = target.client()
        self.tokens: dict[str, dict[str, str]] = {"anon": {}, "sysop": {}}
        self.sysop_name = ""
        self.generation = 0
        self.anon_uses = 0
        self.sysop_suspect = True
        self.restores = 0
        self.checks = 0

    async def close(self) -> None:
        await self.anon.aclose()
        await self.sysop.aclose()

    async def _tokens(self, client: httpx.AsyncClient) -> dict[str, str]:
        r = await client.get("/api.php", params={"action": "query", "meta": "tokens", "type": "*",
                                                 "format": "json"})
        toks = r.json()["query"]["tokens"]
        return {k[:-5]: v for k, v in toks.items()}

    async def prepare(self, req: FuzzRequest) -> httpx.AsyncClient:
        if req.session == "anon":
            if self.anon_uses % 100 == 0 or not self.tokens["anon"]:
                self.anon.cookies.clear()
                self.tokens["anon"] = await self._tokens(self.anon)
            self.anon_uses += 1
            return self.anon
        if self.sysop_suspect:
            await self._ensure_sysop()
        return self.sysop

    async def _ensure_sysop(self) -> None:
        if self.sysop_name:
            r = await self.sysop.get("/api.php", params={"action": "query", "meta": "userinfo|tokens", "type": "*",
                                                         "uiprop": "groups", "format": "json", "formatversion": "2"})
            self.checks += 1
            q = r.json()["query"]
            info = q["userinfo"]
            if info.get("name") == self.sysop_name and "sysop" in info.get("groups", []):
                self.tokens["sysop"] = {k[:-5]: v for k, v in q["tokens"].items()}
                self.sysop_suspect = False
                return
        # Logged out (or logged in as someone else): logging in again is enough, unless the
        # account lost its rights or its password; then a new sysop is made (on a live
        # server that is a CLI call, a second or two).
        if not (self.sysop_name and await self._login() and await self._is_sysop()):
            self.generation += 1
            self.restores += 1
            self.sysop_name = f"Fuzzsysop{self.generation}x{random.randrange(10**6)}"
            await self.target.make_sysop(self.sysop_name, SYSOP_PASSWORD)
            if not await self._login():
                raise RuntimeError("fuzzer: could not log the new sysop in")
        self.tokens["sysop"] = await self._tokens(self.sysop)
        self.sysop_suspect = False

    async def _login(self) -> bool:
        self.sysop.cookies.clear()
        lt = (await self._tokens(self.sysop))["login"]
        r = await self.sysop.post("/api.php", data={"action": "clientlogin", "username": self.sysop_name,
                                                    "password": SYSOP_PASSWORD, "loginreturnurl": "http://wiki.test/",
                                                    "logintoken": lt, "format": "json"})
        return bool(r.json().get("clientlogin", {}).get("status") == "PASS")

    async def _is_sysop(self) -> bool:
        r = await self.sysop.get("/api.php", params={"action": "query", "meta": "userinfo", "uiprop": "groups",
                                                     "format": "json", "formatversion": "2"})
        info = r.json()["query"]["userinfo"]
        return bool(info.get("name") == self.sysop_name and "sysop" in info.get("groups", []))

    def after(self, req: FuzzRequest, headers: httpx.Headers, body: bytes) -> None:
        """Check the sysop session before its next use if this response may have changed it:
        new cookies (login, logout, a new session), or its own name in the body (userrights
        on itself, a password change)."""
        if req.session == "sysop" and not req.cookies and (
                "set-cookie" in headers or (self.sysop_name and self.sysop_name.encode() in body)):
            self.sysop_suspect = True

    def fill(self, req: FuzzRequest) -> list[tuple[str, Value]]:
        toks = self.tokens[req.session]
        out: list[tuple[str, Value]] = []
        for k, v in req.params:
            if isinstance(v, Token):
                tok = toks.get(v.kind, toks.get("csrf", "+\\"))
                v = tok[:-3] + "0" + tok[-2:] if v.broken and len(tok) > 3 else tok
            out.append((k, v))
        return out


async def send(sessions: Sessions, req: FuzzRequest) -> tuple[int, httpx.Headers, bytes, float]:
    client = await sessions.prepare(req)
    params = sessions.fill(req)
    headers: list[tuple[bytes, bytes]] = [(b"user-agent", b"wikigate-fuzzer")]
    if req.cookies:
        headers.append((b"cookie", b"; ".join(k.encode() + b"=" + v for k, v in req.cookies)))
    url = req.endpoint
    content: bytes | None = None
    method = req.method
    if req.encoding == "query":
        qs = encode_urlencoded(params).decode("ascii")
        if len(qs) > 6000:  # servers refuse long request lines (431/400): such values go in a body
            method, content = "POST", qs.encode("ascii")
            headers.append((b"content-type", b"application/x-www-form-urlencoded"))
        else:
            url = f"{url}?{qs}" if qs else url
    elif req.encoding == "urlencoded":
        content = encode_urlencoded(params)
        headers.append((b"content-type", b"application/x-www-form-urlencoded"))
    else:
        boundary = f"fuzz{req.index:x}boundary"
        content = encode_multipart(params, boundary)
        headers.append((b"content-type", f"multipart/form-data; boundary={boundary}".encode()))
    started = time.perf_counter()
    try:
        if req.cookies:
            # Hostile cookies replace the session's own: a fresh client without a jar.
            async with sessions.target.client() as bare:
                r = await bare.request(method, url, content=content, headers=headers)
        else:
            r = await client.request(method, url, content=content, headers=headers)
    except httpx.TransportError as e:
        # The server dropped the connection or timed out: reported as HTTP 599.
        elapsed = time.perf_counter() - started
        return 599, httpx.Headers({"x-fuzz-error": repr(e)[:200]}), b"", elapsed
    elapsed = time.perf_counter() - started
    sessions.after(req, r.headers, r.content)
    return r.status_code, r.headers, r.content, elapsed


# -- the run -----------------------------------------------------------------------------------


@dataclass
class Report:
    seed: int
    requests: int = 0
    elapsed: float = 0.0
    latencies: list[float] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    known: dict[str, int] = field(default_factory=dict)
    by_module: dict[str, int] = field(default_factory=dict)
    restores: int = 0
    checks: int = 0

    @property
    def real_failures(self) -> list[Failure]:
        return [f for f in self.failures if f.known is None]

    def summary(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
        groups: dict[str, list[Failure]] = {}
        for f in self.real_failures:
            groups.setdefault(f.signature(), []).append(f)
        lines = [
            f"fuzz: seed={self.seed} requests={self.requests} time={self.elapsed:.1f}s "
            f"({self.requests / max(self.elapsed, 1e-9):.0f} req/s) p50={p(0.5):.1f}ms p99={p(0.99):.1f}ms "
            f"max={lat[-1] * 1000:.0f}ms sysop-checks={self.checks} sysop-restores={self.restores}",
            f"fuzz: failures={len(self.real_failures)} in {len(groups)} classes; "
            f"known (fixed elsewhere)={sum(self.known.values())} {dict(sorted(self.known.items()))}",
        ]
        for sig, fs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            f = fs[0]
            lines.append(f"  [{len(fs)}×] {sig}")
            lines.append(f"      {f.detail[:400]}")
            lines.append(f"      {(f.shrunk or f.request).describe()}")
            lines.append(f"      HTTP {f.status} {f.elapsed:.2f}s: {f.excerpt[:200]!r}")
        return "\n".join(lines)


async def fetch_catalogue(client: httpx.AsyncClient) -> Catalogue:
    r = await client.get("/api.php", params={"action": "paraminfo", "modules": "*|query+*", "format": "json",
                                             "formatversion": "2"})
    modules = r.json()["paraminfo"]["modules"]
    r = await client.get("/api.php", params={"action": "paraminfo", "modules": "main", "format": "json",
                                             "formatversion": "2"})
    main = r.json()["paraminfo"]["modules"][0]
    return Catalogue.from_paraminfo(main, modules)


async def setup_pages(sessions: Sessions) -> None:
    """A few pages, a template, a redirect and a protection, so valid ids and titles exist."""
    req = FuzzRequest(-1, "/api.php", "POST", "urlencoded", [], "sysop")
    await sessions.prepare(req)
    tok = sessions.tokens["sysop"]["csrf"]
    for title, text in (("Fuzz page", "Hello {{Fuzz}}"), ("Template:Fuzz", "fuzz"), ("Main Page", "main"),
                        ("Redirect page", "#REDIRECT [[Fuzz page]]"), ("Protected page", "p"),
                        ("Fuzz page/sub", "sub")):
        await sessions.sysop.post("/api.php", data={"action": "edit", "title": title, "text": text, "token": tok,
                                                     "format": "json"})
    await sessions.sysop.post("/api.php", data={"action": "protect", "title": "Protected page",
                                                 "protections": "edit=sysop|move=sysop", "expiry": "1 month",
                                                 "cascade": "1", "token": tok, "format": "json"})


async def run(target: Target, *, seed: int, requests: int, start: int = 0, shrink: bool = True,
              progress: Callable[[Report], None] | None = None, progress_every: int = 10_000,
              api_share: float = 0.9, max_failures: int = 200) -> Report:
    """Send ``requests`` generated requests (indices ``start``…) and check each."""
    rng = random.Random(seed)
    sessions = Sessions(target)
    report = Report(seed)
    started = time.perf_counter()
    try:
        cat = await fetch_catalogue(sessions.anon)
        await setup_pages(sessions)
        target.drain_log()
        gen = Generator(cat, rng, api_share=api_share)
        for i in range(start + requests):
            req = gen.next(i)
            if i < start:
                continue
            status, headers, body, elapsed = await send(sessions, req)
            log_lines = target.drain_log()
            if elapsed > slow_seconds() and not log_lines:
                # Once more: a slow input is slow again, a busy machine usually is not.
                status, headers, body, elapsed = await send(sessions, req)
                log_lines = target.drain_log()
            report.requests += 1
            report.latencies.append(elapsed)
            report.by_module[req.module.split("&")[0]] = report.by_module.get(req.module.split("&")[0], 0) + 1
            for f in check_response(req, status, headers, body, elapsed, log_lines):
                if f.known is not None:
                    report.known[f.known] = report.known.get(f.known, 0) + 1
                    continue
                if len(report.real_failures) < max_failures:
                    if shrink and f.kind != "slow":
                        f.shrunk = await _shrink(sessions, target, req, f)
                    report.failures.append(f)
            if progress is not None and report.requests % progress_every == 0:
                report.elapsed = time.perf_counter() - started
                report.restores, report.checks = sessions.restores, sessions.checks
                progress(report)
    finally:
        report.elapsed = time.perf_counter() - started
        report.restores, report.checks = sessions.restores, sessions.checks
        await sessions.close()
    return report


#: Parameters a shrunk request keeps (without them it is a different request).
_KEEP = {"action", "format", "list", "prop", "meta"}


async def _shrink(sessions: Sessions, target: Target, req: FuzzRequest, f: Failure, budget: int = 60) -> FuzzRequest:
    """Drop parameters one at a time while the request still fails the same way."""
    current = req
    i = 0
    while i < len(current.params) and budget > 0:
        name = current.params[i][0]
        if name in _KEEP:
            i += 1
            continue
        trial = FuzzRequest(req.index, req.endpoint, req.method, req.encoding,
                            current.params[:i] + current.params[i + 1:], req.session, req.cookies)
        budget -= 1
        status, headers, body, elapsed = await send(sessions, trial)
        got = check_response(trial, status, headers, body, elapsed, target.drain_log())
        if any(g.kind == f.kind and g.known is None for g in got):
            current = trial
        else:
            i += 1
    return current


def run_sync(target_factory: Callable[[], Awaitable[tuple[Target, Callable[[], Awaitable[None]]]]],
             **kwargs: Any) -> Report:
    async def main() -> Report:
        target, close = await target_factory()
        try:
            return await run(target, **kwargs)
        finally:
            await close()

    return asyncio.run(main())
