"""Database connection, URL resolution and Alembic migrations.

The database is chosen by an explicit URL, else ``CASESERIES_DB``, else
``sqlite:///caseseries.db`` in the working directory. PostgreSQL works by URL
(``postgresql+psycopg://user@host/db``).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from caseseries.errors import InputError, StoreError
from caseseries.store.schema import Base

DEFAULT_URL = "sqlite:///caseseries.db"
_NOT_TABLE_MODULES = {"db", "repository", "migrations", "schema"}


def _load_table_modules() -> None:
    package = importlib.import_module("caseseries.store")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _NOT_TABLE_MODULES:
            importlib.import_module(f"caseseries.store.{info.name}")


_load_table_modules()
metadata = Base.metadata


def resolve_url(url: str | None = None) -> str:
    """The database URL: ``url``, else ``$CASESERIES_DB``, else the SQLite default."""
    return url or os.environ.get("CASESERIES_DB") or DEFAULT_URL


def make_engine(url: str | None = None) -> Engine:
    """Create an engine; SQLite gets foreign keys and a busy timeout.

    Raises
    ------
    InputError
        If the URL cannot be parsed or names an unknown driver.
    """
    resolved = resolve_url(url)
    try:
        if resolved.startswith("sqlite"):
            engine = create_engine(resolved, connect_args={"timeout": 30})

            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

            return engine
        return create_engine(resolved, pool_pre_ping=True)
    except (ArgumentError, ImportError, SQLAlchemyError) as err:
        raise InputError(
            f"cannot use database URL {resolved!r} ({err.__class__.__name__}: {err}); "
            "use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB",
            location="--db",
        ) from None


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest migration revision shipped with this version."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    return head or ""


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> str:
    """Create or upgrade the schema to the newest revision; return that revision.

    Raises
    ------
    StoreError
        If the database cannot be reached or migrated.
    """
    cfg = _alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as err:
        raise StoreError(f"cannot open or migrate the database {engine.url!r}: {err.orig}") from None
    return head_revision()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)
