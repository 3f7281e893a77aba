"""Captchas in login and account creation (the API surface of ConfirmEdit 1.39).

Behaviour learnt from the reference wiki (ConfirmEdit + QuestyCaptcha on :8082):

* ``meta=authmanagerinfo`` / ``clientlogin`` / ``createaccount`` offer a
  ``CaptchaAuthenticationRequest`` with the fields ``captchaId`` (hidden, carries the id),
  ``captchaInfo`` (null field whose value is the question) and ``captchaWord`` — for
  account creation whenever the ``createaccount`` trigger is on and the creator lacks
  ``skipcaptcha``; for login once the client IP has ``bad_login_attempts`` failed logins
  in the window (``badlogin``), or the session tried a name with too many failures
  (``badloginperuser``).
* A missing, unknown, reused or wrong answer fails account creation with
  ``captcha-createaccount-fail`` and a login with ``wrongpassword`` (MediaWiki does not
  tell a password guesser which of the two was wrong). ``action=login`` cannot send a
  captcha, so while one is required it fails the same way.
* Every issued captcha is bound to the session that asked, expires after
  ``captcha.expiry_seconds``, and is consumed by the first check — right or wrong. The
  consumption is an atomic set-if-absent in the shared key-value store, so two requests
  racing on one captcha (on any worker or host) cannot both pass.
* Failed-login counters live in the same store (per IP; per account name, hashed).

With ``captcha.kind = ""`` the component is :class:`NullCaptcha`, which never asks.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from typing import TYPE_CHECKING, Any, Protocol

from wikigate.auth.providers.base import PreAuthenticationProvider
from wikigate.auth.requests import (
    ACTION_CREATE,
    ACTION_LOGIN,
    AuthenticationRequest,
    AuthResponse,
    FieldInfo,
    get_request,
    username_from_requests,
)
from wikigate.auth.usernames import canonical_username
from wikigate.i18n import Message, RawMessage

if TYPE_CHECKING:
    from wikigate.auth.flow.records import NewAccount
    from wikigate.auth.sessions import Session
    from wikigate.config import CaptchaSettings, Settings
    from wikigate.services import Services
    from wikigate.storage.kv import KeyValueStore
    from wikigate.users.model import User

#: Session flag set when a login tried a name that needs a captcha (ConfirmEdit's
#: "loginCaptchaPerUserTriggered"): later login forms of the session then show one.
SESSION_FLAG = "captcha-login-per-user"

PROVIDER_CLASS = "MediaWiki\\Extension\\ConfirmEdit\\Auth\\CaptchaAuthenticationRequest"


# -- captcha kinds ---------------------------------------------------------------------------

class CaptchaKind(Protocol):
    """One way of making a challenge (QuestyCaptcha, SimpleCaptcha …)."""

    #: describeCaptchaType(): the request's metadata.
    type: str
    mime: str
    #: Prefix of the label messages (``<prefix>createaccount``, ``<prefix>badlogin``).
    message_prefix: str
    #: Label messages that are not ``<prefix><action>`` (ConfirmEdit's fallbacks).
    labels: dict[str, str]

    def generate(self) -> dict[str, Any]:
        """A fresh challenge: at least ``question`` and ``answer``."""
        ...

    def info(self, data: dict[str, Any]) -> str:
        """The ``captchaInfo`` value shown to the client."""
        ...

    def matches(self, word: str, data: dict[str, Any]) -> bool:
        ...


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """PHP 8's strtolower: only A-Z change (ConfirmEdit compares answers with it)."""
    return text.translate(_ASCII_LOWER)


class QuestionCaptcha:
    """QuestyCaptcha: a random configured question; answers compared ASCII-case-insensitively."""

    type = "question"
    mime = "text/html"
    message_prefix = "questycaptcha-"
    labels: dict[str, str] = {}

    def __init__(self, questions: dict[str, Any]) -> None:
        self.questions = [(q, a if isinstance(a, list) else [a]) for q, a in questions.items()]

    def generate(self) -> dict[str, Any]:
        question, answers = self.questions[secrets.randbelow(len(self.questions))]
        return {"question": question, "answer": list(answers)}

    def info(self, data: dict[str, Any]) -> str:
        return str(data.get("question", ""))

    def matches(self, word: str, data: dict[str, Any]) -> bool:
        given = ascii_lower(word)
        return any(given == ascii_lower(str(a)) for a in data.get("answer", []))


#: A PHP 8 "numeric string" (leading and trailing whitespace allowed).
_PHP_NUMERIC = re.compile(r"^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$")


