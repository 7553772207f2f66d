"""Helpers shared by the command modules (output, store access, progress)."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from caseseries import interrupt
from caseseries.commands._state import state
from caseseries.store import Store


def open_store(ctx: typer.Context, *, create: bool = False) -> Store:
    """Open the database named by ``--db``/``CASESERIES_DB``, migrating it to the newest schema.

    Only ``init`` and commands that store new records pass ``create=True``: any other command
    on a mistyped path or an empty database says so (exit 2) instead of creating an empty
    database and reporting nothing found.
    """
    interrupt.track_database_writes()
    store = Store(state(ctx).db)
    store.migrate(create=create)
    return store


def print_json(data: Any) -> None:
    """Write JSON to stdout (UTF-8, indented)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def stderr_progress(label: str, console: Console | None = None) -> Progress:
    """A transient progress bar on stderr (``label`` may use ``{task.description}``); off when not a terminal."""
    console = console or Console(stderr=True)
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
