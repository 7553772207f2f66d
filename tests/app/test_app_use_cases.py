"""The use cases the command line and the web app call: extraction, report provenance, screening results."""

from __future__ import annotations

from pathlib import Path

from caseseries.app.extract import extract_documents
from caseseries.app.report import screening_provenance
from caseseries.app.screen import Screening
from caseseries.model import AbstractSection, CurationStatus, Publication
from caseseries.screening import Decision, PrismaCounts, Stage, parse_protocol
from caseseries.screening.rules import Suggestion
from caseseries.screening.screen import ScreenResult
from caseseries.store import Store

CASE = (
    "A 34-year-old woman with ALK-positive inflammatory myofibroblastic tumor received crizotinib "
    "with a partial response."
)


def test_extraction_keeps_the_extractor_and_stores_it(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "case.txt"
    path.write_text(CASE)
    pub = Publication(pmid="5", title="A case", abstract=[AbstractSection(text=CASE.replace("34", "61"))])
    run = extract_documents([path], [pub], extractor="rules")
    assert [(d.origin, d.extractor) for d in run.documents] == [(str(path), "rules"), ("pmid:5", "rules")]
    assert [p.age_years for _, p in run.case_file().patients()] == [34, 61]
    store = Store.open(sqlite_url)
    assert len(run.store(store).added) == 2
    stored = store.patients()
    assert {(s.extractor, s.patient.curation_status) for s in stored} == {("rules", CurationStatus.EXTRACTED)}
    assert all(s.ruleset_version for s in stored)


def test_prisma_counts_go_into_the_report_provenance() -> None:
    counts = PrismaCounts("p", [], 10, 1, 0, 9, 4, 0, 5, 1, 0, 3, 1, {"x": 1}, 2, 7)
    assert screening_provenance(counts) == {
        "identified": 10,
        "duplicates_removed": 1,
        "screened": 9,
        "excluded": 4,
        "full_text_assessed": 3,
        "included_studies": 2,
        "included_patients": 7,
    }


def test_a_screening_result_owns_its_json() -> None:
    protocol = parse_protocol("name: p\nquestion: q\nimports: [x.ris]\n")
    suggestion = Suggestion("pmid:1", Stage.TITLE_ABSTRACT, Decision.EXCLUDE, "r1", "a review", ())
    result = ScreenResult(Stage.TITLE_ABSTRACT, [suggestion], changed=1, missing=["pmid:9"])
    screening = Screening(protocol, result)
    assert screening.to_json() == {
        "protocol": "p",
        "stage": "title-abstract",
        "counts": {"include": 0, "exclude": 1, "maybe": 0},
        "changed": 1,
        "unchanged": 0,
        "not_eligible": [],
        "missing": ["pmid:9"],
        "suggestions": [{"key": "pmid:1", "decision": "exclude", "rule": "r1", "reason": "a review", "fired": []}],
    }
    assert screening.summary() == (
        "p, title-abstract: 1 records screened by rules (0 include, 1 exclude, 0 maybe); 1 new or changed."
    )
