"""The extract and evaluate use cases: what they say about included records, stored runs and scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from caseseries.app.evaluate import evaluate_extractors, summary_line
from caseseries.app.extract import IncludedRecords, extract_documents
from caseseries.errors import InputError
from caseseries.extraction.evaluate import FIELDS
from caseseries.model import AbstractSection, Publication, dump_case_file
from caseseries.store import Store

CASE = (
    "A 47-year-old man with ALK-positive inflammatory myofibroblastic tumor of the lung received "
    "crizotinib with a partial response."
)


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        (IncludedRecords([], 0), "Note: no record of p.yaml is included at the title-abstract stage yet; run: "
         "caseseries screen --protocol p.yaml"),
        (IncludedRecords([], 3), "Note: none of the 3 records of p.yaml included on title and abstract is past"),
        (IncludedRecords([Publication(pmid="1", title="t")], 1), None),
    ],
)  # fmt: skip
def test_the_note_on_included_records_says_what_to_run(records: IncludedRecords, expected: str | None) -> None:
    note = records.note("p.yaml")
    if expected is None:
        assert note is None
    else:
        assert note is not None and note.startswith(expected)
        assert "--stage full-text" in note or not records.sought


def test_a_stored_run_says_what_each_document_gave_and_what_was_written(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "case.txt"
    path.write_text(CASE)
    pub = Publication(pmid="8", title="Another case", abstract=[AbstractSection(text="No patient is described.")])
    run = extract_documents([path], [pub])
    store = Store.open(sqlite_url)
    assert run.stored_lines(run.store(store)) == [
        f"{path}: 1 patients extracted.",
        "pmid:8: 0 patients extracted.",
        "Stored: 1 added, 0 updated, 0 unchanged (status extracted).",
    ]
    assert run.stored_lines(run.store(store))[-1] == "Stored: 0 added, 0 updated, 1 unchanged (status extracted)."


def _gold_set(tmp_path: Path, age: int | None) -> Path:
    """A gold set of one text whose gold is the extractor's own output, with the age set to ``age``."""
    (tmp_path / "case.txt").write_text(CASE)
    gold = json.loads(dump_case_file(extract_documents([tmp_path / "case.txt"]).case_file()))
    gold["documents"][0]["source"]["path"] = "case.txt"
    gold["documents"][0]["patients"][0]["age_years"] = age
    (tmp_path / "case.json").write_text(json.dumps(gold))
    return tmp_path


def test_evaluation_compares_extractors_column_by_column(tmp_path: Path) -> None:
    folder = _gold_set(tmp_path, age=52)
    done = evaluate_extractors(folder, folder, ["rules", "rules"], tolerance=0.1)
    assert done.to_json() == [e.as_dict() for e in done.evaluations] and len(done.to_json()) == 2
    assert done.heading().startswith("1 documents; gold patients 1. Tolerance: PFS within 10% relative")
    table = done.table()
    assert [c.header for c in table.columns] == ["field", *["rules P/R/F1 (tp/fp/fn)"] * 2]
    assert table.row_count == len(FIELDS) + 1
    console = Console(width=200, record=True)
    console.print(table)
    age_row = next(line for line in console.export_text().splitlines() if " age_years " in line)
    assert age_row.count("0.000 / 0.000 / 0.000 (0/1/1)") == 2
    (first, _) = done.evaluations
    assert first.scores.fields["sex"].tp == 1
    assert summary_line(first).startswith("rules: patients predicted 1, matched 1 of 1; overall F1 0.")


def test_evaluation_with_a_bad_tolerance_names_the_option(tmp_path: Path) -> None:
    folder = _gold_set(tmp_path, age=47)
    with pytest.raises(InputError, match=r"tolerance 1.5 is outside \[0, 1\)") as caught:
        evaluate_extractors(folder, folder, ["rules"], tolerance=1.5)
    assert caught.value.location == "--tolerance"
