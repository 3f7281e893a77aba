"""``wikigate import mediawiki SOURCE``: bring a MediaWiki wiki's accounts over.

SOURCE is the wiki's SQLite file or a ``mysql://user:pass@host/db`` /
``postgresql://user:pass@host/db`` URL. Safe to repeat: accounts are matched by name,
changed ones are updated and the rest reported unchanged. Passwords keep working
because the hashes are copied as they are.
"""

from __future__ import annotations

from typing import Any

import click

from wikigate.cli.common import _settings, run_async, with_services


@click.group("import")
def import_group() -> None:
    """Import accounts from another wiki."""


@import_group.command("mediawiki")
@click.argument("source")
@click.option("--prefix", default="", help="Table prefix of the MediaWiki database ($wgDBprefix).")
@click.option("--no-bot-passwords", is_flag=True, help="Do not import bot passwords.")
@click.pass_context
def mediawiki(ctx: click.Context, source: str, prefix: str, no_bot_passwords: bool) -> None:
    """Import users, groups, preferences (language) and bot passwords from SOURCE."""
    from wikigate.importer.mediawiki import Importer, SourceError, Summary, open_source

    settings = _settings(ctx)

    async def go(services: Any) -> Summary:
        try:
            src = open_source(source, prefix)
        except SourceError as e:
            raise click.ClickException(str(e)) from None
        summary = Summary()
        try:
            try:
                users = await src.users()
                bps = [] if no_bot_passwords else await src.bot_passwords()
            except SourceError as e:
                raise click.ClickException(str(e)) from None
            imp = Importer(services)
            with click.progressbar(users, label=f"users ({len(users)})", show_pos=True,
                                   item_show_func=lambda u: u.name if u else None) as bar:
                for u in bar:
                    await imp.import_user(u, summary)
            if bps:
                with click.progressbar(bps, label=f"bot passwords ({len(bps)})", show_pos=True) as bar:
                    for bp in bar:
                        await imp.import_bot_password(bp, summary)
        finally:
            await src.close()
        return summary

    summary = run_async(lambda: with_services(settings, go))
    for problem in summary.problems:
        click.echo(f"warning: {problem}", err=True)
    u, b = summary.users, summary.bot_passwords
    click.echo(f"users: {u['created']} created, {u['updated']} updated, {u['unchanged']} unchanged, "
               f"{u['skipped']} skipped")
    click.echo(f"bot passwords: {b['created']} created, {b['updated']} updated, {b['unchanged']} unchanged, "
               f"{b['skipped']} skipped")
