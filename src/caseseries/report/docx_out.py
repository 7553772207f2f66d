"""DOCX output: the report's tables as Word tables, ready to paste into a manuscript."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from caseseries.report.tables import Table


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
    """
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    doc.add_heading(title, level=1)
    doc.add_paragraph(statement)
    for table in tables:
        caption = doc.add_paragraph()
        caption.add_run(table.title).bold = True
        grid = doc.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        _add_rows(grid, table.rows)
        for note in table.footnotes:
            para = doc.add_paragraph(note)
            para.runs[0].font.size = Pt(8)
    doc.save(str(out))
    return out


def _add_rows(grid: Any, rows: Sequence[Sequence[str]]) -> None:
    """Append body rows by copying one prepared row element (python-docx's add_row is slow on long tables)."""
    if not rows:
        return
    template = grid.add_row()
    for cell in template.cells:
        cell.text = "x"
    tr = template._tr
    tbl = tr.getparent()
    tbl.remove(tr)
    for row in rows:
        new = copy.deepcopy(tr)
        for t, text in zip(new.iter(qn("w:t")), row, strict=True):
            t.text = text
        tbl.append(new)
