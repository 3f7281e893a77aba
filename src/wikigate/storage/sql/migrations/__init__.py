"""Alembic migrations for the wikigate schema."""
