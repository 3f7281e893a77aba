"""Persistence: the relational store (SQLite, PostgreSQL, MariaDB) and the key-value store."""
