"""A patient already in the bundled series extracted again: found, linked, pooled once, both cited."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from caseseries.cli import main

# Our own short text about one patient of the bundled series (the index patient of the second
# seed report): same age, sex, site, agent, response, duration and start date.
DUPLICATE_REPORT = """Sustained complete remission on alectinib in a woman with an ALK-positive lung tumour

A 62-year-old woman presented with a mass in the right lung. Biopsy showed an inflammatory
myofibroblastic tumor, and immunohistochemistry was positive for ALK; FISH confirmed an ALK
translocation. The tumour was unresectable. In April 2019 she started first-line alectinib
600 mg twice daily. Imaging showed a complete response. At the last visit, 48 months after
starting alectinib, she remained in complete response without progression.
"""


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _alectinib_first_line(db: str, capsys: pytest.CaptureFixture[str]) -> dict:  # type: ignore[type-arg]
    code, out, _ = _run(capsys, "--db", db, "analyze", "--agent", "alectinib", "--line", "1", "--json")
    assert code == 0
    return json.loads(out)  # type: ignore[no-any-return]


def test_duplicate_patient_is_found_linked_and_counted_once(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "remission.txt"
    report.write_text(DUPLICATE_REPORT)
    assert _run(capsys, "--db", db_url, "init")[0] == 0
    assert _run(capsys, "--db", db_url, "cases", "duplicates", "--json")[1].count('"score"') == 0
    assert _run(capsys, "--db", db_url, "extract", str(report))[0] == 0
    before = _alectinib_first_line(db_url, capsys)
    assert (before["n_patients"], before["merged_duplicates"]) == (13, 0)

    code, out, _ = _run(capsys, "--db", db_url, "cases", "duplicates", "--json")
    found = json.loads(out)
    assert code == 0 and len(found["candidates"]) == 1
    pair = found["candidates"][0]
    assert {r["feature"] for r in pair["reasons"]} >= {"age", "sex", "primary_site", "agents", "dates"}
    ids = [p["id"] for p in pair["patients"]]
    assert [p["status"] for p in pair["patients"]] == ["curated", "extracted"]

    code, out, _ = _run(capsys, "--db", db_url, "cases", "link", str(ids[0]), str(ids[1]), "--reviewer", "AB")
    assert code == 0 and "Linked" in out
    after = _alectinib_first_line(db_url, capsys)
    assert (after["n_patients"], after["n_lines"], after["merged_duplicates"]) == (12, 12, 1)
    (merged,) = after["merged"]
    assert (merged["kept"], merged["merged"]) == (ids[0], [ids[1]])
    assert merged["citations"][0].startswith("Benedetti Pedroza J et al., 2024")
    assert merged["citations"][1] == "remission.txt"
    text = _run(capsys, "--db", db_url, "analyze", "--agent", "alectinib", "--line", "1")[1]
    assert "12 patients (1 duplicate report of 1 patient merged)" in text
    assert json.loads(_run(capsys, "--db", db_url, "cases", "duplicates", "--json")[1])["candidates"] == []

    out_dir = tmp_path / "report"
    assert _run(capsys, "--db", db_url, "report", "--out", str(out_dir), "--format", "md")[0] == 0
    markdown = (out_dir / "report.md").read_text("utf-8")
    table1 = markdown.split("Table 1:", 1)[1].split("Table 2:", 1)[0]
    rows = [r for r in table1.splitlines() if r.startswith("|") and "Benedetti Pedroza" in r]
    assert len(rows) == 1, rows  # the linked patient is one row ...
    assert "Also reported as" in table1 and "remission.txt" in table1  # ... citing the other report

    assert _run(capsys, "--db", db_url, "cases", "unlink", str(ids[1]), str(ids[0]))[0] == 0
    assert _alectinib_first_line(db_url, capsys)["n_patients"] == 13
    code, _, err = _run(capsys, "--db", db_url, "cases", "unlink", str(ids[1]), str(ids[0]))
    assert (code, err.strip()) == (
        2,
        f"Error: cases unlink: cases {ids[0]} and {ids[1]} are not linked; nothing to undo",
    )


def test_review_prompts_per_pair_and_not_duplicate_stops_proposing(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    report = tmp_path / "remission.txt"
    report.write_text(DUPLICATE_REPORT)
    _run(capsys, "--db", sqlite_url, "init")
    _run(capsys, "--db", sqlite_url, "extract", str(report))
    monkeypatch.setattr("sys.stdin", io.StringIO("x\nn\n"))
    code, out, _ = _run(capsys, "--db", sqlite_url, "cases", "duplicates", "--review", "--reviewer", "AB")
    assert code == 0
    assert "unknown key 'x'" in out and "saved: not a duplicate" in out
    assert "1 decided, 0 skipped, 0 still to review." in out
    assert _alectinib_first_line(sqlite_url, capsys)["n_patients"] == 13
    links = json.loads(_run(capsys, "--db", sqlite_url, "cases", "duplicates", "--json")[1])["links"]
    assert [(x["status"], x["by"]) for x in links] == [("not_duplicate", "AB")]


def test_link_refuses_unknown_and_identical_ids(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "--db", sqlite_url, "init")
    code, _, err = _run(capsys, "--db", sqlite_url, "cases", "link", "1", "99", "-r", "AB")
    assert (code, err.strip()) == (2, "Error: no case with id 99; run 'caseseries cases list' to see the ids")
    code, _, err = _run(capsys, "--db", sqlite_url, "cases", "link", "3", "3", "-r", "AB")
    assert (code, err.strip()) == (2, "Error: cases link: cannot link case 3 to itself; give two different case ids")


def test_deleting_a_linked_case_removes_its_link(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "remission.txt"
    report.write_text(DUPLICATE_REPORT)
    _run(capsys, "--db", sqlite_url, "init")
    _run(capsys, "--db", sqlite_url, "extract", str(report))
    assert _run(capsys, "--db", sqlite_url, "cases", "link", "21", "22", "-r", "AB")[0] == 0
    assert _run(capsys, "--db", sqlite_url, "cases", "delete", "22")[0] == 0
    after = _alectinib_first_line(sqlite_url, capsys)
    assert (after["n_patients"], after["merged_duplicates"]) == (12, 0)
    assert json.loads(_run(capsys, "--db", sqlite_url, "cases", "duplicates", "--json")[1])["links"] == []
