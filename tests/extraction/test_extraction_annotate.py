"""The annotation store: matches found once per document, read by range; trigger look-aheads."""

from __future__ import annotations

import re

import pytest

from caseseries.extraction.annotate import Guarded, contains, finditer, may_match, reading
from caseseries.extraction.genes import find_mutations
from caseseries.extraction.timeline import find_dates

TEXT = "She had a G1202R change. Then nothing else. In May 2021 she relapsed."
TRIGGER = re.compile(r"[A-Z]\d+[A-Z]")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, len(TEXT), True),
        (0, 24, True),  # the first sentence holds "G1202R"
        (25, 43, False),  # "Then nothing else." holds no letter, digits, letter
        (10, 11, True),  # the range holds the start of the piece
        (12, 14, True),  # the range lies inside the piece
        (17, 24, False),
    ],
)
def test_a_trigger_holds_only_in_ranges_it_overlaps(start: int, end: int, expected: bool) -> None:
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


def test_contains_ignores_case_inside_a_reading_and_answers_true_outside() -> None:
    text = "Crizotinib was RESUMED. The mass shrank."
    with reading(text):
        assert contains(text, ("resumed",), 0, 23) is True
        assert contains(text, ("resumed",), 24, len(text)) is False
    assert contains(text, ("resumed",), 24, len(text)) is True


@pytest.mark.parametrize(
    "text",
    [
        "Treatment was \u017fwitched later.",  # the long s folds to "s" in the pattern engine, not in lower()
        "\u0130stanbul clinic",  # its lower case is two characters: offsets would move
    ],
)
def test_contains_falls_back_to_the_pattern_where_lower_case_differs_from_case_folding(text: str) -> None:
    with reading(text):
        assert contains(text, ("zzz",), 0, len(text)) is True


def test_a_guarded_pattern_finds_what_its_pattern_finds() -> None:
    pattern = re.compile(r"\b(?:again|resumed)\b", re.I)
    guarded = Guarded(pattern, ("again", "resumed"))
    text = "Alectinib was given. It was given AGAIN in May. Nothing more."
    ranges = [(0, 20), (21, 47), (48, len(text)), (0, len(text))]
    with reading(text):
        found = [[m.span() for m in guarded.finditer(text, a, b)] for a, b in ranges]
        first = [guarded.search(text, a, b) is not None for a, b in ranges]
    assert found == [[m.span() for m in pattern.finditer(text, a, b)] for a, b in ranges]
    assert first == [False, True, False, True]
