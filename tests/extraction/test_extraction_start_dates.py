"""Start dates of therapy lines: a line's own date, or the date written just before it; never an earlier line's.

Each row is a short text written for this test and the expected ``start`` of every line, in order.
"""

from __future__ import annotations

import pytest

from caseseries.extraction import extract_text

CASES = [
    (
        # the date in the line's own sentence
        "A 39-year-old woman with ALK-positive IMT started crizotinib in May 2019 with a partial response.",
        ["2019-05"],
    ),
    (
        # the date of progression, written in the sentences just before the next drug, in one paragraph
        "A 47-year-old man with ALK-positive lung cancer started alectinib in June 2020 with a partial "
        "response. In October 2021 new liver lesions appeared. Lorlatinib was then given.",
        ["2020-06", "2021-10"],
    ),
    (
        # a later line in the same sentence never takes the date an earlier line started on
        "A 12-year-old girl with ALK-positive IMT received crizotinib from February 2018, followed by ceritinib.",
        ["2018-02", None],
    ),
    (
        # a new paragraph without a date: no start
        "A 58-year-old woman with ALK-positive IMT began crizotinib in April 2017; the tumour progressed in "
        "January 2019.\n\nShe then received ceritinib with stable disease.",
        ["2017-04", None],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_line_start_dates(text: str, expected: list[str | None]) -> None:
    patient = extract_text(text).document.patients[0]
    assert [line.start for line in patient.lines] == expected
    for i, line in enumerate(patient.lines):
        quoted = [e.text for e in line.evidence if e.field == f"lines[{i}].start"]
        assert bool(quoted) == (line.start is not None)
