"""The one entry point of reference checking: read a manuscript, resolve, compare, give verdicts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from caseseries.errors import InputError
from caseseries.references.check import Progress, RecordSource, check_references
from caseseries.references.index import RecordIndex
from caseseries.references.model import CheckResult, Verdict
from caseseries.references.reader import read_references
from caseseries.references.records import load_records
from caseseries.sources.importer import Skip

if TYPE_CHECKING:
    from caseseries.sources.eutils import EutilsClient


@dataclass
class ReferenceReport:
    """The results of checking one manuscript."""

    source: str
    results: list[CheckResult]
    records: int = 0
    skipped_records: list[Skip] = field(default_factory=list)
    online: bool = False

    @property
    def has_problems(self) -> bool:
        """Whether any reference is a mismatch, not found, lookup_failed or unparsed (exit code 1)."""
        return any(r.verdict.is_problem for r in self.results)

    def count(self, verdict: Verdict) -> int:
        """Number of references with ``verdict``."""
        return sum(1 for r in self.results if r.verdict is verdict)


def check_file(
    path: str | Path,
    *,
    records: Sequence[str] = (),
    offline: bool = False,
    client: EutilsClient | None = None,
    fail_fast: bool = False,
    progress: Progress | None = None,
) -> ReferenceReport:
    """Check every reference of a manuscript or reference file.

    Parameters
    ----------
    path : str or Path
        Manuscript or reference list (text/Markdown), BibTeX or RIS.
    records : sequence of str
        Local records: PubMed XML / MEDLINE / RIS files or database URLs. They are consulted first.
    offline : bool
        Never touch the network; requires ``records``.
    client : EutilsClient or None
        The E-utilities client for online checks (a default client is made when None).
    fail_fast : bool
        Ask PubMed once before the first reference goes to it, and stop at the first network failure with a
        :class:`~caseseries.errors.NetworkError` saying the references were not checked (instead
        of marking them ``lookup_failed``).
    progress : callable or None
        ``progress(done, total, where)`` after each reference checked.

    Returns
    -------
    ReferenceReport

    Raises
    ------
    InputError
        Unreadable or empty input, or ``offline`` without ``records``.
    NetworkError
        With ``fail_fast``, when PubMed cannot be reached.
    """
    if offline and not records:
        raise InputError(
            "--offline needs local records to check against; add --records FILE (PubMed XML, MEDLINE "
            "text or a database URL), or drop --offline to check against PubMed",
            location="--offline",
        )
    refs = read_references(path)
    sources: list[tuple[RecordSource, str]] = []
    load = load_records(records) if records else None
    if load is not None:
        sources.append((RecordIndex(load.publications), "the local records"))
    own_client = None
    if not offline:
        from caseseries.references.online import EutilsSource
        from caseseries.sources.eutils import EutilsClient

        if client is None:
            client = own_client = EutilsClient()
        sources.append((EutilsSource(client, probe=fail_fast), "PubMed"))
    try:
        results = check_references(refs, sources, fail_fast=fail_fast, progress=progress)
    finally:
        if own_client is not None:
            own_client.close()
    return ReferenceReport(
        source=str(path),
        results=results,
        records=len(load.publications) if load else 0,
        skipped_records=load.skipped if load else [],
        online=not offline,
    )
