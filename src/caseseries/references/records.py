"""Local records for offline checks (PubMed XML, MEDLINE text, any importer format, or the store).

Files are read through the importers of :mod:`caseseries.sources` (format detected from the
content); a database URL (``sqlite:///review.db``, ``postgresql+psycopg://...``) is read through
:meth:`caseseries.store.Store.iter_publications`. RIS reference lists are read the same way and
turned into references to check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from caseseries.errors import InputError, StoreError
from caseseries.model.publication import Publication
from caseseries.references.files import read_text_file
from caseseries.references.model import CitedFields, Reference
from caseseries.references.normalise import first_page
from caseseries.sources.importer import Record, Skip
from caseseries.sources.registry import read_file, resolve_importer
from caseseries.sources.ris import RisImporter


@dataclass
class RecordLoad:
    """What was read from the ``--records`` inputs."""

    publications: list[Publication] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def _is_url(spec: str) -> bool:
    return "://" in spec and not Path(spec).exists()


def iter_store(url: str) -> Iterator[Publication]:
    """Publications of the database at ``url``."""
    from caseseries.store import Store

    try:
        store = Store(url)
        store.check_schema()
    except StoreError as err:
        raise InputError(str(err), source=url) from None
    yield from store.iter_publications()


def load_records(specs: Iterable[str]) -> RecordLoad:
    """Read local records from files (any importer format) and database URLs.

    Parameters
    ----------
    specs : iterable of str
        Paths of PubMed XML / MEDLINE / RIS / ... files, or database URLs.

    Returns
    -------
    RecordLoad
        The publications, and the records the importers skipped (with reasons).

    Raises
    ------
    InputError
        When a file is missing, unreadable or of no known format, or a database is not set up.
    """
    load = RecordLoad()
    for spec in specs:
        if _is_url(spec):
            load.publications.extend(iter_store(spec))
            continue
        if not Path(spec).is_file():
            raise InputError("file not found; check the path given to --records", source=spec)
        resolve_importer(spec)  # fails early, naming the file, when the format is unknown
        for item in read_file(spec):
            if isinstance(item, Record):
                load.publications.append(item.publication)
            elif isinstance(item, Skip):
                load.skipped.append(item)
    return load


def cited_from_publication(pub: Publication) -> CitedFields:
    """The cited fields of a reference given as a bibliographic record (RIS entry)."""
    first = pub.authors[0] if pub.authors else None
    return CitedFields(
        authors=[a.display for a in pub.authors],
        first_author=pub.first_author,
        first_author_initials=first.initials if first else None,
        title=pub.title,
        journal=pub.journal_abbrev or pub.journal,
        year=pub.year,
        volume=pub.volume,
        issue=pub.issue,
        pages=pub.pages,
        first_page=first_page(pub.pages),
        doi=pub.doi,
        pmid=pub.pmid,
    )


_TY = re.compile(r"^\s*TY  -")
_ER = re.compile(r"^\s*ER  -")
_LINE = re.compile(r"^line (\d+)\b")


def record_lines(text: str) -> list[tuple[int, int]]:
    """1-based line ranges ``(TY line, ER line)`` of the records of a RIS text."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    lines = text.splitlines()
    for i, line in enumerate(lines, start=1):
        if _TY.match(line):
            if start is not None:
                spans.append((start, i - 1))
            start = i
        elif _ER.match(line) and start is not None:
            spans.append((start, i))
            start = None
    if start is not None:
        spans.append((start, len(lines)))
    return spans


def _outside_records(skip: Skip, spans: list[tuple[int, int]]) -> bool:
    """Whether a skip is about a line outside every record (list numbers, export headers)."""
    line = _LINE.match(skip.location)
    return line is not None and not any(a <= int(line.group(1)) <= b for a, b in spans)


def ris_references(path: str | Path) -> list[Reference]:
    """One reference per RIS record, numbered in file order; records the importer skips are unparsed.

    Lines outside the records (``1.`` list numbers, export headers such as ``Provider:``) are not
    references, and a readable entry identical to the one before it (the same record read twice)
    is read once, so a numbered RIS list is never doubled.
    """
    spans = record_lines(read_text_file(path))
    refs: list[Reference] = []
    for item in RisImporter().read(path):
        n = len(refs) + 1
        if isinstance(item, Record):
            pub = item.publication
            cited = cited_from_publication(pub)
            problem = None if (cited.has_identifier or cited.title) else "record has no title, PMID or DOI"
            ref = Reference(n=n, text=pub.citation(), cited=cited, problem=problem)
        elif isinstance(item, Skip) and not _outside_records(item, spans):
            ref = Reference(n=n, text=f"{item.location}", problem=item.message)
        else:
            continue
        if ref.parsed and refs and (refs[-1].text, refs[-1].cited) == (ref.text, ref.cited):
            continue
        refs.append(ref)
    return refs
