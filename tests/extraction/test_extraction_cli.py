"""``caseseries extract`` and ``caseseries evaluate``: output, storage, exit codes and error text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import ROOT as REPO
from tests.conftest import SEED_000, SEED_003, SEEDS

from caseseries.cli import main
from caseseries.store import Store

GOLD_DIR = REPO / "src" / "caseseries" / "data" / "cases"


def test_extract_json_prints_one_document_per_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    assert main(["--db", f"sqlite:///{db}", "extract", str(SEED_000), str(SEED_003), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "caseseries/1"
    assert [d["source"]["path"] for d in data["documents"]] == [SEED_000.name, SEED_003.name]
    assert len(data["documents"][0]["patients"]) == 20 and len(data["documents"][1]["patients"]) == 1
    assert not db.exists()


def test_extract_stores_as_extracted_idempotently(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    assert main(["--db", sqlite_url, "extract", str(SEED_003)]) == 0
    out = capsys.readouterr().out
    assert f"{SEED_003}: 1 patients extracted." in out and "Stored: 1 added, 0 updated, 0 unchanged" in out
    assert main(["--db", sqlite_url, "extract", str(SEED_003)]) == 0
    assert "Stored: 0 added, 0 updated, 1 unchanged" in capsys.readouterr().out
    stored = Store(sqlite_url).patients()
    assert [s.patient.curation_status.value for s in stored] == ["extracted"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty; give a plain-text or Markdown case report"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file (NUL byte at offset 8); give a plain-text or Markdown case report"),
        ("caf\u00e9".encode("latin-1"), "not UTF-8 at byte 3; save the file as UTF-8"),
    ],
)
def test_bad_files_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert main(["extract", str(path), "--json"]) == 2
    err = capsys.readouterr().err
    assert err == f"Error: {path}: {message}\n"


def test_unknown_extractor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(SEED_003), "--json", "--extractor", "nope"]) == 2
    assert capsys.readouterr().err == "Error: --extractor: unknown extractor 'nope'; use one of: openai, rules\n"


def test_evaluate_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(GOLD_DIR), str(SEEDS), "--json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    assert report["documents"] == 2 and report["patients"]["gold"] == 21
    assert report["overall"]["f1"] >= 0.95
    assert "PFS within 5% relative or 0.5 months absolute" in report["tolerance"]
    assert main(["evaluate", str(GOLD_DIR), str(SEEDS)]) == 0
    assert "overall" in capsys.readouterr().out


def test_evaluate_bad_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["evaluate", str(tmp_path / "none"), str(SEEDS)]) == 2
    assert capsys.readouterr().err == f"Error: {tmp_path / 'none'}: GOLD_DIR is not a directory; give the folder\n"
    assert main(["evaluate", str(GOLD_DIR), str(SEEDS), "--tolerance", "2"]) == 2
    assert "tolerance 2.0 is outside [0, 1)" in capsys.readouterr().err
