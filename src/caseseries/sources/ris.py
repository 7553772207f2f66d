"""RIS (Research Information Systems) records, as exported by reference managers and publishers.

``TY  - JOUR`` opens a record, ``ER  -`` closes it; one ``XX  - value`` field per line (lines
without a tag continue the previous field; in a keyword field each line is one keyword). Read
line by line (constant memory).

What exporters write between records is not a record and is passed over: JSTOR's and
PsycINFO's ``Provider:``/``Database:``/``Content:`` header, Ovid's ``1.`` numbering and
``Link to ...`` lines. Fields outside any record (a record whose ``TY`` line is missing) are
counted as one skipped record.
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
    vancouver_author,
)

_FIELD = re.compile(r"^([A-Z][A-Z0-9]|PMID)  ?-(?: (.*))?$")
_TY = re.compile(r"^TY  - ", re.M)
_ER = re.compile(r"^ER  -", re.M)
_RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - ", re.M)
_LIST_TAGS = frozenset({"KW"})
"""Fields whose continuation lines are further values (one keyword per line), not more text."""
_PUBMED_DB = re.compile(r"pubmed|medline|\bnlm\b", re.I)
_PMID_URL = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d+)")


def ris_author(value: str) -> Author:
    """``Wu, Shu-Cheng`` / ``Wu, S.-C.`` / ``Wu SC`` as an Author."""
    last, comma, fore = value.partition(",")
    if not comma:
        return vancouver_author(value)
    fore_name = clean(fore.split(",")[0])
    return Author(last_name=clean(last), fore_name=fore_name, initials=initials_of(fore_name))


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
    pmid = record.pick("PMID")
    accession = record.pick("AN")
    database = record.pick("DB", "DP")
    from_pubmed = database is None or _PUBMED_DB.search(database) is not None
    if pmid is None and accession and accession.isdigit() and len(accession) <= 8 and from_pubmed:
        pmid = accession  # other databases' accession numbers (ProQuest, CAB, ...) are not PMIDs
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
        """Certain when the first field is ``TY  -``, or records open with ``TY`` and close with ``ER``."""
        text = strip_bom(head).decode("utf-8", "replace")
        if re.match(r"^TY  - ", text):
            return 100
        if _TY.search(text) and _ER.search(text):
            return 95
        fields = len(_RIS_LINE.findall(text))
        return 60 if fields >= 3 and _ER.search(text) else 0  # records whose TY line is missing

    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield one item per ``TY`` ... ``ER`` record."""
        fields: list[tuple[str, str]] | None = None
        problem: Skip | None = None
        stray: Skip | None = None
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
                    continue_field(fields, line, _LIST_TAGS)
                continue  # outside a record: an exporter's header, numbering or link line
            tag, value = m.group(1), (m.group(2) or "").strip()
            if fields is None and tag not in ("TY", "ER"):
                if stray is None:
                    count += 1
                    stray = Skip(
                        source,
                        f"record {count} (line {number})",
                        "no-ty",
                        f"fields outside a record from line {number} ({line[:40]!r}); "
                        "a record starts with 'TY  - ' and ends with 'ER  -': add the TY line",
                    )
                    yield stray
                continue
            stray = None
            if tag == "TY":
                if fields == [] and problem is None:
                    continue  # TY lines one after the other: the last one types the record
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
        if not fields and problem is None:
            return Skip(source, location, "empty", "RIS record without fields (TY then ER); nothing to import")
        missing = "RIS record without a title, DOI or PMID; add a TI line"
        return finish_tagged(fields, problem, source, location, ris_publication, missing)
