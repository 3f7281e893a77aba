"""User accounts, group memberships, preferences and rights."""