class ArithmeticCaptcha:
    """SimpleCaptcha: ``a+b`` or ``a−b`` (a in 0..100, b in 0..10), info ``"74+9 ="``.

    The answer is compared as PHP's ``==`` compares a submitted string with an integer:
    numerically when the string is numeric (``" 83"``, ``"83.0"`` pass), else not at all."""

    type = "simple"
    mime = "text/plain"
    message_prefix = "captcha-"
    labels: dict[str, str] = {}

    def generate(self) -> dict[str, Any]:
        a, b = secrets.randbelow(101), secrets.randbelow(11)
        # U+2212 MINUS SIGN, as ConfirmEdit writes it (no spaces: keeps the direction right).
        if secrets.randbelow(2):
            return {"question": f"{a}+{b}", "answer": a + b}
        return {"question": f"{a}\u2212{b}", "answer": a - b}

    def info(self, data: dict[str, Any]) -> str:
        return f"{data.get('question', '')} ="

    def matches(self, word: str, data: dict[str, Any]) -> bool:
        if not _PHP_NUMERIC.match(word):
            return False
        try:
            return float(word.strip(" \t\n\r\v\f")) == float(data.get("answer", "nan"))
        except ValueError:
            return False


#: Letters and digits that are hard to confuse in a distorted image (no 0/o, 1/l/i …).
_IMAGE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class ImageCaptcha:
    """FancyCaptcha's API surface: ``captchaInfo`` is the URL of a PNG at
    ``index.php?title=Special:Captcha/image&wpCaptchaId=<id>``, drawn on request by the
    ``captcha`` library from the stored word (no pre-generated image directory). The
    answer is compared ignoring case (FancyCaptcha's words are lower case)."""

    type = "image"
    mime = "image/png"
    message_prefix = "fancycaptcha-"
    #: FancyCaptcha 1.39 has no fancycaptcha-createaccount, so ConfirmEdit falls back to
    #: the edit text there (its "accountcreate" message is never used for the field).
    labels = {"createaccount": "fancycaptcha-edit"}

    def __init__(self, script_path: str = "", length: int = 6) -> None:
        self.script_path = script_path
        self.length = length

    def generate(self) -> dict[str, Any]:
        word = "".join(secrets.choice(_IMAGE_ALPHABET) for _ in range(self.length))
        return {"question": "", "answer": word}

    def info(self, data: dict[str, Any]) -> str:
        return f"{self.script_path}/index.php?title=Special:Captcha/image&wpCaptchaId={data.get('index', '')}"

    def matches(self, word: str, data: dict[str, Any]) -> bool:
        return ascii_lower(word) == ascii_lower(str(data.get("answer", "")))

    @staticmethod
    def render_png(word: str) -> bytes:
        from captcha.image import ImageCaptcha as Drawer

        return bytes(Drawer(width=240, height=80).generate(word).getvalue())


KINDS: dict[str, type] = {"question": QuestionCaptcha, "arithmetic": ArithmeticCaptcha, "image": ImageCaptcha}


# -- the request -----------------------------------------------------------------------------

class CaptchaAuthenticationRequest(AuthenticationRequest):
    """ConfirmEdit's request: id (hidden), info (null, the question), word (the answer)."""

    class_id = "CaptchaAuthenticationRequest"

    def __init__(self, captcha_id: str = "", info: str = "", message_prefix: str = "captcha-",
                 metadata: dict[str, str] | None = None, labels: dict[str, str] | None = None) -> None:
        super().__init__()
        self.captchaId = captcha_id
        self.captchaWord: str | None = None
        self.info = info
        self.message_prefix = message_prefix
        self.meta = dict(metadata or {})
        #: Label message per protected action where it is not ``<prefix><action>``.
        self.labels = dict(labels or {})

    def fields(self) -> dict[str, FieldInfo]:
        # The label depends on what the captcha protects (getMessage( $action )); the
        # "generic" case falls back to the edit message as ConfirmEdit does.
        what = {ACTION_LOGIN: "badlogin", ACTION_CREATE: "createaccount"}.get(self.action or "", "edit")
        return {
            "captchaId": FieldInfo("hidden", Message("captcha-id-label"), Message("captcha-id-help"),
                                   value=self.captchaId),
            "captchaInfo": FieldInfo("null", Message(self.labels.get(what, self.message_prefix + what)),
                                     Message("captcha-info-help"), value=self.info),
            "captchaWord": FieldInfo("string", Message("captcha-label"), Message("captcha-help")),
        }

    def metadata(self) -> dict[str, Any]:
        return dict(self.meta)

    def describe(self) -> tuple[Message, Message]:
        return RawMessage("$1", (PROVIDER_CLASS,)), RawMessage("$1", (self.class_id,))


# -- the component ---------------------------------------------------------------------------

