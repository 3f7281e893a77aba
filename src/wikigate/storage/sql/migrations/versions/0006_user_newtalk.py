"""New-talk-page messages (wg_user_newtalk)

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    kwargs: dict[str, Any] = {}
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        kwargs = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_nopad_bin"}
    op.create_table(
        "wg_user_newtalk",
        sa.Column("nt_name", sa.String(length=255), nullable=False),
        sa.Column("nt_timestamp", sa.String(length=14), nullable=False),
        sa.PrimaryKeyConstraint("nt_name"),
        **kwargs,
    )


def downgrade() -> None:
    op.drop_table("wg_user_newtalk")
