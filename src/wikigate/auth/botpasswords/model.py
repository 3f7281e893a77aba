"""Bot passwords: what one is (the record), and the rules for its app id, grants,
IP-range restrictions and login credentials (MediaWiki's BotPassword, MWRestrictions)."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from wikigate.auth.passwords import INVALID_HASH
from wikigate.auth.passwords.hashing import is_valid_hash
from wikigate.i18n import Message
from wikigate.users.rights import GRANT_RIGHTS

#: BotPassword::APPID_MAXLENGTH (bytes, PHP strlen).
APPID_MAXLENGTH = 32
#: BotPassword::PASSWORD_MINLENGTH: generated secrets have exactly this length.
PASSWORD_MINLENGTH = 32
#: BotPassword::RESTRICTIONS_MAXLENGTH / GRANTS_MAXLENGTH (bytes of the JSON).
RESTRICTIONS_MAXLENGTH = 65535
GRANTS_MAXLENGTH = 65535
#: $wgUserrightsInterwikiDelimiter.
SEPARATOR = "@"
#: MWRestrictions::newDefault().
DEFAULT_IP_RANGES: tuple[str, ...] = ("0.0.0.0/0", "::/0")
#: Grants every bot password has whether asked for or not (GrantsInfo::getHiddenGrants).
HIDDEN_GRANTS: tuple[str, ...] = ("basic",)

_BP_SECRET = re.compile(rf"[0-9a-w]{{{PASSWORD_MINLENGTH},}}")
#: Characters that can never be part of a page title: an app id containing them could not
#: be reached as ``Special:BotPasswords/<appid>``, so we refuse them up front.
_TITLE_ILLEGAL = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f]")


class BotPasswordError(Exception):
    """A refused change; ``message`` is the MediaWiki message explaining why."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.key)
        self.message = message


class InvalidRestriction(ValueError):
    """An entry of the IP-range list that is not an IP address or CIDR range."""

    def __init__(self, value: str) -> None:
        super().__init__(value)
        self.value = value


# -- app ids and credentials ---------------------------------------------------------------


def normalize_app_id(raw: str) -> str | None:
    """The app id as stored (trimmed), or None if it is empty, longer than 32 bytes or
    contains characters a page title cannot hold."""
    app_id = raw.strip()
    if not app_id or len(app_id.encode("utf-8")) > APPID_MAXLENGTH or _TITLE_ILLEGAL.search(app_id):
        return None
    return app_id


def validate_new_app_id(raw: str) -> str:
    """The app id a *new* bot password gets (trimmed), or :class:`BotPasswordError`
    ``botpasswords-bad-appid``. The one check behind Special:BotPasswords, ``wikigate
    botpassword create`` and :meth:`BotPasswords.create`.

    Stricter than :func:`normalize_app_id` (which still finds existing ids, imported ones
    included) in one way: no ``@``. The login name is ``User@app`` and the legacy password
    form ``app@secret``; MediaWiki 1.39 accepts ``@`` in new app ids and splits at the first
    (name) or last (password) separator, but a tool that splits the other way — or a human
    reading an audit line — gets the wrong user or app. docs/compatibility.md.
    """
    app_id = normalize_app_id(raw)
    if app_id is None or SEPARATOR in app_id:
        raise BotPasswordError(Message("botpasswords-bad-appid", (raw.strip(),)))
    return app_id


def canonicalize_login_data(username: str, password: str) -> tuple[str, str] | None:
    """BotPassword::canonicalizeLoginData: ``(User@app, secret)`` if the credentials look
    like a bot password, else None.

    Either ``lgname=User@app`` with a secret of 32+ ``[0-9a-w]``, or the legacy form
    ``lgname=User`` with ``lgpassword=app@secret`` (split at the *last* separator). The
    length test comes first so that ordinary passwords are not run through the regex
    (MediaWiki's reason: less timing information about the password).
    """
    if len(password.encode("utf-8")) >= PASSWORD_MINLENGTH and SEPARATOR in username:
        if _BP_SECRET.fullmatch(password):
            return username, password
    elif len(password.encode("utf-8")) > PASSWORD_MINLENGTH and SEPARATOR in password:
        app_id, _, secret = password.rpartition(SEPARATOR)
        if _BP_SECRET.fullmatch(secret):
            return f"{username}{SEPARATOR}{app_id}", secret
    return None


