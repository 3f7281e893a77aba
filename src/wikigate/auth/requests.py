"""AuthenticationRequest types: bundles of form fields that providers ask for.

They mirror MediaWiki's ``MediaWiki\\Auth\\*AuthenticationRequest`` classes because their
ids, field names, field types, labels and the "required" level are part of the API
(meta=authmanagerinfo, clientlogin, createaccount). Spec: authmanager.md §1 and §3.

Loading is all-or-nothing (``AuthenticationRequest::loadFromSubmission``): a request is
present only if every non-optional field was submitted non-empty; checkboxes and buttons
are true iff their parameter is present. That is why a missing ``retype`` yields
"authmanager-create-no-primary" rather than a field error.

Requests travel inside the stored flow record (KV store), so each one serialises to a
small JSON dict (:func:`dump_request` / :func:`load_request`). Loading looks the stored
type up in a table of known request classes (core ones here, the providers' ones in the
engine's registry, ``wikigate.auth.flow.registry``); it never imports a stored name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from wikigate.i18n import Message, Num, RawMessage

OPTIONAL = "optional"
REQUIRED = "required"
PRIMARY_REQUIRED = "primary-required"

ACTION_LOGIN = "login"
ACTION_LOGIN_CONTINUE = "login-continue"
ACTION_CREATE = "create"
ACTION_CREATE_CONTINUE = "create-continue"
ACTION_LINK = "link"
ACTION_LINK_CONTINUE = "link-continue"
ACTION_CHANGE = "change"
ACTION_REMOVE = "remove"
ACTION_UNLINK = "unlink"
ACTIONS = (ACTION_LOGIN, ACTION_LOGIN_CONTINUE, ACTION_CREATE, ACTION_CREATE_CONTINUE, ACTION_LINK,
           ACTION_LINK_CONTINUE, ACTION_CHANGE, ACTION_REMOVE, ACTION_UNLINK)


@dataclass
class FieldInfo:
    """One form field (``getFieldInfo`` entry)."""

    #: string, password, select, multiselect, checkbox, button, hidden, null
    type: str
    label: Message
    help: Message
    optional: bool = False
    sensitive: bool = False
    #: Preset value (hidden and null fields, e.g. a captcha id).
    value: str | None = None
    #: select/multiselect: value -> label.
    options: dict[str, Message] | None = None


class AuthenticationRequest:
    """Base class. Subclasses set ``class_id`` and declare :meth:`fields`."""

    #: MediaWiki's class name with namespace, used as the request id.
    class_id: ClassVar[str] = ""
    #: Attributes filled from the submission (field name -> attribute of the same name).
    required: str = REQUIRED

    def __init__(self) -> None:
        self.required = type(self).required
        self.action: str | None = None
        self.username: str | None = None
        self.return_to_url: str | None = None

    # -- description ---------------------------------------------------------------------

    @property
    def unique_id(self) -> str:
        return self.class_id

    def fields(self) -> dict[str, FieldInfo]:
        return {}

    def metadata(self) -> dict[str, Any]:
        return {}

    def describe(self) -> tuple[Message, Message]:
        """(provider, account) descriptions; by default both are the request id."""
        text = RawMessage("$1", (self.unique_id,))
        return text, text

    # -- loading -------------------------------------------------------------------------

    def load(self, data: dict[str, str]) -> bool:
        """Fill the fields from ``data``; False if a non-optional field is missing or empty."""
        fields = self.fields()
        if not fields:
            return False
        values: dict[str, Any] = {}
        for name, info in fields.items():
            if info.type in ("checkbox", "button"):
                present = name in data or f"{name}_x" in data
                if not present and not info.optional:
                    return False
                values[name] = present
                continue
            if info.type == "null":
                continue
            if info.type == "multiselect":
                raw = data.get(name)
                # AuthenticationRequest::loadFromSubmission casts the submitted string to a
                # one-element array: the API form carries one value, "|" is not split.
                chosen = [] if raw in (None, "") else [str(raw)]
                if not chosen and not info.optional:
                    return False
                if info.options is not None and any(c not in info.options for c in chosen):
                    return False
                values[name] = chosen
                continue
            if name not in data:
                return False
            value = data[name]
            if value == "":
                if not info.optional:
                    return False
            elif info.type == "select" and (info.options is None or value not in info.options):
                return False
            values[name] = value
        for name, value in values.items():
            setattr(self, name, value)
        return True

    # -- (de)serialisation ---------------------------------------------------------------

    def serialize_state(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    def restore_state(self, state: dict[str, Any]) -> None:
        for k, v in state.items():
            setattr(self, k, v)


R = TypeVar("R", bound=AuthenticationRequest)


def request_type_key(cls: type[AuthenticationRequest]) -> str:
    """The key a request class is stored under (module and qualified name)."""
    return f"{cls.__module__}:{cls.__qualname__}"


def dump_request(req: AuthenticationRequest) -> dict[str, Any]:
    return {"c": request_type_key(type(req)), "d": req.serialize_state()}


def load_request(data: dict[str, Any],
                 types: Mapping[str, type[AuthenticationRequest]] | None = None) -> AuthenticationRequest:
    """Rebuild a dumped request; its class must be one of ``types`` (default: the core
    request types). ValueError for any other class name: nothing is imported."""
    table = CORE_REQUEST_TYPES if types is None else types
    cls = table.get(str(data["c"]))
    if cls is None:
        raise ValueError(f"not a known authentication request class: {data['c']}")
    req = cls.__new__(cls)
    AuthenticationRequest.__init__(req)
    req.restore_state(data["d"])
    return req


def get_request(reqs: Iterable[AuthenticationRequest], cls: type[R], *, exact: bool = False) -> R | None:
    """``getRequestByClass``: the single request of that class, or None (also if several)."""
    found: list[R] = [r for r in reqs if isinstance(r, cls) and (not exact or type(r) is cls)]
    return found[0] if len(found) == 1 else None


def username_from_requests(reqs: Iterable[AuthenticationRequest]) -> str | None:
    """The ``username`` all loaded requests agree on; None if none or if they differ."""
    name: str | None = None
    for r in reqs:
        if r.username is not None and r.username != "":
            if name is None:
                name = r.username
            elif name != r.username:
                return None
    return name


def load_requests_from_submission(reqs: Sequence[AuthenticationRequest],
                                  data: dict[str, str]) -> list[AuthenticationRequest]:
    return [r for r in reqs if r.load(data)]


# -- core request types ------------------------------------------------------------------

class PasswordAuthenticationRequest(AuthenticationRequest):
    class_id = "MediaWiki\\Auth\\PasswordAuthenticationRequest"

    def __init__(self) -> None:
        super().__init__()
        self.password: str | None = None
        self.retype: str | None = None

    def fields(self) -> dict[str, FieldInfo]:
        if self.action == ACTION_REMOVE:
            return {}
        new = self.action == ACTION_CHANGE
        out: dict[str, FieldInfo] = {}
        if not new:
            out["username"] = FieldInfo("string", Message("userlogin-yourname"),
                                        Message("authmanager-username-help"))
        out["password"] = FieldInfo("password", Message("newpassword" if new else "userlogin-yourpassword"),
                                    Message("authmanager-password-help"), sensitive=True)
        if self.action != ACTION_LOGIN:
            out["retype"] = FieldInfo("password", Message("retypenew" if new else "yourpasswordagain"),
                                      Message("authmanager-retype-help"), sensitive=True)
        return out

    def describe(self) -> tuple[Message, Message]:
        return Message("authmanager-provider-password"), RawMessage("$1", (self.username,))


class TemporaryPasswordAuthenticationRequest(AuthenticationRequest):
    """A random temporary password, optionally mailed (``mailpassword``)."""

    class_id = "MediaWiki\\Auth\\TemporaryPasswordAuthenticationRequest"

    def __init__(self, password: str | None = None) -> None:
        super().__init__()
        self.password = password
        self.mailpassword = False
        self.caller: str | None = None

    def fields(self) -> dict[str, FieldInfo]:
        return {"mailpassword": FieldInfo("checkbox", Message("createaccountmail"),
                                          Message("createaccountmail-help"))}

    def describe(self) -> tuple[Message, Message]:
        return Message("authmanager-provider-temporarypassword"), RawMessage("$1", (self.username,))


class UsernameAuthenticationRequest(AuthenticationRequest):
    class_id = "MediaWiki\\Auth\\UsernameAuthenticationRequest"

    def fields(self) -> dict[str, FieldInfo]:
        return {"username": FieldInfo("string", Message("userlogin-yourname"),
                                      Message("authmanager-username-help"))}


class UserDataAuthenticationRequest(AuthenticationRequest):
    """Email and real name of a new account (both fields optional, request required)."""

    class_id = "MediaWiki\\Auth\\UserDataAuthenticationRequest"

    def __init__(self, *, email_enabled: bool = True, realname_enabled: bool = True) -> None:
        super().__init__()
        self.email: str | None = None
        self.realname: str | None = None
        self.email_enabled = email_enabled
        self.realname_enabled = realname_enabled

    def fields(self) -> dict[str, FieldInfo]:
        out: dict[str, FieldInfo] = {}
        if self.email_enabled:
            out["email"] = FieldInfo("string", Message("authmanager-email-label"),
                                     Message("authmanager-email-help"), optional=True)
        if self.realname_enabled:
            out["realname"] = FieldInfo("string", Message("authmanager-realname-label"),
                                        Message("authmanager-realname-help"), optional=True)
        return out


class CreationReasonAuthenticationRequest(AuthenticationRequest):
    """The log comment of an account created by a logged-in user (request optional, field not)."""

    class_id = "MediaWiki\\Auth\\CreationReasonAuthenticationRequest"
    required = OPTIONAL

    def __init__(self) -> None:
        super().__init__()
        self.reason = ""

    def fields(self) -> dict[str, FieldInfo]:
        return {"reason": FieldInfo("string", Message("createacct-reason"), Message("createacct-reason-help"))}


class RememberMeAuthenticationRequest(AuthenticationRequest):
    class_id = "MediaWiki\\Auth\\RememberMeAuthenticationRequest"
    required = OPTIONAL

    def __init__(self, days: int = 180, *, hidden: bool = False) -> None:
        super().__init__()
        self.remember_me_days = days
        self.hidden = hidden
        self.rememberMe = False

    def fields(self) -> dict[str, FieldInfo]:
        if self.hidden:
            return {}
        return {"rememberMe": FieldInfo("checkbox", Message("userlogin-remembermypassword",
                                                           (Num(self.remember_me_days),)),
                                        Message("authmanager-userlogin-remembermypassword-help"),
                                        optional=True)}


class ButtonAuthenticationRequest(AuthenticationRequest):
    """A named button; its id is ``…ButtonAuthenticationRequest:<name>``."""

    class_id = "MediaWiki\\Auth\\ButtonAuthenticationRequest"

    def __init__(self, name: str = "", label: Message | None = None, help: Message | None = None,
                 *, required: str = OPTIONAL) -> None:
        super().__init__()
        self.name = name
        self.label_key = label.key if label else ""
        self.help_key = help.key if help else ""
        self.required = required

    @property
    def unique_id(self) -> str:
        return f"{self.class_id}:{self.name}"

    def fields(self) -> dict[str, FieldInfo]:
        return {self.name: FieldInfo("button", Message(self.label_key), Message(self.help_key))}

    def load(self, data: dict[str, str]) -> bool:
        ok = super().load(data)
        if ok:
            self.pressed = bool(getattr(self, self.name, False))
        return ok

    def describe(self) -> tuple[Message, Message]:
        return (RawMessage("$1", (self.class_id,)), RawMessage("$1", (self.unique_id,)))


class CreateFromLoginAuthenticationRequest(AuthenticationRequest):
    """The state a login keeps for a later account creation or link (``preservestate``):
    the primary provider's creation request and the link requests of the identity."""

    class_id = "MediaWiki\\Auth\\CreateFromLoginAuthenticationRequest"
    required = OPTIONAL

    def __init__(self, create_request: AuthenticationRequest | None = None,
                 maybe_link: Sequence[AuthenticationRequest] = ()) -> None:
        super().__init__()
        self.create_request = create_request
        self.maybe_link = list(maybe_link)
        self.username = create_request.username if create_request is not None else None

    def load(self, data: dict[str, str]) -> bool:
        return True

    def serialize_state(self) -> dict[str, Any]:
        return {"username": self.username, "action": self.action, "return_to_url": self.return_to_url}

    def has_state_for_action(self, action: str) -> bool:
        if action == ACTION_LOGIN:
            return bool(self.maybe_link)
        if action == ACTION_CREATE:
            return bool(self.maybe_link) or self.create_request is not None
        return False

    def has_primary_state_for_action(self, action: str) -> bool:
        return action == ACTION_CREATE and self.create_request is not None


