"""Catalogue loading, language handling, API codes, plurals and translation coverage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wikigate.i18n import Catalog, Duration, Message, Num, api_code_for_key, format_duration, normalize_lang
from wikigate.i18n.plural import convert_plural


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


# Keys the api core and the in-scope modules (tokens, userinfo, siteinfo, paraminfo,
# help, checktoken, logout, login, clientlogin, createaccount, validatepassword,
# resetpassword, protect, edit, move, userrights) can raise, plus the account,
# password and protection texts. German and Turkish users must never see English
# for these.
_REQUIRED_KEYS = """
apierror-appendnotsupported apierror-articleexists apierror-assertanonfailed apierror-assertbotfailed
apierror-assertnameduserfailed apierror-assertuserfailed apierror-autoblocked apierror-badconfig-resulttoosmall
apierror-badcontinue apierror-badformat apierror-badgenerator-notgenerator apierror-badgenerator-unknown
apierror-badmd5 apierror-badmodule-badsubmodule apierror-badmodule-nosubmodules apierror-badparameter
apierror-badtoken apierror-badurl apierror-baduser apierror-blocked apierror-blocked-partial
apierror-cannotreauthenticate apierror-cantchangecontentmodel apierror-cantoverwrite-sharedfile
apierror-contentmodel-mismatch apierror-contentserializationexception apierror-contenttoobig
apierror-create-titleexists apierror-edit-invalidredirect apierror-emptynewsection apierror-emptypage
apierror-exceptioncaught apierror-exceptioncaughttype apierror-invalidexpiry apierror-invalidmethod
apierror-invalidparammix apierror-invalidparammix-cannotusewith apierror-invalidsection apierror-invalidtitle
apierror-invaliduser apierror-invaliduserid apierror-maxlag apierror-maxlag-generic apierror-missingparam
apierror-missingparam-at-least-one-of apierror-missingparam-one-of apierror-missingtitle
apierror-missingtitle-createonly apierror-mustbeloggedin-generic apierror-mustbeposted apierror-mustpostparams
apierror-no-direct-editing apierror-noapiwrite apierror-noedit apierror-noedit-anon apierror-noimageredirect
apierror-noimageredirect-anon apierror-nosuchpageid apierror-nosuchrevid apierror-nosuchsection
apierror-nosuchuserid apierror-pagecannotexist apierror-pagedeleted apierror-paramempty apierror-pastexpiry
apierror-permissiondenied apierror-permissiondenied-generic apierror-promised-nonwrite-api
apierror-protect-invalidaction apierror-protect-invalidlevel apierror-ratelimited apierror-readapidenied
apierror-readonly apierror-reauthenticate apierror-redirect-appendonly apierror-revwrongpage
apierror-sectionsnotsupported apierror-siteinfo-includealldenied apierror-spamdetected apierror-systemblocked
apierror-toofewexpiries apierror-unknownaction apierror-unknownerror apierror-unknownerror-editpage
apierror-unknownerror-nocode apierror-unknownformat apierror-unrecognizedparams apierror-writeapidenied
apierror-cannot-async-upload-file apierror-csp-report apierror-cantblock apierror-cannotviewtitle
apierror-cantimport apierror-changeauth-norequest apierror-compare-maintextrequired apierror-noapiwrite
apierror-nosuchuserid apierror-systemblocked apierror-nochanges apierror-paramempty
apierror-unrecognizedvalue apierror-cantsend apierror-import-unknownerror
apierror-nosuchlogid apierror-sizediffdisabled apierror-notarget
apiwarn-badutf8 apiwarn-checktoken-percentencoding apiwarn-deprecation-httpsexpected
apiwarn-deprecation-login-botpw apiwarn-deprecation-login-nobotpw apiwarn-deprecation-login-token
apiwarn-deprecation-parameter apiwarn-deprecation-post-without-content-type apiwarn-deprecation-withreplacement
apiwarn-errorprinterfailed apiwarn-ignoring-invalid-templated-value apiwarn-redirectsandrevids apiwarn-tokens-origin
apiwarn-truncatedresult apiwarn-unsupportedarray apiwarn-wgdebugapi apiwarn-unclearnowtimestamp
apiwarn-validationfailed apiwarn-invalidcategory apiwarn-notfile
api-usage-docref api-usage-mailinglist-ref api-login-fail-aborted api-login-fail-aborted-nobotpw
api-login-fail-badsessionprovider api-login-fail-sameorigin
paramvalidator-badbool paramvalidator-badexpiry paramvalidator-badexpiry-duration
paramvalidator-badexpiry-duration-max paramvalidator-badexpiry-past paramvalidator-badfloat
paramvalidator-badfloat-notfinite paramvalidator-badinteger paramvalidator-badtimestamp
paramvalidator-badvalue-enummulti paramvalidator-badvalue-enumnotmulti paramvalidator-deprecated-value
paramvalidator-emptystring paramvalidator-maxbytes paramvalidator-maxchars paramvalidator-missingparam
paramvalidator-notmulti paramvalidator-outofrange-max paramvalidator-outofrange-minmax paramvalidator-outofrange-min
paramvalidator-param-deprecated paramvalidator-toomanyvalues paramvalidator-unclearnowtimestamp
paramvalidator-unrecognizedvalues paramvalidator-baduser paramvalidator-badtitle paramvalidator-missingtitle
wrongpassword wrongpasswordempty login-throttled noname nosuchuser nosuchusershort userexists badretype
passwordtooshort passwordtoolong password-substring-username-match password-login-forbidden passwordincommonlist
invalidemailaddress noemailcreate emaildisabled acct_creation_throttle_hit usernameinprogress sessionfailure
sessionfailure-title readonlytext internalerror internalerror_info badaccess badaccess-group0 badaccess-groups
permissionserrors protectedpagetext cascadeprotected titleprotected namespaceprotected protectedinterface
nouserspecified sorbs_create_account_reason actionthrottledtext mailnologin red-link-title
authpage-cannot-login-continue
and word-separator comma-separator semicolon-separator pipe-separator colon-separator infiniteblock
duration-seconds duration-minutes duration-hours duration-days duration-weeks duration-years duration-decades
duration-centuries duration-millennia seconds minutes hours days seconds-abbrev minutes-abbrev hours-abbrev
days-abbrev userlogin-remembermypassword userlogin-yourname userlogin-yourpassword
authmanager-authn-no-primary authmanager-authn-not-in-progress authmanager-authn-no-local-user
authmanager-authn-no-local-user-link authmanager-authn-autocreate-failed authmanager-change-not-supported
authmanager-create-disabled authmanager-create-from-login authmanager-create-no-primary
authmanager-create-not-in-progress authmanager-link-no-primary authmanager-link-not-in-progress
authmanager-autocreate-noperm authmanager-autocreate-exception authmanager-userdoesnotexist
authmanager-userlogin-remembermypassword-help authmanager-username-help authmanager-password-help
authmanager-domain-help authmanager-retype-help authmanager-email-label authmanager-email-help
authmanager-realname-label authmanager-realname-help authmanager-provider-password
authmanager-provider-password-domain authmanager-provider-temporarypassword authmanager-account-password-domain
authprovider-resetpass-skip-label authprovider-resetpass-skip-help authprovider-confirmlink-message
authprovider-confirmlink-request-label authprovider-confirmlink-request-help authprovider-confirmlink-success-line
authprovider-confirmlink-failed authprovider-confirmlink-failed-line authprovider-confirmlink-option
authprovider-confirmlink-ok-help authform-newtoken authform-notoken authform-wrongtoken
resetpass-temp-emailed resetpass-validity resetpass-validity-soft resetpass-expired resetpass-expired-soft
resetpass_forbidden-reason createacct-reason createacct-reason-help createaccountmail createaccountmail-help
botpasswords-disabled botpasswords-invalid-name botpasswords-locked botpasswords-needs-reset
botpasswords-no-provider botpasswords-not-exist botpasswords-restriction-failed
passwordreset-disabled passwordreset-emaildisabled passwordreset-nocaller passwordreset-nodata
passwordreset-nosuchcaller passwordreset-ignored passwordreset-username
passwordreset-email throttled-mailpassword blocked-mailpassword
protect-cantedit protect-default protect-level-sysop protect-level-autoconfirmed protect-expiring
protect-expiring-local protect-expiry-indefinite protect-summary-cascade protect-summary-desc
protect-cascadeon protect-title protect-legend protect-expiry-options protect-othertime
restriction-edit restriction-move restriction-create restriction-upload restriction-level-sysop
restriction-level-autoconfirmed restriction-level-all protectedarticle modifiedarticleprotection
unprotectedarticle protectedarticle-comment modifiedarticleprotection-comment unprotectedarticle-comment
"""
REQUIRED_TRANSLATED: tuple[str, ...] = tuple(_REQUIRED_KEYS.split())


def _texts(lang: str) -> dict[str, str]:
    base = Path(__file__).resolve().parents[3] / "src" / "wikigate" / "i18n" / "messages" / lang
    merged: dict[str, str] = {}
    for path in sorted(base.glob("*.json")):
        merged.update({k: v for k, v in json.loads(path.read_text("utf-8")).items() if not k.startswith("@")})
    return merged


def test_required_keys_exist_in_english(catalog: Catalog) -> None:
    missing = sorted(k for k in set(REQUIRED_TRANSLATED) if k not in catalog.keys("en"))
    assert missing == []


@pytest.mark.parametrize("lang", ["de", "tr"])
def test_required_keys_translated(catalog: Catalog, lang: str) -> None:
    missing = sorted(k for k in set(REQUIRED_TRANSLATED) if k not in catalog.keys(lang))
    assert missing == [], f"{lang} lacks {len(missing)} required messages"


@pytest.mark.parametrize("lang", ["de", "tr"])
def test_translations_use_the_same_parameters(lang: str) -> None:
    """A translation must not drop or invent ``$n`` parameters (help/label texts excepted)."""
    import re

    english = _texts("en")
    problems = []
    for key, text in _texts(lang).items():
        assert key in english, f"{lang} defines {key!r}, which English lacks"
        want = set(re.findall(r"\$\d+", english[key]))
        have = set(re.findall(r"\$\d+", text))
        if not have <= want:
            problems.append(key)
    assert problems == []


def test_no_apihelp_copied() -> None:
    """core.json holds MediaWiki's interface texts; help texts are ours and live elsewhere."""
    import json
    from pathlib import Path

    import wikigate.i18n

    core = Path(wikigate.i18n.__file__).parent / "messages" / "en" / "core.json"
    assert not [k for k in json.loads(core.read_text(encoding="utf-8")) if k.startswith("apihelp-")]


