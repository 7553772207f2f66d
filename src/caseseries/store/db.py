"""Database connection, URL resolution and Alembic migrations.

The database is chosen by an explicit URL, else ``CASESERIES_DB``, else
``sqlite:///caseseries.db`` in the working directory. PostgreSQL works by URL
(``postgresql+psycopg://user@host/db``).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.exc import ArgumentError, DatabaseError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from caseseries.errors import InputError, StoreError
from caseseries.store.schema import Base

if TYPE_CHECKING:  # Alembic is imported when a revision is read or a migration runs
    from alembic.config import Config
    from alembic.script import ScriptDirectory

DEFAULT_URL = "sqlite:///caseseries.db"
_NOT_TABLE_MODULES = {"db", "repository", "migrations", "schema", "sessions", "patients", "decisions"}
"""Modules of the store that define no tables (the others are imported so that their tables exist)."""


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


def describe_db_error(err: BaseException) -> str:
    """The driver's message of a database error on one line, without SQL or parameters."""
    orig = getattr(err, "orig", None) or err
    text = " ".join(str(orig).split())
    return text if len(text) <= 300 else text[:297] + "..."


def display_url(engine: Engine) -> str:
    """The engine's URL as shown in messages (password hidden)."""
    return engine.url.render_as_string(hide_password=True)


WRITE_OPTION = "caseseries_write"
"""Execution option marking connections of write transactions (``BEGIN IMMEDIATE`` on SQLite)."""


def make_engine(url: str | None = None) -> Engine:
    """Create an engine; SQLite gets foreign keys, a busy timeout and write-locking transactions.

    On SQLite, transactions of connections with the execution option :data:`WRITE_OPTION`
    start with ``BEGIN IMMEDIATE``: concurrent writers queue for the lock (up to the busy
    timeout) instead of failing with "database is locked" when both read before writing.

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
                dbapi_conn.isolation_level = None  # transactions are begun below
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.close()

            @event.listens_for(engine, "begin")
            def _begin(conn):  # type: ignore[no-untyped-def]
                write = conn.get_execution_options().get(WRITE_OPTION)
                conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

            return engine
        return create_engine(resolved, pool_pre_ping=True)
    except (ArgumentError, ImportError, SQLAlchemyError) as err:
        raise InputError(
            f"cannot use database URL {resolved!r} ({err.__class__.__name__}: {err}); "
            "use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB",
            location="--db",
        ) from None


def _alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


_VERSIONS = Path(__file__).parent / "migrations" / "versions"
_ASSIGNMENT = re.compile(r"""^(revision|down_revision)\s*=\s*(?:None|"([^"]+)"|'([^']+)')\s*$""", re.MULTILINE)


@functools.cache
def _revision_chain() -> dict[str, str | None] | None:
    """Each shipped revision and the one it revises, read from the version files' assignments.

    Reading the ``revision = "..."`` and ``down_revision = "..."`` lines costs far less than
    importing Alembic (and Mako) to load the scripts. None when a file does not assign both in
    the plain form (a quoted revision; a quoted one or ``None`` revised): Alembic then reads them.
    """
    chain: dict[str, str | None] = {}
    for path in sorted(_VERSIONS.glob("*.py")):
        found = {m[1]: m[2] or m[3] for m in _ASSIGNMENT.finditer(path.read_text(encoding="utf-8"))}
        revision = found.get("revision")
        if revision is None or "down_revision" not in found:
            return None
        chain[revision] = found["down_revision"]
    return chain or None


def head_revision() -> str:
    """The newest migration revision shipped with this version."""
    chain = _revision_chain()
    if chain is not None:
        heads = set(chain) - set(chain.values())
        if len(heads) == 1:
            return heads.pop()
    return _script().get_current_head() or ""


