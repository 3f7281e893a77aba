"""Site secret table (the token MAC key shared by all workers and hosts)

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    kwargs = {}
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        kwargs = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
    op.create_table(
        "wg_site_secret",
        sa.Column("ss_name", sa.String(length=64), nullable=False),
        sa.Column("ss_value", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("ss_name"),
        **kwargs,  # type: ignore[arg-type]  # dialect options are plain keyword strings
    )


def downgrade() -> None:
    op.drop_table("wg_site_secret")
