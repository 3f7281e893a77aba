"""``wikigate``: serve, migrate, manage users and check the configuration."""

from __future__ import annotations

import os
import sys

import click

from wikigate.cli import users
from wikigate.cli.audit import audit
from wikigate.cli.botpasswords import botpassword
from wikigate.cli.common import _settings, run_async
from wikigate.cli.importer import import_group
from wikigate.cli.mail import mail
from wikigate.cli.oath import oath
from wikigate.config import Settings
from wikigate.health import safe_url
from wikigate.util.files import private_umask


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
@click.option("--wait-for-backends", "wait", type=click.FloatRange(min=0), default=0.0, show_default=True,
              metavar="SECONDS", help="Retry an unreachable database or Redis for this long before giving up.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int | None, wait: float) -> None:
    """Run the server (creates the data directory and database on first run, migrates)."""
    from wikigate.cli import serve as srv
    from wikigate.util.files import loose_permissions

    settings = _settings(ctx)
    host = host or settings.server.host
    port = port or settings.server.port
    workers = workers or settings.server.workers
    prepared = srv.prepare(settings, migrate=True, wait=wait)
    if prepared.before != prepared.after:
        click.echo(f"database ready at revision {prepared.after} ({safe_url(settings.database_url)})")
    for line in loose_permissions(settings.data_path):
        click.echo(f"warning: {line}", err=True)
    sock = srv.bind_socket(host, port)
    cfg = ctx.obj.get("config")
    if cfg:
        os.environ["WIKIGATE_CONFIG"] = os.path.abspath(cfg)
    os.environ["WIKIGATE_STORAGE__DATA_DIR"] = os.path.abspath(settings.data_path)
    click.echo(f"wikigate serving http://{host}:{port}/api.php with {workers} worker(s); Ctrl+C stops")
    # The line a person needs: where to log in with a browser.
    click.echo(f"log in with a browser at http://{host}:{port}/index.php/Special:UserLogin")
    srv.run_server(settings, sock, workers)



@cli.command()
@click.option("--wait-for-backends", "wait", type=click.FloatRange(min=0), default=0.0, show_default=True,
              metavar="SECONDS", help="Retry an unreachable database for this long before giving up.")
@click.pass_context
def migrate(ctx: click.Context, wait: float) -> None:
    """Create or upgrade the database schema."""
    from wikigate.cli import serve as srv

    settings = _settings(ctx)
    prepared = srv.prepare(settings, migrate=True, wait=wait)
    if prepared.before == prepared.after:
        click.echo(f"schema is up to date (revision {prepared.after})")
    else:
        click.echo(f"schema upgraded from {prepared.before or 'empty'} to {prepared.after}")


@cli.group()
def config() -> None:
    """Inspect the configuration."""


@config.command("check")
@click.pass_context
def config_check(ctx: click.Context) -> None:
    """Validate the configuration and try to reach every configured backend.

    Changes nothing: it creates no directory, no database and no table. Exit status 1
    when a backend does not answer; loose file permissions are warnings."""
    from wikigate.cli import serve as srv
    from wikigate.util.files import loose_permissions

    settings = _settings(ctx)
    click.echo(f"configuration {settings.source or '(defaults)'}: valid")
    revision = run_async(lambda: _check_database_readonly(settings))
    if settings.storage.redis_url:
        from wikigate.health import probe_kv
        from wikigate.storage.redis import RedisKeyValueStore

        async def redis() -> str | None:
            kv = RedisKeyValueStore(settings.storage.redis_url)
            try:
                return await probe_kv(kv, srv.CHECK_TIMEOUT)
            finally:
                await kv.close()

        problem = run_async(redis)
        if problem is not None:
            raise srv.BackendUnavailable(srv.redis_problem(settings, problem))
        click.echo(f"session store redis ({safe_url(settings.storage.redis_url)}): reachable")
    elif revision is not None:
        click.echo("session store: the database (tables wg_kv, wg_counter)")
    for line in loose_permissions(settings.data_path):
        click.echo(f"warning: {line}")


async def _check_database_readonly(settings: Settings) -> str | None:
    """Report the database and its schema revision without creating anything; returns
    the revision when the schema exists."""
    from wikigate.cli import serve as srv
    from wikigate.health import probe_database
    from wikigate.storage.sql import migrate as mig
    from wikigate.storage.sql.database import Database, sqlite_file

    where = safe_url(settings.database_url)
    if settings.database_url.startswith("sqlite:"):
        path = sqlite_file(settings.database_url)
        if path and path != ":memory:" and not os.path.exists(path):
            # Opening it would create it (and its directory): say what will happen instead.
            click.echo(f"database sqlite ({path}): not created yet; `wikigate migrate` or "
                       "`wikigate serve` creates it")
            return None
    db = Database(settings.database_url, pool_size=1, connect_timeout=srv.CHECK_TIMEOUT)
    try:
        problem = await probe_database(db, srv.CHECK_TIMEOUT)
        if problem is not None:
            raise srv.BackendUnavailable(srv.database_problem(settings, problem))
        has_schema = await mig.schema_exists(db)
        current = await mig.current_revision(db) if has_schema else None
    finally:
        await db.close()
    head = mig.head_revision()
    if current is None:
        click.echo(f"database {db.dialect} ({where}): reachable, no schema yet; `wikigate migrate` creates it")
    elif current != head:
        click.echo(f"database {db.dialect} ({where}): reachable, schema at revision {current}, this version "
                   f"needs {head}; run `wikigate migrate`")
    else:
        click.echo(f"database {db.dialect} ({where}): reachable, schema up to date (revision {current})")
    return current


for _command in (users.user, botpassword, mail, import_group, audit, oath):
    cli.add_command(_command)


def main() -> None:
    # Every file the CLI or the server creates (database, WAL, mail spool) is private.
    private_umask()
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        sys.exit(130)
