"""Parameter declarations and their validation (MediaWiki's ParamValidator rules).

A module declares each parameter once, as a :class:`Param`; validation, ``action=help``
and ``action=paraminfo`` all read that declaration. Rules shared with MediaWiki 1.39:

* booleans are true iff present, whatever the value (``curtimestamp=false`` is true);
* a required parameter that is missing *or empty* → ``missingparam``;
* multi-values split on ``|``, or on U+001F when the value starts with it; the 50/500
  limit is checked before de-duplication (``toomanyvalues``);
* unknown values of a multi-value enum are dropped with an ``unrecognizedvalues``
  warning, an unknown single enum value is a ``badvalue`` error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from wikigate.api.errors import ApiError
from wikigate.i18n import ListParam, Message, Num, Plaintext
from wikigate.util.ints import INT64_MAX, INT64_MIN, parse_int64
from wikigate.util.multivalue import MULTI_SEP, split_multi


def _pt(value: Any) -> Plaintext:
    """ParamValidator passes names and values as plaintext parameters (raw format shows it)."""
    return Plaintext(str(value))

LIMIT1 = 50
LIMIT2 = 500


Choices = Sequence[str] | Callable[[], Sequence[str]]


@dataclass(frozen=True)
class Param:
    #: string, text, password, integer, limit, boolean, enum, user, title, timestamp,
    #: expiry, namespace, tags
    type: str = "string"
    default: Any = None
    required: bool = False
    multi: bool = False
    choices: Choices | None = None
    allow_duplicates: bool = False
    #: Value meaning "all choices" (``*``) for multi enums.
    all_value: str | None = None
    min: int | None = None
    max: int | None = None
    #: Upper bound for users with apihighlimits (limit type).
    max2: int | None = None
    sensitive: bool = False
    deprecated: bool = False
    #: For type user: which forms are accepted (name, ip, cidr, id, interwiki).
    user_types: tuple[str, ...] = ("name",)
    #: Token type when this parameter is the module's token.
    token_type: str | None = None
    #: Message key for the help text; default apihelp-<path>-param-<name>.
    help_key: str | None = None
    #: Values of a multi enum that are deprecated.
    deprecated_values: tuple[str, ...] = ()
    ismulti_limit1: int = LIMIT1
    ismulti_limit2: int = LIMIT2
    #: Accepts values for which no help is listed (e.g. dynamic AuthManager fields).
    submodules: dict[str, str] | None = None
    #: Integers out of min/max are an error (``ApiBase::PARAM_RANGE_ENFORCE``); by
    #: default they are clamped with an ``outofrange`` warning, as for limits.
    enforce_range: bool = False
    #: Namespace type: negative namespaces accepted besides the real ones
    #: (``NamespaceDef::PARAM_EXTRA_NAMESPACES``, e.g. Media and Special).
    extra_namespaces: tuple[int, ...] = ()
    #: Limit type: when False the raw text is returned and the module validates it
    #: later with bounds of its own (``extractRequestParams( false )``).
    parse_limit: bool = True
    #: Notes shown with the parameter (``PARAM_HELP_MSG_INFO``), e.g. "singlepageonly".
    help_info: tuple[str, ...] = ()

    def choice_list(self) -> list[str]:
        c = self.choices
        if c is None:
            return []
        values = list(c() if callable(c) else c)
        if self.type == "namespace":
            # NamespaceDef::getEnumValues: the namespaces and the extra ones, sorted.
            ids = {int(v) for v in values} | set(self.extra_namespaces)
            return [str(i) for i in sorted(ids)]
        return values


class ParamSource(Protocol):
    """What the validator needs from the request context."""

    high_limits: bool

    def get_raw(self, name: str, module: str = "main") -> str | None: ...

    def add_warning(self, module: str, message: Message, code: str | None = None,
                    data: dict[str, Any] | None = None) -> None: ...

    def validate_user(self, name: str, value: str, param: Param) -> str: ...


def _missing(name: str) -> ApiError:
    return ApiError("paramvalidator-missingparam", [_pt(name)], code="missingparam")


def validate_param(src: ParamSource, module_path: str, name: str, p: Param) -> Any:
    """Read and validate one (already prefixed) parameter. Its errors name the module
    that declares it (``query+allpages``), as MediaWiki's do."""
    try:
        return _validate_param(src, module_path, name, p)
    except ApiError as e:
        if e.module is None:
            e.module = module_path
        raise


