"""The stored schema: a database upgraded through every revision has exactly the declared tables.

Compared by SQLAlchemy's inspector on SQLite and PostgreSQL: tables, columns (in order, with
their types as the backend stores them, nullability and defaults), primary keys, indexes, unique
constraints, foreign keys and check constraints. Upgrading a database that holds rows of every
table keeps every row, and text longer than the widths earlier revisions declared is stored.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, create_engine, insert, inspect, select
from tests.conftest import create_pg_database, drop_pg_database

from caseseries.cli import main
from caseseries.errors import StoreError
from caseseries.model import CaseDocument, CaseFile, Evidence, Patient, Response, Source, TherapyLine
from caseseries.model.publication import Author, Publication, SearchRecord
from caseseries.sources.writers import pubmed_xml, ris_text
from caseseries.store import Store, db
from caseseries.store.accounts import Accounts, UserRole
from caseseries.store.db import (
    _alembic_config,
    _create_schema,
    current_revision,
    head_revision,
    make_engine,
    metadata,
    migrate,
)
from caseseries.store.decisions import DecisionWrite
from caseseries.store.links import LinkStatus, LinkStore

BEFORE_TEXT_COLUMNS = "0006_screening_rule_state"
"""The last revision whose SQLite tables declare ``VARCHAR(n)`` columns."""


def _schema(engine: Engine) -> dict[str, dict[str, Any]]:
    """Every table of the database as the inspector sees it (``alembic_version`` aside)."""
    found = inspect(engine)
    dialect = engine.dialect
    tables: dict[str, dict[str, Any]] = {}
    for name in sorted(found.get_table_names()):
        if name == "alembic_version":
            continue
        tables[name] = {
            "columns": [
                (c["name"], c["type"].compile(dialect=dialect), c["nullable"], c.get("default"))
                for c in found.get_columns(name)
            ],
            "primary key": found.get_pk_constraint(name)["constrained_columns"],
            "indexes": sorted((i["name"], i["column_names"], bool(i["unique"])) for i in found.get_indexes(name)),
            "unique": sorted((u["name"], u["column_names"]) for u in found.get_unique_constraints(name)),
            "foreign keys": sorted(
                (
                    f["constrained_columns"],
                    f["referred_table"],
                    f["referred_columns"],
                    sorted(f.get("options", {}).items()),
                )
                for f in found.get_foreign_keys(name)
            ),
            "checks": sorted((c["name"] or "", c["sqltext"]) for c in found.get_check_constraints(name)),
        }
    return tables


def _upgrade(url: str, revision: str = "head") -> None:
    """``alembic upgrade`` of the database at ``url`` (a plain engine: SQLite's foreign keys off)."""
    engine = create_engine(url)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every declared table, as (column, value) pairs, in primary key order."""
    engine = create_engine(url)
    with engine.connect() as conn:
        dump = {
            table.name: [
                tuple(sorted(row._mapping.items()))
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }
    engine.dispose()
    return dump


@pytest.fixture
def other_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database on the backend of ``db_url``."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    url = create_pg_database(os.environ["CASESERIES_TEST_PG"])
    try:
        yield url
    finally:
        drop_pg_database(url)


def _version(engine: Engine) -> tuple[Any, ...]:
    """Alembic's revision table of the database: its columns, primary key and rows."""
    found = inspect(engine)
    with engine.connect() as conn:
        rows = sorted(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
    return (
        [
            (c["name"], c["type"].compile(dialect=engine.dialect), c["nullable"])
            for c in found.get_columns("alembic_version")
        ],
        found.get_pk_constraint("alembic_version"),
        rows,
    )


def test_a_new_database_is_created_with_the_schema_of_every_migration(db_url: str, other_url: str) -> None:
    migrate(make_engine(other_url))
    _upgrade(db_url)
    created, upgraded = create_engine(other_url), create_engine(db_url)
    assert set(_schema(upgraded)) == set(metadata.tables)
    assert _schema(created) == _schema(upgraded)
    assert _version(created) == _version(upgraded)
    assert _version(created)[2] == [head_revision()]
    _upgrade(other_url)  # Alembic reads the revision the store wrote: nothing left to run
    assert _version(created)[2] == [head_revision()]
    created.dispose()
    upgraded.dispose()


def test_a_database_created_meanwhile_is_upgraded_not_created_again(db_url: str) -> None:
    _upgrade(db_url, BEFORE_TEXT_COLUMNS)
    engine = make_engine(db_url)
    with engine.connect() as conn, conn.begin():
        assert not _create_schema(conn)
    assert current_revision(engine) == BEFORE_TEXT_COLUMNS
    assert migrate(engine) == head_revision()
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_creating_a_new_sqlite_store_does_not_load_the_migrations(tmp_path: Path) -> None:
    code = (
        "import sys; from caseseries.store.db import make_engine, migrate; "
        f"migrate(make_engine({str('sqlite:///' + str(tmp_path / 'new.db'))!r})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _long(word: str, n: int = 600) -> str:
    return (word + " ") * (n // (len(word) + 1)) + word


def _populate(url: str, tmp_path: Path) -> None:
    """Rows in every declared table, written the ways the commands write them."""
    store = Store.open(url)
    pubs = [
        Publication(pmid="31000001", title=_long("Inflammatory"), journal=_long("Journal"), year=2020),
        Publication(pmid="31000002", title="A second case", authors=[Author(last_name="Ng", fore_name="Lan")]),
    ]
    path = tmp_path / "records.xml"
    path.write_text(pubmed_xml(pubs), encoding="utf-8")
    assert main(["--db", url, "import", str(path)]) == 0
    lines = [TherapyLine(line=1, agents=["crizotinib"], best_response=Response.PR, pfs_months=7.5, pfs_censored=False)]
    evidence = [Evidence(field="age_years", start=4, end=9, text="aged 7")]
    document = CaseDocument(
        source=Source(pmid="31000001", title=_long("Inflammatory")),
        patients=[Patient(label="case 1", age_years=7.0, lines=lines, evidence=evidence), Patient(label="case 2")],
    )
    store.add_case_file(CaseFile(documents=[document]))
    first, second = (p.id for p in store.patients())
    store.replace_patient(first, store.get_patient(first).patient.model_copy(update={"age_years": 8.0}))
    LinkStore(store).decide(first, second, LinkStatus.NOT_DUPLICATE, actor="AB", score=0.25, note="two girls")
    store.save_search(SearchRecord(query="myofibroblastic", run_at="2026-12-04T10:00:00Z", count=2, name="main"))
    store.decisions.write(
        {"protocol": [DecisionWrite("pmid:31000001", "title-abstract", "include", "reviewer", "AB", None, "case")]},
        via="review",
    )
    accounts = Accounts(store)
    user = accounts.add_user("ab", UserRole.REVIEWER, "not-a-real-hash")
    accounts.open_session(user.id, "t" * 64, "c" * 64, timedelta(hours=1))
    accounts.record_login_failure("ab", "127.0.0.1")
    accounts.record_change(entity="patient", key=str(first), field="age_years", old=7.0, new=8.0, actor="ab")
    store.engine.dispose()


def _previous_version_with_rows(db_url: str, other_url: str, tmp_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """``db_url`` at the previous version's revision, holding rows of every table; those rows."""
    _populate(other_url, tmp_path)
    before = _rows(other_url)
    assert all(before.values()), [name for name, rows in before.items() if not rows]
    _upgrade(db_url, BEFORE_TEXT_COLUMNS)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            conn.execute(insert(table), [dict(pairs) for pairs in before[table.name]])
    engine.dispose()
    return before


def test_upgrading_a_database_keeps_every_row_and_gives_the_declared_schema(
    db_url: str, other_url: str, tmp_path: Path
) -> None:
    before = _previous_version_with_rows(db_url, other_url, tmp_path)
    store = Store.open(db_url)  # upgraded on opening, with the store's own engine (foreign keys on)
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:  # and back on after the upgrade
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.engine.dispose()
    assert _rows(db_url) == before
    created = create_engine(other_url)
    upgraded = create_engine(db_url)
    assert _schema(upgraded) == _schema(created)
    upgraded.dispose()
    created.dispose()


def test_a_migration_that_would_leave_dangling_rows_changes_nothing(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = f"sqlite:///{tmp_path / 'other.db'}"
    before = _previous_version_with_rows(sqlite_url, other, tmp_path)

    def broken_upgrade(conn: Connection) -> None:  # a rebuild that loses the rows others refer to
        conn.exec_driver_sql("DELETE FROM publications")

    monkeypatch.setattr(db, "_upgrade", broken_upgrade)
    engine = make_engine(sqlite_url)
    with pytest.raises(StoreError, match="rows that refer to missing rows; nothing was changed"):
        migrate(engine)
    assert current_revision(engine) == BEFORE_TEXT_COLUMNS
    engine.dispose()
    assert _rows(sqlite_url) == before


def test_text_longer_than_the_earlier_widths_imports_into_an_upgraded_store(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _upgrade(db_url)  # through every revision, as a database made by an earlier version
    folder = tmp_path.joinpath(*[_long("folder", 120)] * 3)
    folder.mkdir(parents=True)
    author = Author(last_name=_long("Lastname", 300), fore_name=_long("Forename", 300))
    pubs = [
        Publication(pmid="31000003", title=_long("Title"), journal=_long("Journal"), authors=[author], year=2021),
        Publication(doi="10.1000/" + "x" * 600, title="A case with a long DOI", year=2022),
        Publication(title=_long("Untitled", 700), authors=[author], year=2023),
    ]
    path = folder / "records.ris"
    path.write_text(ris_text(pubs), encoding="utf-8")
    assert main(["--db", db_url, "import", str(path)]) == 0, capsys.readouterr().err
    store = Store.open(db_url)
    stored = {p.key(): p for p in store.iter_publications()}
    store.engine.dispose()
    assert len(stored) == 3
    assert sum(len(key) > 512 for key in stored) == 2  # the DOI and the title keys
    for pub in pubs:
        found = stored[pub.model_copy(update={"source_path": str(path)}).key()]
        assert (found.title, found.journal, found.source_path) == (pub.title, pub.journal, str(path))
        assert [a.last_name for a in found.authors] == [a.last_name for a in pub.authors]