def test_fallback_to_english(catalog: Catalog) -> None:
    assert catalog.exists("wrongpassword", "fr")
    assert catalog.wikitext(Message("wrongpassword"), "fr") == catalog.wikitext(Message("wrongpassword"), "en")
    assert catalog.wikitext(Message("wrongpassword"), "de-at") == catalog.wikitext(Message("wrongpassword"), "de")
    assert not catalog.exists("no-such-key-xyz")


def test_german_and_turkish_texts_differ(catalog: Catalog) -> None:
    en = catalog.wikitext(Message("login-throttled", (Duration(300),)), "en")
    de = catalog.wikitext(Message("login-throttled", (Duration(300),)), "de")
    tr = catalog.wikitext(Message("login-throttled", (Duration(300),)), "tr")
    assert len({en, de, tr}) == 3
    assert "5 Minuten" in de
    assert "5 dakika" in tr


def test_duplicate_conflicting_keys_rejected(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "a.json").write_text('{"x": "one"}', "utf-8")
    (tmp_path / "en" / "b.json").write_text('{"x": "two", "y": "why"}', "utf-8")
    with pytest.raises(ValueError, match="'x'"):
        Catalog(messages_dir=tmp_path)


def test_extra_files_are_merged(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "core.json").write_text('{"@metadata": {}, "x": "one"}', "utf-8")
    (tmp_path / "en" / "login.json").write_text('{"y": "two $1"}', "utf-8")
    cat = Catalog(messages_dir=tmp_path, languages=("en",))
    assert cat.wikitext(Message("y", ("!",))) == "two !"
    assert cat.languages() == ["en"]