def split_login_name(name: str) -> tuple[str, str] | None:
    """``User@app`` → ("User", "app"), split at the *first* separator (user names cannot
    contain it, app ids may)."""
    if SEPARATOR not in name:
        return None
    user, _, app_id = name.partition(SEPARATOR)
    return user, app_id


def normalize_grants(grants: Iterable[str]) -> list[str]:
    """Known grants, without duplicates, with the hidden ``basic`` grant first (the order
    MediaWiki stores: hidden grants, then the chosen ones). Unknown names raise ValueError."""
    out = list(HIDDEN_GRANTS)
    for g in grants:
        g = g.removeprefix("grant-")
        if g not in GRANT_RIGHTS:
            raise ValueError(g)
        if g not in out:
            out.append(g)
    return out


# -- restrictions ----------------------------------------------------------------------------


def _network(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    v = value.strip()
    try:
        # strict=False: "192.0.2.7/24" means 192.0.2.0/24, like Wikimedia\IPSet.
        return ipaddress.ip_network(v, strict=False)
    except ValueError:
        raise InvalidRestriction(value) from None


def _referer_matches(referer: str | None, patterns: Sequence[str]) -> bool:
    host = urlsplit(referer).hostname if referer else None
    if not host:
        return False
    host = host.lower()
    for p in patterns:
        p = p.lower()
        if p.startswith("*.") and (host.endswith(p[1:]) and len(host) > len(p) - 1):
            return True
        if host == p:
            return True
    return False


@dataclass(frozen=True)
class Restrictions:
    """MWRestrictions: allowed client IP ranges (and, if set, allowed Referer hosts —
    a later MediaWiki addition that the 1.39 form does not offer but rows may carry)."""

    ip_ranges: tuple[str, ...] = DEFAULT_IP_RANGES
    referers: tuple[str, ...] | None = None

    @classmethod
    def from_lines(cls, text: str) -> Restrictions:
        """The form's textarea: one address or CIDR range per line, blank lines ignored."""
        ranges = tuple(line.strip() for line in text.splitlines() if line.strip())
        for r in ranges:
            _network(r)
        return cls(ranges)

    @classmethod
    def from_json(cls, raw: str) -> Restrictions:
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        ips = data.get("IPAddresses")
        referers = data.get("Referers")
        return cls(
            tuple(str(x) for x in ips) if isinstance(ips, list) else DEFAULT_IP_RANGES,
            tuple(str(x) for x in referers) if isinstance(referers, list) else None,
        )

    def to_json(self) -> str:
        data: dict[str, list[str]] = {"IPAddresses": list(self.ip_ranges)}
        if self.referers is not None:
            data["Referers"] = list(self.referers)
        # MediaWiki's FormatJson::ALL_OK: no escaping of "/" or non-ASCII.
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    def check_ip(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip.strip())
        except ValueError:
            return False
        candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [addr]
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            candidates.append(addr.ipv4_mapped)
        for r in self.ip_ranges:
            try:
                net = _network(r)
            except InvalidRestriction:
                continue  # a bad stored entry matches nothing rather than breaking logins
            if any(a.version == net.version and a in net for a in candidates):
                return True
        return False

    def check(self, ip: str, referer: str | None = None) -> bool:
        if not self.check_ip(ip):
            return False
        return self.referers is None or _referer_matches(referer, self.referers)



# -- the record ------------------------------------------------------------------------------


@dataclass
class BotPassword:
    user_id: int
    app_id: str
    token: str
    restrictions: Restrictions = field(default_factory=Restrictions)
    grants: list[str] = field(default_factory=lambda: list(HIDDEN_GRANTS))
    #: The stored hash; "" (or anything unreadable) means the password must be reset.
    password_hash: str = field(default=INVALID_HASH, repr=False)

    @property
    def needs_reset(self) -> bool:
        return not is_valid_hash(self.password_hash)



def grants_json(grants: list[str]) -> str:
    return json.dumps(grants, separators=(",", ":"), ensure_ascii=False)


def validate_sizes(restrictions: Restrictions, grants: list[str]) -> None:
    if len(restrictions.to_json().encode()) > RESTRICTIONS_MAXLENGTH:
        raise BotPasswordError(Message("botpasswords-toolong-restrictions"))
    if len(grants_json(grants).encode()) > GRANTS_MAXLENGTH:
        raise BotPasswordError(Message("botpasswords-toolong-grants"))
