"""build_message: headers as MediaWiki writes them, and no header injection."""

from __future__ import annotations

import email
import email.policy

import pytest

from wikigate.mail import BadAddress, build_message, is_valid_email
from wikigate.mail.render import TEMPLATE_DIR, TemplateMissing, render, template_languages


def _msg(**kw: str) -> email.message.EmailMessage:
    args = dict(from_name="RefWiki", from_addr="wiki@refwiki.test", to_name="Alice", to_addr="a@x.test",
                subject="Account details on RefWiki", body="Hello\n")
    args.update(kw)
    m = build_message(date=1795315013.0, msgid_domain="refwiki.test", **args)
    parsed = email.message_from_bytes(m.as_bytes(policy=email.policy.SMTP), policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_headers() -> None:
    raw = build_message(from_name="RefWiki", from_addr="wiki@refwiki.test", to_name="Alice", to_addr="a@x.test",
                        subject="S", body="B", date=0.0, msgid_domain="refwiki.test").as_bytes()
    assert b'From: "RefWiki" <wiki@refwiki.test>' in raw
    assert b'To: "Alice" <a@x.test>' in raw
    m = _msg(to_name="Ünï Cödé")
    assert m["To"].addresses[0].display_name == "Ünï Cödé"
    assert m["To"].addresses[0].addr_spec == "a@x.test"
    assert m["Subject"] == "Account details on RefWiki"
    assert m["Date"].endswith("+0000")
    assert m["Message-ID"].endswith("@refwiki.test>")
    assert m["Content-Language"] == "en"
    assert m.get_content().replace("\r\n", "\n") == "Hello\n"


@pytest.mark.parametrize("field", ["to_name", "subject", "from_name"])
@pytest.mark.parametrize("evil", ["x\r\nBcc: victim@evil.test", "x\nBcc: victim@evil.test", "x\rY", "a\x00b"])
def test_header_injection_refused(field: str, evil: str) -> None:
    with pytest.raises(BadAddress):
        _msg(**{field: evil})


@pytest.mark.parametrize("addr", [
    "a@x.test\r\nBcc: victim@evil.test", "a@x.test\nX: y", "victim@evil.test, a@x.test",
    "Alice <a@x.test>", '"a b"@x.test', "no-at-sign", "a@[127.0.0.1]", "", "a@x .test",
])
def test_bad_recipient_refused(addr: str) -> None:
    assert not is_valid_email(addr)
    with pytest.raises(BadAddress):
        _msg(to_addr=addr)


def test_valid_addresses() -> None:
    for addr in ("a@x.test", "first.last+tag@sub.example.org", "o'neil@x.test", "a@localhost"):
        assert is_valid_email(addr)


def test_templates_exist_in_three_languages() -> None:
    for name in ("password-reset-ip", "password-reset-user", "account-created-temporary-password"):
        assert template_languages(name) == ["de", "en", "tr"], name


@pytest.mark.parametrize("lang", ["en", "de", "tr", "de-at", "fr"])
def test_render_reset(lang: str) -> None:
    subject, body, used = render("password-reset-ip", lang, sitename="RefWiki", url="http://w/index.php/Main_Page",
                                 ip="192.0.2.1", requester="192.0.2.1", username="Alice", password="a77ht42458",
                                 expiry="7 days")
    assert used == {"de-at": "de", "fr": "en"}.get(lang, lang)
    assert "RefWiki" in subject
    assert "\nAlice\n" in body and "\na77ht42458\n" in body and "192.0.2.1" in body
    assert "$" not in body


def test_render_missing_value_fails() -> None:
    with pytest.raises(KeyError):
        render("password-reset-ip", "en", sitename="RefWiki")
    with pytest.raises(TemplateMissing):
        render("no-such-template", "en")
    assert TEMPLATE_DIR.is_dir()
