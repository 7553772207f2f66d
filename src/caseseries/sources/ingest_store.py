"""One batch of an import written to the store: matched against it and against itself, in one transaction.

Imported by :func:`caseseries.sources.ingest.import_items` only when a run writes to a store, so
that a dry run does not import the store (SQLAlchemy).
"""

from __future__ import annotations

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
from caseseries.sources.import_report import MAX_LISTED, ImportReport, RunState, older_version
from caseseries.sources.importer import Deletion, ImportItem, Record, Skip
from caseseries.store.publications import (
    DeleteOutcome,
    PublicationBatch,
    PublicationDelete,
    PublicationUpsert,
    PublicationWrite,
    StoredIdentity,
    UpsertOutcome,
)

Identity = tuple[str, str]


class StoreBatch:
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
        """Match the batch's records, count its skips, and write it (one transaction)."""
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
            elif not older_version(item, self.report, self.state):
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
        """A ``DeleteCitation``: the record under ``key`` is deleted (unless cases were curated from it)."""
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
        """Write ``pub`` under its key (superseding ``replaces``), remembered for the rest of the batch."""
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
        """One record: added, replacing its earlier version, or merged into the record it duplicates."""
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
