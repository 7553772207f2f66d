"""Methods say what was done: curation status, extraction recorded on the patients, duplicates merged,
the PFS curation rule with its count of lines excluded; unreviewed patients are marked and counted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from report_series import document, line, patient, series

from caseseries.analysis.cohort import Cohort
from caseseries.cli import main
from caseseries.data import bundled_case_series
from caseseries.model.casejson import CaseFile
from caseseries.model.enums import CurationStatus, Response
from caseseries.report.content import assemble
from caseseries.report.html import render_markdown
from caseseries.report.methods import Provenance, extraction_key
from caseseries.store import Store

EXTRACTED, REVIEWED, CURATED = CurationStatus.EXTRACTED, CurationStatus.REVIEWED, CurationStatus.CURATED


def _mixed() -> CaseFile:
    return series(document("Okafor N. Four invented patients. J Invented Oncol 2023;2:10-19.", [
        patient("case 1", [line(1, ["alectinib"], Response.PR, 6, False)], CURATED),
        patient("case 2", [line(1, ["alectinib"], Response.SD, 6, None)], REVIEWED),
        patient("case 3", [line(1, ["alectinib"], Response.SD, 3, None)], EXTRACTED),
        patient("case 4", [line(1, ["crizotinib"], Response.PD, 2, False)], EXTRACTED),
    ]))  # fmt: skip


def test_unreviewed_patients_are_marked_and_counted() -> None:
    content = assemble(_mixed())
    assert "4 patients from 1 source document (2 reviewed or curated, 2 extracted and not yet reviewed)" in (
        content.summary[0]
    )
    methods = " ".join(content.methods)
    assert ("Curation status of the 4 patients: curated by hand 1; extracted and then reviewed by a person 1; "
            "extracted automatically and not yet reviewed 2") in methods  # fmt: skip
    table1 = next(t for t in content.all_tables() if t.key == "table1")
    assert table1.row_labels == ["Okafor 2023, case 1", "Okafor 2023, case 2", "Okafor 2023, case 3 (unreviewed)"]
    assert [r[0] for r in table1.rows] == table1.row_labels
    assert content.numbers["n_unreviewed_patients"] == 2
    assert "Okafor 2023, case 3 (unreviewed)" in render_markdown(content)


def test_extraction_and_duplicates_in_methods() -> None:
    cf = _mixed()
    doc = cf.documents[0]
    provenance = Provenance(
        extraction={extraction_key(doc, "case 3"): ("rules", "rules-0a1b2c3d4e5f"),
                    extraction_key(doc, "case 4"): ("rules", "rules-0a1b2c3d4e5f")},
        merged_duplicates=1,
    )  # fmt: skip
    content = assemble(cf, provenance=provenance)
    methods = " ".join(content.methods)
    assert "Extraction recorded on the patients: rules (rule set rules-0a1b2c3d4e5f): 2 patients." in methods
    assert "1 duplicate patient (one person reported in more than one source) was merged and counted once." in methods
    assert "1 duplicate patient reported in more than one source was merged." in content.summary[0]
    assert content.numbers["merged_duplicates"] == 1
    plain = " ".join(assemble(cf).methods)
    assert "duplicate" not in plain and "Extraction recorded" not in plain  # not known: not claimed


def test_merged_count_read_from_the_selection_when_the_cohort_layer_records_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from caseseries.analysis import cohort as cohort_module

    @dataclass(frozen=True)
    class WithMerged(cohort_module.Selection):
        merged_duplicates: int = 3

    original = cohort_module.Cohort.apply

    def apply(self: Cohort, case_file: CaseFile) -> cohort_module.Selection:
        sel = original(self, case_file)
        return WithMerged(sel.cohort, sel.patients, sel.units)

    monkeypatch.setattr(cohort_module.Cohort, "apply", apply)
    assert "3 duplicate patients (one person reported in more than one source) were merged" in " ".join(
        assemble(_mixed()).methods
    )


def test_pfs_curation_rule_and_excluded_lines() -> None:
    content = assemble(_mixed())
    methods = " ".join(content.methods)
    assert "a duration given without a progression status" in methods.lower()
    assert "Lines excluded from PFS: 2 (duration without progression status); 0 more had no PFS reported." in methods
    pfs = next(s for s in content.sections if s.key == "pfs")
    assert pfs.paragraphs[0] == ("Lines excluded from PFS: 2 (duration without progression status) and 0 "
                                 "(no PFS reported); 2 lines are on the curves.")  # fmt: skip
    bundled = " ".join(assemble(bundled_case_series()).methods)
    assert "Lines excluded from PFS: 3 (duration without progression status)" in bundled


def test_report_command_takes_extraction_from_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cs.db'}"
    Store.open(url).add_case_file(_mixed(), extractor="rules", ruleset_version="rules-feedc0ffee00")
    out = tmp_path / "rep"
    assert main(["--db", url, "report", "--out", str(out), "--format", "md"]) == 0
    capsys.readouterr()
    md = (out / "report.md").read_text(encoding="utf-8")
    assert "Extraction recorded on the patients: rules (rule set rules-feedc0ffee00): 4 patients." in md
