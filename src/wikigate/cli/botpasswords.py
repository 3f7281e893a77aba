"""``wikigate botpassword …``: create, list, reset and delete bot passwords.

The operator's counterpart of Special:BotPasswords (for accounts whose owner cannot use
the web page, and for provisioning bots). A generated password is printed exactly once,
alone on standard output, so ``PW=$(wikigate botpassword create Bob mybot)`` works; the
description goes to standard error. Passwords are never logged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from wikigate.cli.common import _settings, canonical_name, require_user, run_async, with_services

if TYPE_CHECKING:
    from wikigate.services import Services


def _run(ctx: click.Context, fn: Any) -> Any:
    settings = _settings(ctx)
    if not settings.auth.enable_bot_passwords:
        click.echo("warning: bot passwords are disabled (auth.enable_bot_passwords = false); "
                   "they cannot be used to log in", err=True)

    async def go(services: Services) -> Any:
        try:
            return await fn(services)
        finally:
            await services.hashing.stop()

    return run_async(lambda: with_services(settings, go))


def _error_text(services: Services, err: Any) -> str:
    return str(services.catalog.plaintext(err.message, "en"))


@click.group("botpassword")
def botpassword() -> None:
    """Manage bot passwords (User@appid logins for action=login)."""


@botpassword.command("create")
@click.argument("user")
@click.argument("appid")
@click.option("--grant", "grants", multiple=True, metavar="GRANT",
              help="Grant to give (repeatable), e.g. editpage, highvolume; 'basic' is always included.")
@click.option("--restrict", "ranges", multiple=True, metavar="CIDR",
              help="Allowed client IP address or range (repeatable); default: any IPv4 and IPv6 address.")
@click.pass_context
def create(ctx: click.Context, user: str, appid: str, grants: tuple[str, ...], ranges: tuple[str, ...]) -> None:
    """Create the bot password USER@APPID and print its password (shown only this once)."""
    from wikigate.auth.botpasswords.model import (
        BotPasswordError,
        InvalidRestriction,
        Restrictions,
        normalize_grants,
        validate_new_app_id,
    )
    from wikigate.users.rights import GRANT_RIGHTS

    name = canonical_name(user)
    try:
        validate_new_app_id(appid)  # the check of Special:BotPasswords
    except BotPasswordError:
        raise click.ClickException(f"invalid app id {appid!r}: 1 to 32 bytes, no @ # < > [ ] | {{ }} "
                                   "or control characters") from None
    try:
        normalize_grants(grants)
    except ValueError as e:
        raise click.ClickException(f"unknown grant {e} (known: {', '.join(GRANT_RIGHTS)})") from None
    try:
        restrictions = Restrictions.from_lines("\n".join(ranges)) if ranges else Restrictions()
    except InvalidRestriction as e:
        raise click.ClickException(f"not an IP address or CIDR range: {e.value!r}") from None

    async def go(services: Services) -> tuple[str, str, list[str], tuple[str, ...]]:
        uid = (await require_user(services, name)).id
        try:
            bp, secret = await services.botpasswords.create(uid, appid, grants, restrictions)
        except BotPasswordError as e:
            raise click.ClickException(_error_text(services, e)) from None
        return bp.app_id, secret, bp.grants, bp.restrictions.ip_ranges

    app_id, secret, granted, allowed = _run(ctx, go)
    click.echo(f"created bot password {name}@{app_id} (grants: {', '.join(granted)}; "
               f"IP ranges: {', '.join(allowed)}); password:", err=True)
    click.echo(secret)


@botpassword.command("list")
@click.argument("user")
@click.pass_context
def list_(ctx: click.Context, user: str) -> None:
    """List USER's bot passwords: app id, grants, IP ranges, and whether a reset is needed."""
    name = canonical_name(user)

    async def go(services: Services) -> list[Any]:
        uid = (await require_user(services, name)).id
        return list(await services.botpasswords.list_for_user(uid))

    rows = _run(ctx, go)
    if not rows:
        click.echo(f"{name} has no bot passwords", err=True)
    for bp in rows:
        flag = "\tneeds reset" if bp.needs_reset else ""
        click.echo(f"{name}@{bp.app_id}\t{','.join(bp.grants)}\t{','.join(bp.restrictions.ip_ranges)}{flag}")


@botpassword.command("reset")
@click.argument("user")
@click.argument("appid")
@click.pass_context
def reset(ctx: click.Context, user: str, appid: str) -> None:
    """Give USER@APPID a new password (printed once); its open sessions end."""
    from wikigate.auth.botpasswords.model import BotPasswordError

    name = canonical_name(user)

    async def go(services: Services) -> str:
        uid = (await require_user(services, name)).id
        try:
            return str(await services.botpasswords.reset(uid, appid))
        except BotPasswordError as e:
            raise click.ClickException(_error_text(services, e)) from None

    secret = _run(ctx, go)
    click.echo(f"new password for {name}@{appid.strip()}:", err=True)
    click.echo(secret)


@botpassword.command("delete")
@click.argument("user")
@click.argument("appid")
@click.pass_context
def delete(ctx: click.Context, user: str, appid: str) -> None:
    """Delete USER@APPID; its open sessions end at their next request."""
    name = canonical_name(user)

    async def go(services: Services) -> bool:
        uid = (await require_user(services, name)).id
        return bool(await services.botpasswords.delete(uid, appid))

    if not _run(ctx, go):
        raise click.ClickException(f"{name} has no bot password named {appid.strip()!r}")
    click.echo(f"deleted bot password {name}@{appid.strip()}", err=True)
