"""Literature tables inside plain text: tab-, pipe- or space-aligned, with titles and footnotes.

A table is found as a run of rows of one kind, its title is the ``Table N`` line just above it,
its footnotes the abbreviation or footnote-mark lines just below. Continued tables ("Table 2
(continued)") are joined. Header cells are mapped to fields by their words
(:func:`column_role`). Every cell is a :class:`~caseseries.extraction.sentences.Span`, so values
read from it keep their offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from caseseries.extraction.entities import find_drugs
from caseseries.extraction.patterns import ordered_patterns
from caseseries.text.spans import Line, Span, lines, trimmed
from caseseries.text.tables import RowFormat, RowKind, is_separator, split_row
from caseseries.text.tables import row_kind as text_row_kind


class Role(StrEnum):
    """What a table column holds."""

    CASE = "case"
    AGE = "age"
    SEX = "sex"
    AGE_SEX = "age/sex"
    SITE = "site"
    METASTASIS = "metastasis"
    PARTNER = "partner"
    ALK = "alk"
    METHOD = "method"
    LINE = "line"
    LINE_NO = "line number"
    RESPONSE = "response"
    PFS = "pfs"
    MUTATION = "mutation"
    REFERENCE = "reference"
    PUBLICATION = "publication"
    OTHER = "other"


@dataclass(frozen=True)
class Column:
    """A column's role; ``line`` is the line number for treatment columns (None: next free line)."""

    role: Role
    line: int | None = None
    named_drug: bool = False


@dataclass
class TextTable:
    """A table found in the text, every cell a span of the document."""

    start: int
    end: int
    kind: RowKind
    number: int | None = None
    title: Span | None = None
    header: list[Span] = field(default_factory=list)
    rows: list[list[Span]] = field(default_factory=list)
    footnotes: list[Span] = field(default_factory=list)
    abbreviations: dict[str, str] = field(default_factory=dict)
    marks: dict[str, Span] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def columns(self, text: str) -> list[Column]:
        """The role of each column, read from the header words."""
        return assign_roles([text[c.start : c.end] for c in self.header])

    def is_publication_list(self, text: str) -> bool:
        """Whether the table lists publications (title/journal/summary columns), not patients."""
        roles = [c.role for c in self.columns(text)]
        return roles.count(Role.PUBLICATION) >= 2

    def is_patient_table(self, text: str) -> bool:
        """Whether rows describe individual patients (at least two clinical columns)."""
        if self.is_publication_list(text):
            return False
        clinical = {
            Role.AGE,
            Role.SEX,
            Role.AGE_SEX,
            Role.SITE,
            Role.PARTNER,
            Role.LINE,
            Role.RESPONSE,
            Role.PFS,
            Role.ALK,
            Role.LINE_NO,
        }
        roles = [c.role for c in self.columns(text)]
        return sum(1 for r in roles if r in clinical) >= 2


_TITLE = re.compile(r"^[\s*_#>]*(?:Table|TABLE)\s+(\d{1,2}|[IVX]{1,4})\b(?P<rest>.*)$")
_CONTINUED = re.compile(r"\(?\s*cont(?:inued|'d|\.)?\s*\)?", re.I)
_ABBREV = re.compile(r"(?:^|[,;.]\s*)([A-Z][A-Za-z0-9/\-]{0,11}|[a-z]{2,6})\s*[:=]\s*([A-Za-z][^,;:=\n]{1,80})")
_MARK = re.compile(r"^\s*([*†‡§¶#]+|[a-z](?=[\s)]))")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}


ROWS = RowFormat(min_pipes=2, spaces=True, blank_tab_rows=False)
"""Literature tables: two pipes make a row; space-aligned rows are read too."""


def row_kind(line_text: str) -> RowKind | None:
    """The kind of table row a line is, or None for prose."""
    return text_row_kind(line_text, ROWS)


def split_cells(text: str, ln: Span, kind: RowKind) -> list[Span]:
    """Cells of one row as trimmed spans (an empty cell is a zero-length span)."""
    return split_row(text, ln.start, ln.end, kind)


def find_tables(text: str) -> list[TextTable]:
    """Every table in the text, continued parts joined, with title, header, rows and footnotes.

    Parameters
    ----------
    text : str
        The document.

    Returns
    -------
    list of TextTable
        Tables in document order. Ragged rows are padded or trimmed to the header width, with a
        warning on the table.
    """
    all_lines = lines(text)
    kinds = [row_kind(text[ln.start : ln.end]) for ln in all_lines]
    tables: list[TextTable] = []
    i = 0
    n = len(all_lines)
    while i < n:
        kind = kinds[i]
        if kind is None:
            i += 1
            continue
        j = i
        block = [all_lines[i]]
        while True:
            k = j + 1
            if k < n and kinds[k] is None and not text[all_lines[k].start : all_lines[k].end].strip():
                k += 1  # one blank line inside a table is allowed
            if k < n and (kinds[k] is kind or (kind is RowKind.SPACE and _continued_cell(text, all_lines[k]))):
                block.append(all_lines[k])
                j = k
            else:
                break
        min_rows = 3 if kind is RowKind.SPACE else 2
        if len(block) >= min_rows:
            table = _build(text, all_lines, i, block, kind)
            if table is not None:
                _attach(tables, table, text)
        i = j + 1
    return tables


