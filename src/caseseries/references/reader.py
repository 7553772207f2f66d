"""Read the references of a manuscript file: plain text/Markdown, BibTeX or RIS."""

from __future__ import annotations

import re
from pathlib import Path

from caseseries.errors import FormatError
from caseseries.references.bibtex import parse_bibtex
from caseseries.references.files import read_text_file
from caseseries.references.model import Reference
from caseseries.references.tables import parse_literature_tables
from caseseries.references.textlist import parse_reference_list, reference_section

_BIBTEX = re.compile(r"^\s*@(?:article|book|inproceedings|incollection|misc|string|preamble|comment|\w+)\s*[{(]", re.I)
_RIS = re.compile(r"^TY  - ", re.MULTILINE)


def detect_format(path: Path, text: str) -> str:
    """``"bibtex"``, ``"ris"`` or ``"text"``, from the extension, else from the content."""
    suffix = path.suffix.lower()
    if suffix == ".bib":
        return "bibtex"
    if suffix == ".ris":
        return "ris"
    head = text.lstrip("\ufeff \t\r\n")[:4096]
    if _BIBTEX.match(head):
        return "bibtex"
    if _RIS.search(head) and head.startswith("TY  - "):
        return "ris"
    return "text"


def parse_references(text: str, fmt: str = "text", *, source: str = "<text>") -> list[Reference]:
    """Every reference in ``text``: list entries first, then literature-table rows that carry PMIDs.

    Parameters
    ----------
    text : str
        The content of a manuscript, reference list or BibTeX file.
    fmt : str
        ``"text"`` (numbered list and PMID tables) or ``"bibtex"``.
    source : str
        Name used in error messages.

    Returns
    -------
    list of Reference

    Raises
    ------
    FormatError
        When no reference at all is found: no list under a ``References`` heading (or an empty
        one), no text that reads mostly as citations, and no table with a PMID column.
    """
    if fmt == "bibtex":
        refs = parse_bibtex(text)
    elif fmt == "text":
        refs = _text_references(text, source)
    else:
        raise FormatError(f"unknown reference format {fmt!r}; use text or bibtex", source=source)
    if not refs:
        raise FormatError(
            "no references found; give a numbered list under a 'References' heading, a BibTeX or RIS "
            "file, or a table with a PMID column",
            source=source,
        )
    return refs


def _text_references(text: str, source: str) -> list[Reference]:
    """The list entries and PMID-table rows of a text manuscript (see :func:`parse_references`)."""
    listed = parse_reference_list(text)
    tables = parse_literature_tables(text)
    section = reference_section(text)
    if section is not None and not listed and not tables:
        raise FormatError(
            "the references heading has no entries under it; list the references below it, one per line",
            source=source,
            location=f"line {section[0]}",
        )
    if section is None and sum(1 for r in listed if r.parsed) * 2 < len(listed):
        if not tables:
            raise FormatError(
                "no reference list found (no 'References' heading, and the text does not read as a list of "
                "citations); put the list under a 'References' heading, or give a BibTeX (.bib) or RIS (.ris) file",
                source=source,
            )
        listed = []  # the text around a literature table is not a reference list
    return listed + tables


def read_references(path: str | Path) -> list[Reference]:
    """Read the references of the manuscript or reference file at ``path``.

    Parameters
    ----------
    path : str or Path
        A text/Markdown manuscript or reference list, a ``.bib`` file or a ``.ris`` file.

    Returns
    -------
    list of Reference
        In the order of the file; unparseable entries are kept with a ``problem``.

    Raises
    ------
    InputError
        When the file cannot be read or holds no references.
    """
    p = Path(path)
    text = read_text_file(p)
    fmt = detect_format(p, text)
    if fmt == "ris":
        from caseseries.references.records import ris_references

        return ris_references(p)
    return parse_references(text, fmt, source=str(path))
