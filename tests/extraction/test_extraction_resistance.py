"""Resistance mutations: a mutation found at progression belongs to the line that progressed.

Each row is a short text written for this test (not from any publication) and the expected
``resistance_mutations`` of every line, in order.
"""

from __future__ import annotations

import pytest

from caseseries.extraction import extract_text

CASES = [
    (
        # found at relapse after a line, in a sentence that names the drug the resistance is named after
        "A 6-year-old boy had ALK F1174L-mutated neuroblastoma. He received crizotinib with no response "
        "and then lorlatinib with a complete response. The disease relapsed after 11 months of lorlatinib. "
        "Sequencing at the time of relapse suggested a mechanism of acquired lorlatinib resistance: "
        "a KRAS G12D mutation.",
        [[], ["KRAS p.G12D"]],
    ),
    (
        # re-biopsy at progression, written before the next drug
        "A 51-year-old woman with EML4-ALK lung adenocarcinoma received alectinib with a partial response. "
        "After 20 months the disease progressed. Re-biopsy at progression showed ALK G1202R, and lorlatinib "
        "was started with a partial response.",
        [["ALK p.G1202R"], []],
    ),
    (
        # a mutation that emerged after a line
        "A 44-year-old man with ALK-rearranged lung cancer was treated with crizotinib. The tumour progressed "
        "after 9 months, and a secondary ALK L1196M mutation emerged. He then received brigatinib.",
        [["ALK p.L1196M"], []],
    ),
    (
        # the tumour's own mutation, written as its attribute, is no line's resistance
        "We report a 3-year-old girl with relapsed ALK R1275Q-mutated neuroblastoma who progressed on "
        "crizotinib and then responded to lorlatinib.",
        [[], []],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_resistance_mutations_belong_to_the_line_that_progressed(text: str, expected: list[list[str]]) -> None:
    patient = extract_text(text).document.patients[0]
    assert [line.resistance_mutations for line in patient.lines] == expected
