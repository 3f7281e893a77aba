"""``wikigate``: serve, migrate, manage users and check the configuration."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from wikigate.config import ConfigError, Settings, load_settings

T = TypeVar("T")


def _settings(ctx: click.Context) -> Settings:
    obj = ctx.ensure_object(dict)
    if "settings" not in obj:
        try:
            obj["settings"] = load_settings(obj.get("config"))
        except ConfigError as e:
            raise click.ClickException(f"configuration error: {e}") from None
    settings: Settings = obj["settings"]
    return settings


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(fn())  # type: ignore[arg-type]


async def with_services(settings: Settings, fn: Callable[[Any], Awaitable[T]], *, migrate: bool = True) -> T:
    from wikigate.app import build_services
    from wikigate.storage.sql import migrate as mig

    services = build_services(settings)
    try:
        if migrate:
            await mig.upgrade(services.db)
        return await fn(services)
    finally:
        await services.kv.close()
        await services.db.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-c", "--config", type=click.Path(dir_okay=False), envvar="WIKIGATE_CONFIG",
              help="TOML configuration file (default: $WIKIGATE_CONFIG, else built-in defaults).")
@click.version_option(package_name="wikigate")
@click.pass_context
def cli(ctx: click.Context, config: str | None) -> None:
    """wikigate: a MediaWiki-compatible Action API server for accounts, login and protection."""
    ctx.ensure_object(dict)["config"] = config


@cli.command()
@click.option("--host", help="Address to listen on (default from config: 127.0.0.1).")
@click.option("--port", type=int, help="Port (default from config: 8080).")
@click.option("--workers", type=int, help="Worker processes (default from config: 2).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None) -> None:
    """Run the server (creates the data directory and database on first run)."""
    import uvicorn

    settings = _settings(ctx)
    host = host or settings.server.host
    port = port or settings.server.port
    workers = workers or settings.server.workers
    from wikigate.storage.sql import migrate as mig

    async def prepare(services: Any) -> tuple[str | None, str | None]:
        return await mig.upgrade(services.db)

    before, after = run_async(lambda: with_services(settings, prepare, migrate=False))
    if before != after:
        click.echo(f"database ready at revision {after} ({settings.database_url.split('@')[-1]})")
    cfg = ctx.obj.get("config")
    if cfg:
        os.environ["WIKIGATE_CONFIG"] = os.path.abspath(cfg)
    os.environ["WIKIGATE_STORAGE__DATA_DIR"] = os.path.abspath(settings.data_path)
    click.echo(f"wikigate serving http://{host}:{port}/api.php with {workers} worker(s); Ctrl+C stops")
    # The line a person needs: where to log in with a browser.
    click.echo(f"log in with a browser at http://{host}:{port}/index.php/Special:UserLogin")
    uvicorn.run(
        "wikigate.app:create_app", factory=True, host=host, port=port, workers=workers,
        log_level=settings.server.log_level, proxy_headers=bool(settings.server.forwarded_allow_ips),
        forwarded_allow_ips=settings.server.forwarded_allow_ips or None, access_log=False,
        server_header=False, lifespan="on",
    )


@cli.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Create or upgrade the database schema."""
    settings = _settings(ctx)
    from wikigate.storage.sql import migrate as mig

    async def go(services: Any) -> tuple[str | None, str | None]:
        return await mig.upgrade(services.db)

    before, after = run_async(lambda: with_services(settings, go, migrate=False))
    if before == after:
        click.echo(f"schema is up to date (revision {after})")
    else:
        click.echo(f"schema upgraded from {before or 'empty'} to {after}")


@cli.group()
def config() -> None:
    """Inspect the configuration."""


@config.command("check")
@click.pass_context
def config_check(ctx: click.Context) -> None:
    """Validate the configuration and try to reach every configured backend."""
    settings = _settings(ctx)
    click.echo(f"configuration {settings.source or '(defaults)'}: valid")

    async def go(services: Any) -> None:
        from sqlalchemy import text

        await services.db.run(lambda c: c.execute(text("SELECT 1")))
        click.echo(f"database {services.db.dialect}: reachable")
        await services.kv.get("config-check")
        click.echo(f"session store {type(services.kv).__name__}: reachable")

    try:
        run_async(lambda: with_services(settings, go, migrate=False))
    except Exception as e:
        raise click.ClickException(f"backend check failed: {type(e).__name__}: {e}") from None


from wikigate.cli import users as _users  # noqa: E402

cli.add_command(_users.user)
from wikigate.cli.botpasswords import botpassword as _botpassword  # noqa: E402

cli.add_command(_botpassword)
from wikigate.cli.mail import mail as _mail  # noqa: E402

cli.add_command(_mail)
from wikigate.cli.importer import import_group as _import_group  # noqa: E402

cli.add_command(_import_group)
from wikigate.cli.audit import audit as _audit  # noqa: E402

cli.add_command(_audit)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
