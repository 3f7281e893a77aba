"""Rendering checks against texts captured from MediaWiki 1.39 (spec files + reference wiki)."""

from __future__ import annotations

import pytest

from wikigate.i18n import (
    Catalog,
    Duration,
    Expiry,
    ListParam,
    Message,
    Num,
    Plaintext,
    RawMessage,
    RawMsgParam,
    Size,
)
from wikigate.i18n.render import strip_markup


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(sitename="RefWiki", page_exists=lambda title: title == "Main Page")


def test_bc_badvalue(catalog: Catalog) -> None:
    msg = Message("paramvalidator-badvalue-enumnotmulti", (Plaintext("action"), Plaintext("foo")))
    assert catalog.bc(msg) == 'Unrecognized value for parameter "action": foo.'


def test_bc_missingparam(catalog: Catalog) -> None:
    assert catalog.bc(Message("paramvalidator-missingparam", (Plaintext("token"),))) == (
        'The "token" parameter must be set.'
    )


def test_bc_mustpostparams_singular_and_plural(catalog: Catalog) -> None:
    one = Message("apierror-mustpostparams", ("token", 1))
    two = Message("apierror-mustpostparams", ("lgpassword, lgtoken", 2))
    assert catalog.bc(one) == (
        "The following parameter was found in the query string, but must be in the POST body: token."
    )
    assert catalog.bc(two) == (
        "The following parameters were found in the query string, but must be in the POST body: lgpassword, lgtoken."
    )


def test_bc_mustbeposted_kbd_becomes_quotes(catalog: Catalog) -> None:
    assert catalog.bc(Message("apierror-mustbeposted", ("login",))) == ('The "login" module requires a POST request.')


def test_bc_toomanyvalues(catalog: Catalog) -> None:
    msg = Message("paramvalidator-toomanyvalues", (Plaintext("type"), Num(50)))
    assert catalog.bc(msg) == 'Too many values supplied for parameter "type". The limit is 50.'


def test_bc_userexists_newline_becomes_space(catalog: Catalog) -> None:
    assert catalog.bc(Message("userexists")) == ("Username entered already in use. Please choose a different name.")


def test_login_throttled_wikitext_keeps_newline(catalog: Catalog) -> None:
    msg = Message("login-throttled", (Duration(300),))
    assert catalog.wikitext(msg) == (
        "You have made too many recent login attempts.\nPlease wait 5 minutes before trying again."
    )
    assert catalog.bc(msg) == (
        "You have made too many recent login attempts. Please wait 5 minutes before trying again."
    )
    assert catalog.raw(msg) == {"key": "login-throttled", "params": [{"duration": 300}]}


def test_login_aborted_bc(catalog: Catalog) -> None:
    # login.md §1.2: links stay as wiki markup, <kbd> becomes quotes.
    assert catalog.bc(Message("api-login-fail-aborted")) == (
        'Authentication requires user interaction, which is not supported by "action=login". '
        'To be able to login with "action=login", see [[Special:BotPasswords]]. '
        'To continue using main-account login, see "[[Special:ApiHelp/clientlogin|action=clientlogin]]".'
    )


def test_wrongpassword_formats(catalog: Catalog) -> None:
    msg = Message("wrongpassword")
    assert catalog.plaintext(msg) == "Incorrect username or password entered. Please try again."
    assert catalog.html(msg) == "Incorrect username or password entered.\nPlease try again."
    assert catalog.raw(msg) == {"key": "wrongpassword", "params": []}


def test_html_internal_link_as_reference(catalog: Catalog) -> None:
    # Captured from errorformat=html on a main-account action=login.
    assert catalog.html(Message("apiwarn-deprecation-login-botpw")) == (
        "Main-account login via <kbd>action=login</kbd> is deprecated and may stop working without "
        "warning. To continue login with <kbd>action=login</kbd>, see "
        '<a href="/index.php/Special:BotPasswords" title="Special:BotPasswords">Special:BotPasswords</a>. '
        "To safely continue using main-account login, see <kbd>action=clientlogin</kbd>."
    )


def test_html_free_link_and_entities(catalog: Catalog) -> None:
    url = "https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists.wikimedia.org/"
    msg = Message("api-usage-mailinglist-ref")
    assert catalog.html(msg) == (
        f'Subscribe to the mediawiki-api-announce mailing list at &lt;<a rel="nofollow" '
        f'class="external free" href="{url}">{url}</a>&gt; for notice of API deprecations and '
        "breaking changes."
    )
    assert catalog.plaintext(msg) == (
        f"Subscribe to the mediawiki-api-announce mailing list at <{url}> for notice of API "
        "deprecations and breaking changes."
    )
    # wikitext keeps the entities, as the docref does.
    assert "&lt;https://" in catalog.wikitext(msg)


