"""Import files of records into the store: formats resolved up front, de-duplicated, batched.

Every file's importer is resolved before anything is written, so a file that is wholly of the
wrong format stops the run with a :class:`~caseseries.errors.FormatError` and nothing stored.
Records are then streamed, de-duplicated (:mod:`caseseries.sources.dedup`) and written in one
transaction per batch; an interrupted run keeps the batches already committed and a re-run
leaves them unchanged.

De-duplication looks the records of each batch up in the store's indexes
(:func:`caseseries.store.publications.find_identities`) and among the batch's own records:
by PMID, by DOI, and by title + year + first author against records stored under their title;
a record with neither PMID nor DOI is matched by title against every stored record of its year
(:func:`caseseries.store.publications.find_titles`). DOIs are compared as stored, in lower and
in upper case.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from caseseries.sources.identifiers import IdentifierListImporter
from caseseries.sources.import_report import ImportReport, RunState, older_version
from caseseries.sources.importer import Deletion, ImportItem, Skip
from caseseries.sources.registry import AUTO, resolve_importer

if TYPE_CHECKING:  # the store (SQLAlchemy) is imported only when a run writes to one: not by a dry run
    from caseseries.sources.eutils import EutilsClient
    from caseseries.store import Store

__all__ = ["ImportReport", "RunState", "import_files", "import_items"]


def import_items(
    items: Iterable[ImportItem],
    store: Store | None,
    *,
    report: ImportReport | None = None,
    state: RunState | None = None,
    batch_size: int = 500,
) -> ImportReport:
    """Store a stream of importer items (``store=None``: a dry run, which counts only).

    Each batch of ``batch_size`` items is matched against the store with a few indexed look-ups
    and written in one transaction (:class:`~caseseries.store.publications.PublicationRepository`),
    so memory stays bounded and nothing of the store is read beforehand. A dry run reads and
    counts records and skips (an older version after a newer one is a skip); it matches no
    duplicates, having no store to match against.

    Parameters
    ----------
    items : iterable of Record, Skip or Deletion
        What importers yield.
    store : Store or None
        Where to write; None for a dry run.
    report : ImportReport or None
        A report to add to (one per run across files).
    state : RunState or None
        What the run remembers across files (one per run).
    batch_size : int
        Items per transaction.
    """
    report = report or ImportReport()
    state = state or RunState()
    if store is None:
        for item in items:
            if isinstance(item, Skip):
                report.skip(item)
            elif isinstance(item, Deletion) or not older_version(item, report, state):
                report.read += 1
        return report
    from caseseries.sources.ingest_store import StoreBatch
    from caseseries.store.publications import PublicationRepository

    repository = PublicationRepository(store)
    stream = iter(items)
    while batch := list(islice(stream, batch_size)):
        with repository.batch() as tx:
            StoreBatch(tx, report, state).run(batch)
    return report


def import_files(
    store: Store | None,
    paths: Sequence[str | Path],
    fmt: str = AUTO,
    *,
    batch_size: int = 500,
    on_file: Callable[[str], None] | None = None,
    eutils: Callable[[], EutilsClient] | None = None,
) -> ImportReport:
    """Import files into ``store`` (None: a dry run that writes nothing).

    Parameters
    ----------
    store : Store or None
        The store to write to; its records are matched for de-duplication.
    paths : sequence of path
        Files, gzip-compressed or not.
    fmt : str
        ``auto`` or a registered importer name (:func:`caseseries.sources.registry.importer_names`).
    batch_size : int
        Records per transaction.
    on_file : callable or None
        Called with each path before it is read (progress display).
    eutils : callable or None
        Makes the E-utilities client for files of identifiers whose records are fetched
        (the default client when None).

    Raises
    ------
    FormatError
        If a file is wholly not of the declared format (or of none), before anything is written.
    """
    importers = [(str(p), resolve_importer(p, fmt)) for p in paths]
    for _, importer in importers:
        if eutils is not None and isinstance(importer, IdentifierListImporter):
            importer.use_eutils(eutils)
    state = RunState()
    report = ImportReport()
    for path, importer in importers:
        if on_file is not None:
            on_file(path)
        import_items(importer.read(path), store, report=report, state=state, batch_size=batch_size)
    return report
