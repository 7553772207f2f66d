"""One reader of plain-text table rows: which lines are rows, and their cells as spans.

A row is tab-separated, pipe-separated (``| a | b |``) or, when the caller allows it,
space-aligned (cells apart by two or more spaces). How strict the reader is differs by caller
(a manuscript's PMID tables need three pipes, an imported full text two), so the thresholds are a
:class:`RowFormat`. Cells are :class:`~caseseries.text.spans.Span` of the document, trimmed of
white space, so values read from them keep their offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from caseseries.text.spans import Span, trimmed


class RowKind(StrEnum):
    """How the cells of a row are separated."""

    TAB = "tab"
    PIPE = "pipe"
    SPACE = "space"


@dataclass(frozen=True)
class RowFormat:
    """Which lines count as table rows.

    Attributes
    ----------
    min_pipes : int
        A pipe row has at least this many ``|``.
    leading_pipe : bool
        A pipe row must start with ``|`` (after white space).
    spaces : bool
        Lines with at least ``min_gaps`` gaps of two or more spaces, shorter than
        ``max_space_row`` characters, are space-aligned rows.
    blank_tab_rows : bool
        A line of only white space that holds a tab is a (blank) tab row.
    min_gaps, max_space_row : int
        The space-aligned thresholds.
    """

    min_pipes: int = 2
    leading_pipe: bool = False
    spaces: bool = False
    blank_tab_rows: bool = True
    min_gaps: int = 2
    max_space_row: int = 400


_GAP = re.compile(r"\S( {2,})(?=\S)")


def _gaps(line: str) -> int:
    """The number of gaps of two or more spaces between words (none without two spaces in a row)."""
    return len(_GAP.findall(line)) if "  " in line else 0


_SPACES = re.compile(r" {2,}")
PIPE_RULE = re.compile(r"^\s*:?-{2,}:?\s*$")
"""A cell of a Markdown separator row (``---``, ``:--:``)."""


def row_kind(line: str, fmt: RowFormat) -> RowKind | None:
    """The kind of table row ``line`` is under ``fmt``, or None for a line that is not a row."""
    if "\t" in line and (fmt.blank_tab_rows or line.strip()):
        return RowKind.TAB
    stripped = line.strip()
    if stripped.count("|") >= fmt.min_pipes and (not fmt.leading_pipe or stripped.startswith("|")):
        return RowKind.PIPE
    if fmt.spaces and len(stripped) < fmt.max_space_row and _gaps(line) >= fmt.min_gaps:
        return RowKind.SPACE
    return None


def split_row(text: str, start: int, end: int, kind: RowKind) -> list[Span]:
    """Cells of the row ``text[start:end]`` as trimmed spans (an empty cell is a zero-length span).

    A pipe row's blank parts before its first and after its last ``|`` are not cells; a
    space-aligned row has no empty cells.
    """
    row = text[start:end]
    raw: list[tuple[int, int]] = []
    if kind is RowKind.TAB:
        pos = start
        for part in row.split("\t"):
            raw.append((pos, pos + len(part)))
            pos += len(part) + 1
    elif kind is RowKind.PIPE:
        pos = start
        parts = row.split("|")
        for i, part in enumerate(parts):
            if not ((i == 0 or i == len(parts) - 1) and not part.strip()):
                raw.append((pos, pos + len(part)))
            pos += len(part) + 1
    else:
        pos = start
        for m in _SPACES.finditer(row):
            raw.append((pos, start + m.start()))
            pos = start + m.end()
        raw.append((pos, end))
        raw = [r for r in raw if text[r[0] : r[1]].strip()]
    return [trimmed(text, a, b) for a, b in raw]


def row_cells(line: str, fmt: RowFormat) -> list[str] | None:
    """The cell texts of ``line`` when it is a row under ``fmt``, else None."""
    kind = row_kind(line, fmt)
    if kind is None:
        return None
    return [line[c.start : c.end] for c in split_row(line, 0, len(line), kind)]


def is_separator(cells: list[str]) -> bool:
    """Whether the cells are a Markdown separator row (``|---|:--:|``; blank cells allowed)."""
    return all(PIPE_RULE.match(c) for c in cells if c)
