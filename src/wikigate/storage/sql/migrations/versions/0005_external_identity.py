"""External identities linked to local accounts (wg_external_identity)

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    kwargs: dict[str, Any] = {}
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        kwargs = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_nopad_bin"}
    op.create_table(
        "wg_external_identity",
        sa.Column("ei_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ei_user", sa.Integer(), nullable=False),
        sa.Column("ei_provider", sa.String(length=64), nullable=False),
        sa.Column("ei_issuer", sa.String(length=255), nullable=False),
        sa.Column("ei_subject", sa.String(length=255), nullable=False),
        sa.Column("ei_created", sa.String(length=14), nullable=False),
        sa.PrimaryKeyConstraint("ei_id"),
        sa.UniqueConstraint("ei_provider", "ei_subject", name="wg_ei_provider_subject"),
        **kwargs,
    )
    with op.batch_alter_table("wg_external_identity", schema=None) as batch_op:
        batch_op.create_index("wg_ei_user", ["ei_user"], unique=False)


def downgrade() -> None:
    op.drop_table("wg_external_identity")
