"""Fast exact scans (extraction/scanning.py): the same matches as finditer and search, found for less."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseseries.extraction import scanning
from caseseries.extraction.annotate import reading, search
from caseseries.extraction.scanning import fold, lowered, plan, scan

PATTERNS = [
    # ignoring case, word-start vocabularies (folded and first-letter forms)
    re.compile(r"\b(?=\w)(?:partial\s+response|pr|complete(?:ly)?\s+(?:response|remission))\b", re.I),
    re.compile(r"(?<![A-Za-z])(?:lung|lymph[\s\-]+nodes?|liver)(?![A-Za-z])", re.I),
    re.compile(r"(?<!condition\s)(?:remained|remains)\s+stable|(?P<sd>stable\s+disease)", re.I),
    # names ignoring case beside case-sensitive abbreviations (folded matches more: checked)
    re.compile(r"(?<![\w-])(?:(?i:inflammatory\s+myofibroblastic\s+tumou?r)|IMT|ALCL)(?![\w-])"),
    # case-sensitive codes (first-letter form on the text itself)
    re.compile(r"(?<![A-Za-z0-9])(?:CR[1-9]?|PR|SD|PD)(?![A-Za-z0-9])"),
    # many first letters behind a boundary (word-start forms, on the lower-cased text and the text)
    re.compile(r"(?<![A-Za-z0-9\-])(?:lung|bone|liver|kidney|spleen|marrow|thyroid)(?![A-Za-z])", re.I),
    re.compile(r"\b(?=\w)(?:stable|partial|complete|minor|no)\s+(?:response|disease)|\bdied\b", re.I),
    re.compile(r"\b(?:CHOP|ICE|ABVD|VAC|BFM|LMB|MTX)\b"),
    # case turned off inside: not folded
    re.compile(r"\b(?:stage\s+(?-i:IV)|response)\b", re.I),
    # not starting with a letter: folded form only
    re.compile(r"\d+\s*(?:months?|weeks?)\b", re.I),
]

WORDS = [
    "partial response", "PR", "pr", "Completely Remission", "LUNG", "lymph-nodes", "liver", "condition remained",
    "remains stable", "Stable Disease", "IMT", "imt", "Inflammatory Myofibroblastic Tumour", "ALCL", "alcl", "CR2",
    "sd", "PD-1", "stage IV", "Kidney", "bone-marrow", "thyroid", "No Response", "minor disease", "died",
    "CHOP", "ABVD", "R-ICE", "VAC2", "MTX",
    "stage iv", "Response", "12 months", "3 Weeks", "xlung", "-IMT", "responsE", "ſ", "K",
]


@given(st.lists(st.sampled_from([*WORDS, " ", ", ", ". ", "-", "a", "Z", "é", "9"]), max_size=30))
@settings(max_examples=300, deadline=None)
def test_scan_and_search_give_what_finditer_and_search_give(parts: list[str]) -> None:
    text = "".join(parts)
    lower = lowered(text)
    for pattern in PATTERNS:
        for start, end in ((0, len(text)), (len(text) // 3, len(text)), (1, max(1, len(text) - 2))):
            expected = list(pattern.finditer(text, start, end))
            got = scan(pattern, text, lower, start, end)
            assert [(m.span(), m.groups(), m.re) for m in got] == [(m.span(), m.groups(), m.re) for m in expected]
            first = pattern.search(text, start, end)
            found = scanning.search(pattern, text, lower, start, end)
            assert (found and (found.span(), found.groups())) == (first and (first.span(), first.groups()))
            assert scanning.found(pattern, text, lower, start, end) == (first is not None)
        whole = pattern.search(text)
        in_string = scanning.search_string(pattern, text)
        assert (in_string and in_string.span()) == (whole and whole.span())
        assert scanning.matches_start(pattern, text) == (pattern.match(text) is not None)


@pytest.mark.parametrize(
    ("source", "flags", "folded"),
    [
        (r"\bPartial\s+Response\b", re.I, r"\bpartial\s+response\b"),
        (r"(?P<Code>CR)\S+\W", re.I, r"(?P<Code>cr)\S+\W"),  # escapes and group names keep their case
        (r"(?i:Lung)|IMT", 0, r"(?i:lung)|imt"),
        (r"(?i:Lung)|[^A-Z]IMT", 0, None),  # a negated class with letters in a case-sensitive pattern
        (r"IMT|ALCL", 0, None),  # case-sensitive without (?i:) groups
        (r"stage\s+(?-i:IV)", re.I, None),
        (r"\x41LK", re.I, None),  # a letter named by its code
        (r"Sjögren", re.I, None),  # a letter beyond ASCII
    ],
)
def test_fold(source: str, flags: int, folded: str | None) -> None:
    result = fold(re.compile(source, flags))
    assert (None if result is None else result.pattern) == folded
    if result is not None:
        assert not result.flags & re.I


def test_first_letter_form_of_a_word_start_vocabulary() -> None:
    p = plan(re.compile(r"\b(?=\w)(?:lung|liver|bone)\b", re.I))
    assert p.lower_starts is not None and p.lower_starts.pattern.pattern.startswith("[")
    assert not p.lower_starts.shift
    assert [m.start() for m in p.lower_starts.pattern.finditer("a lung, the liver and bones; bone")] == [2, 12, 29]


def test_word_start_form_of_a_vocabulary_with_many_first_letters() -> None:
    p = plan(re.compile(r"(?<![A-Za-z\-])(?:lung|liver|bone|kidney|spleen|skin|marrow|thyroid)\b", re.I))
    assert p.lower_starts is not None and p.lower_starts.shift == 1
    # the character before each start: after a letter or a hyphen is never one
    text = "a lung, theliver and -bones; (kidney)"
    assert [m.start() for m in p.lower_starts.pattern.finditer(text)] == [1, 29]
    assert [m.start() for m in scan(p.pattern, text, lowered(text))] == [2, 30]
    assert [m.start() for m in scan(p.pattern, "Lung and skin", lowered("Lung and skin"))] == [0, 9]
    # an alternative without a boundary: the first-letter form
    q = plan(re.compile(r"\b(?:lung|liver|bone|kidney|spleen|marrow)\b|thyroid", re.I))
    assert q.lower_starts is not None and q.lower_starts.shift == 0


def test_lowered_is_empty_where_lower_case_would_not_fold_as_the_engine_does() -> None:
    assert lowered("Crizotinib ÉTAPE") == "crizotinib étape"
    assert lowered("long \u017f") == ""  # the long s folds to "s"
    assert lowered("\u0130stanbul") == ""  # its lower case is two characters


def test_search_while_reading_reads_the_lower_cased_copy_and_gives_the_patterns_match() -> None:
    pattern = re.compile(r"\b(?=\w)(?:stable\s+disease|progression)\b", re.I)
    text = "After two cycles, STABLE disease; later Progression."
    with reading(text):
        m = search(pattern, text, 5)
        assert m is not None and m.re is pattern and m.group(0) == "STABLE disease"
        m = search(pattern, text, 20)
        assert m is not None and m.group(0) == "Progression"
        assert search(pattern, text, 0, 32) is not None and search(pattern, text, 0, 31) is None
        assert search(pattern, text, 35, 45) is None
