"""The mail transports by ``mail.backend`` name (config.py restricts the names)."""

from __future__ import annotations

from collections.abc import Callable

from wikigate.config import ConfigError, Settings
from wikigate.mail import Mailer
from wikigate.mail.console import ConsoleMailer
from wikigate.mail.maildir import MaildirMailer
from wikigate.mail.memory import MemoryMailer
from wikigate.mail.smtp import SmtpMailer


def _maildir(settings: Settings) -> Mailer:
    return MaildirMailer(settings.mail.maildir or str(settings.data_path / "mail"))


def _smtp(settings: Settings) -> Mailer:
    return SmtpMailer.from_settings(settings.mail)


def _console(settings: Settings) -> Mailer:
    return ConsoleMailer()


def _memory(settings: Settings) -> Mailer:
    return MemoryMailer()


#: ``mail.backend`` -> transport factory (config.py restricts the names).
MAILERS: dict[str, Callable[[Settings], Mailer]] = {
    "maildir": _maildir,
    "smtp": _smtp,
    "console": _console,
    "memory": _memory,
}


def make_transport(settings: Settings) -> Mailer:
    try:
        factory = MAILERS[settings.mail.backend]
    except KeyError:
        raise ConfigError(f"mail.backend: unknown backend {settings.mail.backend!r}") from None
    return factory(settings)
