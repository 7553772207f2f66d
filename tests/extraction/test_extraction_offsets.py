"""Property: every evidence quote equals the document slice it points to, whatever the text."""

from __future__ import annotations

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseseries.extraction import extract_text
from caseseries.extraction.draft import evidence
from caseseries.model import Evidence

SNIPPETS = [
    "A 45-year-old man",
    "a 7-month-old girl",
    "with ALK-positive IMT of the lung",
    " received crizotinib",
    " then alectinib",
    " after progression",
    " and achieved a partial response",
    ". ",
    "\n\n",
    "\t",
    " | ",
    "Case 1\n",
    "Table 1: Cases\n",
    "Case\tSite\tPartner\tTreatment\tBest response\tPFS\tReference\n",
    "1\tUterus\tTNS1\tAlectinib\tCR\tOngoing after 3 years\t[9]\n",
    "2\tLung\t\tCrizotinib\tPD\t2 months\t\n",
    "EML4-ALK",
    " ALK:c.3604G>A; p.(Gly1202Arg)",
    " in March 2022",
    " in August 2022",
    "no partial response",
    "PR: Partial response\n",
    "*footnote\n",
    "References\n",
    "é",
    "—",
    "²",
]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=12)), max_size=40))
def test_evidence_offsets_always_quote_the_text(parts: list[str]) -> None:
    text = "".join(parts)
    result = extract_text(text)
    for patient in result.document.patients:
        for ev in patient.all_evidence():
            assert 0 <= ev.start <= ev.end <= len(text)
            assert text[ev.start : ev.end] == ev.text
        for conflict in patient.conflicts:
            for ev in conflict.evidence:
                assert text[ev.start : ev.end] == ev.text


def test_evidence_built_without_validating_is_the_validated_evidence() -> None:
    doc = "A 7-year-old girl."
    built = evidence(doc, "age_years", 2, 12)
    checked = Evidence(field="age_years", start=2, end=12, text="7-year-old")
    assert built == checked
    assert built.model_dump_json() == checked.model_dump_json()
    assert built.model_fields_set == checked.model_fields_set
    with pytest.raises(pydantic.ValidationError):
        evidence(doc, "age_years", 12, 2)  # reversed offsets are still refused
