"""Interface messages: MediaWiki-compatible keys, parameters and renderers.

API texts (error ``info``, warnings, login ``reason``, AuthManager ``message``) are
part of MediaWiki's wire interface, so English texts are MediaWiki's own and the
renderers reproduce ``Message::text()``/``parse()`` and the API error formatter.
"""

from wikigate.i18n.catalog import Catalog, api_code_for_key, fallback_chain, format_duration, normalize_lang
from wikigate.i18n.message import (
    Bitrate,
    Duration,
    Expiry,
    ListParam,
    Message,
    Num,
    Plaintext,
    RawMessage,
    RawMsgParam,
    RawParam,
    Size,
    TimePeriod,
)

__all__ = [
    "Bitrate",
    "Catalog",
    "Duration",
    "Expiry",
    "ListParam",
    "Message",
    "Num",
    "Plaintext",
    "RawMessage",
    "RawMsgParam",
    "RawParam",
    "Size",
    "TimePeriod",
    "api_code_for_key",
    "fallback_chain",
    "format_duration",
    "normalize_lang",
]
