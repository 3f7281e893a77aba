"""The one API error type, and warnings.

Domain code raises small domain exceptions or returns statuses; API code raises
:class:`ApiError`. ``api/main.py`` catches it once and renders it per errorformat and
formatversion (``api/output.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wikigate.i18n import Message, api_code_for_key


class ApiError(Exception):
    def __init__(self, key: str | Message, params: list[Any] | tuple[Any, ...] = (), *,
                 code: str | None = None, data: dict[str, Any] | None = None,
                 status: int = 200, module: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.message = key if isinstance(key, Message) else Message(key, tuple(params))
        self.code = code or api_code_for_key(self.message.key)
        self.data = data or {}
        self.status = status
        self.module = module
        self.headers = headers or {}
        #: Further errors reported with this one by non-bc errorformats (permission checks).
        self.also: list[ApiError] = []
        super().__init__(self.code)


@dataclass
class ApiWarning:
    module: str
    message: Message
    code: str
    data: dict[str, Any] = field(default_factory=dict)
