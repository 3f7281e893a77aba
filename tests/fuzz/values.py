"""Value pools for the fuzzer: valid values by parameter type and name, boundaries,
wrong types and hostile text.

Values are ``str`` or ``bytes``; bytes are sent as they are (invalid UTF-8), a ``str``
with lone surrogates is sent in its "surrogatepass" form (CESU-style bytes, also invalid
UTF-8). :class:`Token` stands for a session's token, filled in when the request is sent,
so a run's requests depend on the seed only.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

Value = str | bytes


@dataclass(frozen=True)
class Token:
    """The current session's token of ``kind`` (``csrf``, ``login`` …), or a broken one."""

    kind: str
    broken: bool = False


RawValue = Value | Token

HUGE = 100_000  # "100 KB strings"

TITLES = [
    "Fuzz page", "Main Page", "Template:Fuzz", "Talk:Fuzz page", "User:Admin", "Protected page",
    "Fuzz page/sub", "Ünïcödé", "Help:Foo", "Project:About", "A", "Redirect page", "Missing page",
    "Template:Missing", "User talk:Admin", "Category:Fuzz", "File:Fuzz.png", "MediaWiki:Common.css",
    "fuzz page", "Fuzz_page", "  Fuzz page  ", "Fuzz\u00a0page", "\u200eFuzz page",
]
HOSTILE_TITLES: list[Value] = [
    "", " ", "_", "Foo[bar]", "Foo{x}", "Foo#frag", "#frag", "Special:BotPasswords", "Special:Nonexistent",
    "Media:X", ":", "::", "Talk:", "User:", ":Foo", "en:Foo", "wikipedia:Foo", "Foo/../Bar", "./Foo", "../Foo",
    "~~~~", "&amp;", "&#9999999999;", "&#" + "9" * 5000 + ";", "&#x110000;", "&#xD800;", "%41", "Foo%2", "Foo%",
    "a" * 255, "a" * 256, "é" * 128, "Foo|Bar", "Foo\tbar", "Foo\nbar", "Foo<bar>", "Foo\x7fbar",
    "User:127.0.0.1", "User:Admin/sub", "Talk:Talk:Foo", "Special:", "Special:RunJobs/x",
    "Ca\u0301fe\u0301", "\u0130stanbul", "ǅ", "ß", "\U0001f642", "x" * 1000,
]
USERS: list[Value] = [
    "Admin", "Nobody", "127.0.0.1", "#1", "#2", "#0", "#999999", "Fuzzsysop1", "192.168.0.0/16",
    "2001:db8::1", "2001:db8::/32", "Foo@bar", "user:admin", "admin", "Admin@Fuzz", "Ünïcödé", "imported>Foo",
    "#" + "9" * 30, "#-1", "1.2.3.999", "~2026-1",
]
PASSWORDS = ["AdminPassw0rd!2026", "x", "password", "Abcdefgh1!xyz", "Admin", "a" * 5000, ""]
EXPIRIES = [
    "infinite", "infinity", "indefinite", "never", "1 day", "2 weeks", "1 month", "next monday", "tomorrow",
    "2030-01-01", "2030-01-01T00:00:00Z", "20300101000000", "@1900000000", "@0", "now", "now + 1 day",
    "-1 day", "2001-01-01", "yesterday", "garbage", "a day", "31 November 2030", "1 day|2 days",
    "infinite|1 week", "last day of next month", "+1 week 2 days 4 hours 2 seconds", "9999-12-31",
    "10000-01-01", "0", "1", "Infinite", " 1 day ", "1 day " * 42, "9" * 254, "9" * 256,
]
TIMESTAMPS = [
    "now", "2030-01-01T00:00:00Z", "2001-01-15T14:56:00Z", "20300101000000", "1", "0", "-1", "1700000000",
    "2030-13-45T99:99:99Z", "00000000000000", "19700101000000", "99991231235959", "2030-01-01", "Tue, 01 Jan 2030",
    "1e10", "9" * 14, "9" * 20, "infinity", "1.5",
]
TEXTS = [
    "x", "Hello {{Fuzz}}", "#REDIRECT [[Fuzz page]]", "#REDIRECT [[Special:BotPasswords]]", "{{:Main Page}}",
    "== H ==\nbody\n== H2 ==\nmore", "", "{{msgnw:Fuzz}} {{Template:Fuzz|a=b}}", "<nowiki>{{Fuzz}}</nowiki>",
    "[[Category:Fuzz]]", "~~~~", "{{" * 500, "[[" * 500 + "]]" * 500,
]
PROTECTIONS = [
    "edit=sysop", "move=autoconfirmed", "create=sysop", "edit=all|move=sysop", "edit=bogus", "bogus=sysop",
    "edit", "=", "edit=sysop|edit=sysop", "upload=sysop", "edit=", "=sysop", "edit=sysop=x", "edit=autoconfirmed|move=",
]
AUTH_REQUESTS = [
    "MediaWiki\\Auth\\PasswordAuthenticationRequest", "MediaWiki\\Auth\\TemporaryPasswordAuthenticationRequest",
    "MediaWiki\\Auth\\PasswordDomainAuthenticationRequest", "MediaWiki\\Auth\\RememberMeAuthenticationRequest",
    "MediaWiki\\Extension\\OATHAuth\\Auth\\TOTPAuthenticationRequest", "CaptchaAuthenticationRequest", "bogus", "",
    "MediaWiki\\Auth\\UsernameAuthenticationRequest", "MediaWiki\\Auth\\UserDataAuthenticationRequest",
]
URLS = ["http://wiki.test/", "https://example.org/x?y=1", "javascript:alert(1)", "//evil.example", "relative",
        "http://127.0.0.1:1/", "http://[::1/", "http://wiki.test/index.php?title=Special:UserLogin&returnto=x"]
