"""CLI: init, cases list/show/add/export and the bad-input contract (exit 2, one line, nothing written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from caseseries.cli import main


def _case(tmp_path: Path, patient: dict, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps({"schema": "caseseries/1", "documents": [{"source": {"pmid": "42"}, "patients": [patient]}]})
    )
    return path


GOOD = {"label": "case 1", "age_years": 9, "lines": [{"line": 1, "agents": ["crizotinib"], "best_response": "PR"}]}


def test_init_loads_21_bundled_patients_idempotently(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "init"]) == 0
    assert "21 added" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "init"]) == 0
    assert "0 added, 0 updated, 21 unchanged" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "cases", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 21
    assert sum(r["label"] == "index patient" for r in rows) == 2


def test_add_show_and_export(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _case(tmp_path, GOOD)
    assert main(["--db", sqlite_url, "cases", "add", str(path)]) == 0
    assert main(["--db", sqlite_url, "cases", "add", str(path)]) == 0
    out = capsys.readouterr().out
    assert "1 added" in out and "1 unchanged" in out
    assert main(["--db", sqlite_url, "cases", "show", "1"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["patient"]["lines"][0]["agents"] == ["crizotinib"]
    out_csv = tmp_path / "out" / "cases.csv"
    assert main(["--db", sqlite_url, "cases", "export", "--format", "csv", "--out", str(out_csv)]) == 0
    rows = list(csv.DictReader(out_csv.open()))
    assert [(r["label"], r["agents"], r["best_response"]) for r in rows] == [("case 1", "crizotinib", "PR")]
    out_json = tmp_path / "cases.json"
    assert main(["--db", sqlite_url, "cases", "export", "--format", "json", "--out", str(out_json)]) == 0
    assert json.loads(out_json.read_text())["documents"][0]["patients"][0]["age_years"] == 9


def test_yaml_case_files_are_accepted(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "case.yaml"
    path.write_text("label: yaml case\nlines:\n  - line: 1\n    agents: [lorlatinib]\n    best_response: SD\n")
    assert main(["--db", sqlite_url, "cases", "add", str(path)]) == 0


BAD = [
    (
        {"label": "x", "lines": [{"line": 1, "best_response": "XR"}]},
        "documents[0].patients[0].lines[0].best_response: Input should be 'CR', 'PR', 'SD', 'PD' or 'NE' (got 'XR')",
    ),
    (
        {"label": "x", "lines": [{"line": 1, "pfs_months": -3}]},
        "documents[0].patients[0].lines[0].pfs_months: -3 is outside the plausible range 0-600 months; "
        "give the value in months (convert other units) or null if unknown",
    ),
    (
        {"label": "x", "lines": [{"line": 2}, {"line": 1}]},
        "documents[0].patients[0]: lines[1].line is 1 after line 2; number lines 1, 2, 3, ... in the order given",
    ),
    (
        {"label": "x", "lines": [{"line": 1, "pfs_censored": True}]},
        "documents[0].patients[0].lines[0]: pfs_censored is set but pfs_months is missing; "
        "give the duration or drop pfs_censored",
    ),
    (
        {"label": "x", "lines": [{"line": 1, "agents": ["alectnib"]}]},
        "documents[0].patients[0].lines[0].agents[0]: unknown drug 'alectnib'; did you mean 'alectinib'",
    ),
    (
        {"label": "x", "lines": [{"line": 1, "agents": ["Alecensa"]}]},
        "documents[0].patients[0].lines[0].agents[0]: 'alecensa' is not a generic name; write 'alectinib'",
    ),
    (
        {"label": "x", "fusions": [{"gene5": "CARS", "gene3": "ALK"}]},
        "documents[0].patients[0].fusions[0].gene5: 'CARS' is not the approved HGNC symbol; write 'CARS1'",
    ),
    ({"label": "x", "agee": 3}, "documents[0].patients[0].agee: unknown key 'agee'; allowed keys: age_years, alk,"),
]


@pytest.mark.parametrize(("patient", "message"), BAD)
def test_bad_case_files_exit_2_with_one_line_and_write_nothing(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], patient: dict, message: str
) -> None:
    good = _case(tmp_path, GOOD, "good.json")
    bad = _case(tmp_path, patient, "bad.json")
    assert main(["--db", sqlite_url, "cases", "add", str(good), str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"Error: {bad}: {message}")
    assert "\n" not in err
    assert main(["--db", sqlite_url, "cases", "list", "--json"]) == 2  # not even an empty database was made
    assert "does not exist; run 'caseseries init'" in capsys.readouterr().err


def test_unreadable_and_malformed_files(sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.json"
    assert main(["--db", sqlite_url, "cases", "add", str(missing)]) == 2
    assert (
        capsys.readouterr().err.strip()
        == f"Error: {missing}: cannot read file (No such file or directory); check the path"
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": "caseseries/1", "documents": [}')
    assert main(["--db", sqlite_url, "cases", "add", str(broken)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"Error: {broken}: invalid JSON at line 1 column 42: Expecting value; fix the syntax"
    )
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["--db", sqlite_url, "cases", "add", str(binary)]) == 2
    assert capsys.readouterr().err.strip() == f"Error: {binary}: not UTF-8 at byte 0; save the file as UTF-8"


def test_unknown_export_format_and_missing_case(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", sqlite_url, "cases", "export", "--format", "xml", "--out", str(tmp_path / "x")]) == 2
    assert (
        capsys.readouterr().err.strip() == "Error: --format: unknown format 'xml'; use one of: csv, json, phenopacket"
    )
    assert main(["--db", sqlite_url, "init", "--no-bundled"]) == 0
    capsys.readouterr()
    assert main(["--db", sqlite_url, "cases", "show", "99"]) == 2
    assert capsys.readouterr().err.strip() == "Error: no case with id 99; run 'caseseries cases list' to see the ids"


def test_atomic_writers_leave_the_old_content_on_failure(tmp_path: Path) -> None:
    from caseseries.files import write_atomic
    from caseseries.output_folder import output_folder

    target = write_atomic(tmp_path / "a" / "x.txt", "old")
    assert target.read_text() == "old"
    write_atomic(target, b"new")
    assert target.read_text() == "new"
    out = tmp_path / "report"
    with output_folder(out, kind="test") as folder:
        folder.write("first.txt", "1")
    with pytest.raises(RuntimeError), output_folder(out, kind="test") as folder:
        folder.write("second.txt", "2")
        raise RuntimeError("failed half-way")
    assert sorted(p.name for p in out.iterdir()) == [".caseseries-manifest", "first.txt"]
    with output_folder(out, kind="test") as folder:
        folder.write("third.txt", "3")
    assert sorted(p.name for p in out.iterdir()) == [".caseseries-manifest", "third.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "report"]  # no temporary folders left
