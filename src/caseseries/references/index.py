"""An in-memory index of local records for offline reference checks.

Indexes by PMID, DOI, citation coordinates (year, volume, first page), first author and year,
and significant title words, so that each lookup touches a handful of records: 100 references
against 100,000 records take well under the five seconds the benchmark allows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from caseseries.model.publication import Publication
from caseseries.references.model import CitedFields
from caseseries.references.normalise import (
    doi_key,
    first_page,
    journal_matches,
    page_key,
    surname_key,
    title_key,
    title_similarity,
    title_tokens,
    volume_key,
)

RAREST_WORDS = 4
"""How many of a cited title's rarest words select candidate records."""
MAX_CANDIDATES = 40
"""How many candidates (by shared words) are scored on the whole title."""
RESULTS = 5


class RecordIndex:
    """Local records indexed for citation matching; implements the record-source protocol.

    Parameters
    ----------
    records : iterable of Publication
        The local records (from PubMed XML, MEDLINE text or the store). A later record with the
        same PMID replaces an earlier one.
    """

    def __init__(self, records: Iterable[Publication] = ()):
        self.records: list[Publication] = []
        self._pmid: dict[str, int] = {}
        self._doi: dict[str, list[int]] = defaultdict(list)
        self._coordinates: dict[tuple[int, str, str], list[int]] = defaultdict(list)
        self._author_year: dict[tuple[str, int], list[int]] = defaultdict(list)
        self._words: dict[str, list[int]] = defaultdict(list)
        for record in records:
            self.add(record)

    def __len__(self) -> int:
        return len(self._pmid) + sum(1 for r in self.records if not r.pmid)

    def add(self, record: Publication) -> None:
        """Index one record."""
        if record.pmid and record.pmid in self._pmid:
            self.records[self._pmid[record.pmid]] = record
            return
        i = len(self.records)
        self.records.append(record)
        if record.pmid:
            self._pmid[record.pmid] = i
        if record.doi:
            self._doi[doi_key(record.doi)].append(i)
        page = first_page(record.pages)
        if record.year is not None and record.volume and page:
            self._coordinates[(record.year, volume_key(record.volume), page_key(page))].append(i)
        surname = surname_key(record.first_author)
        if surname and record.year is not None:
            self._author_year[(surname, record.year)].append(i)
        words = self._words
        for word in set(title_tokens(title_key(record.title))):
            words[word].append(i)

    # ------------------------------------------------------------ record-source protocol
    def fetch_pmids(self, pmids: Sequence[str]) -> dict[str, Publication]:
        """The records with these PMIDs (those not held locally are absent)."""
        return {p: self.records[self._pmid[p]] for p in pmids if p in self._pmid}

    def find_doi(self, doi: str) -> list[Publication]:
        """Records with this DOI (case and resolver prefix ignored)."""
        return [self.records[i] for i in self._doi.get(doi_key(doi), [])]

    def match_citations(self, citations: Sequence[CitedFields]) -> list[list[Publication]]:
        """For each citation, the records at its year, volume and first page in the cited journal.

        The offline counterpart of ECitMatch; a citation without year, volume or first page gets
        no match.
        """
        out: list[list[Publication]] = []
        for cited in citations:
            if cited.year is None or not cited.volume or not cited.first_page:
                out.append([])
                continue
            key = (cited.year, volume_key(cited.volume), page_key(cited.first_page))
            hits = [self.records[i] for i in self._coordinates.get(key, [])]
            if cited.journal:
                hits = [r for r in hits if journal_matches(cited.journal, r.journal_abbrev, r.journal) is not False]
            out.append(hits)
        return out

    def search(self, cited: CitedFields) -> list[Publication]:
        """Records whose title resembles the cited title, and records by the first author that year.

        Candidates come from the cited title's rarest indexed words, are ranked by shared words,
        then by whole-title similarity; records by the same first author in the cited year
        (and the years either side) are added for garbled titles.
        """
        found: dict[int, float] = {}
        key = title_key(cited.title)
        words = [w for w in set(title_tokens(key)) if w in self._words]
        if words:
            words.sort(key=lambda w: len(self._words[w]))
            shared: Counter[int] = Counter()
            for w in words[:RAREST_WORDS]:
                shared.update(self._words[w])
            for i, _ in shared.most_common(MAX_CANDIDATES):
                found[i] = title_similarity(key, title_key(self.records[i].title))
        by_title = sorted(found, key=lambda i: found[i], reverse=True)[:RESULTS]
        surname = surname_key(cited.first_author)
        by_author: list[int] = []
        if surname and cited.year is not None:
            for year in (cited.year, cited.year - 1, cited.year + 1):
                by_author.extend(i for i in self._author_year.get((surname, year), []) if i not in by_title)
        return [self.records[i] for i in by_title + by_author[:MAX_CANDIDATES]]
