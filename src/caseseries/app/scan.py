"""Use case: scan PubMed files with a protocol on Dask, and load the candidates into the store.

The result owns its JSON form (``caseseries scan --json``) and its lines of text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from caseseries.scan import ScanSummary, StoreLoad
    from caseseries.scan.run import Progress
    from caseseries.store import Store


@dataclass(frozen=True)
class Scan:
    """A scan: where its tables are, what it found, and what loading it into the store did.

    Attributes
    ----------
    out : Path
        The scan's output folder.
    protocol : str
        The protocol it screened with (file or shipped name).
    summary : ScanSummary
        The counts over every file of the scan.
    load : StoreLoad or None
        What loading the candidates into the store did (None when they were not loaded).
    """

    out: Path
    protocol: str
    summary: ScanSummary
    load: StoreLoad | None = None

    @property
    def incomplete(self) -> bool:
        """Whether a file failed or records were skipped (``caseseries scan`` exits with 1)."""
        return bool(self.summary.failed_files or self.summary.skipped)

    def to_json(self) -> dict[str, Any]:
        """The scan as JSON-ready data: the summary, and ``store`` when it was loaded."""
        data = self.summary.to_json()
        if self.load is not None:
            data["store"] = {
                "stored": self.load.stored,
                "decisions": self.load.decisions,
                "deleted": self.load.deleted,
                "orphaned_patients": self.load.orphaned_patients,
            }
        return data

    def report(self) -> list[tuple[str, bool]]:
        """The scan as lines of text, in order, each with whether it is a warning (for standard error).

        The counts; the failed files and the deleted records that had patients; what loading the
        store did, and the stored patients whose record was deleted.
        """
        s = self.summary
        out = [
            (
                f"{s.files} files ({s.resumed} from an earlier run), {s.records:,} records, "
                f"{s.candidates:,} candidates, {s.patients:,} patients, {s.skipped:,} skipped; tables in {self.out}",
                False,
            )
        ]
        out += [(f"Failed: {f['file']}: {f['reason']}", True) for f in s.failed_files]
        out += [
            (f"Deleted by an update file, with extracted patients: PMID {p}", True) for p in s.deleted_with_patients
        ]
        if self.load is not None:
            load = self.load
            out.append(
                (f"Store: {load.stored} records stored, {load.decisions} rule decisions, {load.deleted} deleted", False)
            )
            out += [(f"Stored patient whose record was deleted: {p}", True) for p in load.orphaned_patients]
        return out


def scan_files(
    inputs: Iterable[str],
    protocol: str,
    out: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> Scan:
    """Scan files with a protocol (see :func:`caseseries.scan.run_scan`), resuming a scan in ``out``."""
    from caseseries.scan import run_scan

    summary = run_scan(inputs, protocol, out, workers=workers, scheduler=scheduler, progress=progress)
    return Scan(out, protocol, summary)


def load_scan(store: Store, scan: Scan) -> Scan:
    """Load the scan's current candidates and rule decisions into ``store``, apply its deletions."""
    from caseseries.scan import load_into_store

    return replace(scan, load=load_into_store(store, scan.out, scan.summary, scan.protocol))
