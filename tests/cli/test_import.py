"""``wikigate import mediawiki``: accounts from a MediaWiki SQLite database log in unchanged.

The source is a small database with MediaWiki 1.39's SQLite DDL for the four tables read
and password hashes recorded from MediaWiki's own PasswordFactory (PHP), so no PHP is
needed here. (The reverse direction — a wikigate hash verified by MediaWiki — was
checked by hand with the reference install; here an independent PBKDF2 computation
stands in for it.)
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from tests.conftest import ApiClient

from wikigate.app import WikigateApp
from wikigate.auth.passwords import PasswordHasher
from wikigate.cli.main import cli
from wikigate.importer.mediawiki import Importer, SourceError, Summary, open_source

PW = "Imported-Pass!2026"
# Made by MediaWiki 1.39's PasswordFactory (maintenance script on the reference install).
PHP_HASHES = {
    "pbkdf2": ":pbkdf2:sha512:30000:64:uhuE+Jx7OYYDvUYTQ9PiCA==:WuDoMa1SBvG2KuhkjrD+1XJnleZwxFtmL7XyITDDCSA2zz9K"
              "p2A07EP06uIaCkN+44L5CgZ2ZBmWia6tkVpnGg==",
    "bcrypt": ":bcrypt:9$EV3a15vCnUfkDY7dArsRj.$7iAswHj9xMKsSV2ZqCw.8q/02DC6MOy",
    "B": ":B:5afe0f85:18bff27a0ab81aeddeed7cc2424e3c9a",
}

DDL = """
CREATE TABLE "user" (user_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, user_name BLOB DEFAULT '' NOT NULL,
 user_real_name BLOB DEFAULT '' NOT NULL, user_password BLOB NOT NULL, user_newpassword BLOB NOT NULL,
 user_newpass_time BLOB DEFAULT NULL, user_email BLOB NOT NULL, user_touched BLOB NOT NULL,
 user_token BLOB DEFAULT '' NOT NULL, user_email_authenticated BLOB DEFAULT NULL,
 user_email_token BLOB DEFAULT NULL, user_email_token_expires BLOB DEFAULT NULL,
 user_registration BLOB DEFAULT NULL, user_editcount INTEGER DEFAULT NULL,
 user_password_expires BLOB DEFAULT NULL);
CREATE UNIQUE INDEX user_name ON "user" (user_name);
CREATE TABLE user_groups (ug_user INTEGER DEFAULT 0 NOT NULL, ug_group BLOB DEFAULT '' NOT NULL,
 ug_expiry BLOB DEFAULT NULL, PRIMARY KEY(ug_user, ug_group));
CREATE TABLE bot_passwords (bp_user INTEGER NOT NULL, bp_app_id BLOB NOT NULL, bp_password BLOB NOT NULL,
 bp_token BLOB DEFAULT '' NOT NULL, bp_restrictions BLOB NOT NULL, bp_grants BLOB NOT NULL,
 PRIMARY KEY(bp_user, bp_app_id));
CREATE TABLE user_properties (up_user INTEGER NOT NULL, up_property BLOB NOT NULL, up_value BLOB DEFAULT NULL,
 PRIMARY KEY(up_user, up_property));
"""


def _md5(s: str) -> str:
    return hashlib.md5(s.encode()).hexdigest()


def make_source(path: Path, prefix: str = "") -> Path:
    db = sqlite3.connect(path)
    db.executescript(DDL.replace('"user"', f'"{prefix}user"').replace("user_groups (", f"{prefix}user_groups (")
                     .replace("bot_passwords (", f"{prefix}bot_passwords (")
                     .replace("user_properties (", f"{prefix}user_properties ("))
    rows = [
        # id, name, password, email, registration, editcount (BLOB columns, as MediaWiki writes them)
        (1, "Admin", PHP_HASHES["pbkdf2"], "admin@x.test", "20260101000000", 34),
        (2, "MediaWiki default", "", "", "20260101000000", 1),
        (5, "Bcrypt user", PHP_HASHES["bcrypt"], "", "20250505050505", None),
        (7, "Salted", PHP_HASHES["B"], "salted@x.test", None, 3),
        # A bare 32-hex MD5 of a very old wiki: MediaWiki salts it with the user id (7 → here 9).
        (9, "Ancient", _md5(f"9-{_md5(PW)}"), "", None, 0),
    ]
    for uid, name, pw, email, reg, edits in rows:
        db.execute(f'INSERT INTO "{prefix}user" (user_id, user_name, user_password, user_newpassword, user_email,'
                   " user_touched, user_token, user_registration, user_editcount) VALUES (?,?,?,?,?,?,?,?,?)",
                   (uid, name.encode(), pw.encode(), b"", email.encode(), b"20260102000000",
                    b"0123456789abcdef0123456789abcdef", reg.encode() if reg else None, edits))
    for uid, group, expiry in [(1, "sysop", None), (1, "bureaucrat", None), (5, "bot", b"20991231000000"),
                               (7, "sysop", b"20000101000000")]:
        db.execute(f"INSERT INTO {prefix}user_groups VALUES (?,?,?)", (uid, group.encode(), expiry))
    db.execute(f"INSERT INTO {prefix}user_properties VALUES (7, ?, ?)", (b"language", b"de"))
    db.execute(f"INSERT INTO {prefix}bot_passwords VALUES (1, ?, ?, ?, ?, ?)",
               (b"mybot", PHP_HASHES["pbkdf2"].encode(), b"fedcba9876543210fedcba9876543210",
                b'{"IPAddresses":["0.0.0.0/0","::/0"]}', b'["basic","editpage"]'))
    db.commit()
    db.close()
    return path


def test_php_made_hashes_verify_in_python() -> None:
    h = PasswordHasher()
    for stored in PHP_HASHES.values():
        assert h.verify(stored, PW)
        assert not h.verify(stored, PW + "x")


def test_wikigate_hash_is_mediawiki_pbkdf2() -> None:
    """Recompute a wikigate hash the way MediaWiki's Pbkdf2Password does (independently)."""
    stored = PasswordHasher().hash(PW)
    _, kind, algo, rounds, length, salt, digest = stored.split(":")
    assert (kind, algo, rounds, length) == ("pbkdf2", "sha512", "30000", "64")
    expect = hashlib.pbkdf2_hmac(algo, PW.encode(), base64.b64decode(salt), int(rounds), int(length))
    assert base64.b64encode(expect).decode() == digest


