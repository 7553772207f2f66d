"""PubMed as a record source for reference checks, through :class:`~caseseries.sources.eutils.EutilsClient`.

PMIDs are fetched in one batch (EFetch); citations are matched in one batch (ECitMatch with
journal, year, volume, first page and first author); title words and first author with year
are searched with ESearch. Network failures propagate as
:class:`~caseseries.errors.NetworkError` (the checker stops, or reports them as ``lookup_failed``).
:meth:`EutilsSource.probe` asks PubMed once, before the first lookup, whether it answers at all.
"""

from __future__ import annotations

from collections.abc import Sequence

from caseseries.model.publication import Publication
from caseseries.references.model import CitedFields
from caseseries.references.normalise import fold, title_key, title_tokens
from caseseries.sources.eutils import Citation, EutilsClient
from caseseries.sources.importer import Record

SEARCH_WORDS = 10
"""At most this many title words go into one ESearch query."""
SEARCH_HITS = 5
AMBIGUOUS_CANDIDATES = 5
PROBE_RETRIES = 1
"""Retries of the first request, which tells whether PubMed can be reached at all."""
PROBE_TERM = "pubmed[sb]"


def title_term(cited: CitedFields) -> str | None:
    """The ESearch term for a cited title: its significant words, each ``[ti]``, joined by AND."""
    words = title_tokens(title_key(cited.title))[:SEARCH_WORDS]
    return " AND ".join(f"{w}[ti]" for w in words) if len(words) >= 2 else None


def author_term(cited: CitedFields) -> str | None:
    """The ESearch term for the cited first author (as first author) in the cited year."""
    if not cited.first_author or not cited.year:
        return None
    return f'"{fold(cited.first_author).replace(chr(34), "")}"[1au] AND {cited.year}[dp]'


class EutilsSource:
    """The record-source protocol over NCBI E-utilities.

    Parameters
    ----------
    client : EutilsClient
        A configured client (API key, e-mail, base URL, retries).
    probe : bool
        Before the first lookup, :meth:`probe` PubMed (a failure then costs one retry, not the
        client's full retry budget).
    """

    def __init__(self, client: EutilsClient, *, probe: bool = False):
        self.client = client
        self._cache: dict[str, Publication] = {}
        self._probe_first = probe

    def _ready(self) -> None:
        if self._probe_first:
            self.probe()
            self._probe_first = False

    def probe(self) -> None:
        """One cheap ESearch (count only) with at most one retry, to fail fast when PubMed is unreachable.

        Raises
        ------
        NetworkError
            When the service cannot be reached or keeps failing.
        """
        retries = self.client.max_retries
        self.client.max_retries = min(retries, PROBE_RETRIES)
        try:
            self.client.esearch(PROBE_TERM, retmax=0, usehistory=False)
        finally:
            self.client.max_retries = retries

    def fetch_pmids(self, pmids: Sequence[str]) -> dict[str, Publication]:
        """The PubMed records of these PMIDs (EFetch in batches); unknown PMIDs are absent."""
        missing = [p for p in dict.fromkeys(pmids) if p not in self._cache]
        if missing:
            self._ready()
            for item in self.client.fetch_publications(missing):
                if isinstance(item, Record) and item.publication.pmid:
                    self._cache[item.publication.pmid] = item.publication
        return {p: self._cache[p] for p in pmids if p in self._cache}

    def _search(self, term: str, retmax: int) -> list[Publication]:
        self._ready()
        ids = self.client.esearch(term, retmax=retmax, usehistory=False).ids
        found = self.fetch_pmids(ids)
        return [found[i] for i in ids if i in found]

    def find_doi(self, doi: str) -> list[Publication]:
        """Records whose DOI is ``doi`` (ESearch ``"doi"[aid]``)."""
        clean = doi.replace('"', "").strip()
        return self._search(f'"{clean}"[aid]', SEARCH_HITS)

    def match_citations(self, citations: Sequence[CitedFields]) -> list[list[Publication]]:
        """ECitMatch each citation (journal, year, volume, first page, first author) in one batch."""
        queries = [
            Citation(
                journal=c.journal or "",
                year=str(c.year or ""),
                volume=c.volume or "",
                first_page=c.first_page or "",
                author=" ".join(x for x in (c.first_author, c.first_author_initials) if x),
                key=str(i + 1),
            )
            for i, c in enumerate(citations)
        ]
        if queries:
            self._ready()
        answers = self.client.ecitmatch(queries) if queries else []
        wanted: list[list[str]] = []
        for answer in answers:
            if answer.pmid:
                wanted.append([answer.pmid])
            else:
                wanted.append(list(answer.candidates[:AMBIGUOUS_CANDIDATES]))
        found = self.fetch_pmids([p for ids in wanted for p in ids])
        return [[found[p] for p in ids if p in found] for ids in wanted]

    def search(self, cited: CitedFields) -> list[Publication]:
        """ESearch on the cited title's words; also on first author and year for short or unmatched titles."""
        term = title_term(cited)
        hits = self._search(term, SEARCH_HITS) if term else []
        by_author = author_term(cited)
        if by_author and (not hits or len(title_tokens(title_key(cited.title))) < 4):
            known = {h.pmid for h in hits}
            hits += [p for p in self._search(by_author, 20) if p.pmid not in known]
        return hits
