"""The authentication flow engine (MediaWiki's AuthManager), independent of HTTP.

* :mod:`.engine` — :class:`AuthService` (per process) and :class:`AuthManager` (per request);
* :mod:`.steps` — the one state machine all flows run;
* :mod:`.login`, :mod:`.creation`, :mod:`.link` — the three kinds of flow;
* :mod:`.records` — the stored flow record and its (de)serialisation;
* :mod:`.registry` — provider ids and request types known at start.
"""

from wikigate.auth.flow.creation import valid_email
from wikigate.auth.flow.engine import (
    PRESERVED_KEY,
    SEC_FAIL,
    SEC_OK,
    SEC_REAUTH,
    AuthManager,
    AuthService,
)
from wikigate.auth.flow.records import FlowRecord, NewAccount, StaleFlow, dump_message, load_message
from wikigate.auth.flow.registry import CORE_PROVIDER_IDS, KNOWN_PROVIDERS, ProviderRegistry

__all__ = ["CORE_PROVIDER_IDS", "KNOWN_PROVIDERS", "PRESERVED_KEY", "SEC_FAIL", "SEC_OK", "SEC_REAUTH",
           "AuthManager", "AuthService", "FlowRecord", "NewAccount", "ProviderRegistry", "StaleFlow",
           "dump_message", "load_message", "valid_email"]
