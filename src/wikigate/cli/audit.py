"""``wikigate audit list``: read the security audit trail (logins, failures, throttle
hits, logouts, password changes, account creations). It never contains passwords or tokens."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from wikigate.auth.audit import EVENTS
from wikigate.cli.common import _settings, run_async, with_services
from wikigate.util.clock import mw_to_iso

if TYPE_CHECKING:
    from wikigate.services import Services


@click.group()
def audit() -> None:
    """Inspect the security audit log."""


@audit.command("list")
@click.option("--user", "user_name", help="Only entries of this user (canonical name).")
@click.option("--event", type=click.Choice(list(EVENTS)), help="Only this kind of event.")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@click.pass_context
def list_entries(ctx: click.Context, user_name: str | None, event: str | None, limit: int) -> None:
    """Newest entries first: time, event, user (id), IP, detail."""
    settings = _settings(ctx)
    if user_name is not None:
        from wikigate.auth.usernames import canonical_username

        user_name = canonical_username(user_name, rigor="none") or user_name

    async def go(services: Services) -> list[Any]:
        entries: list[Any] = await services.audit.list(user=user_name, event=event, limit=limit)
        return entries

    for e in run_async(lambda: with_services(settings, go)):
        click.echo(f"{mw_to_iso(e.timestamp)}\t{e.event}\t{e.user_name} ({e.user_id})\t{e.ip}\t{e.detail}")
