"""$wgPasswordPolicy: per-group policy merging and the six core checks (MediaWiki 1.39).

Policies use MediaWiki's own configuration shape (group -> check name -> scalar or a
table with ``value`` / ``suggestChangeOnLogin`` / ``forceChange``) so that operators can
port a LocalSettings.php policy verbatim.  The checks return message keys and params that
the API layer renders exactly like MediaWiki (``passwordtooshort`` [10], ...).

Severity is a property of the *check*, not of the policy entry: MinimumPasswordLengthToLogin
and MaximalPasswordLength fail fatally (``Status::fatal``: validatepassword says
``Invalid``, login refuses), the others add a plain error (``Change``; login goes through
the soft/hard reset UI per the entry's flags).  Hence :class:`PolicyCheck` carries no
``fatal`` field; see :data:`FATAL_CHECKS` and :attr:`PolicyFailure.fatal`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .common import is_common_password, password_bytes

__all__ = [
    "CHECKS",
    "DEFAULT_POLICY",
    "FATAL_CHECKS",
    "PolicyCheck",
    "PolicyFailure",
    "PolicyResult",
    "check_password",
    "effective_policy",
    "merge_policy_overrides",
    "random_password_min_length",
    "validate_policies",
]

#: $wgPasswordPolicy['policies'] of MediaWiki 1.39, in MediaWiki's key order (order matters:
#: groups are merged in this order and checks run in the merged key order).
DEFAULT_POLICY: dict[str, dict[str, Any]] = {
    "bureaucrat": {"MinimalPasswordLength": 10, "MinimumPasswordLengthToLogin": 1},
    "sysop": {"MinimalPasswordLength": 10, "MinimumPasswordLengthToLogin": 1},
    "interface-admin": {"MinimalPasswordLength": 10, "MinimumPasswordLengthToLogin": 1},
    "bot": {"MinimalPasswordLength": 10, "MinimumPasswordLengthToLogin": 1},
    "default": {
        "MinimalPasswordLength": {"value": 1, "suggestChangeOnLogin": True},
        "PasswordCannotBeSubstringInUsername": {"value": True, "suggestChangeOnLogin": True},
        "PasswordCannotMatchDefaults": {"value": True, "suggestChangeOnLogin": True},
        "MaximalPasswordLength": {"value": 4096, "suggestChangeOnLogin": True},
        "PasswordNotInCommonList": {"value": True, "suggestChangeOnLogin": True},
    },
}


@dataclass(frozen=True)
class PolicyCheck:
    """One entry of an effective policy: the check's parameter and its login flags."""

    value: int | bool
    force_change: bool = False
    suggest_change_on_login: bool = False


@dataclass(frozen=True)
class PolicyFailure:
    """A failed check as MediaWiki would put it into the Status: message key + params.

    ``check`` names the policy entry that produced it (informational; MediaWiki drops it).
    """

    key: str
    params: tuple[int | str, ...]
    fatal: bool
    force_change: bool
    suggest_change_on_login: bool
    check: str = ""


@dataclass
class PolicyResult:
    """Outcome of :func:`check_password`, mirroring MediaWiki's Status semantics.

    * ``good``: no failures at all (validatepassword ``Good``);
    * ``ok``/``fatal``: whether a fatal check failed (``Invalid``) or not (``Change``);
    * ``force_change`` / ``suggest_change_on_login``: the login reset mode; like MediaWiki
      they are only reported while the result is still OK, and force wins over suggest.
    """

    failures: list[PolicyFailure] = field(default_factory=list)

    @property
    def good(self) -> bool:
        return not self.failures

    @property
    def fatal(self) -> bool:
        return any(f.fatal for f in self.failures)

    @property
    def ok(self) -> bool:
        return not self.fatal

    @property
    def force_change(self) -> bool:
        return self.ok and any(f.force_change for f in self.failures)

    @property
    def suggest_change_on_login(self) -> bool:
        return self.ok and not self.force_change and any(f.suggest_change_on_login for f in self.failures)

    @property
    def validity(self) -> str:
        """action=validatepassword's ``validity``: ``Good``, ``Change`` or ``Invalid``."""
        return "Good" if self.good else ("Change" if self.ok else "Invalid")


