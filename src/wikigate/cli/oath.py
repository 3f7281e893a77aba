"""``wikigate oath …``: two-factor authentication for operators.

``disable`` is the way back in for a user who lost both the authenticator and the
recovery codes (OATHAuth's disableOATHAuthForUser.php / Special:DisableOATHForUser); it
is recorded in the audit log with the operator's reason. ``enable`` sets a known secret
(OATHAuth's maintenance script enable_totp.php does the same for test fixtures).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import click

from wikigate.cli.common import _settings, canonical_name, require_user, run_async, with_services

if TYPE_CHECKING:
    from wikigate.services import Services


async def _prepare(services: Services, name: str) -> tuple[Any, Any]:
    from wikigate.auth.oath import OathService

    oath = services.oath
    if not isinstance(oath, OathService):
        raise click.ClickException("two-factor authentication is off (oath.enabled = false)")
    if not services.secret_key:
        from wikigate.storage.sql.secrets import load_or_create_secret

        services.site_secret.set((await load_or_create_secret(services.db, "secret_key")).encode())
    return oath, await require_user(services, name)


@click.group()
def oath() -> None:
    """Two-factor authentication (TOTP) of users."""


@oath.command("status")
@click.argument("name")
@click.pass_context
def status(ctx: click.Context, name: str) -> None:
    """Whether NAME has two-factor authentication enabled."""
    settings = _settings(ctx)
    canonical = canonical_name(name)

    async def go(services: Services) -> bool:
        svc, user = await _prepare(services, canonical)
        return bool(await svc.is_enabled(user.id))

    on = run_async(lambda: with_services(settings, go))
    click.echo(f"{canonical}: two-factor authentication {'enabled' if on else 'not enabled'}")


@oath.command("disable")
@click.argument("name")
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@click.pass_context
def disable(ctx: click.Context, name: str, reason: str) -> None:
    """Turn off two-factor authentication of NAME (a locked-out user)."""
    settings = _settings(ctx)
    canonical = canonical_name(name)
    if not reason.strip():
        raise click.ClickException("--reason must not be empty")

    async def go(services: Services) -> bool:
        svc, user = await _prepare(services, canonical)
        done = bool(await svc.disable(user.id))
        if done:
            await svc.audit("2fa-disabled", user, f"by operator (command line): {reason.strip()[:500]}")
        return done

    if not run_async(lambda: with_services(settings, go)):
        raise click.ClickException(f"{canonical} does not have two-factor authentication enabled")
    click.echo(f"two-factor authentication of {canonical} disabled")


@oath.command("enable")
@click.argument("name")
@click.option("--secret", help="Base32 TOTP secret (default: a new random one).")
@click.pass_context
def enable(ctx: click.Context, name: str, secret: str | None) -> None:
    """Enable TOTP for NAME; prints the secret and the recovery codes (shown only now)."""
    from wikigate.auth.oath import group4, new_scratch_codes, new_secret

    settings = _settings(ctx)
    canonical = canonical_name(name)
    if secret is not None:
        secret = re.sub(r"\s+", "", secret).upper().rstrip("=")
        if not re.fullmatch(r"[A-Z2-7]{16,128}", secret):
            raise click.ClickException("--secret must be 16 to 128 base32 characters")
    key = secret or new_secret()
    codes = new_scratch_codes(settings.oath.scratch_codes)

    async def go(services: Services) -> bool:
        svc, user = await _prepare(services, canonical)
        done = bool(await svc.enable(user, key, codes))
        if done:
            await svc.audit("2fa-enabled", user, "by operator (command line)")
        return done

    if not run_async(lambda: with_services(settings, go)):
        raise click.ClickException(f"{canonical} already has two-factor authentication enabled")
    click.echo(f"two-factor authentication of {canonical} enabled; secret: {group4(key)}")
    click.echo("recovery codes (each works once; shown only now):")
    for c in codes:
        click.echo(f"  {group4(c)}")
