"""A patient without a primary site of their own takes the organ their diagnosis names.

Texts written for this test; each row: text, the expected primary site of every patient.
"""

from __future__ import annotations

import pytest

from caseseries.extraction import extract_text

CASES = [
    (
        "We report two patients with ALK-positive non-small cell lung cancer. The first patient, a 58-year-old "
        "man, received alectinib. The second patient, a 44-year-old woman, received brigatinib.",
        ["lung", "lung"],
    ),
    ("A 36-year-old woman was diagnosed with ALK-rearranged renal cell carcinoma and received alectinib.", ["kidney"]),
    # a diagnosis that names no organ gives no primary site
    ("A 9-year-old boy with ALK-positive anaplastic large cell lymphoma received crizotinib.", [None]),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_primary_site_from_the_diagnosis(text: str, expected: list[str | None]) -> None:
    patients = extract_text(text).document.patients
    assert [p.primary_site for p in patients] == expected
    for p in patients:
        quoted = [e.text for e in p.evidence if e.field == "primary_site"]
        assert bool(quoted) == (p.primary_site is not None)
