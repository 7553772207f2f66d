"""Helpers shared by the command modules (output, store access, progress)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

import typer

from caseseries import interrupt
from caseseries.commands._state import state

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from caseseries.store import Store


def open_store(ctx: typer.Context, *, create: bool = False) -> Store:
    """Open the database named by ``--db``/``CASESERIES_DB``, migrating it to the newest schema.

    Only ``init`` and commands that store new records pass ``create=True``: any other command
    on a mistyped path or an empty database says so (exit 2) instead of creating an empty
    database and reporting nothing found.
    """
    from caseseries.app.database import open_database

    interrupt.track_database_writes()
    return open_database(state(ctx).db, create=create)


def print_json(data: Any) -> None:
    """Write JSON to stdout (UTF-8, indented)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


class QuietProgress:
    """The calls of a progress bar, doing nothing: what :func:`stderr_progress` gives off a terminal."""

    def __enter__(self) -> QuietProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, total: float | None = None, **fields: Any) -> TaskID:
        """A task that is never shown."""
        return cast("TaskID", 0)

    def update(self, task_id: TaskID, **fields: Any) -> None:
        """Nothing to show."""


def _not_a_terminal() -> bool:
    """Whether stderr is plainly not a terminal (nor one forced by rich's ``FORCE_TERMINAL``/``TTY_COMPATIBLE``)."""
    isatty = getattr(sys.stderr, "isatty", None)
    forced = os.environ.get("FORCE_TERMINAL") or os.environ.get("TTY_COMPATIBLE")
    return not forced and not (isatty is not None and isatty())


def stderr_progress(label: str, console: Console | None = None) -> Progress | QuietProgress:
    """A transient progress bar on stderr (``label`` may use ``{task.description}``); off when not a terminal.

    Off a terminal (output redirected, a pipe, a batch job) nothing is drawn and Rich is not
    even loaded.
    """
    if console is None and _not_a_terminal():
        return QuietProgress()
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

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


def print_json_array(items: Iterable[Any]) -> None:
    """Write a JSON array to stdout item by item, byte for byte what :func:`print_json` writes for the list.

    Nothing but the item being written is held in memory (``cases list --json`` of a large store).
    """
    out = sys.stdout
    first = True
    for item in items:
        text = json.dumps(item, indent=2, ensure_ascii=False, default=str)
        out.write(("[\n  " if first else ",\n  ") + text.replace("\n", "\n  "))
        first = False
    out.write("[]\n" if first else "\n]\n")
