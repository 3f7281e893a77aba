"""action=validatepassword (seed: API:Validatepassword; spec passwords.md §1).

Checks a password against the wiki's policy, either for the current user or, with
``user``, for an account that would be *created* with that name. Read-only, no token,
POST only; the password itself must come from the body (``mustpostparams`` otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wikigate.api.base import ApiModule, Values
from wikigate.api.errors import ApiError
from wikigate.api.params import Param
from wikigate.auth.passwords import PolicyResult, check_password, merge_policy_overrides
from wikigate.auth.usernames import is_creatable_username
from wikigate.i18n import Message
from wikigate.util.ints import is_int_string, parse_int64

if TYPE_CHECKING:
    from wikigate.services import Services

#: What UserDef returns for ``#<id>`` of a user that does not exist (a reserved name, so
#: the creatable check below turns it into ``baduser_user`` exactly as MediaWiki does).
UNKNOWN_USER = "Unknown user"

_WIKITEXT_ESCAPES = {
    '"': "&#34;", "&": "&#38;", "'": "&#39;", "<": "&#60;", "=": "&#61;", ">": "&#62;",
    "[": "&#91;", "]": "&#93;", "{": "&#123;", "|": "&#124;", "}": "&#125;", ";": "&#59;",
}


def escape_wikitext(text: str) -> str:
    """wfEscapeWikiText for the characters a user name can contain.

    MediaWiki escapes the offending value before putting it into ``apierror-baduser``,
    so ``errorformat=html`` shows ``&#38;`` where bc/plaintext show ``&`` (reference-checked).
    """
    out = "".join(_WIKITEXT_ESCAPES.get(c, c) for c in text)
    if out[:1] in ("#", "*", ":", "\n", "\r", " ", "!", "+", "-", "_", "~"):
        out = f"&#{ord(out[0])};" + out[1:]
    return out.replace("://", "&#58;//").replace("__", "_&#95;")


def password_policies(services: Services) -> dict[str, dict[str, Any]]:
    """$wgPasswordPolicy['policies'] with the operator's overrides applied."""
    return merge_policy_overrides(services.settings.passwords.policies)


def validity_messages(ctx: Any, result: PolicyResult) -> list[dict[str, Any]]:
    """``ApiErrorFormatter::arrayFromStatus`` for errors then warnings, per errorformat.

    Policy checks only produce error-type messages, so the order is simply the check
    order. bc keeps MediaWiki's legacy shape (message/params/code/type); the other
    formats carry the rendered text under ``text``/``html`` (``*`` in formatversion 1).
    """
    out: list[dict[str, Any]] = []
    for failure in result.failures:
        msg = Message(failure.key, failure.params)
        ef = ctx.errorformat
        if ef == "bc":
            out.append({"message": failure.key, "params": list(failure.params),
                        "code": failure.key, "type": "error"})
            continue
        item: dict[str, Any] = {"code": failure.key}
        item.update(ctx.message_fields(msg))
        out.append(item)
    return out


class ApiValidatePassword(ApiModule):
    """Validate a password for the current user or for a would-be new account."""

    name = "validatepassword"
    classname = "ApiValidatePassword"
    must_be_posted = True
    examples = [
        ("action=validatepassword&password=foobar", "apihelp-validatepassword-example-1"),
        ("action=validatepassword&password=querty&user=Example", "apihelp-validatepassword-example-2"),
    ]
    help_urls = ["https://www.mediawiki.org/wiki/Special:MyLanguage/API:Validatepassword"]

    def params(self) -> dict[str, Param]:
        return {
            "password": Param("password", required=True, sensitive=True),
            "user": Param("user", user_types=("name", "id")),
            "email": Param("string"),
            "realname": Param("string"),
        }

    async def execute(self, p: Values) -> None:
        ctx = self.ctx
        ctx.require_posted(["password"])
        password: str = p["password"]
        policies = password_policies(self.services)
        if p["user"] is not None:
            name = await self._resolve(p["user"])
            if not is_creatable_username(name):
                raise ApiError("apierror-baduser", ["user", escape_wikitext(name)], code="baduser_user")
            if await self.services.users.get_by_name(name) is not None:
                raise ApiError("userexists")
            # A new account is in the implicit groups only, i.e. gets the default policy.
            # email/realname are accepted for extensions' checks; core policy ignores them.
            result = check_password(name, password, ["*"], policies)
        else:
            result = check_password(ctx.user.name, password, ctx.groups, policies)
        out: dict[str, Any] = {"validity": result.validity}
        messages = validity_messages(ctx, result)
        if messages:
            out["validitymessages"] = messages
        ctx.result[self.name] = out

    async def _resolve(self, value: str) -> str:
        """``#<id>`` → that user's name (or "Unknown user"); names are already canonical."""
        if value.startswith("#") and is_int_string(value[1:], signed=False):
            # An id past 64 bits names nobody (PHP saturates it to a non-existent id).
            uid = parse_int64(value[1:], signed=False)
            user = await self.services.users.get_by_id(uid) if uid is not None else None
            return user.name if user is not None else UNKNOWN_USER
        return value