@pytest.mark.parametrize(
    ("key", "params", "code"),
    [
        ("apierror-badtoken", (), "badtoken"),
        ("apiwarn-deprecation-login-token", (), "deprecation-login-token"),
        ("noname", (), "invaliduser"),
        ("nosuchusershort", (), "nosuchuser"),
        ("badaccess-groups", (), "permissiondenied"),
        ("sessionfailure", (), "badtoken"),
        ("protectedpagetext", (), "protectedpage"),
        ("titleprotected", (), "protectedtitle"),
        ("protect-cantedit", (), "cantedit"),
        ("readonlytext", (), "readonly"),
        ("wrongpassword", (), "wrongpassword"),
        ("acct_creation_throttle_hit", (), "acct_creation_throttle_hit"),
        ("* $1\n* $2", (), "___1____2"),
        ("apierror-missingparam", ("token",), "notoken"),
    ],
)
def test_api_code_for_key(key: str, params: tuple[str, ...], code: str) -> None:
    assert api_code_for_key(key, params) == code


@pytest.mark.parametrize(
    ("code", "expected"),
    [(None, "en"), ("", "en"), ("DE", "de"), ("de-AT", "de-at"), ("fr", "fr"), ("qqq", "en"), ("x/y", "en")],
)
def test_normalize_lang(code: str | None, expected: str) -> None:
    assert normalize_lang(code) == expected


