"""PubMed's CSV export ("Save" -> "CSV" on pubmed.ncbi.nlm.nih.gov).

Columns: ``PMID, Title, Authors, Citation, First Author, Journal/Book, Publication Year,
Create Date, PMCID, NIHMS ID, DOI``. Volume, issue and pages are read from the citation
(``Gynecol Oncol Rep. 2021 Oct 30;38:100883. doi: ...``). Read row by row (constant memory).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import BinaryIO

from caseseries.model.enums import SourceFormat
from caseseries.model.publication import Publication
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

PUBMED_COLUMNS = ("PMID", "Title", "Authors", "Citation", "Journal/Book", "Publication Year", "DOI")
_CITATION = re.compile(r";\s*([^:;()]+?)?\s*(?:\(([^)]*)\))?\s*:\s*([^.;\s]+(?:-[^.;\s]+)?)")


def citation_parts(citation: str | None) -> tuple[str | None, str | None, str | None]:
    """Volume, issue and pages of a PubMed citation string (None where absent)."""
    if not citation:
        return None, None, None
    m = _CITATION.search(citation)
    if not m:
        return None, None, None
    return clean(m.group(1)), clean(m.group(2)), clean(m.group(3))


_CSV_PICKS = {
    "pmcid": ("PMCID",),
    "title": ("Title",),
    "journal_abbrev": ("Journal/Book",),
    "year": ("Publication Year",),
}


def csv_publication(row: dict[str, str]) -> Publication:
    """Build a publication from one row of PubMed's CSV export."""
    record = TaggedRecord(row.items())
    volume, issue, pages = citation_parts(record.pick("Citation"))
    pmid = record.pick("PMID")
    return record.publication(
        _CSV_PICKS,
        pmid=pmid if pmid and pmid.isdigit() else None,
        doi=doi_of(record.pick("DOI")),
        authors=[vancouver_author(a) for a in (record.pick("Authors") or "").rstrip(".").split(",") if a.strip()],
        volume=volume,
        issue=issue,
        pages=pages,
        source_format=SourceFormat.CSV,
    )


def _unreadable(source: str, location: str, err: csv.Error) -> Skip:
    """The Skip for a row the csv module cannot read."""
    return Skip(source, location, "bad-csv", f"not readable as CSV ({err}); re-export the file from PubMed")


class CsvImporter(Importer):
    """PubMed's CSV export."""

    name = "csv"
    source_format = SourceFormat.CSV
    description = "PubMed CSV export (PMID, Title, Authors, Citation, ...)"

    @classmethod
    def sniff(cls, head: bytes) -> int:
        """Certain when the header row has PubMed's export columns."""
        first = next(iter(strip_bom(head).decode("utf-8", "replace").splitlines()), "")
        if not first or first.startswith("<"):
            return 0
        try:
            header = next(csv.reader([first]), [])
        except csv.Error:
            return 0
        hits = sum(1 for c in PUBMED_COLUMNS if c in header)
        if hits >= 5:
            return 100
        return 40 if hits >= 2 and "Title" in header else 0

    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield one item per data row."""
        bad: dict[int, Skip] = {}
        numbers: list[int] = []
        cut: list[Skip] = []

        def lines() -> Iterator[str]:
            for number, line in iter_lines(stream, source):
                if isinstance(line, Skip) and line.reason == "truncated":
                    cut.append(line)
                    return
                numbers.append(number)
                if isinstance(line, Skip):
                    bad[number] = line
                    yield ""
                else:
                    yield line

        def rows() -> Iterator[list[str] | csv.Error]:
            """The rows, or the error of a row the csv module cannot read (it reads on after it)."""
            reader = csv.reader(lines())
            while True:
                try:
                    yield next(reader)
                except StopIteration:
                    return
                except csv.Error as err:
                    yield err

        reader = rows()
        header = next(reader, None)
        if header is None:
            yield from cut
            return
        if isinstance(header, csv.Error):
            yield _unreadable(source, "line 1", header)
            return
        header = [h.strip() for h in header]
        if "Title" not in header:
            yield Skip(source, "line 1", "no-header", "the first row has no 'Title' column; export the CSV from PubMed")
            return
        last_line = numbers[-1] if numbers else 1
        count = 0
        for cells in reader:
            first_line, last_line = last_line + 1, numbers[-1]
            if not isinstance(cells, csv.Error) and not any(c.strip() for c in cells):
                continue
            count += 1
            location = f"record {count} (line {first_line})"
            if isinstance(cells, csv.Error):
                yield _unreadable(source, location, cells)
                continue
            faults = [bad[n] for n in range(first_line, last_line + 1) if n in bad]
            if faults:
                yield Skip(source, location, faults[0].reason, f"{faults[0].location}: {faults[0].message}")
                continue
            if len(cells) != len(header):
                yield Skip(
                    source,
                    location,
                    "malformed",
                    f"{len(cells)} cells where the header has {len(header)}; quote cells that contain commas",
                )
                continue
            pub = csv_publication(dict(zip(header, cells, strict=True)))
            if not (pub.pmid or pub.doi or pub.title):
                yield Skip(source, location, "no-identifier", "row without a PMID, DOI or title")
                continue
            yield Record(pub, source, location)
        yield from cut
