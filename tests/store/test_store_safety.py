"""Database faults end in one line and exit 2, never "internal error"; concurrent writers are safe.

Each case runs on SQLite and PostgreSQL where the backend matters (``db_url``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from tests.conftest import DATA

from caseseries.cli import main
from caseseries.store import Store
from caseseries.store.db import _alembic_config, current_revision, head_revision, make_engine


def _err_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "internal error" not in err and "[SQL" not in err and "Traceback" not in err
    return err.strip()


def test_a_text_file_is_not_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes, not a database\n")
    url = f"sqlite:///{notes}"
    assert main(["--db", url, "cases", "list"]) == 2
    assert _err_line(capsys) == (
        f"Error: {url}: {notes} is not a SQLite database (file is not a database); "
        "give the path of a caseseries database, or a new file name to create one"
    )
    assert main(["--db", url, "init"]) == 2
    _err_line(capsys)
    assert notes.read_text() == "my notes, not a database\n"


def _foreign(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE songs (id INTEGER PRIMARY KEY, title TEXT)"))
        conn.execute(text("INSERT INTO songs (id, title) VALUES (1, 'one')"))
    engine.dispose()


def test_another_programs_database_is_refused_and_left_alone(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _foreign(db_url)
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"label": "x"}))
    for args in (["init"], ["cases", "add", str(case)], ["cases", "list"]):
        assert main(["--db", db_url, *args]) == 2
        assert _err_line(capsys).endswith(
            "the database holds tables of another program (songs) and no caseseries schema; "
            "give a caseseries database, or a new file or empty database to create one"
        )
    engine = create_engine(db_url)
    assert inspect(engine).get_table_names() == ["songs"]
    engine.dispose()


def test_a_database_of_a_newer_version_is_refused(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db_url, "init", "--no-bundled"]) == 0
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()
    capsys.readouterr()
    assert main(["--db", db_url, "cases", "list"]) == 2
    assert _err_line(capsys).endswith(
        f"the database is at revision 0099_future, which this caseseries (newest revision {head_revision()}) "
        "does not know; it was made by a newer caseseries or another program: upgrade caseseries, or use another --db"
    )


def test_read_commands_do_not_create_a_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "reveiw.db"
    url = f"sqlite:///{typo}"
    for args in (["cases", "list"], ["cases", "show", "1"], ["analyze", "--json"], ["cases", "delete", "1"]):
        assert main(["--db", url, *args]) == 2
        assert _err_line(capsys) == (
            f"Error: {url}: the database file {typo} does not exist; "
            "run 'caseseries init' to create it, or check --db/CASESERIES_DB"
        )
    assert not typo.exists()


def test_read_commands_refuse_an_empty_database(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    if db_url.startswith("sqlite"):
        Path(db_url.removeprefix("sqlite:///")).touch()
    assert main(["--db", db_url, "cases", "list"]) == 2
    assert _err_line(capsys).endswith(
        "the database is empty (no caseseries tables); run 'caseseries init' to set it up"
    )
    engine = create_engine(db_url)
    assert inspect(engine).get_table_names() == []
    engine.dispose()


def test_a_missing_postgresql_database_is_one_line(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    missing = pg_url + "_missing"
    assert main(["--db", missing, "cases", "list"]) == 2
    assert "cannot open the database" in _err_line(capsys)


def _read_only(db_url: str) -> str:
    if db_url.startswith("sqlite"):
        return f"sqlite:///file:{db_url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    engine = create_engine(db_url, isolation_level="AUTOCOMMIT")
    name = db_url.rsplit("/", 1)[1]
    with engine.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    engine.dispose()
    return db_url


def test_a_read_only_database_reads_but_refuses_writes(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "init"]) == 0
    ro = _read_only(db_url)
    capsys.readouterr()
    assert main(["--db", ro, "cases", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 21
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"label": "new one"}))
    for args in (["cases", "add", str(case)], ["import", str(DATA / "sources" / "imt.ris")], ["cases", "delete", "1"]):
        assert main(["--db", ro, *args]) == 2
        line = _err_line(capsys)
        assert "read-only" in line or "refused the operation" in line
    assert main(["--db", ro, "cases", "list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 21


@pytest.mark.skipif(os.geteuid() == 0, reason="file permissions do not bind root")
def test_a_read_only_file_refuses_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ro.db"
    assert main(["--db", f"sqlite:///{path}", "init", "--no-bundled"]) == 0
    path.chmod(0o444)
    capsys.readouterr()
    assert main(["--db", f"sqlite:///{path}", "import", str(DATA / "sources" / "imt.ris")]) == 2
    assert "read-only" in _err_line(capsys)


def _three_concurrent_imports(db_url: str) -> list[dict[str, Any]]:
    """The JSON reports of three processes importing one file into ``db_url`` at once (each must succeed)."""
    source = DATA / "sources" / "efetch_imt.xml"
    cmd = [sys.executable, "-m", "caseseries.cli", "--db", db_url, "import", str(source), "--json"]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, err
    reports = [json.loads(out) for out, _ in outcomes]
    assert sum(r["added"] for r in reports) == reports[0]["read"]
    return reports


def test_three_concurrent_imports_of_one_file(db_url: str) -> None:
    assert main(["--db", db_url, "init", "--no-bundled"]) == 0
    reports = _three_concurrent_imports(db_url)
    store = Store.open(db_url)
    keys = [p.key() for p in store.iter_publications()]
    assert len(keys) == len(set(keys)) == reports[0]["read"]


def test_three_concurrent_first_imports_create_one_new_database(db_url: str) -> None:
    _three_concurrent_imports(db_url)  # no init: the three race to create the database
    engine = make_engine(db_url)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_three_concurrent_case_adds_of_one_file(db_url: str, tmp_path: Path) -> None:
    assert main(["--db", db_url, "init", "--no-bundled"]) == 0
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"source": {"pmid": "777"}, "patients": [{"label": f"case {i}"} for i in range(20)]}))
    cmd = [sys.executable, "-m", "caseseries.cli", "--db", db_url, "cases", "add", str(case)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    labels = sorted(sp.patient.label for sp in Store.open(db_url).patients())
    assert labels == sorted(f"case {i}" for i in range(20))


def test_long_titles_keys_and_labels_are_stored_on_every_backend(db_url: str, tmp_path: Path) -> None:
    title = "A very long title about an inflammatory myofibroblastic tumour " * 40  # ~2,500 characters
    label = "Table 3, the patient described in the second paragraph of the discussion " * 6  # ~450
    case = tmp_path / "case.json"
    source = {"title": title, "doi": "10.1000/" + "x" * 300, "citation": "c" * 3000}
    case.write_text(json.dumps({"source": source, "patients": [{"label": label, "primary_site": "s" * 400}]}))
    assert main(["--db", db_url, "cases", "add", str(case)]) == 0
    (stored,) = Store.open(db_url).patients()
    assert (stored.patient.label, stored.source.title) == (label, title)
    long_title = tmp_path / "long_title.txt"
    long_title.write_text("An unusually long first line of a case report, " * 14 + "\n\nA 9-year-old girl.\n")
    assert main(["--db", db_url, "import", str(long_title)]) in (0, 1)


def test_labels_longer_than_the_bound_are_refused(sqlite_url: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"label": "x" * 501}))
    assert main(["--db", sqlite_url, "cases", "add", str(case)]) == 2
    assert _err_line(capsys) == (
        f"Error: {case}: documents[0].patients[0].label: String should have at most 500 characters; shorten it"
    )


def test_a_label_given_twice_in_one_document_is_refused(sqlite_url: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"patients": [{"label": "case 1"}, {"label": "case 2"}, {"label": "case 1"}]}))
    assert main(["--db", sqlite_url, "cases", "add", str(case)]) == 2
    assert _err_line(capsys) == (
        f"Error: {case}: documents[0].patients[2].label: 'case 1' is also the label of patients[0]; "
        "give each patient of a document its own label"
    )


def test_migration_0003_keeps_patients_and_widens_columns(db_url: str, tmp_path: Path) -> None:
    engine = create_engine(db_url)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002_screening")
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"source": {"pmid": "1"}, "patients": [{"label": "old", "age_years": 40}]}))
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO publications (key, pmid, data, created_at, updated_at) "
                "VALUES ('pmid:1', '1', '{\"pmid\": \"1\"}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO patients (publication_id, label, curation_status, data, created_at, updated_at) "
                "VALUES (1, 'old', 'curated', '{\"label\": \"old\", \"curation_status\": \"curated\"}', "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    store = Store.open(db_url)
    (sp,) = store.patients()
    assert (sp.patient.label, sp.revision, sp.extractor) == ("old", 1, None)
    columns = {c["name"]: c["type"] for c in inspect(store.engine).get_columns("patients")}
    assert {"revision", "extractor", "ruleset_version"} <= set(columns)
    if not db_url.startswith("sqlite"):
        assert str(columns["label"]) == "TEXT"


def test_sqlite_file_made_by_another_tool_keeps_its_bytes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "photos.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    assert main(["--db", f"sqlite:///{path}", "import", str(DATA / "sources" / "imt.ris")]) == 2
    _err_line(capsys)
    assert path.read_bytes() == before


@pytest.mark.parametrize("what", ["publication", "patient"])
def test_a_row_added_by_another_writer_between_select_and_insert(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """PostgreSQL (read committed): another transaction commits the same key in the race window.

    SQLite needs no such test: its write transactions take the lock when they begin
    (``BEGIN IMMEDIATE``), so a second writer waits; the concurrent-process tests cover it.
    """
    from sqlalchemy.orm import Session

    from caseseries.model import CaseDocument, CaseFile, Patient, Publication, Source

    first, second = Store.open(pg_url), Store.open(pg_url)
    pub = Publication(pmid="4242", title="Raced")
    case_file = CaseFile(documents=[CaseDocument(source=Source(pmid="4242"), patients=[Patient(label="p")])])
    original = Session.scalar
    raced = {"done": False}

    def scalar_after_the_other_writer(self, statement, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = original(self, statement, *args, **kwargs)
        table = "patients" if what == "patient" else "publications"
        if not raced["done"] and result is None and f"FROM {table}" in str(statement):
            raced["done"] = True  # the other writer commits the same record right now
            monkeypatch.setattr(Session, "scalar", original)
            if what == "patient":
                second.add_case_file(case_file)
            else:
                second.upsert_publication(pub)
            monkeypatch.setattr(Session, "scalar", scalar_after_the_other_writer)
        return result

    original_execute = Session.execute

    def read_rows_after_the_other_writer(self, statement, *args, **kwargs):  # type: ignore[no-untyped-def]
        result = original_execute(self, statement, *args, **kwargs)
        sql = str(statement)
        if not raced["done"] and sql.startswith("SELECT") and "FROM publications" in sql:
            raced["done"] = True  # the publications repository reads the rows of a batch at once
            monkeypatch.setattr(Session, "execute", original_execute)
            second.upsert_publication(pub)
            monkeypatch.setattr(Session, "execute", read_rows_after_the_other_writer)
        return result

    if what == "patient":
        first.upsert_publication(Publication(pmid="4242"))
        monkeypatch.setattr(Session, "scalar", scalar_after_the_other_writer)
    else:
        monkeypatch.setattr(Session, "execute", read_rows_after_the_other_writer)
    if what == "patient":
        outcome = first.add_case_file(case_file)
        assert outcome.unchanged == ["pmid:4242#p"]
    else:
        assert first.upsert_publication(pub)[1] == "unchanged"
    assert raced["done"]
    monkeypatch.setattr(Session, "scalar", original)
    monkeypatch.setattr(Session, "execute", original_execute)
    assert [p.key() for p in first.iter_publications()] == ["pmid:4242"]
