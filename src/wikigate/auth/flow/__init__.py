"""The authentication flow engine (MediaWiki's AuthManager), independent of HTTP.

* :mod:`.engine` — :class:`AuthService` (per process) and :class:`AuthManager` (per request);
* :mod:`.steps` — the one state machine all flows run;
* :mod:`.login`, :mod:`.creation`, :mod:`.link` — the three kinds of flow;
* :mod:`.records` — the stored flow record and its (de)serialisation;
* :mod:`.registry` — provider ids and request types known at start.

Extension points for a provider (e.g. an external OpenID Connect login):

* Register it: add ``"<id>": "module:Class"`` to ``registry.KNOWN_PROVIDERS`` and name
  the id in ``auth.providers`` (or name the ``module:Class`` there directly). Request
  classes defined in the provider's module are known automatically; others go in its
  ``request_types``. Flow records name providers by ``unique_id`` and requests by
  registered key only.
* REDIRECT/UI: return ``AuthResponse.redirect(needed, url, data)`` from ``begin_*``; the
  engine stores the flow and calls ``continue_*`` with the client's next requests. State
  for the next step goes in ``manager.set_flow_data`` (the record's ``data``).
* No local user: a login primary PASS with ``username=None`` makes the engine answer
  RESTART (set ``create_request`` for ``preservestate``, ``link_request`` for a link
  after login); a primary may also return ``AuthResponse.restart(msg)`` itself.
* Linking: ``account_creation_type = TYPE_LINK`` plus ``begin_primary_account_link`` /
  ``continue_primary_account_link``; requests for ``link``/``unlink`` come from
  ``get_authentication_requests``; unlinking is ``allows_authentication_data_change`` /
  ``change_authentication_data`` with the ``remove`` action.
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