def test_format_duration() -> None:
    assert format_duration(300, "en") == "5 minutes"
    assert format_duration(86400, "en") == "1 day"
    assert format_duration(90000, "en") == "1 day and 1 hour"
    assert format_duration(90061, "en") == "1 day, 1 hour, 1 minute and 1 second"
    assert format_duration(0, "en") == "0 seconds"
    assert format_duration(300, "de") == "5 Minuten"
    assert format_duration(60, "de") == "1 Minute"
    assert format_duration(300, "tr") == "5 dakika"


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "one"),
        ("en", 0, "other"),
        ("en", 2, "other"),
        ("en", -1, "one"),
        ("en", 1.5, "other"),
        ("de", 1, "one"),
        ("de", 21, "other"),
        ("tr", 1, "one"),
        ("tr", 1.0, "one"),
        ("tr", 5, "other"),
    ],
)
def test_plural_rules(lang: str, count: int | float, expected: str) -> None:
    assert convert_plural(count, ["one", "other"], lang) == expected


def test_plural_in_messages(catalog: Catalog) -> None:
    for lang in ("en", "de", "tr"):
        one = catalog.wikitext(Message("apierror-mustpostparams", ("a", 1)), lang)
        two = catalog.wikitext(Message("apierror-mustpostparams", ("a, b", 2)), lang)
        assert one != two, lang
    assert catalog.wikitext(Message("duration-minutes", (Num(1),)), "en") == "1 minute"


def test_qqx_shows_keys(catalog: Catalog) -> None:
    assert catalog.wikitext(Message("wrongpassword"), "qqx") == "(wrongpassword)"
    assert catalog.wikitext(Message("login-throttled", ("x",)), "qqx") == "(login-throttled: x)"
