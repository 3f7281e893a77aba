"""The shape of a refused request in domain code, shared by the services.

A domain service refuses with a small exception carrying MediaWiki's error code and the
values the API's message needs; the API layer maps it to :class:`ApiError` (the web pages
to a text beside the form). One base, so every service refuses the same way."""

from __future__ import annotations


class RequestRefused(Exception):
    """``code``: the error code (``toofewexpiries``, ``invalidexpiry`` …); ``value``: the
    offending value as given; ``given``/``needed``: counts, for ``toofewexpiries``."""

    def __init__(self, code: str, value: str = "", *, given: int = 0, needed: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.value = value
        self.given = given
        self.needed = needed
