"""Importers that bring accounts from other systems into wikigate's tables."""
