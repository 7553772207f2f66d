"""Use case: open the database an adapter was given, migrated to the newest schema."""

from __future__ import annotations

from caseseries.store import Store


def open_database(url: str | None, *, create: bool = False) -> Store:
    """Open the database at ``url`` (None: the default SQLite file) and migrate it to the newest schema.

    Only ``init`` and commands that store new records pass ``create=True``: on a mistyped path or
    an empty database any other command says so (exit 2) instead of creating an empty database
    and reporting nothing found.
    """
    store = Store(url)
    store.migrate(create=create)
    return store
