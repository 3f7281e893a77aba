"""A multiselect field of an authentication request takes the submitted string as one
value, as AuthenticationRequest::loadFromSubmission does ((array) cast, no splitting)."""

from __future__ import annotations

from wikigate.auth.requests import AuthenticationRequest, FieldInfo
from wikigate.i18n import RawMessage


class _Pick(AuthenticationRequest):
    class_id = "PickAuthenticationRequest"

    def __init__(self, optional: bool = False) -> None:
        super().__init__()
        self.optional = optional

    def fields(self) -> dict[str, FieldInfo]:
        opts = {k: RawMessage(k) for k in ("a", "b", "a|b")}
        return {"pick": FieldInfo("multiselect", RawMessage("Pick"), RawMessage("Pick"), optional=self.optional,
                                  options=opts)}


def test_one_value() -> None:
    req = _Pick()
    assert req.load({"pick": "a"})
    assert req.pick == ["a"]  # type: ignore[attr-defined]


def test_pipe_is_not_a_separator() -> None:
    req = _Pick()
    assert req.load({"pick": "a|b"})
    assert req.pick == ["a|b"]  # type: ignore[attr-defined]
    assert not _Pick().load({"pick": "b|c"})


def test_missing_or_empty() -> None:
    assert not _Pick().load({})
    opt = _Pick(optional=True)
    assert opt.load({})
    assert opt.pick == []  # type: ignore[attr-defined]
