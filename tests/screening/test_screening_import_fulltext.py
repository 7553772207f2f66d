"""Imported records are screened; the full-text stage gates extraction and says how to pass it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseseries.cli import main
from caseseries.sources.writers import pubmed_xml
from fake_eutils import review_records

PROTOCOL = "alk-imt-alectinib-first-line"


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_imported_records_pass_the_full_text_stage_on_their_abstract_only_by_hand(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "pubmed_export.xml"
    export.write_text(pubmed_xml(review_records()), "utf-8")
    db = ["--db", sqlite_url]
    assert _run(capsys, *db, "import", str(export))[0] == 0
    code, out, _ = _run(capsys, *db, "screen", "--protocol", PROTOCOL)
    assert code == 0 and "3 records screened by rules (1 include, 2 exclude, 0 maybe)" in out

    code, out, err = _run(capsys, *db, "extract", "--included", PROTOCOL)
    assert code == 0 and "Stored: 0 added" in out
    assert err.strip() == (
        f"Note: none of the 1 records of {PROTOCOL} included on title and abstract is past the full-text stage "
        f"yet. Import their full texts (caseseries import FILE...) and run: caseseries screen --protocol {PROTOCOL} "
        f"--stage full-text. To include a record on its abstract when no full text can be had, decide it by hand: "
        f"caseseries screen review --protocol {PROTOCOL} --stage full-text --reviewer NAME (extraction then reads "
        "its title and abstract)."
    )

    decisions = tmp_path / "ft.csv"
    decisions.write_text("pmid,decision,stage\n90000101,include,full-text\n", "utf-8")
    assert _run(capsys, *db, "screen", "import-decisions", str(decisions), "-r", "AB", "-p", PROTOCOL)[0] == 0
    code, out, _ = _run(capsys, *db, "screen", "prisma", "--protocol", PROTOCOL, "--out", str(tmp_path / "p"), "--json")
    counts = json.loads(out)
    assert (counts["reports_sought"], counts["reports_assessed"], counts["reports_not_retrieved"]) == (1, 0, 1)
    assert (counts["included_studies"], counts["included_on_abstract"]) == (1, 1)
    code, out, err = _run(capsys, *db, "screen", "prisma", "--protocol", PROTOCOL, "--out", str(tmp_path / "p"))
    assert "0 were assessed for eligibility; 1 was included on the title and abstract alone (full text" in out
    assert "counts do not add up" not in err
    code, out, err = _run(capsys, *db, "extract", "--included", PROTOCOL)
    assert "pmid:90000101: 1 patients extracted." in out and err == ""
