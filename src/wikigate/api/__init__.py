"""The Action API (api.php): the only code that knows api.php's wire format."""