def test_html_red_link_and_plaintext_param_escaping(catalog: Catalog) -> None:
    groups = Message("badaccess-groups", ("*, [[RefWiki:Administrators|Administrators]]", 2))
    assert catalog.html(groups) == (
        "The action you have requested is limited to users in one of the groups: *, "
        '<a href="/index.php?title=RefWiki:Administrators&amp;action=edit&amp;redlink=1" class="new" '
        'title="RefWiki:Administrators (page does not exist)">Administrators</a>.'
    )
    values = ("<b>'x'&amp;", "[[Foo]]")
    msg = Message(
        "paramvalidator-unrecognizedvalues",
        (
            Plaintext("type"),
            Plaintext("|".join(values)),
            ListParam(tuple(Plaintext(v) for v in values), "comma"),
            Num(2),
        ),
    )
    # Captured from the reference wiki: plaintext params are escaped, never parsed.
    assert catalog.html(msg) == ('Unrecognized values for parameter "type": &lt;b&gt;&#039;x&#039;&amp;amp;, [[Foo]]')


def test_multi_error_status_message(catalog: Catalog) -> None:
    msg = RawMessage(
        "* $1\n* $2",
        (
            "Your password must not appear within your username.",
            "The password entered is in a list of very commonly used passwords. Please choose a more unique password.",
        ),
    )
    assert catalog.html(msg) == (
        "<ul><li>Your password must not appear within your username.</li>\n"
        "<li>The password entered is in a list of very commonly used passwords. "
        "Please choose a more unique password.</li></ul>"
    )
    assert catalog.wikitext(msg).startswith("* Your password")
    assert catalog.raw(msg)["key"] == "* $1\n* $2"


def test_paragraphs(catalog: Catalog) -> None:
    msg = RawMessage("A\n\nB")
    assert catalog.html(msg) == "<p>A\n</p><p>B\n</p>"


def test_raw_params(catalog: Catalog) -> None:
    msg = Message(
        "paramvalidator-badvalue-enumnotmulti",
        (
            Plaintext("action"),
            Plaintext("foo"),
            ListParam((Plaintext("login"), Plaintext("logout")), "text"),
            Num(50),
        ),
    )
    assert catalog.raw(msg) == {
        "key": "paramvalidator-badvalue-enumnotmulti",
        "params": [
            {"plaintext": "action"},
            {"plaintext": "foo"},
            {"list": [{"plaintext": "login"}, {"plaintext": "logout"}], "type": "text"},
            {"num": 50},
        ],
    }
    unrecognized = Message("apierror-unrecognizedparams", (ListParam(("foo",), "comma", keys=(2,)), 1))
    assert catalog.raw(unrecognized)["params"] == [{"list": {"2": "foo"}, "type": "comma"}, 1]
    nested = Message("x", (RawMsgParam(Message("wrongpassword")), Expiry("infinity"), Size(2048)))
    assert catalog.raw(nested)["params"] == [
        {"message": {"key": "wrongpassword", "params": []}},
        {"expiry": "infinity"},
        {"size": 2048},
    ]


def test_missing_key(catalog: Catalog) -> None:
    assert catalog.wikitext(Message("no-such-message-xyz")) == "⧼no-such-message-xyz⧽"
    assert catalog.html(Message("a<b")) == "⧼a&lt;b⧽"
    assert catalog.bc(Message("no-such-message-xyz")) == "⧼no-such-message-xyz⧽"


def test_maxlag_negative_one_is_singular(catalog: Catalog) -> None:
    msg = Message("apierror-maxlag-generic", (-1,))
    assert catalog.bc(msg) == "Waiting for a database server: -1 second lagged."


def test_sitename_and_int(catalog: Catalog) -> None:
    assert catalog.wikitext(RawMessage("{{SITENAME}} / {{int:restriction-edit}}")) == "RefWiki / Edit"
    assert catalog.wikitext(Message("grouppage-sysop")) == "RefWiki:Administrators"


def test_gender_uses_neutral_form(catalog: Catalog) -> None:
    assert catalog.wikitext(RawMessage("{{GENDER:$1|he|she|they}}", ("Foo",))) == "they"
    assert catalog.wikitext(RawMessage("{{GENDER:$1|user}}", ("Foo",))) == "user"


def test_plural_explicit_forms(catalog: Catalog) -> None:
    msg = RawMessage("{{PLURAL:$1|0=none|one|many}}", ("0",))
    assert catalog.wikitext(msg) == "none"
    assert catalog.wikitext(RawMessage("{{PLURAL:$1|one|many}}", (Num(1234),))) == "many"


def test_number_formatting(catalog: Catalog) -> None:
    assert catalog.wikitext(RawMessage("$1", (Num(1234567.5),)), "en") == "1,234,567.5"
    assert catalog.wikitext(RawMessage("$1", (Num(1234567.5),)), "de") == "1.234.567,5"
    assert catalog.wikitext(RawMessage("$1", (Num(1234),)), "tr") == "1.234"


def test_strip_markup_rules() -> None:
    assert strip_markup("<var>a</var> <code>b</code>\n<span class='x'>c</span>&amp;") == '"a" "b" c&'
    assert strip_markup("x<br>y") == "x y"
    assert strip_markup("a < b") == "a < b"
