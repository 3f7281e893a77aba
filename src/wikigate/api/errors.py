"""The one API error type, and warnings.

Domain code raises small domain exceptions or returns statuses; API code raises
:class:`ApiError`. ``api/main.py`` catches it once and renders it per errorformat and
formatversion (``api/output.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from wikigate.i18n import Message, api_code_for_key
from wikigate.storage.errors import OUTAGE_RETRY_AFTER


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


@contextmanager
def errors_of(path: str) -> Iterator[None]:
    """Attribute errors raised inside a submodule to it (``query+allpages``), as
    MediaWiki's ``dieWithError`` in a submodule does."""
    try:
        yield
    except ApiError as e:
        if e.module is None:
            e.module = path
        raise


@dataclass
class ApiWarning:
    module: str
    message: Message
    code: str
    data: dict[str, Any] = field(default_factory=dict)


def backend_unavailable(kind: str, reqid: str) -> ApiError:
    """The answer to a request that failed because a backend is down, frozen or full.

    Same codes as MediaWiki for an unreachable database (``internal_api_error_
    DBConnectionError``, with its exception-type message and ``errorclass``) or a database
    refusing writes (``readonly``); unlike MediaWiki (HTTP 200) the status is 503 with
    ``Retry-After``, so load balancers and clients know to retry (docs/compatibility.md).
    ``kind`` is from :func:`wikigate.storage.errors.outage_kind`.
    """
    headers = {"Retry-After": str(OUTAGE_RETRY_AFTER)}
    if kind == "readonly":
        return ApiError("apierror-readonly", code="readonly", status=503, headers=headers,
                        data={"readonlyreason": "The database does not accept writes at the moment "
                                                "(storage full or read-only)."})
    cls = "Wikimedia\\Rdbms\\DBConnectionError"
    return ApiError("apierror-exceptioncaughttype", [reqid, cls], code="internal_api_error_DBConnectionError",
                    data={"errorclass": cls}, status=503, headers=headers)
