"""Operator commands (``wikigate --help``)."""
