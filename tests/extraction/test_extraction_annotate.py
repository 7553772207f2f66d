"""The annotation store: matches found once per document, read by range; trigger look-aheads."""

from __future__ import annotations

import re

import pytest

from caseseries.extraction.annotate import finditer, may_match, reading
from caseseries.extraction.genes import find_mutations
from caseseries.extraction.timeline import find_dates

TEXT = "She had a G1202R change. Then nothing else. In May 2021 she relapsed."
TRIGGER = re.compile(r"(?=[A-Z]\d)")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, len(TEXT), True),
        (0, 24, True),  # the first sentence holds "G1"
        (25, 43, False),  # "Then nothing else." has no capital letter before a digit
        (10, 11, True),  # the look-ahead at 10 sees past the range end: a superset, never fewer
        (11, 24, False),
    ],
)
def test_a_trigger_holds_only_in_ranges_where_it_starts(start: int, end: int, expected: bool) -> None:
    with reading(TEXT):
        assert may_match(TRIGGER, TEXT, start, end) is expected


def test_outside_a_reading_every_range_may_match() -> None:
    assert may_match(TRIGGER, TEXT, 25, 43) is True


def test_the_store_reads_a_pattern_once_and_gives_the_range_slice() -> None:
    words = re.compile(r"\b[a-z]+\b")
    with reading(TEXT):
        inside = [m.group(0) for m in finditer(words, TEXT, 25, 43)]
    assert inside == ["nothing", "else"]


@pytest.mark.parametrize(
    "text",
    [
        "An ALK G1202R mutation emerged; in March 2022 lorlatinib was started. The tumour shrank.",
        "No mutation was found. Crizotinib was given from 2019-04 and a p.(Gly1202Arg) change followed.",
    ],
)
def test_finders_behind_a_trigger_give_the_same_inside_a_reading_as_alone(text: str) -> None:
    sentences = [(0, len(text))] + [(m.start(), m.end()) for m in re.finditer(r"[^.;]+[.;]", text)]
    alone = [(find_mutations(text, a, b), find_dates(text, a, b)) for a, b in sentences]
    with reading(text):
        read = [(find_mutations(text, a, b), find_dates(text, a, b)) for a, b in sentences]
    assert read == alone
    assert any(m for m, _ in alone) and any(d for _, d in alone)
