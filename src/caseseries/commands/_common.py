"""Helpers shared by the command modules (output, store access)."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

from caseseries.store import Store


def open_store(ctx: typer.Context, *, create: bool = False) -> Store:
    """Open the database named by ``--db``/``CASESERIES_DB``, migrating it to the newest schema.

    Only ``init`` and commands that store new records pass ``create=True``: any other command
    on a mistyped path or an empty database says so (exit 2) instead of creating an empty
    database and reporting nothing found.
    """
    from caseseries.cli import state

    store = Store(state(ctx).db)
    store.migrate(create=create)
    return store


def print_json(data: Any) -> None:
    """Write JSON to stdout (UTF-8, indented)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
