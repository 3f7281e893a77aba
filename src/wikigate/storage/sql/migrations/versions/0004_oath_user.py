"""Two-factor authentication enrolments (wg_oath_user)

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    kwargs: dict[str, Any] = {}
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        kwargs = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_nopad_bin"}
    op.create_table(
        "wg_oath_user",
        sa.Column("ou_user", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("ou_module", sa.String(length=32), nullable=False),
        sa.Column("ou_data", sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb"),
                  nullable=False),
        sa.Column("ou_created", sa.String(length=14), nullable=False),
        sa.PrimaryKeyConstraint("ou_user"),
        **kwargs,
    )


def downgrade() -> None:
    op.drop_table("wg_oath_user")
