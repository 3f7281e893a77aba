"""Message values and typed parameters.

They mirror MediaWiki's ``Message`` and ``Message::*Param()`` helpers because the
``raw`` error format and ``messageformat=raw`` expose them literally:
``{"num":50}``, ``{"plaintext":"x"}``, ``{"list":[…],"type":"comma"}`` … A typed
parameter also decides *when* it is substituted (before or after wikitext
processing) and whether it is escaped in HTML, so using the right type matters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "Bitrate",
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
]


@dataclass(frozen=True)
class Message:
    """A message key with positional parameters ``$1``, ``$2``, …"""

    key: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class RawMessage(Message):
    """A message whose *key is the wikitext itself* (MediaWiki ``RawMessage``).

    Status objects with several errors become ``RawMessage("* $1\\n* $2", …)``;
    its API code is derived from that text, hence the famous ``___1____2``.
    """


@dataclass(frozen=True)
class Num:
    """``Message::numParam``: formatted with the language's digit grouping."""

    value: int | float | str


@dataclass(frozen=True)
class Plaintext:
    """``Message::plaintextParam``: never parsed as wikitext, escaped in HTML. An int
    stays an int in the raw errorformat (namespace numbers in a value list)."""

    value: str | int


@dataclass(frozen=True)
class Duration:
    """``Message::durationParam``: "5 minutes", "1 day and 2 hours"."""

    seconds: int


@dataclass(frozen=True)
class Expiry:
    """``Message::expiryParam``: a timestamp, or ``infinity`` shown as "infinite"."""

    value: str


@dataclass(frozen=True)
class TimePeriod:
    """``Message::timeperiodParam`` (raw key ``period``): "5 min 3 s"."""

    seconds: int | float


@dataclass(frozen=True)
class Size:
    """``Message::sizeParam``: bytes in base 1024 ("2 KB")."""

    value: int


@dataclass(frozen=True)
class Bitrate:
    """``Message::bitrateParam``: bits per second in base 1000 ("2 kbps")."""

    value: int


@dataclass(frozen=True)
class RawParam:
    """``Message::rawParam``: substituted after processing, never escaped."""

    value: str


@dataclass(frozen=True)
class ListParam:
    """``Message::listParam``; ``type`` is comma, semicolon, pipe or text ("a, b and c").

    ``keys`` reproduces PHP arrays with non-sequential keys: MediaWiki passes the result
    of ``array_diff`` for unrecognized parameters, which the raw format prints as an
    object (``{"list":{"2":"foo"}, …}``) instead of a list.
    """

    items: tuple[Any, ...]
    type: str = "text"
    keys: tuple[int, ...] | None = None


@dataclass(frozen=True)
class RawMsgParam:
    """A nested message used as a parameter (raw format: ``{"message": {…}}``)."""

    message: Message
