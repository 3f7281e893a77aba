"""action=query submodules (meta=, list=, prop=)."""
