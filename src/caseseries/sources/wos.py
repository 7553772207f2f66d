"""Web of Science tagged export ("Plain text" / "Other file formats: tab-delimited" is not this).

The file opens with ``FN`` (file name, e.g. Clarivate's) and ``VR`` (version) lines; each
record starts at ``PT`` and ends with ``ER``; the file ends with ``EF``. A field is a two-letter
tag, a space and the value; continuation lines start with three spaces. In the author fields
(``AU``, ``AF``) and the cited references (``CR``) each line is one more value; elsewhere a
continuation line continues the text. Read line by line (constant memory).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from caseseries.model.enums import SourceFormat
from caseseries.model.publication import Author, Publication
from caseseries.sources.importer import (
    Importer,
    ImportItem,
    Skip,
    TaggedRecord,
    clean,
    continue_field,
    doi_of,
    finish_tagged,
    initials_of,
    iter_lines,
    strip_bom,
)

_FIELD = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_LIST_TAGS = frozenset({"AU", "AF", "CR", "C1", "BE", "CA"})
"""Fields with one value per line."""
_KEYWORD_TAGS = ("DE", "ID")
_HEADER_TAGS = frozenset({"FN", "VR", "EF"})

_WOS_PICKS = {
    "title": ("TI",),
    "journal": ("SO",),
    "journal_abbrev": ("JI", "J9"),
    "year": ("PY", "EA"),
    "volume": ("VL",),
    "issue": ("IS",),
    "language": ("LA",),
    "abstract": ("AB",),
}


def wos_author(value: str) -> Author:
    """``Parkes-Loach, PS`` / ``Loach, Paul A.`` as an Author (a name without a comma is collective)."""
    last, comma, fore = value.partition(",")
    if not comma:
        return Author(collective_name=clean(value))
    fore_name = clean(fore)
    initials = initials_of(fore_name)
    if fore_name and initials == fore_name:
        fore_name = None  # ``PS`` is initials, not a given name
    return Author(last_name=clean(last), fore_name=fore_name, initials=initials)


def wos_publication(fields: list[tuple[str, str]]) -> Publication:
    """Build a publication from the ``(tag, value)`` pairs of one Web of Science record."""
    record = TaggedRecord(fields)
    full = record.values("AF")
    names = full if full else record.values("AU")
    authors = [wos_author(n) for n in names] + [Author(collective_name=c) for c in record.values("CA")]
    start, end = record.pick("BP"), record.pick("EP")
    pages = f"{start}-{end}" if start and end else start or record.pick("AR")
    keywords = [k for v in record.values(*_KEYWORD_TAGS) for k in (clean(p) for p in v.split(";")) if k]
    pmid = record.pick("PM")
    return record.publication(
        _WOS_PICKS,
        pmid=pmid if pmid and pmid.isdigit() else None,
        doi=doi_of(record.pick("DI")),
        authors=authors,
        pages=pages,
        publication_types=record.values("DT"),
        mesh_terms=keywords,
        source_format=SourceFormat.WOS,
    )


class WosImporter(Importer):
    """Web of Science tagged export (``FN``/``VR`` header, ``PT`` ... ``ER`` records)."""

    name = "wos"
    source_format = SourceFormat.WOS
    description = "Web of Science tagged export (FN/VR header, PT ... ER records)"

    @classmethod
    def sniff(cls, head: bytes) -> int:
        """Certain on the ``FN``/``VR`` header; likely when records open with ``PT`` and close with ``ER``."""
        text = strip_bom(head).decode("utf-8", "replace")
        if re.match(r"^FN .*\r?\nVR ", text):
            return 100
        if re.search(r"^PT [A-Z]\r?$", text, re.M) and re.search(r"^ER\r?$", text, re.M):
            return 80
        return 0

    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield one item per ``PT`` ... ``ER`` record."""
        fields: list[tuple[str, str]] | None = None
        problem: Skip | None = None
        start = count = 0
        for number, line in iter_lines(stream, source):
            if isinstance(line, Skip):
                problem = problem or line
                continue
            if line.startswith("   ") and fields:
                continue_field(fields, line, _LIST_TAGS)
                continue
            m = _FIELD.match(line.rstrip())
            if m is None:
                if line.strip():
                    problem = problem or Skip(
                        source,
                        f"line {number}",
                        "malformed",
                        f"{line[:40]!r} is not a Web of Science field ('TG value'); fix or remove the line",
                    )
                continue
            tag, value = m.group(1), (m.group(2) or "").strip()
            if tag in _HEADER_TAGS:
                continue
            if tag == "ER":
                if fields is not None:
                    count += 1
                    yield self._finish(fields, problem, source, f"record {count} (line {start})")
                fields, problem = None, None
                continue
            if fields is None:
                fields, start = [], number
                if tag != "PT":
                    problem = problem or Skip(
                        source, f"line {number}", "no-pt", "a record starts without its PT line; add 'PT J'"
                    )
            fields.append((tag, value))
        if fields is not None:
            count += 1
            yield self._finish(fields, problem, source, f"record {count} (line {start})")

    @staticmethod
    def _finish(fields: list[tuple[str, str]], problem: Skip | None, source: str, location: str) -> ImportItem:
        missing = "Web of Science record without TI, DI or PM; add a TI line"
        return finish_tagged(fields, problem, source, location, wos_publication, missing)