class Captcha(Protocol):
    """What the flow engine asks of a captcha (``services.captcha``)."""

    enabled: bool

    def trigger_on(self, trigger: str) -> bool: ...

    def can_skip(self, rights: list[str]) -> bool: ...

    async def create_request(self, session: Session) -> CaptchaAuthenticationRequest: ...

    async def check(self, session: Session, captcha_id: str, word: str, ip: str = "") -> bool: ...

    async def bad_login_triggered(self, ip: str) -> bool: ...

    async def bad_login_per_user_triggered(self, name: str) -> bool: ...

    async def increase_bad_login(self, ip: str, name: str | None) -> None: ...

    async def reset_bad_login(self, name: str | None) -> None: ...


class NullCaptcha:
    """Captchas off: never asks, never counts."""

    enabled = False

    def trigger_on(self, trigger: str) -> bool:
        return False

    def can_skip(self, rights: list[str]) -> bool:
        return True

    async def create_request(self, session: Session) -> CaptchaAuthenticationRequest:
        raise RuntimeError("captchas are off")

    async def check(self, session: Session, captcha_id: str, word: str, ip: str = "") -> bool:
        return False

    async def bad_login_triggered(self, ip: str) -> bool:
        return False

    async def bad_login_per_user_triggered(self, name: str) -> bool:
        return False

    async def increase_bad_login(self, ip: str, name: str | None) -> None:
        return None

    async def reset_bad_login(self, name: str | None) -> None:
        return None


def _name_hash(name: str) -> str:
    # Spelling variants of one account share a counter; the store never sees the name.
    canonical = canonical_username(name, rigor="usable") or name
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


class CaptchaService:
    """Captchas on: issues, checks and counts (all state in the shared key-value store)."""

    enabled = True

    def __init__(self, settings: CaptchaSettings, kv: KeyValueStore, kind: CaptchaKind) -> None:
        self.settings = settings
        self.kv = kv
        self.kind = kind

    def trigger_on(self, trigger: str) -> bool:
        return trigger in self.settings.triggers

    def can_skip(self, rights: list[str]) -> bool:
        return "skipcaptcha" in rights

    @staticmethod
    def _key(session: Session, captcha_id: str) -> str:
        return f"captcha:q:{session.id}:{captcha_id}"

    async def create_request(self, session: Session) -> CaptchaAuthenticationRequest:
        data = self.kind.generate()
        # ConfirmEdit's ids are random integers 0..PHP_INT_MAX, sent back as strings.
        captcha_id = str(secrets.randbelow(2**63))
        data["index"] = captcha_id
        session.persist()  # the captcha belongs to this session: it needs a cookie
        await self.kv.set(self._key(session, captcha_id), json.dumps(data).encode(), self.settings.expiry_seconds)
        return CaptchaAuthenticationRequest(captcha_id, self.kind.info(data), self.kind.message_prefix,
                                            {"type": self.kind.type, "mime": self.kind.mime}, self.kind.labels)

    async def peek(self, session: Session, captcha_id: str) -> dict[str, Any] | None:
        """The stored challenge without using it up (to draw an image captcha)."""
        if session.id is None or not captcha_id.isdigit() or len(captcha_id) > 40:
            return None
        raw = await self.kv.get(self._key(session, captcha_id))
        try:
            data = json.loads(raw) if raw is not None else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    async def check(self, session: Session, captcha_id: str, word: str, ip: str = "") -> bool:
        """ConfirmEdit's passCaptchaLimited: refused outright while the IP is over the
        ``badcaptcha`` limit (the captcha stays unused); a wrong answer to a captcha of this
        session counts. An unknown, expired or used id does not count: ConfirmEdit does not
        even load such a request (the reference answers the same)."""
        if session.id is None or not captcha_id or len(captcha_id) > 40:
            return False
        key = self._key(session, captcha_id)
        if await self.kv.get(key) is None:
            return False
        limit_key = f"captcha:bad:ip:{ip}"
        if await self.kv.get_int(limit_key) >= self.settings.bad_captcha_limit:
            return False
        result = await self._claim(session, captcha_id, word)
        if result is None:
            return False
        if not result:
            await self.kv.incr(limit_key, self.settings.bad_captcha_seconds)
        return result

    async def _claim(self, session: Session, captcha_id: str, word: str) -> bool | None:
        """Use the captcha up and compare; None if another request got it first."""
        key = self._key(session, captcha_id)
        raw = await self.kv.get(key)
        if raw is None:
            return None
        # Single use: the first check (right or wrong) claims the captcha atomically.
        if not await self.kv.add(f"captcha:used:{session.id}:{captcha_id}", b"1", self.settings.expiry_seconds):
            return None
        await self.kv.delete(key)
        try:
            data = json.loads(raw)
        except ValueError:
            return False
        return isinstance(data, dict) and self.kind.matches(word, data)

    async def bad_login_triggered(self, ip: str) -> bool:
        return (self.trigger_on("badlogin")
                and await self.kv.get_int(f"captcha:badlogin:ip:{ip}") >= self.settings.bad_login_attempts)

    async def bad_login_per_user_triggered(self, name: str) -> bool:
        return (self.trigger_on("badloginperuser")
                and await self.kv.get_int(f"captcha:badlogin:user:{_name_hash(name)}")
                >= self.settings.bad_login_per_user_attempts)

    async def increase_bad_login(self, ip: str, name: str | None) -> None:
        if self.trigger_on("badlogin"):
            await self.kv.incr(f"captcha:badlogin:ip:{ip}", self.settings.bad_login_expiry)
        if self.trigger_on("badloginperuser") and name:
            await self.kv.incr(f"captcha:badlogin:user:{_name_hash(name)}", self.settings.bad_login_per_user_expiry)

    async def reset_bad_login(self, name: str | None) -> None:
        if self.trigger_on("badloginperuser") and name:
            await self.kv.delete(f"captcha:badlogin:user:{_name_hash(name)}")