OPTION_CHANGES = ["language=de", "gender=male", "userjs-foo=bar", "bogus=1", "=x", "language", "skin=vector",
                  "searchNs0=1", "userjs-a b=c", "language=" + "x" * 300, "gender=bogus", "rememberpassword=1",
                  "date=ISO 8601", "timecorrection=ZoneInfo|120|Europe/Berlin", "email-allow-new-users=0"]
CONTINUES = ["Foo", "1|2", "20300101000000|5", "0|0|Foo", "x|y|z", "1|" + "9" * 30, "|", "-1|-1", "1|2|3|4",
             "20300101000000|1|0|Foo", "Fuzz_page", "\x1f", "1|" + "9" * 5000]
QUERY_CONTINUES = ["-||", "||", "x", "-||info|revisions", "gapcontinue||", "-||" + "x" * 100]
LANGS = ["en", "qqx", "de", "fr", "xx-invalid", "en-gb", "zh-hant", "content", "user", "EN", "../../etc", "ar"]

#: Values for every parameter: boundaries, wrong types, separators.
GENERIC: list[Value] = [
    "", " ", "|", "||", "*", "\x1f", "\x1fa\x1fb", "\x1f\x1f", "a|b|c", "|".join(["x"] * 60), "|".join(["x"] * 501),
    "0", "-1", "+1", " 1", "1 ", "01", "2147483647", "2147483648", "-2147483649", "4294967296",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
    "+9223372036854775807", "9" * 20, "9" * 30, "9" * 5000, "1e3", "0x1F", "1.5", "-0", "١٢", "²",
    "NaN", "infinity", "null", "true", "false", "[]", "{}", "<>&\"'", "<script>alert(1)</script>",
    "{{a}}", "[[x]]", "&#0;", "&lt;", "%00", "%zz", "..", "../etc/passwd", "a=b", "a&b=c", "max",
]
HOSTILE: list[Value] = [
    "\x00", "a\x00b", "\x07bell", "a\x0bb", "\x1b[31m", "\r\n", "\ufffe", "\uffff", "\u202eevil", "\ufeffBOM",
    "e\u0301", "Cafe\u0301", "\u00e9", "\U0001f642", "\U0010ffff", "\ud800", "a\udfffb", "\ud83d\ude42",
    b"\xff\xfe", b"\xc3", b"\xe2\x82", b"\x80abc", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"\xf8\x88\x80\x80\x80", b"ok\xffok", "\u0085", "\u2028", "\x1f\x00",
]


def huge(rng: random.Random) -> Value:
    """One of the 100 KB values."""
    return rng.choice([
        "x" * HUGE, "9" * HUGE, "1 day " * (HUGE // 6), "a|" * (HUGE // 2), ("\x1fa" * (HUGE // 2)),
        "é" * (HUGE // 2), "{{" * (HUGE // 2), "[[a]]" * (HUGE // 5), "%" * HUGE, "\x00" * 1000,
        b"\xff" * HUGE,
    ])


def junk(rng: random.Random) -> Value:
    """A generic hostile value: boundaries and wrong types (70 %), hostile text, rarely 100 KB."""
    r = rng.random()
    if r < 0.01:
        return huge(rng)
    if r < 0.70:
        return rng.choice(GENERIC)
    if r < 0.95:
        return rng.choice(HOSTILE)
    # A random short string of any code point (no surrogates here; HOSTILE has those).
    return "".join(chr(rng.choice([rng.randrange(0x20, 0x7f), rng.randrange(0x80, 0x800),
                                   rng.randrange(0x800, 0xd800), rng.randrange(0xe000, 0x110000),
                                   rng.randrange(0, 0x20)])) for _ in range(rng.randint(1, 12)))


def to_bytes(value: Value) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