def button_pressed(reqs: Iterable[AuthenticationRequest], name: str) -> bool:
    """``ButtonAuthenticationRequest::getRequestByName`` found a loaded button."""
    return any(isinstance(r, ButtonAuthenticationRequest) and r.name == name for r in reqs)


@dataclass
class AuthResponse:
    """AuthenticationResponse: PASS, FAIL, UI, REDIRECT, RESTART or ABSTAIN."""

    status: str
    message: Message | None = None
    username: str | None = None
    needed: list[AuthenticationRequest] = field(default_factory=list)
    redirect_target: str | None = None
    redirect_data: Any = None
    #: "warning" or "error" for UI responses (web forms colour them).
    message_type: str = "warning"
    #: A request to hand to the creation flow (RESTART/FAIL from linking providers).
    create_request: AuthenticationRequest | None = None
    #: PASS without a local user from a linking primary: the request that would link the
    #: identity to an account (MediaWiki's linkRequest; kept for ``preservestate``).
    link_request: AuthenticationRequest | None = None
    #: PASS of a login or creation: the local user, and whether to remember the login.
    user: Any = None
    remember: bool = False
    #: FAIL of a throttled login: seconds until the counter that refused it resets.
    retry_after: int | None = None

    PASS: ClassVar[str] = "PASS"
    FAIL: ClassVar[str] = "FAIL"
    UI: ClassVar[str] = "UI"
    REDIRECT: ClassVar[str] = "REDIRECT"
    RESTART: ClassVar[str] = "RESTART"
    ABSTAIN: ClassVar[str] = "ABSTAIN"

    @classmethod
    def pass_(cls, username: str | None = None) -> AuthResponse:
        return cls("PASS", username=username)

    @classmethod
    def fail(cls, message: Message) -> AuthResponse:
        return cls("FAIL", message=message)

    @classmethod
    def ui(cls, needed: list[AuthenticationRequest], message: Message, message_type: str = "warning") -> AuthResponse:
        return cls("UI", message=message, needed=needed, message_type=message_type)

    @classmethod
    def redirect(cls, needed: list[AuthenticationRequest], target: str, data: Any = None) -> AuthResponse:
        return cls("REDIRECT", needed=needed, redirect_target=target, redirect_data=data)

    @classmethod
    def restart(cls, message: Message) -> AuthResponse:
        return cls("RESTART", message=message)

    @classmethod
    def abstain(cls) -> AuthResponse:
        return cls("ABSTAIN")


