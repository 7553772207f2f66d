"""``caseseries serve``: the curation web app on this machine (127.0.0.1:8000 by default)."""

from __future__ import annotations

import ipaddress
import sys
from typing import TYPE_CHECKING

import typer

from caseseries.commands._common import open_store
from caseseries.errors import InputError

if TYPE_CHECKING:
    from caseseries.app.accounts import Accounts


def _first_admin(accounts: Accounts) -> None:
    """Ask for the first admin on a terminal; without one, exit 2 with the command to run."""
    if not sys.stdin.isatty():
        raise InputError(
            "no user can log in yet; create an admin first: caseseries users add NAME --role admin",
            location="users",
        )
    from caseseries.app.accounts import UserRole, Via, add_user
    from caseseries.commands.users import _actor, read_password

    typer.echo("No user exists yet: create the first admin account.")
    name = typer.prompt("Admin user name").strip()
    add_user(accounts, name, UserRole.ADMIN, read_password(False), actor=_actor(), via=Via.CLI)
    typer.echo(f"User {name} added (admin).")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 opens it to the network)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    protocol: list[str] = typer.Option(
        [], "--protocol", "-p", help="Review protocol to screen (YAML file or shipped name; repeatable)."
    ),
    https: bool = typer.Option(
        False, "--https", help="The app is reached over HTTPS (e.g. behind a TLS proxy): cookies are Secure."
    ),
) -> None:
    """Serve the curation web app: screening, accounts and audit, in the browser.

    The database is the global --db. The first run asks for an admin account (on a terminal).

    Example: caseseries serve --protocol review.yaml --port 8000
    """
    import uvicorn

    from caseseries.app.accounts import needs_first_admin, open_accounts
    from caseseries.web import create_app

    store = open_store(ctx, create=True)
    accounts = open_accounts(store)
    if needs_first_admin(accounts):
        _first_admin(accounts)
    app = create_app(store=store, https=https, protocols=protocol or None)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"caseseries web app on http{'s' if https else ''}://{shown}:{port}/ (Ctrl-C stops it)")
    if not _loopback(host):
        typer.echo(f"Warning: listening on {host}: other machines can reach the app", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=True, server_header=False)


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command."""
    app.command("serve")(serve)
