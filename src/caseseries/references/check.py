"""Resolve each reference to a record and give it a verdict.

Resolution order: the cited PMID, else the cited DOI; when that record is not the cited article
(or there is none), citation matching on journal, year, volume and first page (ECitMatch or its
offline counterpart), then a search on title words and on first author with year. A network
failure makes the reference ``lookup_failed``, never ``not_found``; with ``fail_fast`` (what the
command line uses) the first network failure stops the whole check instead, saying that the
references were not checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from caseseries.errors import NetworkError
from caseseries.model.publication import Publication
from caseseries.references.compare import Comparison, compare
from caseseries.references.model import CheckResult, CitedFields, Reference, Verdict


class RecordSource(Protocol):
    """Where records come from: local records (:class:`RecordIndex`) or PubMed E-utilities.

    Every method may raise :class:`~caseseries.errors.NetworkError`.
    """

    def fetch_pmids(self, pmids: Sequence[str]) -> dict[str, Publication]:
        """The records with these PMIDs; unknown PMIDs are absent."""
        ...

    def find_doi(self, doi: str) -> list[Publication]:
        """Records with this DOI."""
        ...

    def match_citations(self, citations: Sequence[CitedFields]) -> list[list[Publication]]:
        """Per citation, records matching its journal, year, volume, first page (and author)."""
        ...

    def search(self, cited: CitedFields) -> list[Publication]:
        """Candidate records by title words and by first author and year."""
        ...


Progress = Callable[[int, int, str], None]
"""``progress(done, total, where)``: called after each reference checked against ``where``."""


def not_checked(where: str, err: NetworkError) -> NetworkError:
    """The error that stops a check at the first network failure."""
    return NetworkError(
        f"the references were not checked: {where} could not be reached ({err}); "
        "to check without the network, use --offline --records FILE (PubMed XML, MEDLINE or RIS records)"
    )


def _best(cited: CitedFields, records: Sequence[Publication], exclude: Publication | None) -> Comparison | None:
    """The best-ranked comparison among ``records`` that is the cited article, if any."""
    comparisons = [compare(cited, r) for r in records if exclude is None or r.key() != exclude.key()]
    same = [c for c in comparisons if c.same_article]
    return max(same, key=lambda c: c.score) if same else None


class ReferenceChecker:
    """Check references against one record source.

    Parameters
    ----------
    source : RecordSource
        Local records or an online client adapter.
    where : str
        Where ``not_found`` means the reference is missing: ``"PubMed"`` or ``"the local records"``.
    fail_fast : bool
        Stop at the first network failure with a :class:`~caseseries.errors.NetworkError` (saying
        the references were not checked) instead of marking references ``lookup_failed``.
    progress : callable or None
        ``progress(done, total, where)`` after each reference.
    """

    def __init__(
        self,
        source: RecordSource,
        where: str = "PubMed",
        *,
        fail_fast: bool = False,
        progress: Progress | None = None,
    ):
        self.source = source
        self.where = where
        self.fail_fast = fail_fast
        self.progress = progress

    def _failed(self, err: NetworkError) -> str:
        """The note of a ``lookup_failed`` result; raises instead when failing fast."""
        if self.fail_fast:
            raise not_checked(self.where, err) from None
        return str(err)

    def check(self, refs: Sequence[Reference]) -> list[CheckResult]:
        """A result for each reference, in order.

        Parameters
        ----------
        refs : sequence of Reference

        Returns
        -------
        list of CheckResult
        """
        parsed = [r for r in refs if r.parsed]
        pmids = sorted({r.cited.pmid for r in parsed if r.cited.pmid})
        by_pmid: dict[str, Publication] = {}
        pmid_error: str | None = None
        if pmids:
            try:
                by_pmid = self.source.fetch_pmids(pmids)
            except NetworkError as err:
                pmid_error = self._failed(err)
        needs_match = [r for r in parsed if r.cited.year is not None and r.cited.volume and r.cited.first_page]
        matched: dict[int, list[Publication]] = {}
        match_error: str | None = None
        if needs_match:
            try:
                hits = self.source.match_citations([r.cited for r in needs_match])
                matched = {id(r): h for r, h in zip(needs_match, hits, strict=True)}
            except NetworkError as err:
                match_error = self._failed(err)
        results: list[CheckResult] = []
        for ref in refs:
            results.append(self._result(ref, by_pmid, matched.get(id(ref), []), pmid_error, match_error))
            if self.progress is not None:
                self.progress(len(results), len(refs), self.where)
        return results

    def _result(
        self,
        ref: Reference,
        by_pmid: dict[str, Publication],
        citation_hits: list[Publication],
        pmid_error: str | None,
        match_error: str | None,
    ) -> CheckResult:
        if not ref.parsed:
            return CheckResult(reference=ref, verdict=Verdict.UNPARSED, note=ref.problem)
        if pmid_error and ref.cited.pmid:
            return CheckResult(reference=ref, verdict=Verdict.LOOKUP_FAILED, note=pmid_error)
        try:
            return self._check_one(ref, by_pmid, citation_hits, match_error)
        except NetworkError as err:
            return CheckResult(reference=ref, verdict=Verdict.LOOKUP_FAILED, note=self._failed(err))

    def _check_one(
        self,
        ref: Reference,
        by_pmid: dict[str, Publication],
        citation_hits: list[Publication],
        match_error: str | None,
    ) -> CheckResult:
        cited = ref.cited
        id_record: Publication | None = None
        id_kind: str | None = None
        if cited.pmid and cited.pmid in by_pmid:
            id_record, id_kind = by_pmid[cited.pmid], "pmid"
        elif cited.doi:
            found = self.source.find_doi(cited.doi)
            if found:
                id_record, id_kind = found[0], "doi"
        if id_record is not None:
            comparison = compare(cited, id_record)
            if comparison.same_article:
                return self._verdict(ref, comparison, id_kind or "pmid")
        best = _best(cited, citation_hits, id_record)
        kind = "citation"
        if best is None:
            best = _best(cited, self.source.search(cited), id_record)
            kind = "title"
        if id_record is not None:
            label = "PMID" if id_kind == "pmid" else "DOI"
            value = cited.pmid if id_kind == "pmid" else cited.doi
            note = f"the cited {label} {value} belongs to another article"
            if best is not None:
                note += f"; the cited article is {_describe(best.record)}"
            return CheckResult(
                reference=ref,
                verdict=Verdict.MISMATCH,
                matched=id_record,
                matched_by=id_kind,
                differences=compare(cited, id_record).differences(),
                alternative=best.record if best else None,
                note=note,
            )
        if best is not None:
            return self._verdict(ref, best, kind)
        if match_error:
            return CheckResult(reference=ref, verdict=Verdict.LOOKUP_FAILED, note=match_error)
        if citation_hits:
            other = citation_hits[0]
            return CheckResult(
                reference=ref,
                verdict=Verdict.MISMATCH,
                matched=other,
                matched_by="citation",
                differences=compare(cited, other).differences(),
                note="the cited journal, year, volume and first page belong to another article",
            )
        if ref.cited.is_book and not (ref.cited.pmid or ref.cited.doi):
            note = (
                f"not a journal article (a book, chapter, report, patent or web page) and not found in "
                f"{self.where}: PubMed indexes journal articles; check it by hand"
            )
            return CheckResult(reference=ref, verdict=Verdict.NOT_INDEXED, note=note)
        return CheckResult(reference=ref, verdict=Verdict.NOT_FOUND, note=self._not_found_note(ref))

    def _verdict(self, ref: Reference, comparison: Comparison, kind: str) -> CheckResult:
        cited, record = ref.cited, comparison.record
        differences = comparison.differences()
        note = None
        if cited.pmid and record.pmid and cited.pmid != record.pmid:
            verdict = Verdict.MISMATCH
            note = f"the cited PMID {cited.pmid} is not this article's PMID {record.pmid}"
        elif differences:
            verdict = Verdict.MINOR_MISMATCH
        else:
            verdict = Verdict.VERIFIED
        return CheckResult(
            reference=ref, verdict=verdict, matched=record, matched_by=kind, differences=differences, note=note
        )

    def _not_found_note(self, ref: Reference) -> str:
        cited = ref.cited
        if cited.pmid:
            return f"PMID {cited.pmid} is not in {self.where} and no article matches the cited fields"
        if cited.journal is None and cited.volume is None and cited.year is not None:
            return f"no match in {self.where} (a book or other item PubMed may not index)"
        return f"no article in {self.where} matches the cited fields"


def _describe(record: Publication) -> str:
    """``PMID 123 (Smith 2020, "Title")`` for notes."""
    ident = f"PMID {record.pmid}" if record.pmid else (f"DOI {record.doi}" if record.doi else "a record")
    who = " ".join(str(x) for x in (record.first_author, record.year) if x)
    return f'{ident} ({who}, "{record.title or ""}")'


def check_references(
    refs: Sequence[Reference],
    sources: Sequence[tuple[RecordSource, str]],
    *,
    fail_fast: bool = False,
    progress: Progress | None = None,
) -> list[CheckResult]:
    """Check references against one or more sources, in order.

    A reference not found in one source (e.g. local records) is checked again against the next
    (e.g. PubMed), and keeps the later result.

    Parameters
    ----------
    refs : sequence of Reference
        From :func:`caseseries.references.read_references`.
    sources : sequence of (RecordSource, str)
        Each source with the name used in notes (``"PubMed"``, ``"the local records"``).
    fail_fast : bool
        Stop at the first network failure (see :class:`ReferenceChecker`).
    progress : callable or None
        ``progress(done, total, where)`` after each reference, per source.

    Returns
    -------
    list of CheckResult
        One per reference, in order.
    """
    if not sources:
        raise ValueError("check_references needs at least one record source")
    results = ReferenceChecker(*sources[0], fail_fast=fail_fast, progress=progress).check(refs)
    for source, where in sources[1:]:
        again = [i for i, r in enumerate(results) if r.verdict in (Verdict.NOT_FOUND, Verdict.NOT_INDEXED)]
        if not again:
            break
        checker = ReferenceChecker(source, where, fail_fast=fail_fast, progress=progress)
        rechecked = checker.check([results[i].reference for i in again])
        for i, result in zip(again, rechecked, strict=True):
            results[i] = result
    return results
