"""``wikigate user …``: create accounts, set groups, end sessions (like createAndPromote.php)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from wikigate.cli.common import _settings, canonical_name, require_user, run_async, with_services

if TYPE_CHECKING:
    from wikigate.services import Services


def _read_password(password_file: str | None, password_stdin: bool) -> str:
    if password_file:
        with open(password_file, encoding="utf-8") as f:
            return f.readline().rstrip("\r\n")
    if password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _policy_problems(services: Services, name: str, password: str, explicit_groups: list[str]) -> str:
    """What the password policy says about ``password`` (empty if it passes): the API's
    policy (auth.passwords.policy, [passwords] policies), for ``explicit_groups`` plus the
    implicit groups every account has. Any failure counts, fatal or not, as for
    action=createaccount."""
    from wikigate.auth.passwords.policy import check_password, merge_policy_overrides
    from wikigate.i18n import Message

    policies = merge_policy_overrides(services.settings.passwords.policies)
    groups = [*dict.fromkeys(explicit_groups), "*", "user", "autoconfirmed"]
    result = check_password(name, password, groups, policies)
    return " ".join(str(services.catalog.plaintext(Message(f.key, tuple(f.params)), "en"))
                    for f in result.failures)


@click.group()
def user() -> None:
    """Manage user accounts."""


@user.command("create")
@click.argument("name")
@click.option("--group", "groups", multiple=True, help="Add to this group (repeatable), e.g. sysop.")
@click.option("--password-file", type=click.Path(exists=True, dir_okay=False),
              help="Read the password from the first line of this file.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--email", default="", help="E-mail address.")
@click.option("--update", is_flag=True, help="If the user exists, set the password and add the groups.")
@click.option("--force", is_flag=True,
              help="Set the password even if the site's password policy refuses it (says what it breaks).")
@click.pass_context
def create(ctx: click.Context, name: str, groups: tuple[str, ...], password_file: str | None,
           password_stdin: bool, email: str, update: bool, force: bool) -> None:
    """Create the account NAME (password from a prompt, a file or stdin).

    The password must pass the site's password policy — the one action=createaccount
    applies, for the groups the account will be in (sysops' is stricter) — unless
    --force is given."""
    settings = _settings(ctx)
    canonical = canonical_name(name)
    known = set(settings.rights.group_permissions) - {"*", "user", "autoconfirmed"}
    for g in groups:
        if g not in known:
            raise click.ClickException(f"unknown group {g!r} (known: {', '.join(sorted(known))})")
    password = _read_password(password_file, password_stdin)
    if not password:
        raise click.ClickException("the password must not be empty")

    async def go(services: Services) -> str:
        from wikigate.users.store import UserExists

        existing = await services.users.get_by_name(canonical)
        if existing is not None and not update:
            raise click.ClickException(f"user {canonical!r} exists (use --update to change it)")
        problems = _policy_problems(services, canonical, password,
                                    [*groups, *(existing.group_names() if existing else [])])
        if problems and not force:
            await services.hashing.stop()
            raise click.ClickException(f"the password does not meet the site's password policy: {problems} "
                                       "(use --force to set it anyway)")
        if problems:
            click.echo(f"warning: the password does not meet the site's password policy: {problems}; "
                       "set anyway (--force)", err=True)
        pw_hash = await services.hashing.hash(password)
        from wikigate.users.groups import MAINTENANCE_USER

        # The user row (or its new password) and its groups commit together, with the
        # rights log entry action=userrights writes.
        try:
            u = await services.userrights.create_account(
                canonical, MAINTENANCE_USER, password_hash=pw_hash, email=email, groups=groups,
                update_existing=existing)
        except UserExists:
            raise click.ClickException(f"user {canonical!r} exists") from None
        action = "created" if existing is None else "updated"
        await services.hashing.stop()
        return f"{action} user {canonical!r} (id {u.id})" + (f" in groups {', '.join(groups)}" if groups else "")

    click.echo(run_async(lambda: with_services(settings, go)))


@user.command("set-groups")
@click.argument("name")
@click.argument("groups", nargs=-1)
@click.option("--expiry", default=None, help="Expiry for added groups (14-digit timestamp or ISO date).")
@click.pass_context
def set_groups(ctx: click.Context, name: str, groups: tuple[str, ...], expiry: str | None) -> None:
    """Make GROUPS the explicit groups of NAME (no GROUPS removes all)."""
    settings = _settings(ctx)
    canonical = canonical_name(name)
    known = set(settings.rights.group_permissions) - {"*", "user", "autoconfirmed"}
    for g in groups:
        if g not in known:
            raise click.ClickException(f"unknown group {g!r} (known: {', '.join(sorted(known))})")
    exp = None
    if expiry:
        digits = "".join(c for c in expiry if c.isdigit())
        if len(digits) < 8:
            raise click.ClickException(f"invalid expiry {expiry!r}")
        exp = (digits + "000000")[:14]

    async def go(services: Services) -> str:
        u = await require_user(services, canonical)
        from wikigate.users.groups import MAINTENANCE_USER

        # The same service (one transaction, rights log and audit entries) as action=userrights.
        await services.userrights.change_groups(
            u, MAINTENANCE_USER, add=groups, remove=[g for g in u.group_names() if g not in groups],
            expiries=dict.fromkeys(groups, exp), via="cli")
        return f"{canonical}: groups now {', '.join(sorted(groups)) or '(none)'}"

    click.echo(run_async(lambda: with_services(settings, go)))


@user.command("logout-everywhere")
@click.argument("name")
@click.pass_context
def logout_everywhere(ctx: click.Context, name: str) -> None:
    """End every session and remember-me login of NAME, on every worker and host."""
    settings = _settings(ctx)
    canonical = canonical_name(name)

    async def go(services: Services) -> str:
        u = await require_user(services, canonical)
        await services.users.invalidate_sessions(u.id)
        return f"all sessions of {canonical} are now invalid"

    click.echo(run_async(lambda: with_services(settings, go)))


@user.command("list")
@click.option("--limit", default=100, show_default=True)
@click.pass_context
def list_users(ctx: click.Context, limit: int) -> None:
    """List accounts with their groups."""
    settings = _settings(ctx)

    async def go(services: Services) -> list[Any]:
        return list(await services.users.list_users(limit=limit))

    for u in run_async(lambda: with_services(settings, go)):
        click.echo(f"{u.id:>6}  {u.name}  {','.join(u.group_names())}")
