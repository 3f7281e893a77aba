"""``wikigate mail …``: look into the outgoing mail queue and re-queue failed messages.

The server delivers the queue itself; these commands are for the operator who wants to
see why a reset mail did not arrive (``list --status failed`` shows the last error) and
to send it again once the SMTP problem is fixed (``retry``). Bodies are never printed:
pending messages can contain temporary passwords.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

from wikigate.cli.common import _settings, run_async, with_services

if TYPE_CHECKING:
    from wikigate.services import Services


@click.group()
def mail() -> None:
    """Inspect and retry queued outgoing mail."""


@mail.command("list")
@click.option("--status", type=click.Choice(["pending", "sending", "sent", "failed"]),
              help="Only messages with this status.")
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.pass_context
def list_mail(ctx: click.Context, status: str | None, limit: int) -> None:
    """Show queued messages, newest first (id, status, attempts, recipient, subject)."""
    settings = _settings(ctx)

    async def go(services: Services) -> list[Any]:
        result: list[Any] = await services.mailer.entries(status, limit)
        return result

    rows = run_async(lambda: with_services(settings, go))
    if not rows:
        click.echo("no messages" + (f" with status {status}" if status else ""))
        return
    for r in rows:
        line = f"{r.id:>6}  {r.created}  {r.status:<7}  {r.attempts:>2}  {r.recipient}  {r.subject}"
        if r.status == "pending" and r.attempts:
            when = dt.datetime.fromtimestamp(r.next_attempt, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
            line += f"  (next attempt {when} UTC)"
        click.echo(line)
        if r.last_error and r.status in ("pending", "failed"):
            click.echo(f"        last error: {r.last_error}")


@mail.command("retry")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all-failed", is_flag=True, help="Re-queue every failed message.")
@click.pass_context
def retry(ctx: click.Context, ids: tuple[int, ...], all_failed: bool) -> None:
    """Put failed messages (by ID, or --all-failed) back into the queue."""
    if not ids and not all_failed:
        raise click.UsageError("give message IDs or --all-failed")
    if ids and all_failed:
        raise click.UsageError("give either message IDs or --all-failed, not both")
    settings = _settings(ctx)

    async def go(services: Services) -> int:
        n: int = await services.mailer.retry(None if all_failed else list(ids))
        return n

    n = run_async(lambda: with_services(settings, go))
    if ids and n < len(ids):
        click.echo(f"re-queued {n} of {len(ids)} message(s); the others are unknown or not failed", err=True)
        if n == 0:
            raise SystemExit(1)
    click.echo(f"re-queued {n} message(s); a running server delivers them within seconds")
