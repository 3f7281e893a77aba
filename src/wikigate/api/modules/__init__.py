"""One file per action module, named as the action."""
