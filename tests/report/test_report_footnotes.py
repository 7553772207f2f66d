"""Footnote marks are numbers, so a table's size grows linearly with its rows (the old marks ``*``,
``**``, ... ``******`` grew with the square of the number of footnotes)."""

from __future__ import annotations

import re

import pytest
from report_series import document, line, patient, series

from caseseries.model.casejson import CaseFile
from caseseries.model.enums import Response
from caseseries.report.tables import footnote_mark, table2, to_markdown


@pytest.mark.parametrize(("n", "mark"), [(1, "¹"), (2, "²"), (9, "⁹"), (10, "¹⁰"), (123, "¹²³")])
def test_footnote_mark(n: int, mark: str) -> None:
    assert footnote_mark(n) == mark


def _many(n: int) -> CaseFile:
    """``n`` patients with three lines each; every third-line PFS differs, so each needs its own footnote."""
    patients = [
        patient(f"case {i + 1}", [line(1, ["crizotinib"], Response.PR, 5, False),
                                  line(2, ["alectinib"], Response.PR, 7, False),
                                  line(3, ["lorlatinib"], Response.SD, 1 + i / 10, False)])
        for i in range(n)
    ]  # fmt: skip
    return series(document("Novak P. Invented series. J Invented Oncol 2020;1:1-99.", patients))


def test_each_later_line_gets_its_numbered_footnote() -> None:
    table = table2(_many(12))
    marks = [re.search("[⁰¹²³⁴⁵⁶⁷⁸⁹]+$", row[6]) for row in table.rows]
    assert [m.group(0) if m else None for m in marks] == [footnote_mark(i) for i in range(1, 13)]
    assert [n[: len(footnote_mark(i))] for i, n in enumerate(table.footnotes[:12], start=1)] == [
        footnote_mark(i) for i in range(1, 13)
    ]


def test_table_size_is_linear_in_patients() -> None:
    small, large = (len(to_markdown(table2(_many(n))).encode()) for n in (40, 400))
    assert 9 < large / small < 11.5  # ten times the patients: about ten times the bytes