_Failure = tuple[str, tuple[int | str, ...]]
_CheckFn = Callable[[Any, str, str], list[_Failure]]


def _byte_len(password: str) -> int:
    return len(password_bytes(password))


def _min_length(value: Any, username: str, password: str) -> list[_Failure]:
    return [("passwordtooshort", (value,))] if value > _byte_len(password) else []


def _max_length(value: Any, username: str, password: str) -> list[_Failure]:
    return [("passwordtoolong", (value,))] if value < _byte_len(password) else []


def _ascii_lower(data: bytes) -> bytes:
    """PHP 8.2 ``stripos`` folds ASCII only (locale-independent); multibyte stays as is."""
    return data.translate(_ASCII_LOWER)


_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


def _not_in_username(value: Any, username: str, password: str) -> list[_Failure]:
    # stripos($username, $password) !== false; an empty needle matches at 0 in PHP 8.
    if value and _ascii_lower(password_bytes(password)) in _ascii_lower(password_bytes(username)):
        return [("password-substring-username-match", ())]
    return []


#: Username/password pairs MediaWiki refuses (old test fixtures, see r75589 and r75605).
_BLOCKED_LOGINS = {
    "Useruser": "Passpass",
    "Useruser1": "Passpass1",
    "Apitestsysop": "testpass",
    "Apitestuser": "testpass",
}


def _not_defaults(value: Any, username: str, password: str) -> list[_Failure]:
    if not value:
        return []
    pw = password_bytes(password)
    out: list[_Failure] = []
    blocked = _BLOCKED_LOGINS.get(username)
    if blocked is not None and hmac.compare_digest(blocked.encode(), pw):
        out.append(("password-login-forbidden", ()))
    # The example password shown in the API help (ApiChangeAuthenticationRequest).
    if hmac.compare_digest(b"ExamplePassword", pw):
        out.append(("password-login-forbidden", ()))
    return out


def _not_common(value: Any, username: str, password: str) -> list[_Failure]:
    return [("passwordincommonlist", ())] if value and is_common_password(password) else []


#: Check name -> (function, fails fatally).
CHECKS: dict[str, tuple[_CheckFn, bool]] = {
    "MinimalPasswordLength": (_min_length, False),
    "MinimumPasswordLengthToLogin": (_min_length, True),
    "PasswordCannotBeSubstringInUsername": (_not_in_username, False),
    "PasswordCannotMatchDefaults": (_not_defaults, False),
    "MaximalPasswordLength": (_max_length, True),
    "PasswordNotInCommonList": (_not_common, False),
}
FATAL_CHECKS = frozenset(name for name, (_, fatal) in CHECKS.items() if fatal)


def _present(m: Mapping[str, Any], key: str) -> bool:
    """PHP ``isset``: a key holding null counts as absent."""
    return m.get(key) is not None


def _max_of(p1: Mapping[str, Any], p2: Mapping[str, Any]) -> dict[str, Any]:
    """UserPasswordPolicy::maxOfPolicies: key-wise max, recursing into tables.

    Keys keep first-seen order (p1's, then new ones from p2).  A scalar meeting a table is
    promoted to ``{"value": scalar}`` so flags survive; booleans merge as OR via max.
    """
    out: dict[str, Any] = {}
    for key in [*p1.keys(), *p2.keys()]:
        if key in out:
            continue
        if not _present(p1, key):
            out[key] = p2.get(key)
        elif not _present(p2, key):
            out[key] = p1[key]
        else:
            a, b = p1[key], p2[key]
            if not isinstance(a, Mapping) and not isinstance(b, Mapping):
                out[key] = max(a, b)
            else:
                a = a if isinstance(a, Mapping) else {"value": a}
                b = b if isinstance(b, Mapping) else {"value": b}
                out[key] = _max_of(a, b)
    return out


def _to_check(name: str, settings: Any) -> PolicyCheck:
    if not isinstance(settings, Mapping):
        settings = {"value": settings}  # legacy scalar form
    if "value" not in settings:
        raise ValueError(f"Invalid password policy config. No value defined for '{name}'.")
    return PolicyCheck(
        value=settings["value"],
        force_change=bool(settings.get("forceChange")),
        suggest_change_on_login=bool(settings.get("suggestChangeOnLogin")),
    )


