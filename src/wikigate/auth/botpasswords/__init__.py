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

The package: :mod:`.model` (the record; app id, grant, restriction and credential rules),
:mod:`.store` (the table), :mod:`.service` (the component: management, used by
Special:BotPasswords — ``wikigate.web.pages.botpasswords`` — and ``wikigate botpassword``),
:mod:`.sessions` (login and session validation). The names below are re-exported.
"""

from __future__ import annotations

from wikigate.auth.botpasswords.model import (
    APPID_MAXLENGTH,
    DEFAULT_IP_RANGES,
    GRANTS_MAXLENGTH,
    HIDDEN_GRANTS,
    PASSWORD_MINLENGTH,
    RESTRICTIONS_MAXLENGTH,
    SEPARATOR,
    BotPassword,
    BotPasswordError,
    InvalidRestriction,
    Restrictions,
    canonicalize_login_data,
    normalize_app_id,
    normalize_grants,
    split_login_name,
    validate_new_app_id,
)
from wikigate.auth.botpasswords.service import BotPasswords
from wikigate.auth.botpasswords.sessions import BotPasswordSessions, LoginContext, LoginOutcome, ThrottleFailure
from wikigate.auth.botpasswords.store import BotPasswordStore

__all__ = [
    "APPID_MAXLENGTH", "DEFAULT_IP_RANGES", "GRANTS_MAXLENGTH", "HIDDEN_GRANTS", "PASSWORD_MINLENGTH",
    "RESTRICTIONS_MAXLENGTH", "SEPARATOR", "BotPassword", "BotPasswordError", "BotPasswordSessions",
    "BotPasswordStore", "BotPasswords", "InvalidRestriction", "LoginContext", "LoginOutcome", "Restrictions",
    "ThrottleFailure", "canonicalize_login_data", "normalize_app_id", "normalize_grants",
    "split_login_name", "validate_new_app_id",
]
