"""Bot-password containment: the one rule that keeps a bot-password session away from
the account it belongs to.

A bot password is a second, narrower credential for an account: its grants cut the
account's rights down to what a tool needs. MediaWiki 1.39 lets such a session still
reach the operations that *own* the account — a bot password with only ``basic`` can
change the main password through ``action=changeauthenticationdata`` (AuthManager lets
sessions that cannot re-authenticate through by default,
``$wgAllowSecuritySensitiveOperationIfCannotReauthenticate['default'] = true``). Then a
leaked bot password is a leaked account. wikigate refuses every account-security
operation in a bot-password session, as MediaWiki does with that setting turned off:
``apierror-cannotreauthenticate`` ("This action is not available as your identity
cannot be verified."), and writes a ``botpassword-refused`` audit entry.

Every front end asks :func:`refuse_in_bot_session` (api.php modules through their
``account_security`` declaration, the CLI and web pages directly), so a new feature —
two-factor enrolment, an e-mail change page — only has to name its operation here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from wikigate.auth.sessions import Session

if TYPE_CHECKING:
    from wikigate.services import Services

log = logging.getLogger(__name__)

#: Operations that act on the account's own credentials or identity, with what they are.
#: Names are MediaWiki's $wgReauthenticateTime operation names where one exists.
ACCOUNT_SECURITY_OPERATIONS: dict[str, str] = {
    "ChangeCredentials": "change the password or another credential (changeauthenticationdata)",
    "RemoveCredentials": "remove a credential (removeauthenticationdata)",
    "LinkAccounts": "link an external account (linkaccount)",
    "UnlinkAccount": "unlink an external account (unlinkaccount)",
    "Login": "start or continue an interactive login in this session (clientlogin)",
    "CreateAccount": "start or continue an account creation in this session (createaccount)",
    "ResetOwnPassword": "send a password reset for the session's own account (resetpassword)",
    "ChangeEmail": "change or remove the account's e-mail address",
    "BotPasswords": "create, change or delete bot passwords (Special:BotPasswords)",
    "LogoutEverywhere": "end every session of the account",
    "TwoFactor": "enable or disable two-factor authentication",
}

#: The API error for a refused operation (MediaWiki's answer when a session cannot
#: re-authenticate and the operation is not allowed without it).
ERROR_KEY = "apierror-cannotreauthenticate"
ERROR_CODE = "cannotreauthenticate"

AUDIT_EVENT = "botpassword-refused"


class BotSessionRefused(Exception):
    """An account-security operation was asked for in a bot-password session."""

    def __init__(self, operation: str, app_id: str) -> None:
        super().__init__(f"{operation} refused in bot-password session {app_id!r}")
        self.operation = operation
        self.app_id = app_id


def is_bot_password_session(session: Session | None) -> bool:
    """Whether ``session`` was opened with a bot password (``action=login`` as User@app)."""
    return session is not None and bool(session.bot)


def bot_app_id(session: Session | None) -> str:
    if session is None or not session.bot:
        return ""
    return str(session.bot.get("app_id", ""))


async def refuse_in_bot_session(services: Services, session: Session | None, user: Any, ip: str,
                                operation: str) -> None:
    """Raise :class:`BotSessionRefused` (after an audit entry) when ``session`` is a
    bot-password session; return quietly otherwise. ``operation`` must be a key of
    :data:`ACCOUNT_SECURITY_OPERATIONS` (a typo must not silently allow)."""
    if operation not in ACCOUNT_SECURITY_OPERATIONS:
        raise ValueError(f"unknown account-security operation {operation!r}")
    if not is_bot_password_session(session):
        return
    app_id = bot_app_id(session)
    log.warning("refused %s for user %s in bot-password session %r", operation,
                getattr(user, "id", 0), app_id)
    try:
        await services.audit.record(AUDIT_EVENT, user, ip, f"operation={operation} app={app_id}")
    except Exception:  # the refusal stands even if the audit trail is unavailable
        log.exception("audit record %s failed", AUDIT_EVENT)
    raise BotSessionRefused(operation, app_id)