def _continued_cell(text: str, ln: Line) -> bool:
    """A space-aligned row that fills only a column far to the right (the patient cells above continue)."""
    line_text = text[ln.start : ln.end]
    return len(line_text) - len(line_text.lstrip(" ")) >= 8 and bool(line_text.strip())


def _build(text: str, all_lines: list[Line], first: int, block: list[Line], kind: RowKind) -> TextTable | None:
    rows = [split_cells(text, ln, kind) for ln in block]
    rows = [r for r in rows if not (kind is RowKind.PIPE and is_separator([text[c.start : c.end] for c in r]))]
    if len(rows) < 2:
        return None
    if kind is RowKind.SPACE:
        rows = _align_space_rows(text, block, rows)
    table = TextTable(start=block[0].start, end=block[-1].end, kind=kind)
    title_line = _previous_nonblank(text, all_lines, first)
    if title_line is not None:
        m = _TITLE.match(text[title_line.start : title_line.end])
        if m:
            table.title = trimmed(text, title_line.start, title_line.end)
            num = m.group(1)
            table.number = int(num) if num.isdigit() else _ROMAN.get(num)
    table.header = rows[0]
    width = len(table.header)
    while width > 1 and table.header[width - 1].start == table.header[width - 1].end:
        width -= 1  # trailing empty header cells (a trailing tab)
    table.header = table.header[:width]
    for r, row in enumerate(rows[1:], start=1):
        if len(row) > width:
            extra = [text[c.start : c.end] for c in row[width:] if c.end > c.start]
            if extra:
                table.warnings.append(
                    f"table row {r} has {len(row)} cells but the header has {width}; extra cells {extra} ignored"
                )
            row = row[:width]
        elif len(row) < width:
            table.warnings.append(
                f"table row {r} has {len(row)} cells but the header has {width}; missing cells read as blank"
            )
            end = row[-1].end if row else block[0].end
            row = row + [Span(end, end)] * (width - len(row))
        table.rows.append(row)
    last = block[-1].number
    _footnotes(text, all_lines, last, table)
    if table.title is None:
        _title_below(text, all_lines, table)
    return table


def _lines_below(text: str, all_lines: list[Line], k: int) -> Iterator[tuple[Line, str]]:
    """The non-blank lines from line ``k`` on, with their text, until two blank lines in a row."""
    blanks = 0
    while k < len(all_lines) and blanks <= 1:
        ln = all_lines[k]
        k += 1
        line_text = text[ln.start : ln.end]
        if not line_text.strip():
            blanks += 1
            continue
        blanks = 0
        yield ln, line_text


def _title_below(text: str, all_lines: list[Line], table: TextTable) -> None:
    """A caption written under the table ("Table 4: ... MTX: methotrexate; ...")."""
    k = next((ln.number for ln in all_lines if ln.start >= table.end), len(all_lines))
    for ln, line_text in _lines_below(text, all_lines, k):
        m = _TITLE.match(line_text)
        if m:
            table.title = trimmed(text, ln.start, ln.end)
            num = m.group(1)
            table.number = int(num) if num.isdigit() else _ROMAN.get(num)
            for a in _ABBREV.finditer(line_text):
                table.abbreviations.setdefault(a.group(1), a.group(2).strip())
            if "+" in line_text:
                table.marks.setdefault("+", table.title)
            table.end = ln.end
        return


def _align_space_rows(text: str, block: list[Line], rows: list[list[Span]]) -> list[list[Span]]:
    """Place the cells of space-aligned rows under the header columns by their position."""
    header = rows[0]
    starts = [c.start - block[0].start for c in header]
    out = [header]
    for ln, row in zip(block[1:], rows[1:], strict=False):
        placed: list[Span | None] = [None] * len(starts)
        for cell in row:
            col = cell.start - ln.start
            best = max((k for k, s in enumerate(starts) if s <= col + 2), default=0)
            if placed[best] is None:
                placed[best] = cell
            else:
                prev = placed[best]
                assert prev is not None
                placed[best] = Span(prev.start, cell.end)
        fixed: list[Span] = []
        for k, cell_or_none in enumerate(placed):
            if cell_or_none is None:
                pos = ln.start + min(starts[k], ln.end - ln.start)
                fixed.append(Span(pos, pos))
            else:
                fixed.append(cell_or_none)
        out.append(fixed)
    return out


def _previous_nonblank(text: str, all_lines: list[Line], index: int) -> Line | None:
    k = index - 1
    blanks = 0
    while k >= 0 and blanks <= 3:
        ln = all_lines[k]
        if text[ln.start : ln.end].strip():
            return ln
        blanks += 1
        k -= 1
    return None


