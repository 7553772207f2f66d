"""Use cases ``search`` (PubMed E-utilities) and ``import`` (record and full-text files).

The adapters give the NCBI settings and a progress callback; these build the E-utilities client,
run the stage and return its typed report, with the one-line summary the command line prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from caseseries.choices import EUTILS_URL as DEFAULT_BASE_URL
from caseseries.sources.importer import Skip
from caseseries.sources.ingest import ImportReport, import_files
from caseseries.sources.registry import AUTO

if TYPE_CHECKING:  # imported where used: an import (or a dry run) needs neither httpx nor SQLAlchemy
    from caseseries.sources.eutils import EutilsClient
    from caseseries.sources.search import SearchOutcome
    from caseseries.store import Store

__all__ = ["AUTO", "ImportReport", "NcbiSettings", "Skip", "import_records", "import_summary",
           "search_pubmed", "search_summary"]  # fmt: skip


@dataclass(frozen=True)
class NcbiSettings:
    """How to reach E-utilities: the root URL and what NCBI asks callers to send."""

    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    email: str | None = None
    tool: str = "caseseries"


def search_pubmed(
    store: Store,
    query: str,
    ncbi: NcbiSettings,
    *,
    max_records: int | None = None,
    mindate: str | None = None,
    maxdate: str | None = None,
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SearchOutcome:
    """Search PubMed and store the search and every record found (resumable; see :func:`run_search`)."""
    from caseseries.sources.eutils import EutilsClient
    from caseseries.sources.search import run_search

    with EutilsClient(ncbi.base_url, api_key=ncbi.api_key, email=ncbi.email, tool=ncbi.tool) as client:
        return run_search(
            store, client, query, max_records=max_records, mindate=mindate, maxdate=maxdate, name=name,
            progress=progress,
        )  # fmt: skip


def search_summary(outcome: SearchOutcome) -> str:
    """The one line ``caseseries search`` prints."""
    resumed = " (resumed)" if outcome.resumed else ""
    unread = f", {outcome.report.skipped} could not be read" if outcome.report.skipped else ""
    return (
        f"Search {outcome.search_id}{resumed}: {outcome.search.count} hits, {len(outcome.search.pmids)} PMIDs "
        f"stored; {outcome.fetched} records fetched, {outcome.already_stored} already stored, "
        f"{len(outcome.not_returned)} not returned by PubMed{unread}."
    )


def import_records(
    store: Store | None,
    files: Sequence[Path],
    fmt: str,
    ncbi: NcbiSettings,
    *,
    on_file: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import files into ``store`` (None: a dry run); files of PMIDs/DOIs are fetched with E-utilities."""

    def client() -> EutilsClient:
        from caseseries.sources.eutils import EutilsClient

        return EutilsClient(ncbi.base_url, api_key=ncbi.api_key, email=ncbi.email, max_retries=2, backoff=0.5)

    return import_files(store, files, fmt, on_file=on_file, eutils=client)


def import_summary(report: ImportReport, dry_run: bool) -> str:
    """The one line ``caseseries import`` prints."""
    reasons = ", ".join(f"{r}: {n}" for r, n in sorted(report.by_reason.items()))
    skipped = f"{report.skipped} skipped" + (f" ({reasons})" if reasons else "")
    if dry_run:
        return f"Dry run: {report.read} records read, {skipped}; nothing written."
    return (
        f"{report.read} records read: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.merged} merged duplicates, {report.deleted} deleted; {skipped}."
    )
