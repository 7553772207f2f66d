"""Duplicate-patient scoring: a table of pairs and what the shipped weights make of them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from caseseries.analysis.duplicates import (
    candidate_pairs,
    load_rules,
    merge_linked,
    parse_rules,
    score_pair,
    short_citation,
)
from caseseries.errors import ValidationError
from caseseries.model.case import Patient
from caseseries.model.casejson import Source


@dataclass(frozen=True)
class Entry:
    id: int
    source: Source
    patient: Patient
    publication_key: str


def _entry(pid: int, doc: str, source: dict[str, Any] | None = None, **patient: Any) -> Entry:
    data = {"label": f"case {pid}", **patient}
    return Entry(pid, Source(**(source or {"path": f"{doc}.txt"})), Patient.model_validate(data), doc)


ALEC = [{"line": 1, "agents": ["alectinib"], "best_response": "CR", "pfs_months": 48, "start": "2019-04"}]
ALEC_PR = [{"line": 1, "agents": ["alectinib"], "best_response": "PR", "pfs_months": 16}]
LUNG_F62 = {"age_years": 62, "sex": "female", "primary_site": "lung"}

# (name, patient A, patient B, expected candidate?, features that must be among the reasons)
TABLE: list[tuple[str, dict[str, Any], dict[str, Any], bool, set[str]]] = [
    ("same person, two reports", {**LUNG_F62, "lines": ALEC}, {**LUNG_F62, "lines": ALEC}, True,
     {"age", "sex", "primary_site", "agents", "response", "pfs", "dates"}),
    ("different sex vetoes", {**LUNG_F62, "lines": ALEC}, {**LUNG_F62, "sex": "male", "lines": ALEC}, False, {"sex"}),
    ("different age vetoes", {**LUNG_F62, "lines": ALEC}, {**LUNG_F62, "age_years": 30, "lines": ALEC}, False,
     {"age"}),
    ("same site and drug only", {"primary_site": "lung", "lines": ALEC}, {"primary_site": "lung", "lines": ALEC_PR},
     False, {"primary_site", "agents"}),
    ("partner differs", {"primary_site": "lung", "fusions": [{"gene5": "EML4", "as_written": "EML4-ALK"}],
                         "lines": ALEC_PR},
     {"primary_site": "lung", "fusions": [{"gene5": "TPM3", "as_written": "TPM3-ALK"}], "lines": ALEC_PR}, False,
     {"partner"}),
    ("ongoing line updated later", {"primary_site": "bladder", "fusions": [{"gene5": "FN1", "as_written": "FN1-ALK"}],
                                    "lines": [{"line": 1, "agents": ["alectinib"], "best_response": "PR",
                                               "pfs_months": 6, "pfs_censored": True}]},
     {"primary_site": "bladder", "fusions": [{"gene5": "FN1", "as_written": "FN1-ALK"}],
      "lines": [{"line": 1, "agents": ["alectinib"], "best_response": "PR", "pfs_months": 20},
                {"line": 2, "agents": ["lorlatinib"]}]}, True, {"partner", "agents", "pfs"}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "a", "b", "candidate", "features"), TABLE, ids=[t[0] for t in TABLE])
def test_pair_table(name: str, a: dict[str, Any], b: dict[str, Any], candidate: bool, features: set[str]) -> None:
    x, y = _entry(1, "doc-a", **a), _entry(2, "doc-b", **b)
    pairs = candidate_pairs([x, y])
    assert bool(pairs) is candidate
    _, reasons = score_pair(x, y, load_rules())
    assert features <= {r.feature for r in reasons}


def test_shared_identifier_and_author_count() -> None:
    cited = {"first_author": "Okafor N", "pmid": "12345", "year": 2021}
    x = _entry(1, "review", {"path": "review.txt"}, cited=cited, primary_site="lung", lines=ALEC_PR)
    y = _entry(2, "pmid:12345", {"pmid": "12345", "first_author": "Okafor"}, primary_site="lung", lines=ALEC_PR)
    (pair,) = candidate_pairs([x, y])
    assert {r.feature for r in pair.reasons} >= {"identifier", "author"}
    assert pair.likely


def test_same_document_and_decided_pairs_are_not_proposed() -> None:
    x = _entry(1, "doc", **LUNG_F62, lines=ALEC)
    y = _entry(2, "doc", **LUNG_F62, lines=ALEC)
    z = _entry(3, "other", **LUNG_F62, lines=ALEC)
    assert [(p.a, p.b) for p in candidate_pairs([x, y, z])] == [(1, 3), (2, 3)]
    assert [(p.a, p.b) for p in candidate_pairs([x, y, z], exclude=[(3, 1)])] == [(2, 3)]


def test_merge_keeps_the_curated_patient_and_cites_both() -> None:
    curated = _entry(1, "doc-a", {"path": "a.txt", "citation": "Ito K, Sato M. A title. Jpn Rep. 2020;1:1."},
                     **LUNG_F62, lines=ALEC, curation_status="curated")  # fmt: skip
    extracted = _entry(2, "doc-b", **LUNG_F62, lines=ALEC)
    other = _entry(3, "doc-b", label="other", primary_site="liver")
    series = merge_linked([curated, extracted, other], [{2, 1}])
    assert series.merged_duplicates == 1
    (merged,) = series.merged
    assert (merged.kept, merged.merged) == (1, [2])
    assert merged.citations == ["Ito K et al., 2020, Jpn Rep", "doc-b.txt"]
    labels = [p.label for _, p in series.case_file.patients()]
    assert labels == ["case 1", "other"]
    kept = next(p for _, p in series.case_file.patients())
    assert any("doc-b.txt" in n for n in kept.notes)


def test_short_citation() -> None:
    assert short_citation("Ito K, Sato M. A title. Jpn Rep. 2020;1:1.") == "Ito K et al., 2020, Jpn Rep"
    assert short_citation("no structure here") == "no structure here"


def test_rules_reject_unknown_keys(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown key 'colour'"):
        parse_rules("threshold: 1\nlikely: 2\nfeatures:\n  colour: {match: 1}\n", source="x.yaml")
    assert load_rules().threshold <= load_rules().likely
