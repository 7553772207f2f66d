"""De-duplication across sources: PMID, then DOI, then normalised title + year + first author.

A duplicate is merged into the record it duplicates, never dropped silently: every merge is
reported as a :class:`Merge` (which record, into which, why). When two records describe the
same publication, the values of the more authoritative source win (PubMed XML, MEDLINE, JATS,
CSV, RIS, text, in that order) and the other fills the gaps; a full text (text, sections,
tables) is kept from whichever record has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caseseries.model.enums import SourceFormat
from caseseries.model.publication import Publication, normalise_title

REASONS = {"pmid": "same PMID", "doi": "same DOI", "title": "same title, year and first author"}
_AUTHORITY = {
    SourceFormat.PUBMED_XML: 0,
    SourceFormat.MEDLINE: 1,
    SourceFormat.JATS: 2,
    SourceFormat.CSV: 3,
    SourceFormat.RIS: 4,
    SourceFormat.TEXT: 5,
    SourceFormat.CASE_JSON: 6,
}
_FULL_TEXT = ("text", "sections", "tables")
_CORE = ("title", "authors", "year")


@dataclass(frozen=True)
class Merge:
    """A record that duplicated another and was merged into it.

    Attributes
    ----------
    source, location : str
        Where the duplicate was read (file, record).
    record : str
        The duplicate's own key (:meth:`Publication.key`).
    into : str
        The key of the record it was merged into.
    reason : str
        ``same PMID``, ``same DOI`` or ``same title, year and first author``.
    """

    source: str
    location: str
    record: str
    into: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.location}: {self.record} merged into {self.into} ({self.reason})"


def identities(pub: Publication) -> list[tuple[str, str]]:
    """The identities a record can be matched on, strongest first: ``[("pmid", ...), ("doi", ...), ...]``."""
    out = []
    if pub.pmid:
        out.append(("pmid", pub.pmid))
    if pub.doi:
        out.append(("doi", pub.doi.lower()))
    title = normalise_title(pub.title) if pub.title else ""
    if title:
        out.append(("title", f"{title}|{pub.year or ''}|{(pub.first_author or '').lower()}"))
    return out


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == ""


def missing_fields(pub: Publication) -> bool:
    """Whether ``pub`` lacks its title, authors or year (an earlier record of it may have them).

    Only these are checked, because nearly every record has them: the earlier record is then
    looked up for few records, and :func:`fill_gaps` takes every field it has and ``pub`` lacks.
    """
    return any(_empty(getattr(pub, name)) for name in _CORE)


def fill_gaps(newer: Publication, older: Publication) -> Publication:
    """``newer`` with each of its empty fields taken from ``older``: a value is never replaced by nothing."""
    data = newer.model_dump()
    gaps = {name: value for name, value in older.model_dump().items() if _empty(data.get(name)) and not _empty(value)}
    return Publication.model_validate({**data, **gaps}) if gaps else newer


def merge_publications(a: Publication, b: Publication) -> Publication:
    """One record from two descriptions of the same publication (see the module docstring)."""
    rank_a = _AUTHORITY.get(a.source_format, 9) if a.source_format else 9
    rank_b = _AUTHORITY.get(b.source_format, 9) if b.source_format else 9
    first, second = (a, b) if rank_a <= rank_b else (b, a)
    data = first.model_dump()
    other = second.model_dump()
    for name, value in other.items():
        if name not in _FULL_TEXT and _empty(data.get(name)) and not _empty(value):
            data[name] = value
    with_text = a if a.text else b if b.text else None
    if with_text is not None:
        for name in _FULL_TEXT:
            data[name] = getattr(with_text, name)
        data["source_path"] = with_text.source_path or data.get("source_path")
    return Publication.model_validate(data)


class Deduplicator:
    """An index of known records by PMID, DOI and title key, answering "is this a duplicate of?".

    Examples
    --------
    >>> d = Deduplicator()
    >>> d.register(Publication(pmid="1", doi="10.1000/x"))
    >>> d.match(Publication(doi="10.1000/X"))
    ('pmid:1', 'same DOI')
    """

    def __init__(self) -> None:
        self._index: dict[str, str] = {}
        self._owned: dict[str, list[str]] = {}

    def match(self, pub: Publication, idents: list[tuple[str, str]] | None = None) -> tuple[str, str] | None:
        """The key of the known record ``pub`` duplicates and the reason, or None.

        ``idents`` are ``pub``'s :func:`identities` when the caller has them already.
        """
        for kind, value in identities(pub) if idents is None else idents:
            found = self._index.get(f"{kind}:{value}")
            if found is not None:
                return found, REASONS[kind]
        return None

    def register(
        self, pub: Publication, replaces: str | None = None, idents: list[tuple[str, str]] | None = None
    ) -> None:
        """Index ``pub`` under its key; ``replaces`` is a key it supersedes (its identities move over).

        ``idents`` are ``pub``'s :func:`identities` when the caller has them already.
        """
        key = pub.key()
        if replaces is not None and replaces != key:
            for ident in self._owned.pop(replaces, []):
                self._index[ident] = key
                self._owned.setdefault(key, []).append(ident)
        for kind, value in identities(pub) if idents is None else idents:
            ident = f"{kind}:{value}"
            if ident not in self._index:
                self._index[ident] = key
                self._owned.setdefault(key, []).append(ident)

    def forget(self, key: str) -> None:
        """Remove a record (deleted) from the index."""
        for ident in self._owned.pop(key, []):
            if self._index.get(ident) == key:
                del self._index[ident]
