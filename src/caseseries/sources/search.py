"""Run a PubMed search into the store: record the search, fetch what is missing, resumably.

The search (query, UTC time, hit count, PMIDs, date limits) is stored before any record is
fetched, then the records not yet stored are fetched in batches, each committed on its own. An
interrupted run leaves the search marked incomplete; running the same query again resumes it,
fetching only the records still missing. Nothing is stored twice: records are upserted by key
and de-duplicated against what is stored (:mod:`caseseries.sources.dedup`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from caseseries.errors import InputError
from caseseries.model.publication import SearchRecord
from caseseries.sources.eutils import EutilsClient
from caseseries.sources.importer import Skip
from caseseries.sources.ingest import ImportReport, RunState, import_items
from caseseries.store import Store


@dataclass
class SearchOutcome:
    """What :func:`run_search` did.

    Attributes
    ----------
    search_id : int
        The stored search's id.
    search : SearchRecord
        The search as stored (``complete`` is True once every batch was fetched).
    resumed : bool
        Whether an earlier, interrupted run of the same search was continued.
    already_stored : int
        PMIDs whose records were in the store before this run.
    fetched : int
        Records fetched and stored now.
    not_returned : list of str
        PMIDs PubMed did not return (withdrawn or deleted records).
    report : ImportReport
        Added/updated/unchanged/merged counts and skips of the fetched records.
    """

    search_id: int
    search: SearchRecord
    resumed: bool
    already_stored: int
    fetched: int
    not_returned: list[str] = field(default_factory=list)
    report: ImportReport = field(default_factory=ImportReport)

    @property
    def skips(self) -> list[Skip]:
        """Records that came back but could not be read."""
        return self.report.skips

    def to_json(self) -> dict[str, object]:
        """A summary for ``--json`` output."""
        return {
            "search_id": self.search_id,
            "query": self.search.query,
            "run_at": self.search.run_at,
            "count": self.search.count,
            "pmids": len(self.search.pmids),
            "resumed": self.resumed,
            "already_stored": self.already_stored,
            "fetched": self.fetched,
            "added": self.report.added,
            "updated": self.report.updated,
            "merged": self.report.merged,
            "not_returned": self.not_returned,
            "skipped": self.report.skipped,
            "complete": self.search.complete,
        }


def _unfinished(store: Store, query: str, mindate: str | None, maxdate: str | None) -> tuple[int, SearchRecord] | None:
    for search_id, record in reversed(store.searches()):
        if not record.complete and (record.query, record.mindate, record.maxdate) == (query, mindate, maxdate):
            return search_id, record
    return None


def run_search(
    store: Store,
    client: EutilsClient,
    query: str,
    *,
    max_records: int | None = None,
    mindate: str | None = None,
    maxdate: str | None = None,
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 200,
) -> SearchOutcome:
    """Search PubMed and store the search and every record it finds.

    Parameters
    ----------
    store : Store
        Where the search and the records go.
    client : EutilsClient
        The E-utilities client (its rate limit and retries apply).
    query : str
        A PubMed query, e.g. ``"inflammatory myofibroblastic tumor" AND alectinib``.
    max_records : int or None
        Keep only the first N PMIDs.
    mindate, maxdate : str or None
        Publication-date limits (``YYYY``, ``YYYY/MM`` or ``YYYY/MM/DD``).
    name : str or None
        A label stored with the search (e.g. the protocol's search name).
    progress : callable or None
        Called as ``progress(done, total)`` after each fetched batch.
    batch_size : int
        PMIDs per EFetch request (and per transaction).

    Returns
    -------
    SearchOutcome

    Raises
    ------
    NetworkError
        When E-utilities keeps failing; the search stays incomplete and a re-run resumes it.
    """
    if not query.strip():
        raise InputError("the query is empty; give a PubMed query, e.g. '\"inflammatory myofibroblastic tumor\"'")
    previous = _unfinished(store, query, mindate, maxdate)
    if previous is not None:
        search_id, search = previous
        resumed = True
    else:
        count, pmids = client.search_ids(query, mindate=mindate, maxdate=maxdate, max_records=max_records)
        search = SearchRecord(
            query=query,
            run_at=datetime.now(UTC).isoformat(timespec="seconds"),
            count=count,
            pmids=pmids,
            mindate=mindate,
            maxdate=maxdate,
            name=name,
        )
        search_id = store.save_search(search)
        resumed = False
    missing = [p for p in search.pmids if not store.has_publication(f"pmid:{p}")]
    outcome = SearchOutcome(search_id, search, resumed, already_stored=len(search.pmids) - len(missing), fetched=0)
    state = RunState()
    if progress is not None:
        progress(0, len(missing))
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        before = outcome.report.read
        import_items(client.fetch_publications(batch, batch_size=batch_size), store, report=outcome.report, state=state)
        outcome.fetched += outcome.report.read - before
        if progress is not None:
            progress(min(start + batch_size, len(missing)), len(missing))
    unreadable = {s.location.split()[1] for s in outcome.report.skips if s.reason == "unreadable"}
    outcome.not_returned = [p for p in missing if p not in unreadable and not store.has_publication(f"pmid:{p}")]
    outcome.search = search.model_copy(update={"complete": True})
    store.save_search(outcome.search, search_id)
    return outcome
