"""The DOCX tables' body rows are streamed into the package: the same XML python-docx writes for them."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from caseseries.report.docx_out import DOCUMENT_XML, new_document, write_docx
from caseseries.report.tables import Table

AWKWARD = ["a & b < c > d", 'quoted "x" and \'y\'', "tab\there, line\nbreak, return\r", "", "¹²³⁴ – é ü 漢", "]]>"]


def _tables() -> list[Table]:
    wide = Table("wide", "Table 1: twelve columns", [f"C{i}" for i in range(12)], footnotes=["¹A footnote."])
    wide.rows = [[f"r{r} c{c}" for c in range(12)] for r in range(30)]
    awkward = Table("awkward", "Table 2: text to escape", ["Text", "Same reversed"])
    awkward.rows = [[t, t[::-1]] for t in AWKWARD]
    empty = Table("empty", "Table 3: no rows", ["Only", "A header"], footnotes=["Nothing to show."])
    return [wide, empty, awkward]


def _python_docx(tables: list[Table], out: Path, title: str, statement: str) -> None:
    """The whole document built with python-docx, every body row a copied row element (the reference)."""
    doc = new_document(title, statement)
    for table in tables:
        doc.add_paragraph().add_run(table.title).bold = True
        grid: Any = doc.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, table.columns, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        if table.rows:
            template = grid.add_row()
            for cell in template.cells:
                cell.text = "x"
            tr = template._tr
            tbl = tr.getparent()
            tbl.remove(tr)
            for row in table.rows:
                new = copy.deepcopy(tr)
                for t, text in zip(new.iter(qn("w:t")), row, strict=True):
                    t.text = text
                tbl.append(new)
        for note in table.footnotes:
            doc.add_paragraph(note).runs[0].font.size = Pt(8)
    doc.save(str(out))


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_streamed_document_is_byte_identical_to_python_docx(tmp_path: Path) -> None:
    tables = _tables()
    _python_docx(tables, tmp_path / "reference.docx", "Evidence report", "Evidence, not advice.")
    write_docx(tables, tmp_path / "streamed.docx", title="Evidence report", statement="Evidence, not advice.")
    reference, streamed = _parts(tmp_path / "reference.docx"), _parts(tmp_path / "streamed.docx")
    assert list(streamed) == list(reference)
    assert streamed[DOCUMENT_XML] == reference[DOCUMENT_XML]
    assert streamed == reference
    doc = Document(str(tmp_path / "streamed.docx"))  # Word's reader sees the rows as cells
    assert [[c.text for c in r.cells] for r in doc.tables[2].rows][1:] == [[t, t[::-1]] for t in AWKWARD]
    assert len(doc.tables[0].rows) == 31 and len(doc.tables[1].rows) == 1


def test_text_xml_cannot_hold_is_refused_as_python_docx_refuses_it(tmp_path: Path) -> None:
    table = Table("bad", "Table 1", ["A"], rows=[["fine"], ["vertical\x0btab"]])
    with pytest.raises(ValueError, match="XML compatible"):
        write_docx([table], tmp_path / "bad.docx", title="t", statement="s")