def _footnotes(text: str, all_lines: list[Line], last: int, table: TextTable) -> None:
    for taken, (ln, line_text) in enumerate(_lines_below(text, all_lines, last + 1)):
        if taken == 4:
            break
        abbrevs = list(_ABBREV.finditer(line_text))
        mark = _MARK.match(line_text)
        if not abbrevs and not mark:
            break
        if len(line_text) > 600 and len(abbrevs) < 2:
            break
        span = trimmed(text, ln.start, ln.end)
        table.footnotes.append(span)
        table.end = ln.end
        for m in abbrevs:
            table.abbreviations.setdefault(m.group(1), m.group(2).strip())
        if mark:
            sym = mark.group(1)
            nxt = re.search(r"[.;]\s+(?=[A-Z][A-Za-z]{0,11}\s*:)", line_text)
            stop = ln.start + nxt.start() + 1 if nxt else ln.end
            table.marks[sym] = trimmed(text, ln.start + mark.end(), stop)


def _attach(tables: list[TextTable], table: TextTable, text: str) -> None:
    """Append the table, or join it to the previous table with the same number when continued."""
    if table.title is not None and tables:
        title = text[table.title.start : table.title.end]
        prev = next((t for t in reversed(tables) if t.number == table.number), None)
        m = _TITLE.match(title)
        rest = m.group("rest") if m else ""
        if prev is not None and _CONTINUED.search(rest[:20] if rest else ""):
            header_words = [text[c.start : c.end].lower() for c in table.header]
            prev_words = [text[c.start : c.end].lower() for c in prev.header]
            rows = table.rows if header_words == prev_words else [table.header, *table.rows]
            prev.rows.extend(rows)
            prev.footnotes.extend(table.footnotes)
            prev.abbreviations.update(table.abbreviations)
            prev.marks.update(table.marks)
            prev.warnings.extend(table.warnings)
            prev.end = table.end
            return
    tables.append(table)


# --------------------------------------------------------------------------- header words -> roles
_ROLE_PATTERNS = ordered_patterns("column_roles", Role)
_LINE_NUMBER = [
    (re.compile(r"\b(first|1st|initial|front)\b|\bline\s*1\b"), 1),
    (re.compile(r"\b(second|2nd)\b|\bline\s*2\b"), 2),
    (re.compile(r"\b(third|3rd)\b|\bline\s*3\b"), 3),
    (re.compile(r"\b(fourth|4th)\b|\bline\s*4\b"), 4),
    (re.compile(r"\b(fifth|5th)\b|\bline\s*5\b"), 5),
]


def column_role(header: str) -> Column:
    """Map one header cell to a column role by its words.

    Parameters
    ----------
    header : str
        The header text, e.g. ``"ALK fusion partner"``, ``"Second line"``, ``"PFS"``.

    Returns
    -------
    Column
        The role and, for treatment columns, the line number when the header names one.

    Examples
    --------
    >>> column_role("Second line")
    Column(role=<Role.LINE: 'line'>, line=2, named_drug=False)
    """
    words = header.strip().lower().strip("*_ ")
    outside = re.sub(r"\([^()]*\)", " ", words).strip()
    if outside != words and outside and column_role(outside).role is not Role.OTHER:
        words = outside  # "Treatment (best response; duration)": the words outside the brackets name the column
    for pattern, role in _ROLE_PATTERNS:
        if pattern.search(words):
            number = None
            if role in (Role.LINE, Role.RESPONSE, Role.PFS):
                number = next((k for p, k in _LINE_NUMBER if p.search(words)), None)
            if role is Role.SITE and re.search(r"\b(first|second|third)\s+line\b", words):
                return Column(Role.LINE, number)
            return Column(role, number)
    number = next((k for p, k in _LINE_NUMBER if p.search(words)), None)
    if number is not None:
        return Column(Role.LINE, number)
    return Column(Role.OTHER)


def assign_roles(headers: list[str]) -> list[Column]:
    """Roles of all columns, numbering unnumbered treatment columns in order.

    Response and PFS columns without a number belong to the nearest treatment column on
    their left (line 1 when there is none).
    """
    cols = [column_role(h) for h in headers]
    out: list[Column] = []
    next_line = 1
    current_line = 1
    for header, col in zip(headers, cols, strict=True):
        if col.role is Role.LINE:
            number = col.line if col.line is not None else next_line
            next_line = number + 1
            current_line = number
            out.append(Column(Role.LINE, number))
        elif col.role is Role.RESPONSE and col.line is None and find_drugs(header):
            number = next_line  # "Brigatinib response": the response of a line the header names
            next_line = number + 1
            current_line = number
            out.append(Column(Role.RESPONSE, number, named_drug=True))
        elif col.role in (Role.RESPONSE, Role.PFS):
            out.append(Column(col.role, col.line if col.line is not None else current_line))
        else:
            out.append(col)
    return out
