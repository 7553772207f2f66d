"""RIS (Research Information Systems) records, as exported by reference managers and publishers.

``TY  - JOUR`` opens a record, ``ER  -`` closes it; one ``XX  - value`` field per line (lines
without a tag continue the previous field). Read line by line (constant memory).
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
    vancouver_author,
)

_FIELD = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_PMID_URL = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d+)")


def ris_author(value: str) -> Author:
    """``Wu, Shu-Cheng`` / ``Wu, S.-C.`` / ``Wu SC`` as an Author."""
    last, comma, fore = value.partition(",")
    if not comma:
        return vancouver_author(value)
    fore_name = clean(fore.split(",")[0])
    initials = "".join(w[0] for w in re.split(r"[\s\-.]+", fore_name or "") if w and w[0].isalpha()).upper()
    return Author(last_name=clean(last), fore_name=fore_name, initials=initials or None)


_RIS_PICKS = {
    "title": ("TI", "T1", "CT", "BT"),
    "journal": ("JO", "JF", "T2", "JA"),
    "year": ("PY", "Y1", "DA"),
    "volume": ("VL",),
    "issue": ("IS",),
    "language": ("LA",),
    "abstract": ("AB", "N2"),
}


def ris_publication(fields: list[tuple[str, str]]) -> Publication:
    """Build a publication from the ``(tag, value)`` pairs of one RIS record."""
    record = TaggedRecord(fields)
    pmid = record.pick("AN")
    if pmid and not pmid.isdigit():
        pmid = None
    if pmid is None:
        for tag, value in fields:
            m = _PMID_URL.search(value) if tag in ("UR", "L2", "LK") else None
            if m:
                pmid = m.group(1)
                break
    start, end = record.pick("SP"), record.pick("EP")
    linked = (doi_of(v) for t, v in fields if t in ("UR", "M3", "N1"))
    return record.publication(
        _RIS_PICKS,
        pmid=pmid,
        doi=doi_of(record.pick("DO")) or next((d for d in linked if d), None),
        authors=[ris_author(v) for t, v in fields if t in ("AU", "A1") and v.strip()],
        journal_abbrev=record.pick("J2", "JA") if record.pick("JO", "JF", "T2") else record.pick("J2"),
        pages=f"{start}-{end}" if start and end and "-" not in start else start,
        mesh_terms=record.values("KW"),
        source_format=SourceFormat.RIS,
    )


class RisImporter(Importer):
    """RIS records."""

    name = "ris"
    source_format = SourceFormat.RIS
    description = "RIS records (reference managers, publisher exports)"

    @classmethod
    def sniff(cls, head: bytes) -> int:
        """Certain when the first field is ``TY  -``."""
        text = strip_bom(head).decode("utf-8", "replace")
        if re.match(r"^TY  - ", text):
            return 100
        return 50 if re.search(r"^TY  - ", text, re.M) and re.search(r"^ER  -", text, re.M) else 0

    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield one item per ``TY`` ... ``ER`` record."""
        fields: list[tuple[str, str]] | None = None
        problem: Skip | None = None
        start = count = 0
        for number, line in iter_lines(stream, source):
            if isinstance(line, Skip):
                if fields is None:
                    yield line
                problem = problem or line
                continue
            m = _FIELD.match(line)
            if m is None:
                if line.strip() and fields:
                    tag, value = fields[-1]
                    fields[-1] = (tag, f"{value} {line.strip()}")
                elif line.strip() and fields is None:
                    count += 1
                    yield Skip(
                        source,
                        f"line {number}",
                        "malformed",
                        f"{line[:40]!r} is outside a record; records start with 'TY  - '",
                    )
                continue
            tag, value = m.group(1), (m.group(2) or "").strip()
            if tag == "TY":
                if fields is not None:  # a record without ER: close it here
                    count += 1
                    yield self._finish(fields, problem, source, f"record {count} (line {start})")
                fields, problem, start = [], None, number
            elif tag == "ER":
                if fields is not None:
                    count += 1
                    yield self._finish(fields, problem, source, f"record {count} (line {start})")
                fields, problem = None, None
            elif fields is not None:
                fields.append((tag, value))
        if fields is not None:
            count += 1
            yield self._finish(fields, problem, source, f"record {count} (line {start})")

    @staticmethod
    def _finish(fields: list[tuple[str, str]], problem: Skip | None, source: str, location: str) -> ImportItem:
        if problem is not None:
            return Skip(source, location, problem.reason, f"{problem.location}: {problem.message}")
        pub = ris_publication(fields)
        if not (pub.title or pub.doi or pub.pmid):
            return Skip(source, location, "no-identifier", "RIS record without a title, DOI or PMID; add a TI line")
        return Record(pub, source, location)
