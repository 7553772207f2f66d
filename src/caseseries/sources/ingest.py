"""Import files of records into the store: formats resolved up front, de-duplicated, batched.

Every file's importer is resolved before anything is written, so a file that is wholly of the
wrong format stops the run with a :class:`~caseseries.errors.FormatError` and nothing stored.
Records are then streamed, de-duplicated (:mod:`caseseries.sources.dedup`) and written in one
transaction per batch; an interrupted run keeps the batches already committed and a re-run
leaves them unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from caseseries.model.publication import Publication
from caseseries.sources.dedup import (
    REASONS,
    Deduplicator,
    Merge,
    fill_gaps,
    identities,
    merge_publications,
    missing_fields,
)
from caseseries.sources.eutils import EutilsClient
from caseseries.sources.identifiers import IdentifierListImporter
from caseseries.sources.importer import Deletion, ImportItem, Record, Skip
from caseseries.sources.registry import AUTO, resolve_importer
from caseseries.store import Store
from caseseries.store.publications import (
    DeleteOutcome,
    PublicationBatch,
    PublicationDelete,
    PublicationRepository,
    PublicationUpsert,
    PublicationWrite,
    StoredIdentity,
    UpsertOutcome,
)

MAX_LISTED = 1000


@dataclass
class ImportReport:
    """What an import read, skipped, stored, merged and deleted.

    ``skips`` and ``merges`` list at most the first 1000 of each; the counts are complete.
    """

    read: int = 0
    skipped: int = 0
    by_reason: Counter[str] = field(default_factory=Counter)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    replaced: int = 0
    merged: int = 0
    deleted: int = 0
    delete_kept: list[str] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)

    def skip(self, item: Skip) -> None:
        """Count a skipped record."""
        self.skipped += 1
        self.by_reason[item.reason] += 1
        if len(self.skips) < MAX_LISTED:
            self.skips.append(item)

    def dry_run_json(self) -> dict[str, Any]:
        """``{"read": N, "skipped": M, "by_reason": {...}}``."""
        return {"read": self.read, "skipped": self.skipped, "by_reason": dict(sorted(self.by_reason.items()))}

    def to_json(self) -> dict[str, Any]:
        """Every count, with the merges and skips listed."""
        return {
            **self.dry_run_json(),
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "merged": self.merged,
            "deleted": self.deleted,
            "delete_kept": self.delete_kept,
            "merges": [str(m) for m in self.merges],
            "skips": [str(s) for s in self.skips],
        }


@dataclass
class RunState:
    """What one import run remembers across its files and batches: little, whatever the input size.

    The records themselves are looked up in the store (its PMID, DOI and key indexes), batch by
    batch; the run keeps only the PMIDs read in a version above 1 (an older version read after
    them is skipped) and a hash of every key read (a key read again is counted as replaced).
    """

    versions: dict[str, tuple[int, str]] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)


Identity = tuple[str, str]


class _Batch:
    """The records of one batch matched against the store and each other, written in one transaction."""

    def __init__(self, tx: PublicationBatch, report: ImportReport, state: RunState):
        self.tx, self.report, self.state = tx, report, state
        self.local = Deduplicator()  # the records written by this batch
        self.found: dict[Identity, StoredIdentity] = {}  # the stored records they match
        self.known: dict[str, tuple[str | None, str | None]] = {}  # key -> (format, path) written here
        self.pending: dict[str, Publication] = {}
        self.moved: dict[str, str | None] = {}  # stored key -> the key it took (None: deleted)
        self.ops: list[PublicationWrite] = []

    def run(self, items: list[ImportItem]) -> None:
        records = [(item, identities(item.publication)) for item in items if isinstance(item, Record)]
        self.found = self.tx.find({ident for _, idents in records for ident in idents})
        titles = {
            value
            for item, idents in records
            for kind, value in idents
            if kind == "title"
            and not (item.publication.pmid or item.publication.doi)
            and ("title", value) not in self.found
        }
        self.found.update({("title", value): stored for value, stored in self.tx.find_titles(titles).items()})
        by_item = {id(item): idents for item, idents in records}
        for item in items:
            if isinstance(item, Skip):
                self.report.skip(item)
            elif isinstance(item, Deletion):
                self.delete(f"pmid:{item.pmid}")
            elif not _older_version(item, self.report, self.state):
                self.record(item, by_item[id(item)])
        result = self.tx.write(self.ops)
        for upsert in result.upserts:
            if upsert.outcome is UpsertOutcome.ADDED:
                self.report.added += 1
            elif upsert.outcome is UpsertOutcome.UPDATED:
                self.report.updated += 1
            else:
                self.report.unchanged += 1
        for deletion in result.deletes:
            if deletion.outcome is DeleteOutcome.DELETED:
                self.report.deleted += 1
            elif deletion.outcome is DeleteOutcome.KEPT:
                self.report.delete_kept.append(deletion.key)

    def delete(self, key: str) -> None:
        self.report.read += 1
        self.local.forget(key)
        self.state.seen.discard(hash(key))
        self.known.pop(key, None)
        self.pending.pop(key, None)
        self.moved[key] = None
        self.ops.append(PublicationDelete(key))

    def match(self, pub: Publication, idents: list[Identity]) -> tuple[str, str, str | None, str | None] | None:
        """The key ``pub`` duplicates, why, and that record's format and source path."""
        for ident in idents:
            found = self.local.match(pub, [ident])
            if found is not None:
                fmt, path = self.known.get(found[0], (None, None))
                return found[0], found[1], fmt, path
            stored = self.found.get(ident)
            if stored is None:
                continue
            key = stored.key
            if key in self.moved:  # deleted or merged into another key by this batch
                moved = self.moved[key]
                if moved is None:
                    continue
                fmt, path = self.known.get(moved, (None, None))
                return moved, REASONS[ident[0]], fmt, path
            fmt, path = self.known.get(key, (stored.source_format, stored.source_path))
            return key, REASONS[ident[0]], fmt, path
        return None

    def earlier(self, key: str) -> Publication | None:
        """The record stored (or written by this batch) under ``key``."""
        return self.pending[key] if key in self.pending else self.tx.get([key]).get(key)

    def upsert(self, pub: Publication, idents: list[Identity], replaces: str | None = None) -> None:
        key = pub.key()
        self.local.register(pub, replaces=replaces, idents=idents)
        if replaces is not None:
            self.pending.pop(replaces, None)
            self.known.pop(replaces, None)
            self.moved[replaces] = key
        self.pending[key] = pub
        self.known[key] = (pub.source_format.value if pub.source_format else None, pub.source_path)
        self.state.seen.add(hash(key))
        self.ops.append(PublicationUpsert(pub, replaces))

    def record(self, item: Record, idents: list[Identity]) -> None:
        report, pub = self.report, item.publication
        report.read += 1
        key = pub.key()
        found = self.match(pub, idents)
        fmt = pub.source_format.value if pub.source_format else None
        if found is None:
            if pub.source_path is None:  # a new record remembers the file it was first read from
                pub = pub.model_copy(update={"source_path": item.source})
            self.upsert(pub, idents)
            return
        into, reason, into_format, into_path = found
        if into == key and into_format == fmt:
            if hash(key) in self.state.seen:
                report.replaced += 1  # a revised record later in the input replaces the earlier one
            if pub.source_path is None:  # the file it was first read from is kept
                pub = pub.model_copy(update={"source_path": into_path or item.source})
            if missing_fields(pub):  # what the earlier record had and this one lacks is kept
                earlier = self.earlier(into)
                pub = fill_gaps(pub, earlier) if earlier is not None else pub
            self.upsert(pub, idents)
            return
        report.merged += 1
        if len(report.merges) < MAX_LISTED:
            report.merges.append(Merge(item.source, item.location, key, into, reason))
        existing = self.earlier(into)
        merged = merge_publications(existing, pub) if existing is not None else pub
        if merged.source_path is None:
            merged = merged.model_copy(update={"source_path": item.source})
        self.upsert(merged, identities(merged), replaces=into if merged.key() != into else None)


def _older_version(item: Record, report: ImportReport, state: RunState) -> bool:
    """Whether ``item`` is an older version of a record read before it (then counted as skipped)."""
    pmid = item.publication.pmid
    if item.version is None or not pmid:
        return False
    newest = state.versions.get(pmid)
    if newest is not None and newest[0] > item.version:
        report.skip(
            Skip(
                item.source,
                item.location,
                "older-version",
                f"PMID {pmid} version {item.version} comes after version {newest[0]} "
                f"({newest[1]}); the newer version is kept",
            )
        )
        return True
    if item.version > 1:  # nothing is older than version 1: only later versions are remembered
        state.versions[pmid] = (item.version, item.location)
    return False


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
            elif isinstance(item, Deletion) or not _older_version(item, report, state):
                report.read += 1
        return report
    repository = PublicationRepository(store)
    stream = iter(items)
    while batch := list(islice(stream, batch_size)):
        with repository.batch() as tx:
            _Batch(tx, report, state).run(batch)
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
