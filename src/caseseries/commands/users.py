"""``caseseries users``: accounts of the web app (admin, reviewer, viewer)."""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING

import typer

from caseseries.commands._common import open_store, print_json
from caseseries.errors import InputError

if TYPE_CHECKING:
    from caseseries.app.accounts import Accounts

users_app = typer.Typer(
    help="Accounts of the web app: admins manage users, reviewers screen and edit, viewers read.\n\n"
    "Example: caseseries users add alice --role reviewer",
    no_args_is_help=True,
)

_ROLE_HELP = "admin, reviewer or viewer."
_STDIN_HELP = "Read the password from the first line of standard input (for scripts)."
CLI_ACTOR = "cli"


def _actor() -> str:
    try:
        return f"{CLI_ACTOR}:{getpass.getuser()}"
    except (KeyError, OSError):
        return CLI_ACTOR


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or asked twice on the terminal."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise InputError("no password on standard input; pipe one line with the password", location="stdin")
        return line
    if not sys.stdin.isatty():
        raise InputError(
            "no terminal to ask the password on; pipe it with --password-stdin", location="--password-stdin"
        )
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise InputError("the two passwords differ; run the command again")
    return first


def _accounts(ctx: typer.Context, *, create: bool = False) -> Accounts:
    from caseseries.app.accounts import open_accounts

    return open_accounts(open_store(ctx, create=create))


@users_app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name (letters, digits, . _ @ -)."),
    role: str = typer.Option(..., "--role", help=_ROLE_HELP),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=_STDIN_HELP),
) -> None:
    """Create a user; the password is asked twice (or read from stdin).

    Example: caseseries users add alice --role reviewer
    """
    from caseseries.app import accounts as use

    chosen = use.parse_role(role)
    accounts = _accounts(ctx, create=True)
    user = use.add_user(accounts, name, chosen, read_password(password_stdin), actor=_actor(), via=use.Via.CLI)
    typer.echo(f"User {user.name} added ({user.role.value}).")


@users_app.command("list")
def list_users(ctx: typer.Context, json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the users and their roles.

    Example: caseseries users list
    """
    from caseseries.app import accounts as use

    users = use.list_users(_accounts(ctx))
    if json_out:
        print_json(users.to_json())
        return
    for line in users.lines():
        typer.echo(line)


@users_app.command("set-role")
def set_role(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    role: str = typer.Argument(..., help=_ROLE_HELP),
) -> None:
    """Change a user's role (the last admin cannot lose it).

    Example: caseseries users set-role alice admin
    """
    from caseseries.app import accounts as use

    chosen = use.parse_role(role, location="ROLE")
    old = use.set_role(_accounts(ctx), name, chosen, actor=_actor(), via=use.Via.CLI)
    typer.echo(f"User {name}: {old.value} -> {chosen.value}.")


@users_app.command("passwd")
def passwd(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help=_STDIN_HELP),
) -> None:
    """Set a user's password; the user's open sessions end.

    Example: caseseries users passwd alice
    """
    from caseseries.app import accounts as use

    accounts = _accounts(ctx)
    use.require_user(accounts, name)
    use.set_password(accounts, name, read_password(password_stdin), actor=_actor(), via=use.Via.CLI)
    typer.echo(f"Password of {name} changed; the user's sessions were ended.")


@users_app.command("remove")
def remove(ctx: typer.Context, name: str = typer.Argument(..., help="User name.")) -> None:
    """Delete a user (the audit log keeps the name; the last admin cannot be removed).

    Example: caseseries users remove alice
    """
    from caseseries.app import accounts as use

    use.remove_user(_accounts(ctx), name, actor=_actor(), via=use.Via.CLI)
    typer.echo(f"User {name} removed.")


def register(app: typer.Typer) -> None:
    """Add the ``users`` command group."""
    app.add_typer(users_app, name="users")
