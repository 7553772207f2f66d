"""What an import run reports (:class:`ImportReport`) and remembers across its files (:class:`RunState`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from caseseries.sources.dedup import Merge
from caseseries.sources.importer import Record, Skip

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


def older_version(item: Record, report: ImportReport, state: RunState) -> bool:
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
