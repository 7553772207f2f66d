"""Use case: extract the patients of case-report files and of a review's included publications.

The result keeps, for every document, which extractor produced it and its warnings; the case
file built from it is stored with that provenance (extractor and rule-set version).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from caseseries.extraction import get_extractor
from caseseries.extraction.base import ExtractionResult, read_text_file
from caseseries.extraction.ruleset import ruleset_version
from caseseries.model import CaseFile, CurationStatus, Publication, Source

if TYPE_CHECKING:  # the store (SQLAlchemy) and the screening rules are loaded only by runs that use them
    from caseseries.store import Store, WriteResult


@dataclass(frozen=True)
class ExtractedDocument:
    """One extracted document: where it came from (a file path or a stored record's key) and the result."""

    origin: str
    result: ExtractionResult

    @property
    def extractor(self) -> str:
        """The name of the extractor that produced the result."""
        return self.result.extractor


@dataclass
class Extraction:
    """The documents of one extraction run, in input order."""

    extractor: str
    documents: list[ExtractedDocument] = field(default_factory=list)

    def case_file(self) -> CaseFile:
        """The Case JSON of every document."""
        return CaseFile(documents=[d.result.document for d in self.documents])

    def warnings(self) -> list[tuple[str, str]]:
        """(origin, warning) of every document, in order."""
        return [(d.origin, w) for d in self.documents for w in d.result.warnings]

    def store(self, store: Store) -> WriteResult:
        """Store the patients with status ``extracted`` and the extractor and rule-set version that produced them."""
        return store.add_case_file(
            self.case_file(),
            status=CurationStatus.EXTRACTED,
            extractor=self.extractor,
            ruleset_version=ruleset_version(),
        )

    def stored_lines(self, written: WriteResult) -> list[str]:
        """What ``extract`` prints after :meth:`store`: patients per document, then what was written."""
        out = [f"{d.origin}: {len(d.result.document.patients)} patients extracted." for d in self.documents]
        out.append(
            f"Stored: {len(written.added)} added, {len(written.updated)} updated, {len(written.unchanged)} "
            "unchanged (status extracted)."
        )
        return out


@dataclass(frozen=True)
class IncludedRecords:
    """The stored publications a review protocol included, and how many reached the full-text stage."""

    publications: list[Publication]
    sought: int
    """Records included on title and abstract (PRISMA "reports sought for retrieval")."""

    def note(self, protocol: str) -> str | None:
        """What to run when no record of ``protocol`` is past the full-text stage (None when some are)."""
        if self.publications:
            return None
        if not self.sought:
            return (
                f"Note: no record of {protocol} is included at the title-abstract stage yet; run: "
                f"caseseries screen --protocol {protocol}"
            )
        return (
            f"Note: none of the {self.sought} records of {protocol} included on title and abstract is past the "
            f"full-text stage yet. Import their full texts (caseseries import FILE...) and run: "
            f"caseseries screen --protocol {protocol} --stage full-text. To include a record on its abstract "
            f"when no full text can be had, decide it by hand: caseseries screen review --protocol {protocol} "
            "--stage full-text --reviewer NAME (extraction then reads its title and abstract)."
        )


def included_publications(store: Store, protocol: str) -> IncludedRecords:
    """The stored publications a screened review protocol (file or shipped name) included, in PRISMA order."""
    from caseseries.screening import load_protocol, prisma_counts

    counts = prisma_counts(store, load_protocol(protocol))
    pubs = [store.get_publication(key) for key in counts.included_keys]
    return IncludedRecords([p for p in pubs if p is not None], counts.reports_sought)


def extract_documents(
    files: Iterable[str | Path], publications: Iterable[Publication] = (), *, extractor: str = "rules"
) -> Extraction:
    """Extract case-report files and stored publications with the registered ``extractor``.

    Parameters
    ----------
    files : iterable of path
        Plain-text or Markdown case reports; every file is read before any is extracted.
    publications : iterable of Publication
        Stored records (full text when present, else title and abstract).
    extractor : str
        Registered extractor name.

    Raises
    ------
    InputError, FormatError
        For an unknown extractor or a file that cannot be read as text.
    """
    engine = get_extractor(extractor)
    texts = [(str(path), read_text_file(path)) for path in files]
    run = Extraction(extractor)
    for name, text in texts:
        run.documents.append(ExtractedDocument(name, engine.extract(text, source=Source(path=Path(name).name))))
    for pub in publications:
        source = Source.from_publication(pub)
        run.documents.append(ExtractedDocument(pub.key(), engine.extract(pub.document_text(), source=source)))
    return run
