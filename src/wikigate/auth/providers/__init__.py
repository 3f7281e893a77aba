"""Authentication providers (pre-authentication, primary, secondary); see ``base``."""
