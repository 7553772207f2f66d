"""Plain-text and Markdown full texts: title, sections and text tables.

``Publication.text`` is exactly the decoded file content (a leading byte-order mark aside),
because extraction evidence offsets index into it. The structure found on top of it:

- **title**: the first Markdown ``#`` heading near the top, else the first non-empty line that
  is not an article-type label such as "Case Report";
- **sections**: Markdown headings, or lines that are ALL CAPS or a known heading
  (Introduction, Case report, Discussion, References, ...), optionally bold or numbered;
- **tables**: a title line ``Table N: title`` (``**Table N.** title``, ``Table N`` (continued))
  followed by tab- or pipe-separated rows, the first being the header; footnotes are the lines
  right after the rows that define abbreviations or start with a footnote mark. A continued
  table is appended to the table of the same label.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from caseseries.model.enums import SourceFormat
from caseseries.model.publication import AbstractSection, Publication, Section, Table
from caseseries.sources.importer import (
    READ_ERRORS,
    Importer,
    ImportItem,
    Record,
    Skip,
    bounded_title,
    strip_bom,
    truncated,
)
from caseseries.text.tables import RowFormat, is_separator, row_cells

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_BOLD = re.compile(r"^\*\*(.+?)\*\*$|^__(.+?)__$")
_NUMBERED = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)\s+(.+)$")
KNOWN_HEADINGS = frozenset(
    {
        "abstract",
        "summary",
        "keywords",
        "key words",
        "background",
        "introduction",
        "case report",
        "case reports",
        "case presentation",
        "case description",
        "case",
        "methods",
        "materials and methods",
        "patients and methods",
        "results",
        "discussion",
        "conclusion",
        "conclusions",
        "acknowledgements",
        "acknowledgments",
        "references",
        "bibliography",
        "funding",
        "conflict of interest",
        "conflicts of interest",
        "statement of ethics",
        "author contributions",
        "data availability statement",
        "declaration of patient consent",
        "financial support and sponsorship",
    }
)
ARTICLE_TYPE_LABELS = frozenset(
    {"case report", "case reports", "original article", "research article", "review", "brief report", "case study"}
)
_TABLE_TITLE = re.compile(
    r"^\**\s*(Table\s+([0-9]+|[IVX]+))\s*(?:\*\*\s*)?(?:([.:|]|\(continued\))\s*(?:\*\*)?\s*(.*))?$",
    re.IGNORECASE,
)
_FOOTNOTE = re.compile(r"^(?:\*(?!\*)|[†‡§¶#]|[a-z]\s|\(Continued|[^\s:]{1,20}:\s)")


def _heading(line: str) -> str | None:
    """The heading a line states, or None when it is not a heading."""
    s = line.strip()
    if not s or len(s) > 100:
        return None
    m = _MD_HEADING.match(s)
    if m:
        return _unbold(m.group(2))
    bold = _BOLD.match(s)
    inner = (bold.group(1) or bold.group(2)).strip() if bold else s
    numbered = _NUMBERED.match(inner)
    core = numbered.group(1) if numbered else inner
    core = core.rstrip(":").strip()
    if core.lower() in KNOWN_HEADINGS:
        return core
    letters = [c for c in core if c.isalpha()]
    if (
        len(letters) >= 4
        and core.upper() == core
        and core[-1] not in ".,;"
        and "\t" not in core
        and not _TABLE_TITLE.match(core)
    ):
        return core
    return None


def _unbold(text: str) -> str:
    return text.replace("**", "").replace("__", "").strip()


ROWS = RowFormat(min_pipes=2, leading_pipe=True)
"""A table row is tab-separated or a pipe row starting with ``|`` (two pipes at least)."""


def _cells(line: str) -> list[str] | None:
    """The cells of a table row, or None when the line is not a row."""
    return row_cells(line, ROWS)


def _title_line(lines: list[str]) -> str | None:
    for line in lines[:40]:
        m = _MD_HEADING.match(line.strip())
        if m and len(m.group(1)) == 1:
            return _unbold(m.group(2))
    for line in lines[:40]:
        s = _unbold(line.strip().lstrip("#").strip())
        if s and s.lower() not in ARTICLE_TYPE_LABELS:
            return s
    return None


def _tables(lines: list[str]) -> list[Table]:
    tables: list[Table] = []
    by_label: dict[str, Table] = {}
    i = 0
    n = len(lines)
    while i < n:
        m = _TABLE_TITLE.match(lines[i].strip())
        rows_start = i + 1
        if m is None:
            if _cells(lines[i]) is None or i + 1 >= n or _cells(lines[i + 1]) is None:
                i += 1
                continue
            label, caption, continued, rows_start = None, None, False, i
        else:
            label = m.group(1)
            continued = (m.group(3) or "").lower() == "(continued)" or "(continued)" in (m.group(4) or "").lower()
            caption = _unbold(m.group(4) or "") or None
            if caption and caption.lower().startswith("(continued"):
                caption = None
            if m.group(3) is None and not continued:
                i += 1
                continue  # "Table 1 provides ..." is prose, not a title
        j = rows_start
        while j < n and not lines[j].strip():
            j += 1
        rows: list[list[str]] = []
        while j < n and (cells := _cells(lines[j])) is not None:
            if not is_separator(cells):
                rows.append(cells)
            j += 1
        if not rows:
            i += 1
            continue
        footnotes: list[str] = []
        k = j
        while k < n:
            s = lines[k].strip()
            if not s:
                k += 1
                continue
            if _TABLE_TITLE.match(s) or _heading(s) or not _FOOTNOTE.match(s):
                break
            footnotes.append(s)
            k += 1
        previous = by_label.get(label.lower()) if label else None
        if previous is not None and continued:
            body = rows[1:] if rows[0] == previous.header else rows
            previous.rows.extend(body)
            previous.footnotes.extend(footnotes)
        else:
            table = Table(label=label, caption=caption, header=rows[0], rows=rows[1:], footnotes=footnotes)
            tables.append(table)
            if label:
                by_label[label.lower()] = table
        i = k if footnotes else j
    return tables


def _sections(lines: list[str], title: str | None) -> list[Section]:
    sections: list[Section] = []
    current: str | None = None
    body: list[str] = []

    def close() -> None:
        text = "\n".join(body).strip()
        if text or current:
            sections.append(Section(title=current, text=text))

    seen_title = title is None
    for line in lines:
        heading = _heading(line)
        if not seen_title and (heading == title or _unbold(line.strip().lstrip("#").strip()) == title):
            seen_title = True
            heading = None
        elif not seen_title and heading is not None and heading.lower() in ARTICLE_TYPE_LABELS:
            heading = None
        if heading is not None:
            close()
            current, body = heading, []
        else:
            body.append(line)
    close()
    return sections


_TAGGED_LINE = re.compile(r"^(?:[A-Z][A-Z0-9]{1,3}(?:\s*-|\s+\S|$)|%[A-Z0-9] )")
_RECORD_SYNTAX = re.compile(r"^(?:@\w+\s*[{(]|[{\[])")
"""BibTeX entries and JSON: record formats that are not full texts."""
SNIFFED_LINES = 30


def looks_like_records(text: str) -> bool:
    """Whether the start of a file is a record format (tagged fields, BibTeX, JSON) rather than prose.

    A full text's first lines are mostly sentences and headings; a tagged export's are mostly
    ``TAG value`` fields. Such a file is not imported as one text publication when no importer
    reads it: it is refused with the list of formats.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()][:SNIFFED_LINES]
    if not lines:
        return False
    if _RECORD_SYNTAX.match(lines[0]):
        return True
    tagged = sum(1 for line in lines if _TAGGED_LINE.match(line))
    return len(lines) >= 2 and tagged >= 0.6 * len(lines)


