"""Negation cues (context rules, one pass per sentence): no site of disease, no fusion."""

from __future__ import annotations

import pytest

from caseseries.extraction import extract_text
from caseseries.extraction.anatomy import find_sites, negated_sites
from caseseries.extraction.genes import find_fusions

CASES = [
    # (text written for this test, primary site, metastatic sites)
    (
        "A 33-year-old woman had an IMT of the bladder. There were no liver metastases and no lung nodules.",
        "urinary bladder",
        [],
    ),
    (
        "A 61-year-old man had a mass in the lung. Staging showed no adrenal lesion, but bone metastases were found.",
        "lung",
        ["bone"],
    ),
]


@pytest.mark.parametrize(("text", "primary", "metastatic"), CASES)
def test_negated_sites_are_no_sites_of_disease(text: str, primary: str, metastatic: list[str]) -> None:
    patient = extract_text(text).document.patients[0]
    assert (patient.primary_site, patient.metastatic_sites) == (primary, metastatic)


def test_negated_sites_of_a_sentence() -> None:
    text = "CT was free of liver involvement, but a lung nodule had grown."
    negated = negated_sites(text)
    assert {h.value for h in find_sites(text) if h.start in negated} == {"liver"}


@pytest.mark.parametrize(
    ("text", "fusions"),
    [
        ("The tumour cells lack ALK rearrangements.", []),
        ("There was no ALK rearrangement by FISH.", []),
        ("An ALK rearrangement was found by FISH.", [(None, "ALK")]),
        ("Testing for ALK rearrangement was negative.", []),
        ("ALK rearrangement FISH showed no split signals.", []),
        ("The ALK rearrangement assay did not confirm it.", []),
    ],
)
def test_negated_rearrangements_are_no_fusions(text: str, fusions: list[tuple[str | None, str]]) -> None:
    assert [(h.gene5, h.gene3) for h in find_fusions(text)] == fusions
