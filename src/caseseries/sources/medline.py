"""MEDLINE text: PubMed's "PubMed format" export (.nbib) and ``rettype=medline`` EFetch output.

One field per line as a tag padded to four characters, ``- `` and the value; continuation lines
start with six spaces; records are separated by blank lines. Read line by line (constant
memory).
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
    Record,
    Skip,
    TaggedRecord,
    clean,
    doi_of,
    iter_lines,
    strip_bom,
)

_FIELD = re.compile(r"^([A-Z][A-Z0-9]{0,3}) *- ?(.*)$")
_KNOWN = {"PMID", "TI", "AB", "AU", "FAU", "DP", "TA", "JT", "VI", "IP", "PG", "LID", "AID", "PT", "MH", "LA", "SO"}


def _author(fau: str | None, au: str | None) -> Author:
    last, _, fore = (fau or "").partition(",")
    initials = None
    if au:
        au_last, _, initials_part = au.rpartition(" ")
        initials = initials_part or None
        if not last:
            last = au_last or au
    return Author(last_name=clean(last), fore_name=clean(fore), initials=clean(initials))


def _authors(fields: list[tuple[str, str]]) -> list[Author]:
    """Pair each FAU with the AU that follows it; CN gives collective names, in order."""
    out: list[Author] = []
    pending: str | None = None
    for tag, value in fields:
        if tag == "FAU":
            if pending is not None:
                out.append(_author(pending, None))
            pending = value
        elif tag == "AU":
            out.append(_author(pending, value))
            pending = None
        elif tag == "CN":
            if pending is not None:
                out.append(_author(pending, None))
                pending = None
            out.append(Author(collective_name=clean(value)))
    if pending is not None:
        out.append(_author(pending, None))
    return out


_MEDLINE_PICKS = {
    "pmid": ("PMID",),
    "pmcid": ("PMC",),
    "title": ("TI", "BTI"),
    "journal": ("JT",),
    "journal_abbrev": ("TA",),
    "year": ("DP",),
    "volume": ("VI",),
    "issue": ("IP",),
    "pages": ("PG",),
    "language": ("LA",),
    "abstract": ("AB",),
}


def medline_publication(fields: list[tuple[str, str]]) -> Publication:
    """Build a publication from the ``(tag, value)`` pairs of one MEDLINE record."""
    record = TaggedRecord(fields)
    return record.publication(
        _MEDLINE_PICKS,
        doi=next((doi_of(v) for t, v in fields if t in ("LID", "AID") and v.endswith("[doi]")), None),
        authors=_authors(fields),
        publication_types=record.values("PT"),
        mesh_terms=[m for m in (_mesh(v) for t, v in fields if t == "MH") if m],
        source_format=SourceFormat.MEDLINE,
    )


def _mesh(value: str) -> str | None:
    """``Lung Neoplasms/*drug therapy`` -> ``Lung Neoplasms`` (descriptor without qualifiers or stars)."""
    return clean(value.split("/", 1)[0].lstrip("*"))


class MedlineImporter(Importer):
    """MEDLINE text (.nbib, PubMed format)."""

    name = "medline"
    source_format = SourceFormat.MEDLINE
    description = "MEDLINE text (.nbib, PubMed's 'PubMed format' export)"

    @classmethod
    def sniff(cls, head: bytes) -> int:
        """Certain when the first field is ``PMID-``; likely when several known tags start lines.

        Never when a line opens a RIS record (``TY  - ``): RIS shares many of these tags.
        """
        text = strip_bom(head).decode("utf-8", "replace")
        lines = text.splitlines()[:40]
        if lines and re.match(r"^PMID- ?\d", lines[0]):
            return 100
        if re.search(r"^TY  - ", text, re.M):
            return 0
        matches = [m for m in (_FIELD.match(line) for line in lines) if m]
        tags = {m.group(1) for m in matches}
        if len(tags & _KNOWN) >= 3:
            return 60
        filled = [line for line in lines if line.strip() and not line.startswith("      ")]
        return 50 if len(tags & _KNOWN) >= 2 and len(matches) >= 0.8 * len(filled) else 0

    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield one item per record."""
        fields: list[tuple[str, str]] = []
        problem: Skip | None = None
        start = 0
        count = 0

        def finish() -> ImportItem | None:
            nonlocal count
            if not fields and problem is None:
                return None
            count += 1
            location = f"record {count} (line {start})"
            if problem is not None:
                return Skip(source, location, problem.reason, f"{problem.location}: {problem.message}")
            pub = medline_publication(fields)
            if not pub.pmid:
                return Skip(source, location, "no-pmid", "MEDLINE record without a PMID line; it cannot be identified")
            return Record(pub, source, location)

        for number, line in iter_lines(stream, source):
            if isinstance(line, Skip):
                problem = problem or line
                start = start or number
                continue
            if not line.strip() or (line.startswith("PMID-") and fields):
                item = finish()
                if item is not None:
                    yield item
                fields, problem, start = [], None, 0
                if not line.strip():
                    continue
            start = start or number
            if line.startswith("      ") and fields:
                tag, value = fields[-1]
                fields[-1] = (tag, f"{value} {line.strip()}")
                continue
            m = _FIELD.match(line)
            if m is None:
                problem = problem or Skip(
                    source,
                    f"line {number}",
                    "malformed",
                    f"{line[:40]!r} is not a MEDLINE field ('TAG - value'); fix or remove the line",
                )
                continue
            fields.append((m.group(1), m.group(2).strip()))
        item = finish()
        if item is not None:
            yield item