def make_captcha(settings: Settings, kv: KeyValueStore) -> Captcha:
    """The configured captcha; :class:`NullCaptcha` (never asks) when ``captcha.kind`` is empty."""
    s = settings.captcha
    if not s.kind:
        return NullCaptcha()
    kind: CaptchaKind
    if s.kind == "question":
        kind = QuestionCaptcha(s.questions)
    elif s.kind == "image":
        kind = ImageCaptcha(settings.site.script_path)
    else:
        kind = ArithmeticCaptcha()
    return CaptchaService(s, kv, kind)


def grant_captcha_rights(perms: dict[str, list[str]], skip_groups: list[str]) -> None:
    """With captchas on, grant ``skipcaptcha`` as ConfirmEdit does (called by wikigate.root)."""
    for group in skip_groups:
        rights = perms.setdefault(group, [])
        if "skipcaptcha" not in rights:
            rights.append("skipcaptcha")


def get_captcha(services: Services) -> Captcha:
    return services.captcha


# -- the provider ----------------------------------------------------------------------------

class CaptchaPreAuthenticationProvider(PreAuthenticationProvider):
    """ConfirmEdit's CaptchaPreAuthenticationProvider (sort 10: after the login throttle)."""

    sort = 10

    @property
    def captcha(self) -> Captcha:
        return get_captcha(self.manager.services)

    def _creator_rights(self, creator: User) -> list[str]:
        return self.manager.services.rights.rights_for_groups(self.manager.effective_groups(creator))

    def _need_create_captcha(self, creator: User) -> bool:
        c = self.captcha
        return c.trigger_on("createaccount") and not c.can_skip(self._creator_rights(creator))

    async def get_authentication_requests(self, action: str, username: str | None) -> list[AuthenticationRequest]:
        c = self.captcha
        if not c.enabled:
            return []
        m = self.manager
        needed = False
        if action == ACTION_CREATE:
            needed = self._need_create_captcha(m.performer)
        elif action == ACTION_LOGIN:
            needed = bool(await c.bad_login_triggered(m.ip) or m.session.data.get(SESSION_FLAG))
        if not needed:
            return []
        return [await c.create_request(m.session)]

    async def _verify(self, reqs: list[AuthenticationRequest]) -> bool:
        req = get_request(reqs, CaptchaAuthenticationRequest, exact=True)
        if req is None or not req.captchaId or not req.captchaWord:
            return False
        return await self.captcha.check(self.manager.session, str(req.captchaId), str(req.captchaWord),
                                        self.manager.ip)

    async def test_for_authentication(self, reqs: list[AuthenticationRequest]) -> Message | None:
        c = self.captcha
        if not c.enabled:
            return None
        name = username_from_requests(reqs)
        per_user = bool(name) and await c.bad_login_per_user_triggered(name or "")
        ok = True
        if await c.bad_login_triggered(self.manager.ip) or per_user:
            ok = await self._verify(reqs)
        if per_user:
            self.manager.session.set(SESSION_FLAG, True)
            self.manager.session.persist()
        # Do not tell a guesser whether the password or the captcha was wrong.
        return None if ok else Message("wrongpassword")

    async def test_for_account_creation(self, account: NewAccount, creator: User,
                                        reqs: list[AuthenticationRequest]) -> list[Message]:
        if not self.captcha.enabled or not self._need_create_captcha(creator):
            return []
        if await self._verify(reqs):
            return []
        return [Message("captcha-createaccount-fail")]

    async def post_authentication(self, username: str | None, response: AuthResponse) -> None:
        c = self.captcha
        if not c.enabled:
            return
        if response.status in (AuthResponse.PASS, AuthResponse.RESTART):
            self.manager.session.pop(SESSION_FLAG)
            await c.reset_bad_login(username)
        elif response.status == AuthResponse.FAIL:
            await c.increase_bad_login(self.manager.ip, username)
