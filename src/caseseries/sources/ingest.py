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
from pathlib import Path
from typing import Any

from caseseries.model.publication import Publication
from caseseries.sources.dedup import Deduplicator, Merge, fill_gaps, merge_publications, missing_fields
from caseseries.sources.eutils import EutilsClient
from caseseries.sources.identifiers import IdentifierListImporter
from caseseries.sources.importer import Deletion, ImportItem, Record, Skip
from caseseries.sources.registry import AUTO, resolve_importer
from caseseries.store import Store

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
    """What one import run remembers across its files: the duplicate index and what it has seen."""

    dedup: Deduplicator = field(default_factory=Deduplicator)
    versions: dict[str, tuple[int, str]] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)
    formats: dict[str, str | None] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)

    def know(self, pub: Publication, replaces: str | None = None) -> None:
        """Index a stored or written record (``replaces``: the key it supersedes)."""
        self.dedup.register(pub, replaces=replaces)
        if replaces is not None:
            self.formats.pop(replaces, None)
            self.paths.pop(replaces, None)
        self.formats[pub.key()] = pub.source_format.value if pub.source_format else None
        if pub.source_path:
            self.paths[pub.key()] = pub.source_path


class _Writer:
    """Pending writes of one batch, committed together."""

    def __init__(self, store: Store | None, report: ImportReport, batch_size: int):
        self.store = store
        self.report = report
        self.batch_size = batch_size
        self.ops: list[tuple[Publication | str, str | None]] = []
        self.pending: dict[str, Publication] = {}

    def upsert(self, pub: Publication, replaces: str | None = None) -> None:
        self.ops.append((pub, replaces))
        if replaces:
            self.pending.pop(replaces, None)
        self.pending[pub.key()] = pub
        if len(self.ops) >= self.batch_size:
            self.flush()

    def delete(self, key: str) -> None:
        self.ops.append((key, None))
        self.pending.pop(key, None)

    def get(self, key: str) -> Publication | None:
        if key in self.pending:
            return self.pending[key]
        if self.store is None:
            return None
        self.flush()
        return self.store.get_publication(key)

    def flush(self) -> None:
        if not self.ops:
            return
        if self.store is not None:
            with self.store.session() as session:
                for target, replaces in self.ops:
                    if isinstance(target, Publication):
                        _, outcome = self.store.upsert_publication(target, session, replaces=replaces)
                        setattr(self.report, outcome, getattr(self.report, outcome) + 1)
                        continue
                    outcome = self.store.delete_publication(target, session)
                    if outcome == "deleted":
                        self.report.deleted += 1
                    elif outcome == "kept":
                        self.report.delete_kept.append(target)
        self.ops.clear()
        self.pending.clear()


def import_items(
    items: Iterable[ImportItem],
    store: Store | None,
    *,
    report: ImportReport | None = None,
    state: RunState | None = None,
    batch_size: int = 500,
) -> ImportReport:
    """Store a stream of importer items (``store=None`` counts and de-duplicates without writing).

    Parameters
    ----------
    items : iterable of Record, Skip or Deletion
        What importers yield.
    store : Store or None
        Where to write; None for a dry run.
    report : ImportReport or None
        A report to add to (one per run across files).
    state : RunState or None
        The run's de-duplication index and memory (shared by the files of one run).
    batch_size : int
        Writes per transaction.
    """
    report = report or ImportReport()
    state = state or RunState()
    writer = _Writer(store, report, batch_size)
    for item in items:
        if isinstance(item, Skip):
            report.skip(item)
            continue
        if isinstance(item, Deletion):
            report.read += 1
            key = f"pmid:{item.pmid}"
            state.dedup.forget(key)
            state.seen.discard(key)
            state.formats.pop(key, None)
            writer.delete(key)
            continue
        _record(item, writer, state)
    writer.flush()
    return report


def _record(item: Record, writer: _Writer, state: RunState) -> None:
    report, dedup, versions, seen = writer.report, state.dedup, state.versions, state.seen
    pub = item.publication
    if item.version is not None and pub.pmid:
        newest = versions.get(pub.pmid)
        if newest is not None and newest[0] > item.version:
            report.skip(
                Skip(
                    item.source,
                    item.location,
                    "older-version",
                    f"PMID {pub.pmid} version {item.version} comes after version {newest[0]} "
                    f"({newest[1]}); the newer version is kept",
                )
            )
            return
        versions[pub.pmid] = (item.version, item.location)
    report.read += 1
    key = pub.key()
    found = dedup.match(pub)
    if found is None:
        if pub.source_path is None:  # a new record remembers the file it was first read from
            pub = pub.model_copy(update={"source_path": item.source})
        state.know(pub)
        seen.add(key)
        writer.upsert(pub)
        return
    into, reason = found
    same_format = state.formats.get(into) == (pub.source_format.value if pub.source_format else None)
    if into == key and same_format:
        if key in seen:
            report.replaced += 1  # a revised record later in the input replaces the earlier one
        seen.add(key)
        if pub.source_path is None and key in state.paths:  # the file it was first read from is kept
            pub = pub.model_copy(update={"source_path": state.paths[key]})
        if missing_fields(pub):  # what the earlier record had and this one lacks is kept
            earlier = writer.get(into)
            pub = fill_gaps(pub, earlier) if earlier is not None else pub
        writer.upsert(pub)
        return
    report.merged += 1
    if len(report.merges) < MAX_LISTED:
        report.merges.append(Merge(item.source, item.location, key, into, reason))
    existing = writer.get(into)
    merged = merge_publications(existing, pub) if existing is not None else pub
    state.know(merged, replaces=into)
    seen.add(merged.key())
    writer.upsert(merged, replaces=into if merged.key() != into else None)


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
    if store is not None:
        for stored in store.iter_publications():
            state.know(stored)
    report = ImportReport()
    for path, importer in importers:
        if on_file is not None:
            on_file(path)
        import_items(importer.read(path), store, report=report, state=state, batch_size=batch_size)
    return report
