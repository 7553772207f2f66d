"""Compare a cited reference with a bibliographic record, field by field.

Each field is ``same``, ``close`` (a slip: misspelled surname, garbled title, year off by one)
or ``different``; fields missing on either side are not compared. Whether the record *is* the
cited article is decided mainly on the title, and on the other fields when the title is missing
or garbled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from caseseries.model.publication import Publication
from caseseries.references.model import CitedFields, FieldDifference, Severity
from caseseries.references.normalise import (
    doi_key,
    first_page,
    journal_matches,
    page_key,
    surname_agreement,
    title_key,
    title_similarity,
    volume_key,
)

TITLE_SAME = 95.0
TITLE_CLOSE = 80.0
TITLE_UNRELATED = 60.0


class Agreement(StrEnum):
    """How a cited field compares with the record."""

    SAME = "same"
    CLOSE = "close"
    DIFFERENT = "different"


@dataclass(frozen=True)
class FieldCheck:
    """The comparison of one field."""

    name: str
    cited: str
    found: str
    agreement: Agreement


@dataclass
class Comparison:
    """All compared fields of a cited reference against one record."""

    record: Publication
    checks: list[FieldCheck] = field(default_factory=list)
    title_score: float | None = None
    cited_title_length: int = 0

    def get(self, name: str) -> Agreement | None:
        """Agreement of field ``name``, None when it was not compared."""
        return next((c.agreement for c in self.checks if c.name == name), None)

    @property
    def supporting(self) -> int:
        """Number of bibliographic fields other than the title that agree (same or close)."""
        return sum(
            1
            for c in self.checks
            if c.name in ("first_author", "journal", "year", "volume", "first_page")
            and c.agreement is not Agreement.DIFFERENT
        )

    @property
    def same_article(self) -> bool:
        """Whether the record is the cited article (possibly with slips in some fields).

        Identifiers are not evidence here (a record fetched by the cited PMID always has that
        PMID): the title decides when it is similar (>= 80) or clearly unrelated (< 60, for a cited
        title of four words or more); otherwise three agreeing fields among first author, journal,
        year, volume and first page, with no conflicting first author, make it the same article.
        """
        if self.title_score is not None:
            if self.title_score >= TITLE_CLOSE:
                return True
            if self.title_score < TITLE_UNRELATED and self.cited_title_length >= 4:
                return False
        return self.supporting >= 3 and self.get("first_author") is not Agreement.DIFFERENT

    @property
    def score(self) -> float:
        """A ranking score among candidate records (higher is a better match)."""
        weights = {Agreement.SAME: 10.0, Agreement.CLOSE: 5.0, Agreement.DIFFERENT: -5.0}
        bonus = sum(weights[c.agreement] for c in self.checks if c.name != "title")
        return (self.title_score or 0.0) + bonus

    def differences(self) -> list[FieldDifference]:
        """Fields that differ, each with its severity (for a record that is the cited article)."""
        out: list[FieldDifference] = []
        for c in self.checks:
            if c.agreement is Agreement.SAME:
                continue
            major = c.name == "pmid" or (c.name == "title" and c.agreement is Agreement.DIFFERENT)
            out.append(
                FieldDifference(
                    field=c.name,
                    cited=c.cited,
                    matched=c.found,
                    severity=Severity.MAJOR if major else Severity.MINOR,
                )
            )
        return out


def _agreement(same: bool, close: bool = False) -> Agreement:
    if same:
        return Agreement.SAME
    return Agreement.CLOSE if close else Agreement.DIFFERENT


def compare(cited: CitedFields, record: Publication) -> Comparison:
    """Compare ``cited`` with ``record``.

    Parameters
    ----------
    cited : CitedFields
        What the manuscript cites.
    record : Publication
        A PubMed (or local) record.

    Returns
    -------
    Comparison
        Field checks in the order title, first_author, journal, year, volume, first_page, doi, pmid.
    """
    result = Comparison(record=record)
    checks = result.checks
    if cited.title and record.title:
        a, b = title_key(cited.title), title_key(record.title)
        score = title_similarity(a, b)
        result.title_score = score
        result.cited_title_length = len(a.split())
        checks.append(
            FieldCheck("title", cited.title, record.title, _agreement(score >= TITLE_SAME, score >= TITLE_CLOSE))
        )
    surname = surname_agreement(cited.first_author, record.first_author)
    if surname is not None and cited.first_author and record.first_author:
        checks.append(FieldCheck("first_author", cited.first_author, record.first_author, Agreement(surname)))
    journal = journal_matches(cited.journal, record.journal_abbrev, record.journal)
    if journal is not None and cited.journal:
        found = record.journal_abbrev or record.journal or ""
        checks.append(FieldCheck("journal", cited.journal, found, _agreement(journal)))
    if cited.year is not None and record.year is not None:
        delta = abs(cited.year - record.year)
        checks.append(FieldCheck("year", str(cited.year), str(record.year), _agreement(delta == 0, delta == 1)))
    if cited.volume and record.volume:
        same = volume_key(cited.volume) == volume_key(record.volume)
        checks.append(FieldCheck("volume", cited.volume, record.volume, _agreement(same)))
    record_page = first_page(record.pages)
    if cited.first_page and record_page:
        same = page_key(cited.first_page) == page_key(record_page)
        checks.append(FieldCheck("first_page", cited.first_page, record_page, _agreement(same)))
    if cited.doi and record.doi:
        checks.append(FieldCheck("doi", cited.doi, record.doi, _agreement(doi_key(cited.doi) == doi_key(record.doi))))
    if cited.pmid and record.pmid:
        checks.append(FieldCheck("pmid", cited.pmid, record.pmid, _agreement(cited.pmid == record.pmid)))
    return result
