"""wikigate: a MediaWiki-compatible Action API server for accounts, authentication and protection."""

__version__ = "0.1.0"
