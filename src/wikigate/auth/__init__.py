"""Authentication domain logic: user names, passwords and related rules, independent of HTTP."""
