"""The scan use case: its JSON form and its lines of text, with and without loading the store."""

from __future__ import annotations

from pathlib import Path

from scan_files import PROTOCOL, expected, make_file

from caseseries.app.database import open_database
from caseseries.app.scan import load_scan, scan_files


def test_the_scan_reports_its_counts_warnings_and_store_load(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    make_file(folder / "base0001.xml.gz", 0, 40)
    make_file(folder / "upd0002.xml.gz", 40, 2, deletes=["1010"])  # a candidate with a patient, deleted
    out = tmp_path / "out"
    scan = scan_files([str(folder)], PROTOCOL, out, workers=0)
    assert not scan.incomplete and "store" not in scan.to_json()
    assert scan.report() == [
        (f"2 files (0 from an earlier run), 42 records, {expected(42, deleted=1)} candidates, "
         f"{expected(42, deleted=1)} patients, 0 skipped; tables in {out}", False),
        ("Deleted by an update file, with extracted patients: PMID 1010", True),
    ]  # fmt: skip
    loaded = load_scan(open_database(f"sqlite:///{tmp_path / 'cs.db'}", create=True), scan)
    assert loaded.to_json()["store"] == {
        "stored": expected(42, deleted=1), "decisions": expected(42, deleted=1), "deleted": 0, "orphaned_patients": [],
    }  # fmt: skip
    n = expected(42, deleted=1)
    assert loaded.report()[-1] == (f"Store: {n} records stored, {n} rule decisions, 0 deleted", False)
