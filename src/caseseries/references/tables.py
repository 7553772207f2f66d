"""Read literature tables that cite articles by PMID (tab-separated or pipe tables).

Seed 003's Table 2 is the model: a caption line (``**Table 2.** ...``), a header
``MID  Title  Authors  Journal  Year  Summary`` (``MID`` is a typo for PMID), one row per
article, and a ``(continued)`` part that repeats the header. The author cell holds the
citation marker (``Kim [27]``); in one row the author slipped into the title cell
(``Alectinib for the treatment of Wang [26] ALK-positive ...``) and is moved back.
"""

from __future__ import annotations

import re

from caseseries.references.model import CitedFields, Reference
from caseseries.text.tables import RowFormat, is_separator, row_cells

_CAPTION = re.compile(r"^\W*Table\s+(?P<label>[A-Z]?\d+[A-Za-z]?)\b", re.IGNORECASE)
_PMID_HEADER = re.compile(r"^\W*(?:p?mid|pubmed(?:\s*id)?|pmids?)\W*$", re.IGNORECASE)
_MARKER = re.compile(r"\[(\d{1,4})(?:[,–-]\s*\d{1,4})*\]")
_AUTHOR_IN_TITLE = re.compile(r"\s*\b(?P<author>[A-Z][\w'’-]+(?:\s+(?:et al\.?|[A-Z]{1,3}))?)\s*\[(?P<n>\d{1,4})\]\s*")
_COLUMNS = {
    "title": re.compile(r"^(?:article\s+)?title$", re.IGNORECASE),
    "authors": re.compile(r"^(?:first\s+)?authors?(?:\s*\(year\))?$|^study$", re.IGNORECASE),
    "journal": re.compile(r"^(?:journal|source|published in)$", re.IGNORECASE),
    "year": re.compile(r"^(?:year|publication year|pub(?:lication)? date)$", re.IGNORECASE),
    "doi": re.compile(r"^doi$", re.IGNORECASE),
}


ROWS = RowFormat(min_pipes=3, leading_pipe=True)
"""A PMID table row is tab-separated or a pipe row ``| a | b |`` with at least three pipes."""


def _cells(line: str) -> list[str] | None:
    """Cells of a table line, or None for other lines."""
    return row_cells(line, ROWS)


def _first_author(cell: str) -> tuple[str | None, str | None]:
    """Surname and initials of the first author named in an author cell (markers removed)."""
    text = _MARKER.sub("", cell).strip()
    text = re.split(r",|;|\bet al\b|\band\b|&", text)[0].strip(" .")
    if not text:
        return None, None
    named = re.match(r"^(?P<surname>.+?)\s+(?P<initials>[A-Z]{1,4})$", text)
    if named:
        return named.group("surname"), named.group("initials")
    return text, None


def _row_reference(cells: list[str], columns: dict[str, int], pmid_col: int, origin: str) -> Reference:
    def cell(name: str) -> str:
        i = columns.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    title, authors = cell("title"), cell("authors")
    marker = _MARKER.search(authors) or _MARKER.search(title)
    if not authors:
        slipped = _AUTHOR_IN_TITLE.search(title)
        if slipped:
            authors = f"{slipped.group('author')} [{slipped.group('n')}]"
            title = (title[: slipped.start()] + " " + title[slipped.end() :]).strip()
    title = _MARKER.sub("", title).strip(" .")
    surname, initials = _first_author(authors)
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", cell("year") or authors)
    pmid_cell = cells[pmid_col].strip() if pmid_col < len(cells) else ""
    pmid = pmid_cell if re.fullmatch(r"\d{1,9}", pmid_cell) else ""
    cited = CitedFields(
        authors=[a for a in [_MARKER.sub("", authors).strip()] if a],
        first_author=surname,
        first_author_initials=initials,
        title=title or None,
        journal=cell("journal") or None,
        year=int(year.group(1)) if year else None,
        doi=cell("doi") or None,
        pmid=pmid or None,
    )
    problem = None if (cited.pmid or cited.doi or cited.title) else "row has no PMID, DOI or title"
    n = int(marker.group(1)) if marker else None
    return Reference(n=n, origin=origin, text=" | ".join(c for c in cells if c), cited=cited, problem=problem)


def parse_literature_tables(text: str) -> list[Reference]:
    """One reference per row of every table in ``text`` that has a PMID column.

    Parameters
    ----------
    text : str
        A manuscript as plain text or Markdown.

    Returns
    -------
    list of Reference
        ``origin`` is ``"Table 2, row 3"`` (rows numbered across continued parts); ``n`` is the
        row's citation marker when it has one.
    """
    refs: list[Reference] = []
    label = "Table"
    rows_seen: dict[str, int] = {}
    header: tuple[dict[str, int], int, int] | None = None
    for line in text.splitlines():
        caption = _CAPTION.match(line)
        if caption and _cells(line) is None:
            label = f"Table {caption.group('label')}"
            header = None
            continue
        cells = _cells(line)
        if cells is None:
            if line.strip():
                header = None
            continue
        if is_separator(cells):
            continue
        pmid_cols = [i for i, c in enumerate(cells) if _PMID_HEADER.match(c)]
        if pmid_cols:
            columns = {
                name: i for name, pattern in _COLUMNS.items() for i, c in enumerate(cells) if pattern.match(c.strip())
            }
            header = (columns, pmid_cols[0], len(cells))
            continue
        if header is None:
            continue
        columns, pmid_col, _width = header
        if not any(cells):
            continue
        rows_seen[label] = rows_seen.get(label, 0) + 1
        refs.append(_row_reference(cells, columns, pmid_col, f"{label}, row {rows_seen[label]}"))
    return refs