def effective_policy(
    groups: Iterable[str], policies: Mapping[str, Mapping[str, Any]] = DEFAULT_POLICY
) -> dict[str, PolicyCheck]:
    """The policy for a user in ``groups``: ``default`` max-merged with each member group.

    Pass the *effective* groups (implicit ``*``, ``user``, ``autoconfirmed`` included; they
    only matter if the operator configured policies for them).  Groups merge in the
    order of ``policies``, as in UserPasswordPolicy::getPoliciesForGroups.
    """
    if "default" not in policies:
        raise ValueError("Must include a 'default' password policy")
    member = set(groups)
    merged: Mapping[str, Any] = policies["default"]
    for group, policy in policies.items():
        if group in member:
            merged = _max_of(merged, policy)
    return {name: _to_check(name, settings) for name, settings in merged.items() if settings is not None}


def check_password(
    username: str,
    password: str,
    groups: Iterable[str],
    policies: Mapping[str, Mapping[str, Any]] = DEFAULT_POLICY,
) -> PolicyResult:
    """Run the effective policy's checks on ``password`` for the (canonical) ``username``.

    Failures come in check order; a repeated (key, params) pair is reported once, as
    MediaWiki's Status de-duplicates identical messages.  Unknown check names raise
    ``ValueError`` (MediaWiki: DomainException); use :func:`validate_policies` at startup.
    """
    failures: list[PolicyFailure] = []
    index: dict[tuple[str, tuple[int | str, ...]], int] = {}
    for name, check in effective_policy(groups, policies).items():
        if name not in CHECKS:
            raise ValueError(f"Invalid password policy config. No check defined for '{name}'.")
        fn, fatal = CHECKS[name]
        for key, params in fn(check.value, username, password):
            failure = PolicyFailure(key, params, fatal, check.force_change, check.suggest_change_on_login, name)
            seen = index.get((key, params))
            if seen is None:
                index[(key, params)] = len(failures)
                failures.append(failure)
            else:
                old = failures[seen]
                failures[seen] = PolicyFailure(
                    key,
                    params,
                    old.fatal or fatal,
                    old.force_change or check.force_change,
                    old.suggest_change_on_login or check.suggest_change_on_login,
                    old.check,
                )
    return PolicyResult(failures)


def validate_policies(policies: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise ``ValueError`` if ``policies`` would make :func:`check_password` fail later."""
    if "default" not in policies:
        raise ValueError("Must include a 'default' password policy")
    for group, policy in policies.items():
        if not isinstance(policy, Mapping):
            raise ValueError(f"password policy for group '{group}' must be a table")
        for name, settings in policy.items():
            if name not in CHECKS:
                raise ValueError(f"Invalid password policy config. No check defined for '{name}'.")
            if settings is not None:
                _to_check(name, settings)


def merge_policy_overrides(
    overrides: Mapping[str, Any], base: Mapping[str, Mapping[str, Any]] = DEFAULT_POLICY
) -> dict[str, dict[str, Any]]:
    """Apply LocalSettings-style overrides the way MediaWiki does (``array_replace_recursive``).

    Tables merge key by key; anything else replaces the base value outright.
    """

    def replace(a: Any, b: Any) -> Any:
        if isinstance(a, Mapping) and isinstance(b, Mapping):
            out = dict(a)
            for k, v in b.items():
                out[k] = replace(out[k], v) if k in out else v
            return out
        return b

    merged: dict[str, dict[str, Any]] = replace(base, overrides)
    return merged


def random_password_min_length(
    policies: Mapping[str, Mapping[str, Any]] = DEFAULT_POLICY,
) -> int:
    """Length floor for temporary passwords: the largest MinimalPasswordLength or
    MinimumPasswordLengthToLogin of any group (TemporaryPasswordAuthenticationRequest::newRandom).
    """
    longest = 0
    for policy in policies.values():
        for name in ("MinimalPasswordLength", "MinimumPasswordLengthToLogin"):
            setting = policy.get(name)
            if isinstance(setting, Mapping):
                setting = setting.get("value")
            if isinstance(setting, int) and not isinstance(setting, bool):
                longest = max(longest, setting)
    return longest
