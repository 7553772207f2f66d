"""Run a scan: files as tasks on a Dask cluster, results per file, one summary of the current state.

Every input file is one task (:func:`caseseries.scan.task.scan_file`) on ``dask.distributed``:
a ``LocalCluster`` sized to the machine by default, or an existing scheduler. Dask re-runs the
task of a worker that dies; a task that fails is reported with its file and reason while the
other files complete. The client records each finished file in the manifest, so a killed scan
resumes where it stopped.

Files are applied in the order of their names (the annual baseline, then the daily updates): a
record read again in a later file replaces the earlier version, and a ``DeleteCitation`` removes
the record. The summary counts the candidates and patients of the records as they stand after
every file has been applied, so its numbers are the same whatever the number of workers.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq

from caseseries.errors import InputError
from caseseries.scan.manifest import Manifest
from caseseries.scan.task import FileResult, output_name, scan_file

if TYPE_CHECKING:
    from dask.distributed import LocalCluster

INPUT_SUFFIXES = (".xml", ".xml.gz")
"""File names read from a folder given as input."""

NANNY_CONFIG: dict[str, Any] = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
"""Dask settings of the nannies of the local cluster a scan starts (read as each is created).

Dask starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536``; setting it at all also fixes
glibc's mmap threshold at 128 KiB, so each large buffer a file's batches need is mapped, faulted
in and unmapped again: 1.4 CPU-s of system time more per 30,000-record file, for the same peak
RSS. The workers keep glibc's defaults instead.
"""

WORKER_CONFIG: dict[str, Any] = {"distributed.worker.profile.enabled": False}
"""Dask settings the nannies hand to each worker they start, the first one and any restarted one.

