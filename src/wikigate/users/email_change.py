"""Changing or removing an account's e-mail address (MediaWiki SpecialChangeEmail::attemptChange).

Order as MediaWiki 1.39: a malformed address (``invalidemailaddress``), no change
(``changeemail-nochange``), longer than 255 bytes (``changeemail-maxlength``), then the
``changeemail`` rate limit — counted only when an address is *added*, never when one is
removed. A new address is unconfirmed (``email_authenticated`` cleared). The caller has
already checked the rights, the recent login and that this is no bot-password session
(auth.containment ``ChangeEmail``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from wikigate.auth.ratelimit import RateLimiter, RateLimitSubject
from wikigate.mail import is_valid_email
from wikigate.users.model import User

log = logging.getLogger("wikigate.authentication")

#: $wgRateLimits['changeemail'] of MediaWiki 1.39.
CHANGEEMAIL_LIMITS = {"changeemail": {"ip-all": [10, 3600], "user": [4, 86400]}}

INVALID = "invalidemailaddress"
NOCHANGE = "changeemail-nochange"
MAXLENGTH = "changeemail-maxlength"
THROTTLED = "actionthrottledtext"


async def change_email(services: Any, user: User, new_address: str, *, ip: str, groups: Iterable[str],
                       rights: Iterable[str]) -> str | None:
    """Store ``new_address`` ("" removes it); None on success, else the reason's key."""
    new_address = new_address.strip()
    if new_address and not is_valid_email(new_address):
        return INVALID
    if new_address == (user.email or ""):
        return NOCHANGE
    if len(new_address.encode()) > 255:
        return MAXLENGTH
    if new_address:
        subject = RateLimitSubject.from_rights(user.id, ip, groups, rights)
        if await RateLimiter(services.kv, CHANGEEMAIL_LIMITS).limit(subject, "changeemail"):
            return THROTTLED
    await services.users.update(user.id, email=new_address, email_authenticated=None)
    log.info("changing e-mail address for %s (had one: %s, has one: %s)", user.name, bool(user.email),
             bool(new_address))
    await services.audit.record("email-change", user, ip, "removed" if not new_address else "changed")
    return None
