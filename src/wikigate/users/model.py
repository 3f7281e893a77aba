"""The user record as the rest of wikigate sees it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class GroupMembership:
    group: str
    #: 14-digit timestamp, or None for "infinity".
    expiry: str | None = None


@dataclass
class User:
    id: int
    name: str
    real_name: str = ""
    password: str = ""
    newpassword: str = ""
    newpass_time: str | None = None
    email: str = ""
    email_authenticated: str | None = None
    touched: str = ""
    token: str = ""
    registration: str | None = None
    editcount: int = 0
    password_expires: str | None = None
    groups: list[GroupMembership] = field(default_factory=list)

    @property
    def is_registered(self) -> bool:
        return self.id > 0

    def group_names(self) -> list[str]:
        return [g.group for g in self.groups]


def anonymous(ip: str) -> User:
    """An anonymous visitor: id 0, named by IP address as MediaWiki does."""
    return User(id=0, name=ip)
