"""Recent changes (wg_recentchanges)

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    kwargs: dict[str, Any] = {}
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        kwargs = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_nopad_bin"}
    op.create_table(
        "wg_recentchanges",
        sa.Column("rc_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rc_timestamp", sa.String(length=14), nullable=False),
        sa.Column("rc_actor", sa.Integer(), nullable=False),
        sa.Column("rc_actor_name", sa.String(length=255), nullable=False),
        sa.Column("rc_namespace", sa.Integer(), nullable=False),
        sa.Column("rc_title", sa.String(length=255), nullable=False),
        sa.Column("rc_comment", sa.Text(), nullable=False),
        sa.Column("rc_minor", sa.Boolean(), nullable=False),
        sa.Column("rc_bot", sa.Boolean(), nullable=False),
        sa.Column("rc_cur_id", sa.Integer(), nullable=False),
        sa.Column("rc_this_oldid", sa.Integer(), nullable=False),
        sa.Column("rc_last_oldid", sa.Integer(), nullable=False),
        sa.Column("rc_type", sa.Integer(), nullable=False),
        sa.Column("rc_patrolled", sa.Integer(), nullable=False),
        sa.Column("rc_old_len", sa.Integer(), nullable=True),
        sa.Column("rc_new_len", sa.Integer(), nullable=True),
        sa.Column("rc_logid", sa.Integer(), nullable=False),
        sa.Column("rc_log_type", sa.String(length=32), nullable=True),
        sa.Column("rc_log_action", sa.String(length=32), nullable=False),
        sa.Column("rc_params", sa.Text(), nullable=False),
        sa.Column("rc_tags", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("rc_id"),
        **kwargs,
    )
    with op.batch_alter_table("wg_recentchanges", schema=None) as batch_op:
        batch_op.create_index("wg_rc_timestamp", ["rc_timestamp", "rc_id"], unique=False)
        batch_op.create_index("wg_rc_name_title_timestamp", ["rc_namespace", "rc_title", "rc_timestamp"],
                              unique=False)
        batch_op.create_index("wg_rc_actor_timestamp", ["rc_actor_name", "rc_timestamp"], unique=False)
        batch_op.create_index("wg_rc_cur_id", ["rc_cur_id"], unique=False)
        batch_op.create_index("wg_rc_this_oldid", ["rc_this_oldid"], unique=False)


def downgrade() -> None:
    op.drop_table("wg_recentchanges")