def status_message(errors: Sequence[Message], short_context: str | None = None) -> Message:
    """``Status::getMessage``: one error as is, several as the ``* $1\\n* $2`` RawMessage."""
    if len(errors) == 1:
        msg = errors[0]
        return Message(short_context, (msg,)) if short_context else msg
    template = "* $" + "\n* $".join(str(i) for i in range(1, len(errors) + 1))
    wrapper: Message = RawMessage(template, tuple(errors))
    if short_context:
        return Message(short_context, (RawMessage("\n$1\n", (wrapper,)),))
    return wrapper


def merge_field_info(reqs: list[AuthenticationRequest]) -> dict[str, FieldInfo]:
    """``AuthenticationRequest::mergeFieldInfo``: one field table for all requests."""
    shared: set[str] | None = None
    for r in reqs:
        if r.required != PRIMARY_REQUIRED:
            continue
        required = {n for n, f in r.fields().items() if not f.optional}
        shared = required if shared is None else shared & required
    merged: dict[str, FieldInfo] = {}
    for r in reqs:
        for name, f in r.fields().items():
            optional = (r.required == OPTIONAL
                        or (r.required == PRIMARY_REQUIRED and name not in (shared or set()))
                        or f.optional)
            if name not in merged:
                merged[name] = FieldInfo(f.type, f.label, f.help, optional, f.sensitive, f.value,
                                         dict(f.options) if f.options is not None else None)
                continue
            m = merged[name]
            if m.type != f.type:
                raise ValueError(f'Field type conflict for "{name}", "{m.type}" vs "{f.type}"')
            if f.options:
                m.options = {**(m.options or {}), **{k: v for k, v in f.options.items() if k not in (m.options or {})}}
            m.optional = m.optional and optional
            m.sensitive = m.sensitive or f.sensitive
    return merged


#: $wgChangeCredentialsBlacklist: requests no one may "change" (a temporary password is
#: only ever set by a reset), for changeauthenticationdata, authmanagerinfo and the pages.
CHANGE_BLACKLIST: tuple[type[AuthenticationRequest], ...] = (TemporaryPasswordAuthenticationRequest,)


#: The request types defined here, by storage key (:func:`load_request`'s default table).
CORE_REQUEST_TYPES: dict[str, type[AuthenticationRequest]] = {
    request_type_key(c): c for c in (
        PasswordAuthenticationRequest, TemporaryPasswordAuthenticationRequest, UsernameAuthenticationRequest,
        UserDataAuthenticationRequest, CreationReasonAuthenticationRequest, RememberMeAuthenticationRequest,
        ButtonAuthenticationRequest, CreateFromLoginAuthenticationRequest)
}
