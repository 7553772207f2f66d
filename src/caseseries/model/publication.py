"""Bibliographic model: publications, their authors, sections and tables."""

from __future__ import annotations

import re
import unicodedata

from pydantic import Field

from caseseries.model.base import Strict
from caseseries.model.enums import SourceFormat


class Author(Strict):
    """One author as listed by the source."""

    last_name: str | None = None
    fore_name: str | None = None
    initials: str | None = None
    collective_name: str | None = None

    @property
    def display(self) -> str:
        """Vancouver-style name: ``Carballo EV`` or the collective name."""
        if self.collective_name:
            return self.collective_name
        return " ".join(p for p in (self.last_name, self.initials) if p)


class AbstractSection(Strict):
    """A labelled part of a structured abstract (label None when unstructured)."""

    label: str | None = None
    text: str


class Section(Strict):
    """A titled section of a full text."""

    title: str | None = None
    text: str


class Table(Strict):
    """A table of a full text, as rows of cells."""

    label: str | None = None
    caption: str | None = None
    header: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)
    footnotes: list[str] = Field(default_factory=list)


class Citation(Strict):
    """One entry of a publication's own reference list, as structured fields.

    Kept apart from the text extraction reads (a reference list is not the article's content);
    ``text`` is the entry as written, with the spaces between its parts restored.
    """

    label: str | None = None
    authors: list[Author] = Field(default_factory=list)
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    text: str | None = None


class Publication(Strict):
    """A bibliographic record, with full text when one was imported."""

    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    title: str | None = None
    authors: list[Author] = Field(default_factory=list)
    journal: str | None = None
    journal_abbrev: str | None = None
    year: int | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publication_types: list[str] = Field(default_factory=list)
    language: str | None = None
    mesh_terms: list[str] = Field(default_factory=list)
    abstract: list[AbstractSection] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    references: list[Citation] = Field(
        default_factory=list, description="The publication's own reference list (never part of the text)."
    )
    source_format: SourceFormat | None = None
    source_path: str | None = None
    text: str | None = Field(default=None, description="The document text offsets refer to.")
    citation_text: str | None = Field(default=None, description="A formatted citation as given by the source.")

    @property
    def first_author(self) -> str | None:
        """Surname (or collective name) of the first author."""
        if not self.authors:
            return None
        a = self.authors[0]
        return a.last_name or a.collective_name

    @property
    def abstract_text(self) -> str:
        """The abstract as one text, labels kept as ``LABEL: text``."""
        return "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in self.abstract)

    def document_text(self) -> str:
        """The text extraction runs on: full text when present, else title and abstract."""
        if self.text:
            return self.text
        parts = [self.title or "", self.abstract_text]
        parts.extend(f"{s.title}\n{s.text}" if s.title else s.text for s in self.sections)
        return "\n\n".join(p for p in parts if p)

    def key(self) -> str:
        """Stable identity: PMID, else DOI, else normalised title + year + first author."""
        return document_key(
            pmid=self.pmid,
            doi=self.doi,
            title=self.title,
            year=self.year,
            first_author=self.first_author,
            path=self.source_path,
        )

    def citation(self) -> str:
        """A short Vancouver-style citation (``citation_text`` when the source gave one)."""
        if self.citation_text:
            return self.citation_text
        names = [a.display for a in self.authors[:3]]
        who = ", ".join(names) + (", et al." if len(self.authors) > 3 else "")
        where = self.journal_abbrev or self.journal or ""
        vol = f";{self.volume}" if self.volume else ""
        pages = f":{self.pages}" if self.pages else ""
        bits = [b for b in (who, self.title, f"{where} {self.year or ''}{vol}{pages}".strip()) if b]
        return ". ".join(b.rstrip(".") for b in bits) + "."


def document_key(
    *,
    pmid: str | None = None,
    doi: str | None = None,
    title: str | None = None,
    year: int | None = None,
    first_author: str | None = None,
    path: str | None = None,
) -> str:
    """The identity of a publication or case document, used to de-duplicate and to store.

    PMID first, then DOI (case-insensitive), then the normalised title with year and first
    author, then the file path.
    """
    if pmid:
        return f"pmid:{pmid}"
    if doi:
        return f"doi:{doi.lower()}"
    if title:
        return f"title:{normalise_title(title)}|{year or ''}|{(first_author or '').lower()}"
    return f"path:{path}" if path else "unknown"


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_title(title: str) -> str:
    """Lower-case, strip accents, markup and punctuation, collapse spaces.

    Parameters
    ----------
    title : str
        A title as written.

    Returns
    -------
    str
        The comparison form, e.g. ``"alk positive imt a case report"``.
    """
    text = re.sub(r"<[^>]+>", "", title) if "<" in title else title
    if not text.isascii():  # ASCII has nothing to decompose
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", text.lower()).strip()


class SearchRecord(Strict):
    """One literature search as run: query, when, how many hits and which PMIDs."""

    query: str
    database: str = "pubmed"
    run_at: str = Field(description="ISO 8601 time the search was run (UTC).")
    count: int = Field(ge=0, description="Hit count reported by the database.")
    pmids: list[str] = Field(default_factory=list)
    mindate: str | None = None
    maxdate: str | None = None
    complete: bool = Field(default=False, description="True once every hit's record was fetched.")
    name: str | None = Field(default=None, description="Optional label, e.g. the protocol's search name.")
