"""``wikigate identity …``: external (OpenID Connect) identities linked to accounts.

``list`` shows a user's links; ``remove`` unlinks one (a lost or compromised external
account, an offboarded employee's corporate login). Removals are recorded in the audit
log with the operator's reason, as ``oidc-unlink``. Linking happens only through a
verified sign-in (``action=linkaccount`` or account creation), never from here.
"""

from __future__ import annotations

from typing import Any

import click

from wikigate.cli.common import _settings, canonical_name, require_user, run_async, with_services


@click.group()
def identity() -> None:
    """External (OpenID Connect) identities linked to accounts."""


@identity.command("list")
@click.argument("name")
@click.pass_context
def list_(ctx: click.Context, name: str) -> None:
    """The external identities linked to NAME: provider, subject, issuer, linked at."""
    settings = _settings(ctx)
    canonical = canonical_name(name)

    async def go(services: Any) -> list[Any]:
        user = await require_user(services, canonical)
        return list(await services.identities.for_user(user.id))

    rows = run_async(lambda: with_services(settings, go))
    if not rows:
        click.echo(f"{canonical}: no linked external identities")
        return
    for li in rows:
        click.echo(f"{li.provider}\t{li.subject}\t{li.issuer}\t{li.created}")


@identity.command("remove")
@click.argument("name")
@click.argument("provider")
@click.argument("subject")
@click.option("--reason", required=True, help="Why (recorded in the audit log).")
@click.pass_context
def remove(ctx: click.Context, name: str, provider: str, subject: str, reason: str) -> None:
    """Unlink the identity SUBJECT at PROVIDER (the provider id in [oidc.providers]) from NAME."""
    settings = _settings(ctx)
    canonical = canonical_name(name)
    if not reason.strip():
        raise click.ClickException("--reason must not be empty")

    async def go(services: Any) -> bool:
        user = await require_user(services, canonical)
        done = bool(await services.identities.unlink(user.id, provider, subject))
        if done:
            await services.audit.record("oidc-unlink", user, "", f"provider={provider} sub={subject} by operator "
                                                            f"(command line): {reason.strip()[:500]}")
        return done

    if not run_async(lambda: with_services(settings, go)):
        raise click.ClickException(f"{canonical} has no identity {subject!r} at {provider!r}")
    click.echo(f"{canonical}: unlinked {provider} {subject}")
