"""The public log (Special:Log): newusers, protect, move, rights … entries."""
