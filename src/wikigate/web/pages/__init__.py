"""One module per special page."""
