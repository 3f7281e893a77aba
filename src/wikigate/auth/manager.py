"""Former home of the authentication engine; it lives in :mod:`wikigate.auth.flow` now.

Kept so that code written against ``wikigate.auth.manager`` (providers, pages) still
imports the same names.
"""

from wikigate.auth.flow import (
    SEC_FAIL,
    SEC_OK,
    SEC_REAUTH,
    AuthManager,
    AuthService,
    NewAccount,
    dump_message,
    load_message,
    valid_email,
)

__all__ = ["SEC_FAIL", "SEC_OK", "SEC_REAUTH", "AuthManager", "AuthService", "NewAccount", "dump_message",
           "load_message", "valid_email"]
