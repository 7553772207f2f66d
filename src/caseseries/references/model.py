"""What a reference check reads and reports: cited fields, references, verdicts, results."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from caseseries.model.base import Strict
from caseseries.model.case import CitedReference
from caseseries.model.publication import Publication


class Verdict(StrEnum):
    """Outcome of checking one reference against PubMed or local records."""

    VERIFIED = "verified"
    MINOR_MISMATCH = "minor_mismatch"
    MISMATCH = "mismatch"
    NOT_FOUND = "not_found"
    LOOKUP_FAILED = "lookup_failed"
    UNPARSED = "unparsed"
    NOT_INDEXED = "not_indexed"

    @property
    def is_problem(self) -> bool:
        """Whether the verdict fails a manuscript check: mismatch, not found, or not checked at all.

        ``lookup_failed`` (the lookup did not complete) and ``unparsed`` (the entry could not be
        read) are problems too: a check that checked nothing must not pass.
        """
        return self in (Verdict.MISMATCH, Verdict.NOT_FOUND, Verdict.LOOKUP_FAILED, Verdict.UNPARSED)


class Severity(StrEnum):
    """How much a differing field weighs."""

    MINOR = "minor"
    MAJOR = "major"


class CitedFields(Strict):
    """The bibliographic fields a reference states, as written (normalised only in comparison)."""

    authors: list[str] = Field(default_factory=list, description="Authors as written, e.g. 'Casanova M'.")
    first_author: str | None = Field(default=None, description="Surname of the first author.")
    first_author_initials: str | None = None
    et_al: bool = False
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    first_page: str | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    is_book: bool = Field(default=False, description="Cited as a book or chapter (publisher, edition, editors).")
    style: str | None = Field(default=None, description="The citation style the fields were read in (styles.yaml).")

    def to_cited_reference(self, marker: str | None = None) -> CitedReference:
        """The case-model view of these fields (as used for literature-table rows)."""
        return CitedReference(
            marker=marker,
            first_author=self.first_author,
            title=self.title,
            journal=self.journal,
            year=self.year,
            volume=self.volume,
            pages=self.pages,
            pmid=self.pmid,
            doi=self.doi,
        )

    @property
    def has_identifier(self) -> bool:
        """Whether a PMID or DOI is given."""
        return bool(self.pmid or self.doi)


class Reference(Strict):
    """One reference as read from a manuscript: a reference-list entry or a literature-table row.

    ``problem`` is set (and the reference reported as unparsed) when too little could be read to
    look it up; the text is always kept.
    """

    n: int | None = Field(default=None, description="Number in the reference list (or the row's citation marker).")
    origin: str = Field(default="references", description="'references' or e.g. 'Table 2, row 3'.")
    text: str
    cited: CitedFields = Field(default_factory=CitedFields)
    problem: str | None = None

    @property
    def parsed(self) -> bool:
        """Whether enough was read to look the reference up."""
        return self.problem is None


class FieldDifference(Strict):
    """A field whose cited value differs from the matched record."""

    field: str
    cited: str | None
    matched: str | None
    severity: Severity


class CheckResult(Strict):
    """The verdict on one reference, with the record it was compared to."""

    reference: Reference
    verdict: Verdict
    matched: Publication | None = None
    matched_by: str | None = Field(default=None, description="pmid, doi, citation or title.")
    differences: list[FieldDifference] = Field(default_factory=list)
    alternative: Publication | None = Field(
        default=None, description="For a mismatch: the article the other cited fields describe, when found."
    )
    note: str | None = None

    @property
    def fields_differing(self) -> list[str]:
        """Names of the differing fields, in comparison order."""
        return [d.field for d in self.differences]
