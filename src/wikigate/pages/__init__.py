"""Page-level domain logic (namespaces, title parsing, protection expiry) kept free of HTTP concerns.

These modules are pure so that the API layer, the storage layer and the unit tests can share one
implementation of MediaWiki's title and expiry rules without importing a web framework.
"""
