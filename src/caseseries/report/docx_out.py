"""DOCX output: the report's tables as Word tables, ready to paste into a manuscript.

The document (styles, heading, captions, header rows, footnotes) is built with python-docx, but
the body rows of the tables are not: each table holds one template row whose cells carry
markers, and when the package is saved its ``word/document.xml`` is streamed into the zip file
with every body row written from that template. A table of 100,000 rows thus costs the memory of
one row, not 100,000 lxml trees, and the XML is byte for byte what python-docx writes for the
same rows appended to the table (text escaped as lxml escapes it; text XML cannot hold is refused
as python-docx refuses it).
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.shared import Pt

from caseseries.report.tables import Table

DOCUMENT_XML = "word/document.xml"
_CHUNK_ROWS = 500
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
"""Characters XML 1.0 cannot hold (lxml refuses them in text)."""
_CARRIAGE_RETURN = {"\r": "&#13;"}


def write_docx(tables: Sequence[Table], out: Path, *, title: str, statement: str) -> Path:
    """Write the tables (caption, header row, body, footnotes) to a .docx file.

    Parameters
    ----------
    tables : sequence of Table
        Tables in the order they should appear.
    out : Path
        File to write.
    title, statement : str
        Document heading and the evidence-not-advice statement.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    ValueError
        If a cell holds a character XML cannot hold (a control character).
    """
    token = secrets.token_hex(8)
    doc = new_document(title, statement)
    bodies: list[tuple[list[str], Sequence[Sequence[str]]]] = []
    for table in tables:
        caption = doc.add_paragraph()
        caption.add_run(table.title).bold = True
        grid = doc.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        if table.rows:
            markers = [_marker(token, len(bodies), i) for i in range(len(table.columns))]
            _add_template_row(grid, markers)
            bodies.append((markers, table.rows))
        for note in table.footnotes:
            para = doc.add_paragraph(note)
            para.runs[0].font.size = Pt(8)
    package = io.BytesIO()
    doc.save(package)
    _write_package(package, out, bodies)
    return out


def new_document(title: str, statement: str) -> Any:
    """A python-docx document with the report's style, heading and statement."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    doc.add_heading(title, level=1)
    doc.add_paragraph(statement)
    return doc


def _marker(token: str, table: int, cell: int) -> str:
    return f"caseseries-{token}-{table}-{cell}-"


def _add_template_row(grid: Any, markers: Sequence[str]) -> None:
    """Append the row every body row is written from (python-docx's row, one text run per cell)."""
    row = grid.add_row()
    for cell, marker in zip(row.cells, markers, strict=True):
        cell.text = marker


def _write_package(package: io.BytesIO, out: Path, bodies: Sequence[tuple[list[str], Sequence[Sequence[str]]]]) -> None:
    """Copy the saved package to ``out``, its document part streamed with every table's body rows."""
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != DOCUMENT_XML:
                target.writestr(info, source.read(info.filename))
                continue
            xml = source.read(info.filename).decode("utf-8")
            streamed = zipfile.ZipInfo(info.filename, info.date_time)
            streamed.compress_type = zipfile.ZIP_DEFLATED
            with target.open(streamed, "w", force_zip64=True) as part:
                for piece in _document_pieces(xml, bodies):
                    part.write(piece.encode("utf-8"))
        target.comment = source.comment


def _document_pieces(xml: str, bodies: Sequence[tuple[list[str], Sequence[Sequence[str]]]]) -> Iterator[str]:
    """``document.xml`` with each template row replaced by the table's body rows, in chunks of text."""
    at = 0
    for markers, rows in bodies:
        first = xml.index(markers[0], at)
        start = xml.rindex("<w:tr>", at, first) if "<w:tr>" in xml[at:first] else xml.rindex("<w:tr ", at, first)
        end = xml.index("</w:tr>", xml.index(markers[-1], first)) + len("</w:tr>")
        yield xml[at:start]
        template = xml[start:end]
        pieces = [template]
        for marker in markers:
            head, tail = pieces.pop().split(marker)
            pieces.extend((head, tail))
        yield from _rows(pieces, rows)
        at = end
    yield xml[at:]


def _rows(pieces: Sequence[str], rows: Sequence[Sequence[str]]) -> Iterator[str]:
    """The body rows from the template's ``pieces`` (the text between its cells' markers)."""
    last = pieces[-1]
    chunk: list[str] = []
    for row in rows:
        if len(row) != len(pieces) - 1:
            raise ValueError(f"a row of {len(row)} cells in a table of {len(pieces) - 1} columns")
        for piece, text in zip(pieces, row, strict=False):
            chunk.append(piece)
            chunk.append(_escape(text))
        chunk.append(last)
        if len(chunk) >= _CHUNK_ROWS * len(pieces):
            yield "".join(chunk)
            chunk.clear()
    yield "".join(chunk)


def _escape(text: str) -> str:
    """Text as lxml writes it in an element (``&``, ``<``, ``>`` and carriage returns escaped)."""
    if _NOT_XML.search(text):
        raise ValueError("All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters")
    return escape(text, _CARRIAGE_RETURN)
