"""Alembic environment: always runs on a connection handed in by :mod:`wikigate.storage.sql.migrate`."""

from __future__ import annotations

from alembic import context

from wikigate.storage.sql.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable through a misconfigured alembic call
    raise RuntimeError("run migrations with `wikigate migrate`")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