def known_revisions() -> set[str]:
    """Every migration revision shipped with this version."""
    chain = _revision_chain()
    if chain is not None:
        return set(chain)
    return {rev.revision for rev in _script().walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The migration revision the database is at (None for an empty database)."""
    revisions = _inspect(engine)[1]
    return revisions[0] if revisions else None


def sqlite_file(engine: Engine) -> Path | None:
    """The file of a SQLite database URL (None for other backends, memory and ``file:`` URIs)."""
    if engine.url.get_backend_name() != "sqlite":
        return None
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:") or engine.url.query.get("uri"):
        return None
    return Path(name)


def _inspect(engine: Engine) -> tuple[list[str], list[str]]:
    """(table names, alembic revisions) of the database."""
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        revisions: list[str] = []
        if "alembic_version" in tables:
            revisions = [str(r) for r in conn.execute(text("SELECT version_num FROM alembic_version")).scalars()]
    return tables, revisions


def check_database(engine: Engine, *, create: bool) -> str | None:
    """Refuse a database caseseries cannot use; return its revision (None when empty).

    Parameters
    ----------
    engine : Engine
        The database.
    create : bool
        Whether a missing or empty database may be created (``init`` and writing commands).

    Raises
    ------
    StoreError
        A one-line message with the fix for: a missing SQLite file or an empty database
        when ``create`` is false; a file that is not a SQLite database; a database of
        another program (tables but no caseseries revision); a database made by a newer
        caseseries (unknown revision); a database that cannot be reached.
    """
    where = display_url(engine)
    path = sqlite_file(engine)
    if path is not None and not create and not path.exists():
        raise StoreError(
            f"{where}: the database file {path} does not exist; "
            "run 'caseseries init' to create it, or check --db/CASESERIES_DB"
        )
    if path is not None and not path.exists():
        return None
    try:
        tables, revisions = _inspect(engine)
    except DatabaseError as err:
        if path is not None and "not a database" in str(err.orig):
            raise StoreError(
                f"{where}: {path} is not a SQLite database ({describe_db_error(err)}); "
                "give the path of a caseseries database, or a new file name to create one"
            ) from None
        raise StoreError(f"{where}: cannot open the database ({describe_db_error(err)}); check --db") from None
    except SQLAlchemyError as err:
        raise StoreError(f"{where}: cannot open the database ({describe_db_error(err)}); check --db") from None
    unknown = [r for r in revisions if r not in known_revisions()]
    if unknown:
        raise StoreError(
            f"{where}: the database is at revision {', '.join(unknown)}, which this caseseries "
            f"(newest revision {head_revision()}) does not know; it was made by a newer caseseries or "
            "another program: upgrade caseseries, or use another --db"
        )
    if not revisions and tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(
            f"{where}: the database holds tables of another program ({shown}) and no caseseries schema; "
            "give a caseseries database, or a new file or empty database to create one"
        )
    if not revisions and not create:
        raise StoreError(f"{where}: the database is empty (no caseseries tables); run 'caseseries init' to set it up")
    return revisions[0] if revisions else None


@contextlib.contextmanager
def _sqlite_foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite's foreign keys off while the block runs (outside a transaction, where the pragma applies).

    A migration that rebuilds a table drops it; with foreign keys on, dropping a table deletes
    (``ON DELETE CASCADE``) every row of the tables that refer to it.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _dangling_references(conn: Connection) -> int:
    """How many rows of a SQLite database refer to a missing row (0 on other backends, which enforce it)."""
    if conn.dialect.name != "sqlite":
        return 0
    return len(conn.exec_driver_sql("PRAGMA foreign_key_check").all())


def migrate(engine: Engine, *, create: bool = True) -> str:
    """Create or upgrade the schema to the newest revision; return that revision.

    A database already at the newest revision is only read (a read-only file works).

    Raises
    ------
    StoreError
        If the database cannot be used (see :func:`check_database`), reached or migrated.
    """
    current = check_database(engine, create=create)
    if current == head_revision():
        return head_revision()
    try:
        with (
            engine.execution_options(**{WRITE_OPTION: True}).connect() as conn,
            _sqlite_foreign_keys_off(conn),
            conn.begin(),
        ):
            _one_migration_at_a_time(conn)
            if current is None and _create_schema(conn):
                return head_revision()
            dangling = _dangling_references(conn)
            _upgrade(conn)
            if _dangling_references(conn) > dangling:
                raise StoreError(
                    f"{display_url(engine)}: migrating the database would leave rows that refer to "
                    "missing rows; nothing was changed"
                )
    except SQLAlchemyError as err:
        raise StoreError(
            f"{display_url(engine)}: cannot create or migrate the database ({describe_db_error(err)}); "
            "check the path, its permissions and the server"
        ) from None
    return head_revision()


MIGRATION_LOCK = 0x63617365736572
"""The PostgreSQL advisory lock held by the transaction that creates or migrates a database."""


def _one_migration_at_a_time(conn: Connection) -> None:
    """Make a second process creating or migrating the same database wait for the first.

    On PostgreSQL a transaction-level advisory lock: the second then sees the tables the first
    committed (and upgrades, or finds nothing to do) instead of creating them again and failing.
    SQLite's write transactions (``BEGIN IMMEDIATE``) already queue.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


def _version_table() -> Table:
    """Alembic's table of the database's revision, as ``alembic upgrade`` creates it."""
    return Table(
        "alembic_version",
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )


def _create_schema(conn: Connection) -> bool:
    """Create the newest schema in an empty database: the declared tables, stamped with the head revision.

    The same schema as running every migration (``tests/store/test_store_schema.py`` compares
    the two), without importing Alembic. False, and nothing done, when the database is no longer
    empty (another process created it first): it is then upgraded as any other.
    """
    if inspect(conn).get_table_names():
        return False
    metadata.create_all(conn, checkfirst=False)
    version = _version_table()
    version.create(conn)
    conn.execute(version.insert().values(version_num=head_revision()))
    return True


def _upgrade(conn: Connection) -> None:
    """Run every migration the database has not had (Alembic ``upgrade head``) on ``conn``."""
    from alembic import command

    cfg = _alembic_config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)