The statistical profiler (a sample of the task's stack every 10 ms) only feeds the dashboard,
which the local cluster does not start.
"""


@dataclass
class ScanSummary:
    """What a scan found, over every file of the scan (including files done in earlier runs).

    Attributes
    ----------
    files : int
        Files scanned completely.
    records : int
        Records read in those files (a revised record counts once per file it appears in).
    candidates : int
        Records the rules suggest including, as they stand after updates and deletions.
    patients, lines : int
        Patients extracted from those candidates, and their therapy lines.
    skipped : int
        Records that could not be read (named in the per-file manifest entries).
    deletions : int
        ``DeleteCitation`` entries applied.
    deleted_with_patients : list of str
        PMIDs deleted by an update file whose earlier version had extracted patients.
    failed_files : list of dict
        Files whose task failed: ``{"file": ..., "reason": ...}``.
    resumed : int
        Files taken from the manifest of an earlier run instead of scanned again.
    """

    files: int = 0
    records: int = 0
    candidates: int = 0
    patients: int = 0
    lines: int = 0
    skipped: int = 0
    deletions: int = 0
    deleted_with_patients: list[str] = field(default_factory=list)
    failed_files: list[dict[str, str]] = field(default_factory=list)
    resumed: int = 0
    current: dict[str, str] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        """The summary as a JSON-ready dict (the ``--json`` output of ``caseseries scan``)."""
        return {
            "files": self.files,
            "records": self.records,
            "candidates": self.candidates,
            "patients": self.patients,
            "lines": self.lines,
            "skipped": self.skipped,
            "deletions": self.deletions,
            "deleted_with_patients": self.deleted_with_patients,
            "failed_files": self.failed_files,
            "resumed": self.resumed,
        }


def expand_inputs(inputs: Iterable[str]) -> list[str]:
    """The files to scan: files as given, folders as their ``*.xml``/``*.xml.gz`` files; name order.

    Raises
    ------
    InputError
        If an input does not exist, a folder holds no such file, or two inputs share an output name.
    """
    files: list[str] = []
    for item in inputs:
        if "://" in item:
            files.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            found = sorted(str(f) for f in p.iterdir() if f.is_file() and f.name.lower().endswith(INPUT_SUFFIXES))
            if not found:
                raise InputError("the folder holds no .xml or .xml.gz file; give PubMed XML files", source=item)
            files.extend(found)
        elif p.is_file():
            files.append(str(p))
        else:
            raise InputError("no such file or folder; check the path", source=item)
    by_stem: dict[str, str] = {}
    for f in files:
        stem = output_name(f)
        if stem in by_stem and by_stem[stem] != f:
            raise InputError(
                f"two inputs have the output name {stem!r} ({by_stem[stem]}); scan them separately", source=f
            )
        by_stem[stem] = f
    return sorted(by_stem.values(), key=lambda f: output_name(f))


Progress = Callable[[int, int, str], None]
"""Told ``(done, total, file)`` each time a file finishes."""


def local_cluster(workers: int) -> LocalCluster:
    """The local Dask cluster of a scan: ``workers`` processes of one thread, no dashboard.

    Its nannies are created with :data:`NANNY_CONFIG`, its workers run with :data:`WORKER_CONFIG`.
    """
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set(NANNY_CONFIG):
        return LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.CRITICAL,
            config=WORKER_CONFIG,  # not dask.config.set: a nanny keeps the client's config as it is at a restart
        )


def _run_tasks(
    todo: list[str],
    protocol: str,
    out_dir: Path,
    manifest: Manifest,
    summary: ScanSummary,
    *,
    workers: int | None,
    scheduler: str | None,
    progress: Progress | None,
    total: int,
) -> None:
    if not todo:
        return
    if workers == 0 and scheduler is None:  # in this process, one file after another
        for path in todo:
            try:
                manifest.add(scan_file(path, protocol, str(out_dir)))
            except Exception as err:  # a file that fails is reported; the rest complete
                summary.failed_files.append({"file": path, "reason": f"{err.__class__.__name__}: {err}"})
            if progress:
                progress(len(manifest.done), total, path)
        return
    from dask.distributed import Client, as_completed

    cluster = local_cluster(workers or os.cpu_count() or 1) if scheduler is None else None
    try:
        with Client(scheduler if scheduler is not None else cluster) as client:  # type: ignore[no-untyped-call]
            futures = client.map(scan_file, todo, protocol_ref=protocol, out_dir=str(out_dir.resolve()), pure=False)
            paths = {f.key: p for f, p in zip(futures, todo, strict=True)}
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                path = paths[future.key]
                try:
                    manifest.add(future.result())
                except Exception as err:
                    summary.failed_files.append({"file": path, "reason": f"{err.__class__.__name__}: {err}"})
                if progress:
                    progress(len(manifest.done), total, path)
    finally:
        if cluster is not None:
            cluster.close()


def _consolidate(out_dir: Path, results: list[FileResult], summary: ScanSummary) -> None:
    """Apply the files in order: later versions replace earlier ones, deletions remove records."""
    current: dict[str, tuple[str, int]] = {}  # key -> (file stem, patients)
    had_patients: dict[str, bool] = {}
    for r in results:
        summary.files += 1
        summary.records += r.records
        summary.skipped += r.skipped
        summary.deletions += r.deletions
        patients: dict[str, int] = {}
        for key in pq.read_table(out_dir / f"{r.name}.patients.parquet", columns=["key"]).column("key").to_pylist():
            patients[key] = patients.get(key, 0) + 1
        for key in pq.read_table(out_dir / f"{r.name}.records.parquet", columns=["key"]).column("key").to_pylist():
            current.pop(key, None)  # a newer version: its own screening decides
        for key in pq.read_table(out_dir / f"{r.name}.candidates.parquet", columns=["key"]).column("key").to_pylist():
            current[key] = (r.name, patients.get(key, 0))
            had_patients[key] = had_patients.get(key, False) or patients.get(key, 0) > 0
        for pmid in pq.read_table(out_dir / f"{r.name}.deletions.parquet", columns=["pmid"]).column("pmid").to_pylist():
            key = f"pmid:{pmid}"
            current.pop(key, None)
            if had_patients.pop(key, False):
                summary.deleted_with_patients.append(str(pmid))
    summary.candidates = len(current)
    summary.current = {k: stem for k, (stem, _) in current.items()}
    for stem in {s for s, _ in current.values()}:
        table = pq.read_table(out_dir / f"{stem}.lines.parquet", columns=["key"])
        summary.lines += sum(1 for k in table.column("key").to_pylist() if summary.current.get(k) == stem)
    summary.patients = sum(n for _, n in current.values())


def run_scan(
    inputs: Iterable[str],
    protocol: str,
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> ScanSummary:
    """Scan files with a protocol, resuming an earlier scan in the same folder.

    Parameters
    ----------
    inputs : iterable of str
        Files, folders (their ``*.xml``/``*.xml.gz``) or fsspec URLs.
    protocol : str
        A protocol file or shipped protocol name.
    out_dir : str or Path
        Where the Parquet tables and the manifest go.
    workers : int or None
        Workers of the local cluster (default: one per core); ``0`` scans in this process.
    scheduler : str or None
        Address of an existing Dask scheduler (``tcp://host:8786``) instead of a local cluster.
    progress : callable or None
        Told ``(done, total, file)`` as files finish.

    Returns
    -------
    ScanSummary
        The counts over every file of the scan.
    """
    from caseseries.screening.protocol import load_protocol

    if workers is not None and workers < 0:
        raise InputError(f"--workers must be 0 or more, not {workers}", location="--workers")
    load_protocol(protocol)  # a bad protocol fails here, before any worker starts
    files = expand_inputs(inputs)
    folder = Path(out_dir)
    manifest = Manifest.open(folder, protocol)
    folder.mkdir(parents=True, exist_ok=True)
    summary = ScanSummary()
    todo = [f for f in files if not manifest.is_done(f, output_name(f))]
    summary.resumed = len(files) - len(todo)
    if progress:
        progress(summary.resumed, len(files), "")
    _run_tasks(
        todo,
        protocol,
        folder,
        manifest,
        summary,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        total=len(files),
    )
    _consolidate(folder, manifest.results([output_name(f) for f in files]), summary)
    return summary
