"""The one relational schema, shared by SQLite, PostgreSQL and MariaDB.

Column names follow MediaWiki's (``user_name``, ``ug_expiry`` …) so that an operator who
knows MediaWiki's tables recognises these, and so the importer maps one to one.
Timestamps are 14-digit MediaWiki strings (``20261122023145``) or ``infinity``, exactly
as MediaWiki stores them; that keeps comparisons simple and dialect-independent.
Changing this file requires a new Alembic revision in ``migrations/versions``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.sql.expression import type_coerce
from sqlalchemy.types import TypeDecorator


class Int(TypeDecorator[int]):
    """INTEGER, but values compared with it may be any 64-bit integer.

    asyncpg types a parameter from the column it is compared with, and refuses a value
    outside the int4 range ("value out of int32 range") instead of finding no row: a
    client's ``revids=2147483648`` became an internal error on PostgreSQL. Sending the
    parameter as BIGINT (``$1::BIGINT``) lets PostgreSQL compare int4 with int8 (and
    still use the index). SQLite and MariaDB get the same plain parameter as before.
    """

    impl = Integer
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return type_coerce(bindvalue, BigInteger())


metadata = MetaData()

# MariaDB needs lengths on indexed VARCHARs; 255 bytes is MediaWiki's limit for names.
NAME = String(255)
TS = String(14)
EXPIRY = String(14)  # 14-digit timestamp or "infinity" (8 chars)
#: Seconds since the epoch. Not ``Float``: MySQL's FLOAT is 4 bytes (128 s resolution now).
EPOCH: Double[float] = Double()
#: Opaque payloads; MySQL's BLOB stops at 64 KiB.
PAYLOAD = LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")
#: MariaDB compares text case-insensitively by default; names and titles must not be
#: (revision 0002). NO PAD, so "Foo" and "Foo " differ too.
MYSQL_COLLATION = "utf8mb4_nopad_bin"

user = Table(
    "wg_user", metadata,
    Column("user_id", Int, primary_key=True, autoincrement=True),
    Column("user_name", NAME, nullable=False, unique=True),
    Column("user_real_name", String(255), nullable=False, default=""),
    Column("user_password", Text, nullable=False, default=""),
    Column("user_newpassword", Text, nullable=False, default=""),
    Column("user_newpass_time", TS, nullable=True),
    Column("user_email", String(255), nullable=False, default=""),
    Column("user_email_authenticated", TS, nullable=True),
    Column("user_touched", TS, nullable=False),
    Column("user_token", String(32), nullable=False, default=""),
    Column("user_registration", TS, nullable=True),
    Column("user_editcount", Int, nullable=False, default=0),
    Column("user_password_expires", TS, nullable=True),
)
Index("wg_user_email", user.c.user_email)

user_groups = Table(
    "wg_user_groups", metadata,
    Column("ug_user", Int, nullable=False),
    Column("ug_group", String(255), nullable=False),
    Column("ug_expiry", TS, nullable=True),
    UniqueConstraint("ug_user", "ug_group", name="wg_ug_user_group"),
)
Index("wg_ug_expiry", user_groups.c.ug_expiry)

user_properties = Table(
    "wg_user_properties", metadata,
    Column("up_user", Int, nullable=False),
    Column("up_property", String(255), nullable=False),
    Column("up_value", Text, nullable=True),
    UniqueConstraint("up_user", "up_property", name="wg_up_user_property"),
)

bot_passwords = Table(
    "wg_bot_passwords", metadata,
    Column("bp_user", Int, nullable=False),
    Column("bp_app_id", String(32), nullable=False),
    Column("bp_password", Text, nullable=False),
    Column("bp_token", String(32), nullable=False),
    Column("bp_restrictions", Text, nullable=False),
    Column("bp_grants", Text, nullable=False),
    UniqueConstraint("bp_user", "bp_app_id", name="wg_bp_user_app"),
)

logging = Table(
    "wg_logging", metadata,
    Column("log_id", Int, primary_key=True, autoincrement=True),
    Column("log_type", String(32), nullable=False),
    Column("log_action", String(32), nullable=False),
    Column("log_timestamp", TS, nullable=False),
    Column("log_actor", Int, nullable=False, default=0),
    Column("log_actor_name", NAME, nullable=False, default=""),
    Column("log_namespace", Int, nullable=False, default=0),
    Column("log_title", NAME, nullable=False, default=""),
    Column("log_page", Int, nullable=False, default=0),
    Column("log_comment", Text, nullable=False, default=""),
    Column("log_params", Text, nullable=False, default="{}"),
)
Index("wg_log_type_time", logging.c.log_type, logging.c.log_timestamp)
Index("wg_log_page", logging.c.log_namespace, logging.c.log_title)

page = Table(
    "wg_page", metadata,
    Column("page_id", Int, primary_key=True, autoincrement=True),
    Column("page_namespace", Int, nullable=False),
    Column("page_title", NAME, nullable=False),
    Column("page_is_redirect", Boolean, nullable=False, default=False),
    Column("page_touched", TS, nullable=False),
    Column("page_latest", Int, nullable=False, default=0),
    Column("page_len", Int, nullable=False, default=0),
    Column("page_content_model", String(32), nullable=False, default="wikitext"),
    UniqueConstraint("page_namespace", "page_title", name="wg_page_name_title"),
)

revision = Table(
    "wg_revision", metadata,
    Column("rev_id", Int, primary_key=True, autoincrement=True),
    Column("rev_page", Int, nullable=False),
    Column("rev_text", Text, nullable=False, default=""),
    Column("rev_comment", Text, nullable=False, default=""),
    Column("rev_actor", Int, nullable=False, default=0),
    Column("rev_actor_name", NAME, nullable=False, default=""),
    Column("rev_timestamp", TS, nullable=False),
    Column("rev_minor_edit", Boolean, nullable=False, default=False),
    Column("rev_len", Int, nullable=False, default=0),
    Column("rev_parent_id", Int, nullable=False, default=0),
    Column("rev_sha1", String(40), nullable=False, default=""),
    Column("rev_tags", Text, nullable=False, default=""),
)
Index("wg_rev_page_id", revision.c.rev_page, revision.c.rev_id)
Index("wg_rev_actor_time", revision.c.rev_actor, revision.c.rev_timestamp)

page_restrictions = Table(
    "wg_page_restrictions", metadata,
    Column("pr_id", Int, primary_key=True, autoincrement=True),
    Column("pr_page", Int, nullable=False),
    Column("pr_type", String(60), nullable=False),
    Column("pr_level", String(60), nullable=False),
    Column("pr_cascade", Boolean, nullable=False, default=False),
    Column("pr_expiry", EXPIRY, nullable=True),
    UniqueConstraint("pr_page", "pr_type", name="wg_pr_page_type"),
)
Index("wg_pr_level", page_restrictions.c.pr_level)

protected_titles = Table(
    "wg_protected_titles", metadata,
    Column("pt_namespace", Int, nullable=False),
    Column("pt_title", NAME, nullable=False),
    Column("pt_user", Int, nullable=False),
    Column("pt_reason", Text, nullable=False, default=""),
    Column("pt_timestamp", TS, nullable=False),
    Column("pt_expiry", EXPIRY, nullable=True),
    Column("pt_create_perm", String(60), nullable=False),
    UniqueConstraint("pt_namespace", "pt_title", name="wg_pt_namespace_title"),
)
Index("wg_pt_timestamp", protected_titles.c.pt_timestamp)

templatelinks = Table(
    "wg_templatelinks", metadata,
    Column("tl_from", Int, nullable=False),
    Column("tl_namespace", Int, nullable=False),
    Column("tl_title", NAME, nullable=False),
    UniqueConstraint("tl_from", "tl_namespace", "tl_title", name="wg_tl_from_target"),
)
Index("wg_tl_target", templatelinks.c.tl_namespace, templatelinks.c.tl_title)

watchlist = Table(
    "wg_watchlist", metadata,
    Column("wl_user", Int, nullable=False),
    Column("wl_namespace", Int, nullable=False),
    Column("wl_title", NAME, nullable=False),
    Column("wl_expiry", TS, nullable=True),
    UniqueConstraint("wl_user", "wl_namespace", "wl_title", name="wg_wl_user_title"),
)

change_tag_def = Table(
    "wg_change_tag_def", metadata,
    Column("ctd_id", Int, primary_key=True, autoincrement=True),
    Column("ctd_name", String(255), nullable=False, unique=True),
    Column("ctd_user_defined", Boolean, nullable=False, default=True),
    Column("ctd_count", BigInteger, nullable=False, default=0),
)

# Recent changes (MediaWiki's recentchanges): one row per edit, page creation and published
# log entry, kept for ``recent_changes.max_age_days``. rc_type: 0 edit, 1 new, 3 log;
# rc_patrolled: 0 unpatrolled, 1 patrolled, 2 autopatrolled. rc_tags holds the change tags
# one per line (as rev_tags); rc_params the log parameters as list=logevents prints them.
recentchanges = Table(
    "wg_recentchanges", metadata,
    Column("rc_id", Int, primary_key=True, autoincrement=True),
    Column("rc_timestamp", TS, nullable=False),
    Column("rc_actor", Int, nullable=False, default=0),
    Column("rc_actor_name", NAME, nullable=False, default=""),
    Column("rc_namespace", Int, nullable=False, default=0),
    Column("rc_title", NAME, nullable=False, default=""),
    Column("rc_comment", Text, nullable=False, default=""),
    Column("rc_minor", Boolean, nullable=False, default=False),
    Column("rc_bot", Boolean, nullable=False, default=False),
    Column("rc_cur_id", Int, nullable=False, default=0),
    Column("rc_this_oldid", Int, nullable=False, default=0),
    Column("rc_last_oldid", Int, nullable=False, default=0),
    Column("rc_type", Int, nullable=False, default=0),
    Column("rc_patrolled", Int, nullable=False, default=0),
    Column("rc_old_len", Int, nullable=True),
    Column("rc_new_len", Int, nullable=True),
    Column("rc_logid", Int, nullable=False, default=0),
    Column("rc_log_type", String(32), nullable=True),
    Column("rc_log_action", String(32), nullable=False, default=""),
    Column("rc_params", Text, nullable=False, default=""),
    Column("rc_tags", Text, nullable=False, default=""),
)
Index("wg_rc_timestamp", recentchanges.c.rc_timestamp, recentchanges.c.rc_id)
Index("wg_rc_name_title_timestamp", recentchanges.c.rc_namespace, recentchanges.c.rc_title,
      recentchanges.c.rc_timestamp)
Index("wg_rc_actor_timestamp", recentchanges.c.rc_actor_name, recentchanges.c.rc_timestamp)
Index("wg_rc_cur_id", recentchanges.c.rc_cur_id)
Index("wg_rc_this_oldid", recentchanges.c.rc_this_oldid)

# Short-lived shared state (sessions, throttles, auth flows) when no Redis is configured.
kv = Table(
    "wg_kv", metadata,
    Column("kv_key", String(255), primary_key=True),
    Column("kv_value", PAYLOAD, nullable=False),
    Column("kv_expires", EPOCH, nullable=False),
)
Index("wg_kv_expires", kv.c.kv_expires)

# Fixed-window counters (throttles, rate limits), incremented atomically by an upsert.
counter = Table(
    "wg_counter", metadata,
    Column("c_key", String(255), primary_key=True),
    Column("c_value", Int, nullable=False),
    Column("c_expires", EPOCH, nullable=False),
)
Index("wg_counter_expires", counter.c.c_expires)

# Outgoing mail is queued here first so that nothing is lost if delivery fails.
mail_queue = Table(
    "wg_mail_queue", metadata,
    Column("mq_id", Int, primary_key=True, autoincrement=True),
    Column("mq_created", TS, nullable=False),
    Column("mq_recipient", String(255), nullable=False),
    Column("mq_message", PAYLOAD, nullable=False),
    Column("mq_attempts", Int, nullable=False, default=0),
    Column("mq_next_attempt", EPOCH, nullable=False, default=0),
    Column("mq_status", String(16), nullable=False, default="pending"),  # pending|sent|failed
    Column("mq_last_error", Text, nullable=False, default=""),
)
Index("wg_mq_status_next", mail_queue.c.mq_status, mail_queue.c.mq_next_attempt)

# Security audit trail (logins, password changes, logout-everywhere …); never secrets.
audit_log = Table(
    "wg_audit_log", metadata,
    Column("al_id", Int, primary_key=True, autoincrement=True),
    Column("al_timestamp", TS, nullable=False),
    Column("al_event", String(64), nullable=False),
    Column("al_user", Int, nullable=False, default=0),
    Column("al_user_name", NAME, nullable=False, default=""),
    Column("al_ip", String(64), nullable=False, default=""),
    Column("al_detail", Text, nullable=False, default=""),
)
Index("wg_al_time", audit_log.c.al_timestamp)
Index("wg_al_user", audit_log.c.al_user_name, audit_log.c.al_timestamp)

for _table in metadata.tables.values():
    _table.dialect_options["mysql"]["charset"] = "utf8mb4"
    _table.dialect_options["mysql"]["collate"] = MYSQL_COLLATION

# Site-wide secrets (the MAC key for tokens), created once and shared by every worker and
# host that uses this database, so a token issued by one is valid on all.
site_secret = Table(
    "wg_site_secret", metadata,
    Column("ss_name", String(64), primary_key=True),
    Column("ss_value", String(128), nullable=False),
)

# Two-factor authentication (OATHAuth's oathauth_users): one row per enrolled user. The
# payload (TOTP secret, hashed recovery codes) is encrypted with a key derived from the
# site secret (wikigate.auth.oath); nothing in this table is usable on its own.
oath_user = Table(
    "wg_oath_user", metadata,
    Column("ou_user", Integer, primary_key=True, autoincrement=False),
    Column("ou_module", String(32), nullable=False),
    Column("ou_data", PAYLOAD, nullable=False),
    Column("ou_created", TS, nullable=False),
)
oath_user.dialect_options["mysql"]["charset"] = "utf8mb4"
oath_user.dialect_options["mysql"]["collate"] = MYSQL_COLLATION

# External identities (OpenID Connect subjects) linked to local accounts: one row per
# (provider, subject); a subject links to at most one account, an account may have several.
# ei_provider is the configured provider id, ei_issuer the issuer it had when linked.
external_identity = Table(
    "wg_external_identity", metadata,
    Column("ei_id", Int, primary_key=True, autoincrement=True),
    Column("ei_user", Int, nullable=False),
    Column("ei_provider", String(64), nullable=False),
    Column("ei_issuer", String(255), nullable=False),
    Column("ei_subject", String(255), nullable=False),
    Column("ei_created", TS, nullable=False),
    UniqueConstraint("ei_provider", "ei_subject", name="wg_ei_provider_subject"),
)
Index("wg_ei_user", external_identity.c.ei_user)
external_identity.dialect_options["mysql"]["charset"] = "utf8mb4"
external_identity.dialect_options["mysql"]["collate"] = MYSQL_COLLATION

# New-talk-page messages (MediaWiki's user_newtalk): one row per user (by name: a registered
# user's name or an IP address) whose talk page someone else edited since they last looked.
user_newtalk = Table(
    "wg_user_newtalk", metadata,
    Column("nt_name", NAME, primary_key=True),
    Column("nt_timestamp", TS, nullable=False),
)
user_newtalk.dialect_options["mysql"]["charset"] = "utf8mb4"
user_newtalk.dialect_options["mysql"]["collate"] = MYSQL_COLLATION
