"""Responses (negation, hedging, vague praise) and timeline (durations, dates, censoring)."""

from __future__ import annotations

import pytest

from caseseries.extraction.responses import best_of, find_responses
from caseseries.extraction.sentences import SectionKind, sections, sentences
from caseseries.extraction.timeline import find_dates, find_durations, parse_duration_cell
from caseseries.model import Response


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("achieved a partial response", Response.PR),
        ("complete radiological response according to RECIST 1.1", Response.CR),
        ("no evidence of disease after surgery", Response.CR),
        ("best response was SD", Response.SD),
        ("the tumour did not respond", Response.PD),
        ("she progressed despite crizotinib", Response.PD),
        ("Not evaluable", Response.NE),
    ],
)
def test_categories(text: str, category: Response) -> None:
    best = best_of(find_responses(text))
    assert best is not None and best.category is category


@pytest.mark.parametrize(
    "text",
    ["failed to achieve a partial response", "no complete response was seen", "a possible partial response"],
)
def test_negated_or_hedged_category_is_not_that_category(text: str) -> None:
    assert best_of(find_responses(text)) is None


@pytest.mark.parametrize("text", ["a dramatic response", "significant improvement", "a minor response"])
def test_vague_praise_is_kept_without_category(text: str) -> None:
    hits = find_responses(text)
    assert hits and all(h.category is None for h in hits)
    assert hits[0].as_written in text


@pytest.mark.parametrize(
    ("cell", "months", "censored"),
    [
        ("Ongoing after 36 months", 36.0, True),
        ("Ongoing after 3 years", 36.0, True),
        ("5.5 months", 5.5, None),
        ("for 10 days", 0.33, None),
        ("beyond 24 months", 24.0, True),
        ("remains without evidence of disease at 36 months", 36.0, True),
        ("progressed after 8 months", 8.0, False),
    ],
)
def test_durations_and_censoring(cell: str, months: float, censored: bool | None) -> None:
    d = parse_duration_cell(cell)
    assert d is not None and d.months == months and d.censored is censored


def test_dates_give_whole_months() -> None:
    text = "alectinib starting in March 2022 ... in August 2022, progression"
    start, end = find_dates(text)
    assert start.iso == "2022-03" and end.iso == "2022-08"
    assert start.months_until(end) == 5
    assert text[start.start : start.end] == "March 2022"


def test_weeks_convert_to_months() -> None:
    (d,) = find_durations("for 6 weeks")
    assert d.months == round(6 * 7 / 30.4375, 2)


def test_sections_and_sentences() -> None:
    text = (
        "Case Report\n\nTitle here\n\nAbstract\nOne. Two.\n\n"
        "CASE REPORT\nA woman, aged 3. Dr. Smith saw her.\n\nReferences\n1. X."
    )
    secs = sections(text)
    kinds = [s.kind for s in secs]
    # the article-type label above the title is front matter, not the case section
    assert kinds == [SectionKind.FRONT, SectionKind.ABSTRACT, SectionKind.CASE, SectionKind.REFERENCES]
    case = secs[2]
    assert [text[s.start : s.end] for s in case.sentences] == ["A woman, aged 3.", "Dr. Smith saw her."]
    other = "Dose 3.5 mg. Next one."
    assert [other[s.start : s.end] for s in sentences(other)] == ["Dose 3.5 mg.", "Next one."]
