"""What every ``wikigate`` subcommand shares: the settings of the invocation, running a
coroutine, and the services of a management command (kept apart from ``cli.main`` so
the subcommand modules and the top-level group import each other in one direction)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import click

from wikigate.config import ConfigError, Settings, load_settings

if TYPE_CHECKING:
    from wikigate.services import Services
    from wikigate.users.model import User

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


def canonical_name(name: str) -> str:
    """NAME as a command line gives it, canonical (``alice_b`` → ``Alice b``), or one
    line saying it cannot be a user name."""
    from wikigate.auth.usernames import canonical_username

    canonical = canonical_username(name)
    if canonical is None:
        raise click.ClickException(f"invalid user name: {name!r}")
    return canonical


async def require_user(services: Services, name: str) -> User:
    """The account named ``name`` (canonical), or one line saying there is none."""
    user = await services.users.get_by_name(name)
    if user is None:
        raise click.ClickException(f"no such user: {name!r}")
    return user


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(fn())  # type: ignore[arg-type]


async def with_services(settings: Settings, fn: Callable[[Services], Awaitable[T]], *, migrate: bool = True) -> T:
    """Run ``fn(services)`` for a management command, after migrating when ``migrate``.
    The database (and Redis) must answer first: if not, one line naming the setting and
    exit status 1, never a traceback."""
    from wikigate.cli.serve import BackendUnavailable, database_problem
    from wikigate.health import describe_error
    from wikigate.root import build_services
    from wikigate.storage.errors import DatabaseError

    await _check_backends(settings, migrate=migrate)
    try:
        services = build_services(settings)
    except OSError as e:  # SQLite: the data directory cannot be created
        raise BackendUnavailable(database_problem(settings, describe_error(e))) from None
    try:
        return await fn(services)
    except (OSError, DatabaseError) as e:  # the backend went away in the middle
        raise BackendUnavailable(database_problem(settings, describe_error(e))) from None
    finally:
        await services.kv.close()
        await services.db.close()


async def _check_backends(settings: Settings, *, migrate: bool) -> None:
    from wikigate.cli.serve import check_backends

    await check_backends(settings, migrate=migrate)
