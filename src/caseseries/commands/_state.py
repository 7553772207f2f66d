"""The options shared by every command (``--db``), kept on the root Typer context."""

from __future__ import annotations

from dataclasses import dataclass

import typer


@dataclass
class CliState:
    """Options shared by every command."""

    db: str | None = None


def state(ctx: typer.Context) -> CliState:
    """The shared options of the running command."""
    obj = ctx.find_root().obj
    # Compare by attribute: under ``python -m caseseries.cli`` the command line module is loaded twice.
    return CliState(db=getattr(obj, "db", None))