def parse_text(text: str, *, source_path: str | None = None) -> Publication:
    """Structure a full text (title, sections, tables); ``text`` is kept unchanged as ``Publication.text``."""
    lines = text.splitlines()
    line = _title_line(lines)
    title = bounded_title(line)
    sections = _sections(lines, line)
    abstract = [AbstractSection(text=s.text) for s in sections if s.title and s.title.lower() == "abstract" and s.text]
    return Publication(
        title=title,
        sections=sections,
        tables=_tables(lines),
        abstract=abstract[:1],
        source_format=SourceFormat.TEXT,
        source_path=source_path,
        text=text,
    )


class TextImporter(Importer):
    """Plain-text or Markdown full text (one publication per file)."""

    name = "text"
    source_format = SourceFormat.TEXT
    description = "plain-text or Markdown full text (title, sections, text tables)"

    @classmethod
    def sniff(cls, head: bytes) -> int:
        """Weak: any text that is not markup; other formats win when they recognise the file."""
        start = strip_bom(head)
        if not start or b"\x00" in start[:4096] or start.startswith(b"<"):
            return 0
        return 0 if looks_like_records(start.decode("utf-8", "replace")) else 5

    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield the one publication of the file, or a Skip when it is not UTF-8 or empty."""
        try:
            data = stream.read().removeprefix(b"\xef\xbb\xbf")
        except READ_ERRORS as err:
            yield truncated(source, "record 1", err)
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            yield Skip(
                source,
                f"line {line}, byte {err.start + 1}",
                "not-utf8",
                f"bytes {data[err.start : err.start + 4]!r} are not UTF-8; re-save the file as UTF-8",
            )
            return
        if not text.strip():
            yield Skip(source, "line 1", "empty", "the file has no text")
            return
        yield Record(parse_text(text, source_path=source), source, "record 1")
