"""MariaDB/MySQL: case-sensitive (binary) text columns, double-precision expiry times

Revision ID: 0002
Revises: 0001

Two MariaDB defaults broke the schema of 0001 there (SQLite and PostgreSQL are not
touched by this revision):

* The default collation ``utf8mb4_general_ci`` compares case-insensitively, so the
  unique index on ``wg_user.user_name`` refused "FOo" once "Foo" existed (MediaWiki user
  names and titles differ by case after the first letter), and lookups by name found the
  wrong account. MediaWiki itself stores names as VARBINARY; we keep text columns (so the
  drivers return ``str``) but give every table the binary collation. ``utf8mb4_nopad_bin``
  (MariaDB ≥ 10.2) is preferred because ``utf8mb4_bin`` is a PAD SPACE collation, under
  which "Foo" and "Foo " would still collide.
* ``sa.Float()`` becomes a 4-byte ``FLOAT`` on MySQL: a Unix time like 1.8e9 then has a
  resolution of 128 seconds, so session and throttle expiries were off by up to two
  minutes. Those columns become ``DOUBLE``. The key-value payload becomes ``MEDIUMBLOB``
  (``BLOB`` stops at 64 KiB; Redis has no such limit).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

TABLES = (
    'wg_audit_log', 'wg_bot_passwords', 'wg_change_tag_def', 'wg_counter', 'wg_kv', 'wg_logging',
    'wg_mail_queue', 'wg_page', 'wg_page_restrictions', 'wg_protected_titles', 'wg_revision',
    'wg_templatelinks', 'wg_user', 'wg_user_groups', 'wg_user_properties', 'wg_watchlist',
)


def _is_mysql() -> bool:
    return op.get_bind().dialect.name in ('mysql', 'mariadb')


def _binary_collation() -> str:
    rows = op.get_bind().execute(sa.text("SHOW COLLATION WHERE Collation = 'utf8mb4_nopad_bin'")).fetchall()
    return 'utf8mb4_nopad_bin' if rows else 'utf8mb4_bin'


def upgrade() -> None:
    if not _is_mysql():
        return
    collation = _binary_collation()
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4 COLLATE {collation}')
    op.execute('ALTER TABLE wg_kv MODIFY kv_expires DOUBLE NOT NULL, MODIFY kv_value MEDIUMBLOB NOT NULL')
    op.execute('ALTER TABLE wg_counter MODIFY c_expires DOUBLE NOT NULL')
    op.execute('ALTER TABLE wg_mail_queue MODIFY mq_next_attempt DOUBLE NOT NULL, '
               'MODIFY mq_message MEDIUMBLOB NOT NULL')


def downgrade() -> None:
    if not _is_mysql():
        return
    op.execute('ALTER TABLE wg_mail_queue MODIFY mq_next_attempt FLOAT NOT NULL, MODIFY mq_message BLOB NOT NULL')
    op.execute('ALTER TABLE wg_counter MODIFY c_expires FLOAT NOT NULL')
    op.execute('ALTER TABLE wg_kv MODIFY kv_expires FLOAT NOT NULL, MODIFY kv_value BLOB NOT NULL')
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci')
