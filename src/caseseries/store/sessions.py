"""Transactions of the store: write and read sessions, database errors translated to one line."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from caseseries.errors import StoreError
from caseseries.store.db import WRITE_OPTION, describe_db_error, display_url, session_factory
from caseseries.store.schema import Base, dialect_insert, utcnow


class Sessions:
    """The write and read transactions of one engine, shared by the repositories.

    Parameters
    ----------
    engine : Engine
        The database.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self._write = session_factory(engine.execution_options(**{WRITE_OPTION: True}))
        self._read = session_factory(engine)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in one write transaction: committed on success, rolled back on error.

        On SQLite the transaction takes the write lock when it begins, so concurrent writers
        wait for each other. Database errors leave as :class:`StoreError` with one line.
        """
        with self.translated(), self._write.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session in one read transaction (no write lock taken on SQLite)."""
        with self.translated(), self._read.begin() as session:
            yield session

    @contextmanager
    def translated(self) -> Iterator[None]:
        """Database errors inside the block leave as :class:`StoreError` with one line."""
        try:
            yield
        except DBAPIError as err:
            if "readonly" in str(err.orig).replace("-", "").replace(" ", "").lower():
                raise StoreError(
                    f"{display_url(self.engine)}: the database is read-only ({describe_db_error(err)}); "
                    "check the file's permissions, or use a writable copy with --db"
                ) from None
            raise StoreError(
                f"{display_url(self.engine)}: the database refused the operation ({describe_db_error(err)}); "
                "check that it is writable and reachable, then run the command again"
            ) from None


def insert_if_absent(session: Session, table: type[Base], values: dict[str, Any]) -> int | None:
    """``INSERT ... ON CONFLICT DO NOTHING`` on ``key``: the new row's id, or None if a row with its key exists.

    Safe against concurrent writers on SQLite and PostgreSQL: a key added by another
    transaction in the meantime makes this a no-op instead of an IntegrityError.
    """
    now = utcnow()
    values = {"created_at": now, "updated_at": now, **values}
    stmt = (
        dialect_insert(session)(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(table.id)  # type: ignore[attr-defined]
    )
    new_id = session.execute(stmt).scalar()
    return int(new_id) if new_id is not None else None


_WRITES = ("INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP", "REPLACE", "MERGE", "UPSERT")


def on_committed_writes(callback: Callable[[], None]) -> None:
    """Call ``callback`` after every committed transaction (of any engine) that changed something.

    Used to tell, after an interruption, whether anything was written (:mod:`caseseries.interrupt`).
    Install it once per process.
    """

    def before_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip()[:7].upper().startswith(_WRITES):
            conn.info["caseseries_dirty"] = True

    def on_commit(conn: Any) -> None:
        if conn.info.pop("caseseries_dirty", False):
            callback()

    def on_rollback(conn: Any) -> None:
        conn.info.pop("caseseries_dirty", None)

    event.listen(Engine, "before_cursor_execute", before_execute)
    event.listen(Engine, "commit", on_commit)
    event.listen(Engine, "rollback", on_rollback)