def _validate_param(src: ParamSource, module_path: str, name: str, p: Param) -> Any:
    raw = src.get_raw(name, module_path)
    if p.type == "boolean":
        return raw is not None
    if raw is None or (p.required and raw == ""):
        if p.required:
            raise _missing(name)
        if p.multi and p.default is not None and isinstance(p.default, str):
            return split_multi(p.default) if p.default else []
        return p.default
    if p.deprecated:
        _deprecated(src, module_path, name, raw)
    if p.multi:
        values = split_multi(raw)
        limit = p.ismulti_limit2 if src.high_limits else p.ismulti_limit1
        if len(values) > limit:
            raise ApiError("paramvalidator-toomanyvalues", [_pt(name), Num(limit)], code="toomanyvalues",
                           data={"limit": limit, "lowlimit": p.ismulti_limit1, "highlimit": p.ismulti_limit2})
        if not p.allow_duplicates:
            values = list(dict.fromkeys(values))
        if p.type == "enum":
            return _multi_enum(src, module_path, name, p, values, raw)
        if p.type == "namespace" and p.choices is not None:
            # NamespaceDef is an enum of namespace numbers ("*" = all of them).
            return [int(v) for v in _multi_enum(src, module_path, name, p, values, raw, all_value="*")]
        if p.type == "tags":
            return _tags(p, values)
        return [_one(src, module_path, name, p, v, multi=True) for v in values]
    if raw.startswith(MULTI_SEP):
        raise ApiError("paramvalidator-notmulti", [_pt(name)], code="badvalue")
    return _one(src, module_path, name, p, raw, multi=False)


def _deprecated(src: ParamSource, module_path: str, name: str, raw: str) -> None:
    """A deprecated parameter: a ``deprecation`` warning whose feature names the module
    path as MediaWiki spells it (``action=userrights&userid``, ``action=query&list=users&usfoo``),
    plus the main module's one-time mailing-list hint."""
    msg = Message("paramvalidator-param-deprecated", (_pt(name), _pt(raw)))
    feature = name
    if module_path != "main":
        head, _, sub = module_path.partition("+")
        if sub:
            reg = getattr(getattr(src, "services", None), "api_registry", None)
            group = next((g for g, mods in reg.query.items() if sub in mods), "meta") if reg else "meta"
            feature = f"{group}={sub}&{feature}"
        feature = f"action={head}&{feature}"
    add_deprecation = getattr(src, "add_deprecation", None)
    if add_deprecation is not None:
        add_deprecation(module_path, msg, feature)
    else:
        src.add_warning(module_path, msg, "deprecation", {"feature": feature})


def _tags(p: Param, values: list[str]) -> list[str]:
    """Change tags (ChangeTags::canAddTagsAccompanyingChange): only tags declared as
    choices may be applied; any other tag fails the whole request with ``badtags``."""
    allowed = set(p.choice_list())
    bad = [v for v in values if v not in allowed]
    if not bad:
        return values
    if len(bad) == 1:
        msg = Message("tags-apply-not-allowed-one", (bad[0],))
    else:
        # ChangeTags passes a ready-made comma list and a bare count (raw format shows it).
        msg = Message("tags-apply-not-allowed-multi", (", ".join(bad), len(bad)))
    raise ApiError(msg, code="badtags", data={"disallowedtags": bad})


def _multi_enum(src: ParamSource, module_path: str, name: str, p: Param, values: list[str],
                raw: str, all_value: str | None = None) -> list[str]:
    choices = p.choice_list()
    all_value = all_value or p.all_value
    if all_value is not None and values == [all_value]:
        return choices
    good = [v for v in values if v in choices]
    bad = [v for v in values if v not in choices]
    if bad:
        src.add_warning(
            module_path,
            Message("paramvalidator-unrecognizedvalues",
                    (_pt(name), _pt(raw), ListParam(tuple(_pt(b) for b in bad), "comma"), Num(len(bad)))),
            "unrecognizedvalues",
            {"values": bad},
        )
    for v in good:
        if v in p.deprecated_values:
            src.add_warning(module_path, Message("paramvalidator-deprecated-value", (_pt(name), _pt(v))), "deprecation")
    return good


