"""The one table-row reader: which lines are rows under each caller's format, and their cells with offsets."""

from __future__ import annotations

import pytest

from caseseries.extraction.tables import ROWS as LITERATURE
from caseseries.references.tables import ROWS as PMID_TABLES
from caseseries.sources.text import ROWS as FULL_TEXT
from caseseries.text.tables import RowFormat, RowKind, is_separator, row_cells, row_kind, split_row

# (line, format, kind, cells) -- cells None: not a row under that format
TABLE: list[tuple[str, RowFormat, RowKind | None, list[str] | None]] = [
    ("Case\tAge\tSite", LITERATURE, RowKind.TAB, ["Case", "Age", "Site"]),
    ("1\t\t lung ", LITERATURE, RowKind.TAB, ["1", "", "lung"]),
    ("\t  ", LITERATURE, None, None),
    ("\t  ", FULL_TEXT, RowKind.TAB, ["", ""]),
    ("\t  ", PMID_TABLES, RowKind.TAB, ["", ""]),
    ("| a | b |", LITERATURE, RowKind.PIPE, ["a", "b"]),
    ("| a | b |", FULL_TEXT, RowKind.PIPE, ["a", "b"]),
    ("| a | b |", PMID_TABLES, RowKind.PIPE, ["a", "b"]),
    ("| a |", FULL_TEXT, RowKind.PIPE, ["a"]),
    ("| a |", PMID_TABLES, None, None),
    ("a | b | c", LITERATURE, RowKind.PIPE, ["a", "b", "c"]),
    ("a | b | c", FULL_TEXT, None, None),
    ("| a || c |", LITERATURE, RowKind.PIPE, ["a", "", "c"]),
    ("either | or", LITERATURE, None, None),
    ("Case 1   52 F   uterus", LITERATURE, RowKind.SPACE, ["Case 1", "52 F", "uterus"]),
    ("Case 1   52 F   uterus", FULL_TEXT, None, None),
    ("Case 1   uterus", LITERATURE, None, None),
    ("A sentence of prose, with one  double space.", LITERATURE, None, None),
    ("x  " * 140, LITERATURE, None, None),
]


@pytest.mark.parametrize(("line", "fmt", "kind", "cells"), TABLE)
def test_row_reader(line: str, fmt: RowFormat, kind: RowKind | None, cells: list[str] | None) -> None:
    assert row_kind(line, fmt) is kind
    assert row_cells(line, fmt) == cells


@pytest.mark.parametrize(("line", "fmt", "kind", "cells"), [t for t in TABLE if t[2] is not None])
def test_cells_are_offsets_into_the_document(line: str, fmt: RowFormat, kind: RowKind, cells: list[str]) -> None:
    document = "Table 1. Patients\n" + line + "\nafter"
    start = document.index(line)
    spans = split_row(document, start, start + len(line), kind)
    assert [document[s.start : s.end] for s in spans] == cells
    assert all(start <= s.start <= s.end <= start + len(line) for s in spans)


@pytest.mark.parametrize(
    ("cells", "separator"),
    [(["---", ":--:", ""], True), (["--", "-x-"], False), (["-"], False), (["", ""], True)],
)
def test_markdown_separator_rows(cells: list[str], separator: bool) -> None:
    assert is_separator(cells) is separator
