"""SQL storage shared by SQLite, PostgreSQL and MariaDB (SQLAlchemy Core)."""
