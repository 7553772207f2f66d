"""Grammar: one pluralisation helper, and reports rendered with counts 0, 1 and 2 read correctly."""

from __future__ import annotations

import re

import pytest
from report_series import document, line, patient, series

from caseseries.model.casejson import CaseFile
from caseseries.model.enums import Response
from caseseries.report.content import assemble
from caseseries.report.grammar import count, noun, verb
from caseseries.report.html import render_markdown

NOUNS = ("patient", "line", "source document", "published patient", "line-to-line transition", "duplicate patient",
         "evaluable line")  # fmt: skip


@pytest.mark.parametrize(
    ("n", "singular", "plural", "expected"),
    [(0, "line", None, "0 lines"), (1, "line", None, "1 line"), (2, "line", None, "2 lines"),
     (1, "published patient", None, "1 published patient"), (3, "analysis", "analyses", "3 analyses"),
     (1, "analysis", "analyses", "1 analysis")],
)  # fmt: skip
def test_count(n: int, singular: str, plural: str | None, expected: str) -> None:
    assert count(n, singular, plural) == expected
    assert noun(n, singular, plural) == expected.split(" ", 1)[1]


@pytest.mark.parametrize(
    ("n", "word", "expected"),
    [(0, "was", "were"), (1, "was", "was"), (2, "was", "were"), (1, "is", "is"), (2, "is", "are"), (2, "has", "have")],
)
def test_verb(n: int, word: str, expected: str) -> None:
    assert verb(n, word) == expected


def _series(n: int) -> CaseFile:
    """``n`` patients, each with two lines: one not evaluable, one with no response; one duration unknown."""
    patients = [
        patient(f"case {i + 1}", [line(1, ["alectinib"], Response.NE, 4, None), line(2, ["lorlatinib"], None)])
        for i in range(n)
    ]
    return series(document("Ito K. Invented patients. J Invented Oncol 2021;1:1-5.", patients)) if n else series()


def _bad_phrases(text: str) -> list[str]:
    nouns = "|".join(re.escape(n) for n in NOUNS)
    bad = re.findall(rf"\b1 (?:{nouns})s\b", text)  # "1 lines", "1 published patients"
    bad += re.findall(rf"\b1 (?:{nouns}) were\b", text)  # "1 line were"
    bad += re.findall(r"(?<![\d.])1 were\b", text)  # "1 were not evaluable"
    bad += re.findall(rf"(?<![\d.])(?:0|2) (?:{nouns})(?![\w-])", text)  # "2 line", "0 patient"
    bad += re.findall(r"(?<![\d.])(?:0|2) (?:was|is|has)\b", text)  # "2 was", "0 is"
    return bad


@pytest.mark.parametrize("n", [0, 1, 2])
def test_report_reads_correctly_with_counts_0_1_2(n: int) -> None:
    text = render_markdown(assemble(_series(n)))
    assert _bad_phrases(text) == []
    if n == 1:
        assert "1 patient from 1 source document" in text
        assert "Across 2 lines of therapy, 0 were evaluable; 1 was not evaluable and 1 had no reported response" in text
        assert "1 patient received two or more lines; 1 line-to-line transition is listed." in text
        assert "Lines excluded from PFS: 1 (duration without progression status)" in text
    if n == 2:
        assert "2 patients from 1 source document" in text
        assert "2 were not evaluable" in text
        assert "2 line-to-line transitions are listed" in text
    if n == 0:
        assert "0 patients from 0 source documents" in text


def test_the_checker_catches_bad_grammar() -> None:
    assert _bad_phrases("1 were not evaluable; 1 lines; 1 published patients; 2 line of therapy; 0 is") == [
        "1 lines", "1 published patients", "1 were", "2 line", "0 is"
    ]  # fmt: skip