def test_cli_import_and_rerun(tmp_path: Path) -> None:
    src = make_source(tmp_path / "wiki.sqlite")
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n[passwords]\npbkdf2_iterations = 1000\n')
    before = src.read_bytes()
    runner = CliRunner()
    r = runner.invoke(cli, ["-c", str(conf), "import", "mediawiki", str(src)])
    assert r.exit_code == 0, r.output
    assert "users: 5 created, 0 updated, 0 unchanged, 0 skipped" in r.output
    assert "bot passwords: 1 created" in r.output
    r = runner.invoke(cli, ["-c", str(conf), "import", "mediawiki", str(src)])
    assert "users: 0 created, 0 updated, 5 unchanged, 0 skipped" in r.output, r.output
    assert "bot passwords: 0 created, 0 updated, 1 unchanged" in r.output
    # A change in the source is picked up on the next run.
    db = sqlite3.connect(src)
    db.execute("UPDATE \"user\" SET user_email = ? WHERE user_id = 5", (b"new@x.test",))
    db.commit()
    db.close()
    r = runner.invoke(cli, ["-c", str(conf), "import", "mediawiki", str(src)])
    assert "users: 0 created, 1 updated, 4 unchanged" in r.output, r.output
    # The source file was only read (no WAL switch, no writes) apart from our own UPDATE.
    assert src.read_bytes()[:16] == before[:16]


@pytest.mark.parametrize(("source", "message"), [
    ("/nonexistent/wiki.sqlite", "no such file"),
    ("ftp://example.org/db", "unsupported source ftp://"),
])
def test_cli_clear_errors(tmp_path: Path, source: str, message: str) -> None:
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    r = CliRunner().invoke(cli, ["-c", str(conf), "import", "mediawiki", source])
    assert r.exit_code == 1 and message in r.output


def test_not_sqlite_and_wrong_prefix(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("hello")
    with pytest.raises(SourceError, match="not an SQLite database"):
        open_source(str(junk))
    src = make_source(tmp_path / "wiki.sqlite")
    conf = tmp_path / "wg.toml"
    conf.write_text(f'[storage]\ndata_dir = "{tmp_path / "data"}"\n')
    r = CliRunner().invoke(cli, ["-c", str(conf), "import", "mediawiki", str(src), "--prefix", "mw_"])
    assert r.exit_code == 1 and "no readable MediaWiki user table 'mw_user'" in r.output
    with pytest.raises(SourceError, match="invalid table prefix"):
        open_source(str(src), "x; DROP TABLE user")


async def test_imported_accounts_log_in(app: WikigateApp, new_client: Callable[..., ApiClient],
                                        tmp_path: Path) -> None:
    src = open_source(str(make_source(tmp_path / "wiki.sqlite", prefix="mw_")), "mw_")
    summary = Summary()
    imp = Importer(app.services)
    try:
        for u in await src.users():
            await imp.import_user(u, summary)
        for bp in await src.bot_passwords():
            await imp.import_bot_password(bp, summary)
    finally:
        await src.close()
    assert summary.users["created"] == 5 and summary.bot_passwords["created"] == 1
    users = app.services.users
    admin = await users.get_by_name("Admin")
    assert admin is not None
    assert admin.password == PHP_HASHES["pbkdf2"]  # byte for byte
    assert (admin.email, admin.registration, admin.editcount) == ("admin@x.test", "20260101000000", 34)
    assert sorted(admin.group_names()) == ["bureaucrat", "sysop"]
    salted = await users.get_by_name("Salted")
    assert salted is not None and salted.group_names() == []  # expired group kept out
    assert (await users.get_options(salted.id))["language"] == "de"
    bcrypt_user = await users.get_by_name("Bcrypt user")
    assert bcrypt_user is not None and bcrypt_user.groups[0].expiry == "20991231000000"
    ancient = await users.get_by_name("Ancient")
    assert ancient is not None and ancient.password.startswith(":B:9:")
    for i, name in enumerate(["Admin", "Bcrypt user", "Salted", "Ancient"]):
        c = new_client(f"10.5.0.{i + 1}")
        got: Any = await c.login(name, PW)
        assert got["clientlogin"]["status"] == "PASS", (name, got)
        wrong: Any = await new_client(f"10.6.0.{i + 1}").login(name, "not the password")
        assert wrong["clientlogin"]["status"] == "FAIL"
    # The system account has no password and cannot log in.
    sysacc: Any = await new_client("10.7.0.1").login("MediaWiki default", "")
    assert sysacc["clientlogin"]["status"] != "PASS"
