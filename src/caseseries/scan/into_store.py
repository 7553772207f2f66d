"""Load a scan's candidates into the store, as ``import`` and ``screen`` would have.

The candidate records go through the importer's storing path (de-duplication, merging, one
transaction per batch) and their rule suggestions become rule decisions of the protocol at the
title-abstract stage, awaiting a human. Records deleted by an update file are deleted from the
store, and the stored patients extracted from them are named.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from caseseries.model.publication import Publication
from caseseries.scan.run import ScanSummary
from caseseries.screening.decisions import RULES_ACTOR, DecisionLog, NewDecision, Role
from caseseries.screening.protocol import Decision, Stage, load_protocol
from caseseries.sources.importer import Deletion, ImportItem, Record
from caseseries.sources.ingest import import_items
from caseseries.store import Store


@dataclass
class StoreLoad:
    """What loading a scan into the store did.

    Attributes
    ----------
    stored : int
        Candidate records added or updated.
    decisions : int
        Rule decisions recorded or changed.
    deleted : int
        Records removed because an update file deleted them.
    orphaned_patients : list of str
        Stored patients (``id: label``) whose record was deleted.
    """

    stored: int = 0
    decisions: int = 0
    deleted: int = 0
    orphaned_patients: list[str] = field(default_factory=list)


def _candidates(folder: Path, current: dict[str, str]) -> Iterator[Record]:
    stems = sorted(set(current.values()))
    for stem in stems:
        table = pq.read_table(folder / f"{stem}.candidates.parquet", columns=["key", "version", "publication"])
        for key, version, text in zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True):
            if current.get(key) == stem:
                pub = Publication.model_validate_json(text)
                yield Record(pub, source=pub.source_path or stem, location=f"scan {stem}", version=version)


def load_into_store(store: Store, folder: str | Path, summary: ScanSummary, protocol: str) -> StoreLoad:
    """Store the current candidates of a scan and their rule decisions; apply its deletions.

    Parameters
    ----------
    store : Store
        The store to load into (migrated).
    folder : str or Path
        The scan's output folder.
    summary : ScanSummary
        The summary :func:`caseseries.scan.run.run_scan` returned for that folder.
    protocol : str
        The scan's protocol.

    Returns
    -------
    StoreLoad
        Counts, and the stored patients whose records were deleted.
    """
    out = Path(folder)
    proto = load_protocol(protocol)
    load = StoreLoad()
    deleted = {f"pmid:{p}" for p in _deleted_pmids(out)} - set(summary.current)
    stored_keys = {k for k in deleted if store.has_publication(k)}
    if stored_keys:  # read the stored patients only when a stored record is to be deleted
        load.orphaned_patients = [
            f"{sp.id}: {sp.patient.label}" for sp in store.patients() if sp.publication_key in stored_keys
        ]
    items: list[ImportItem] = [Deletion(k.removeprefix("pmid:"), "scan", "update") for k in sorted(stored_keys)]
    report = import_items(items, store)
    load.deleted = report.deleted
    report = import_items(_candidates(out, summary.current), store)
    load.stored = report.added + report.updated
    decisions = []
    for stem in sorted(set(summary.current.values())):
        table = pq.read_table(out / f"{stem}.suggestions.parquet", columns=["key", "decision", "rule_id", "reason"])
        columns = (table.column(c).to_pylist() for c in table.column_names)
        for key, decision, rule_id, reason in zip(*columns, strict=True):
            if summary.current.get(key) == stem:
                decisions.append(
                    NewDecision(key, Stage.TITLE_ABSTRACT, Decision(decision), Role.RULE, RULES_ACTOR, rule_id, reason)
                )
    load.decisions = DecisionLog(store, proto.name).record_many(decisions, via="scan")
    return load


def _deleted_pmids(folder: Path) -> list[str]:
    pmids: list[str] = []
    for path in sorted(folder.glob("*.deletions.parquet")):
        pmids.extend(str(p) for p in pq.read_table(path, columns=["pmid"]).column("pmid").to_pylist())
    return pmids