def _integer(name: str, value: str) -> int:
    """IntegerDef::validate: ASCII digits with an optional sign, within PHP's 64-bit range.

    PHP's intval() saturates at PHP_INT_MAX/MIN and MediaWiki then compares the digits
    with the saturated value, so ``+9223372036854775807`` (the "+" is not stripped there)
    is rejected while ``-9223372036854775808`` is accepted; both quirks are kept.
    """
    n = parse_int64(value)
    if n in (INT64_MAX, INT64_MIN) and ("-" if n < 0 else "") + value.lstrip("-0") != str(n):
        n = None
    if n is None:
        raise ApiError("paramvalidator-badinteger", [_pt(name), _pt(value)], code="badinteger")
    return n


def _one(src: ParamSource, module_path: str, name: str, p: Param, value: str, *, multi: bool) -> Any:
    t = p.type
    if t == "enum":
        choices = p.choice_list()
        if value not in choices:
            raise ApiError("paramvalidator-badvalue-enumnotmulti",
                           [_pt(name), _pt(value), ListParam(tuple(_pt(c) for c in choices), "text"),
                            Num(len(choices))], code="badvalue")
        return value
    if t == "namespace" and p.choices is not None:
        values = p.choice_list()
        if value not in values:
            raise ApiError("paramvalidator-badvalue-enumnotmulti",
                           [_pt(name), _pt(value), ListParam(tuple(Plaintext(int(v)) for v in values), "text"),
                            Num(len(values))], code="badvalue")
        return int(value)
    if t in ("integer", "namespace"):
        n = _integer(name, value)
        return _range(src, module_path, name, p, value, n, p.max, p.max, ignore=not p.enforce_range)
    if t == "limit" and not p.parse_limit:
        return value
    if t == "limit":
        top = (p.max2 if src.high_limits and p.max2 is not None else p.max) or LIMIT1
        if value == "max":
            # ApiResult::addParsedLimit: the value "max" stood for, under "limits".
            add_limit = getattr(src, "add_parsed_limit", None)
            if add_limit is not None:
                add_limit(module_path, top)
            return top
        n = _integer(name, value)
        return _range(src, module_path, name, p, value, n, p.max or LIMIT1, top, ignore=True,
                      min_value=p.min if p.min is not None else 1)
    if t == "user":
        return src.validate_user(name, value, p)
    return value


def _range(src: ParamSource, module_path: str, name: str, p: Param, value: str, n: int, max1: int | None,
           cur_max: int | None, *, ignore: bool, min_value: int | None = None) -> int:
    """NumericDef::checkRange: a value out of range is clamped with an ``outofrange``
    warning (``ignore``), or refused with that error; the message names the bounds the
    parameter has, the data all of them."""
    lo = p.min if min_value is None else min_value
    hi = cur_max
    if lo is not None and n < lo:
        clamped = lo
    elif hi is not None and n > hi:
        clamped = hi
    else:
        return n
    what = ("min" if lo is not None else "") + ("max" if max1 is not None else "")
    highmax = p.max2 if p.max2 is not None else max1
    msg = Message(f"paramvalidator-outofrange-{what}",
                  (_pt(name), _pt(value), Num(lo if lo is not None else ""), Num(hi if hi is not None else "")))
    data = {"min": lo, "curmax": hi, "max": max1, "highmax": highmax}
    if not ignore:
        raise ApiError(msg, code="outofrange", data=data)
    src.add_warning(module_path, msg, "outofrange", data)
    return clamped


def _var_list(names: Sequence[str]) -> ListParam:
    return ListParam(tuple(f"<var>{n}</var>" for n in names), "text")


def require_only_one(values: dict[str, Any], names: Sequence[str], prefix: str = "") -> str:
    """ApiBase::requireOnlyOneParameter: exactly one of ``names`` must be set (not None,
    not False — an empty string counts as set). Returns the one that is set."""
    given = [n for n in names if values.get(n) is not None and values.get(n) is not False]
    full = [prefix + n for n in names]
    if len(given) > 1:
        used = [prefix + n for n in given]
        raise ApiError("apierror-invalidparammix", [_var_list(used), len(used)], code="invalidparammix")
    if not given:
        raise ApiError("apierror-missingparam-one-of", [_var_list(full), len(full)], code="missingparam")
    return given[0]


def require_max_one(values: dict[str, Any], names: Sequence[str], prefix: str = "") -> None:
    """ApiBase::requireMaxOneParameter: at most one of ``names`` may be set."""
    given = [prefix + n for n in names if values.get(n) is not None and values.get(n) is not False]
    if len(given) > 1:
        raise ApiError("apierror-invalidparammix", [_var_list(given), len(given)], code="invalidparammix")
