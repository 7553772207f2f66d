"""One numbering: a patient is named the same way (source and its own label) in every table and figure."""

from __future__ import annotations

import pytest
from report_series import document, line, patient, series

from caseseries.analysis.cohort import Cohort
from caseseries.analysis.sequencing import PatientLabels, author_year, similar, transitions
from caseseries.model.casejson import Source
from caseseries.model.enums import CurationStatus, Response
from caseseries.report.content import assemble


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (Source(citation="Wu SC, Chen HW. A case. J Cancer Res Pract 2024;11:44-8."), "Wu 2024"),
        (Source(citation="Benedetti Pedroza J, Carrasco I. A case report. S. Karger AG; 2024."),
         "Benedetti Pedroza 2024"),
        (Source(first_author="Smith", year=2019, citation="ignored when the fields are set"), "Smith 2019"),
        (Source(citation="Lee K. Untitled"), "Lee"),
        (Source(title="A patient with a tumour"), "A patient with a tumour"),
        (Source(path="/data/texts/report-17.txt"), "report-17.txt"),
        (Source(pmid="123"), "PMID 123"),
        (Source(), "source not recorded"),
    ],
)  # fmt: skip
def test_author_year(source: Source, expected: str) -> None:
    assert author_year(source) == expected


def test_labels_are_source_and_own_label_with_suffixes_only_for_different_publications() -> None:
    a = document("Smith J. First paper. J A 2019;1:1-2.", [patient("case 1", [])])
    b = document("Smith K. Second paper. J B 2019;2:3-4.", [patient("case 1", [])])
    c = document("Smith J. First paper. J A 2019;1:1-2.", [patient("case 2", [])], title="same citation")
    d = document("Jones P. Other. J C 2021;3:5-6.",
                 [patient("index patient", [], status=CurationStatus.EXTRACTED)])  # fmt: skip
    cf = series(a, b, c, d)
    labels = PatientLabels(cf)
    got = [labels(doc, p) for doc, p in cf.patients()]
    assert got == ["Smith 2019a, case 1", "Smith 2019b, case 1", "Smith 2019a, case 2",
                   "Jones 2021, index patient (unreviewed)"]  # fmt: skip
    assert len(set(got)) == len(got)


def test_every_table_and_figure_uses_the_same_label() -> None:
    p1 = patient("case 1", [line(1, ["alectinib"], Response.PR, 5, False), line(2, ["lorlatinib"], Response.PD, 2)])
    p2 = patient("case 2", [line(1, ["alectinib"], Response.CR, 12, True)], status=CurationStatus.EXTRACTED)
    cf = series(document("Rossi A, Bianchi B. Two patients. J Invented Oncol 2022;5:1-9.", [p1, p2]))
    content = assemble(cf)
    table1 = next(t for t in content.all_tables() if t.key == "table1")
    table2 = next(t for t in content.all_tables() if t.key == "table2")
    trans = next(t for t in content.all_tables() if t.key == "transitions")
    swimmer = next(f for f in content.all_figures() if f.key == "swimmer")
    assert table1.row_labels == ["Rossi 2022, case 1", "Rossi 2022, case 2 (unreviewed)"]
    assert [r[0] for r in table1.rows] == table1.row_labels
    assert table2.row_labels == ["Rossi 2022, case 1"] == [r[0] for r in table2.rows]
    assert trans.row_labels == ["Rossi 2022, case 1"] == [r[0] for r in trans.rows]
    assert {r["label"] for r in swimmer.data["rows"]} == set(table1.row_labels)
    assert "Rossi 2022, case 1" in swimmer.svg and "Rossi 2022, case 2 (unreviewed)" in swimmer.svg
    assert [t.label for t in transitions(cf)] == ["Rossi 2022, case 1"]
    assert [s.label for s in similar(cf, Cohort(after="alectinib"))] == ["Rossi 2022, case 1"]
