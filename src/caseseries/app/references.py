"""Use case ``refs check``: verify a manuscript's references against local records and PubMed.

The adapters give the file, the local records, how to reach E-utilities (unless offline) and a
progress callback; this builds the E-utilities client, runs the check and returns a result that
owns its JSON form, its Markdown report and its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caseseries.references.check import Progress
from caseseries.references.render import render_markdown, render_table, report_json
from caseseries.references.run import ReferenceReport, check_file

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True)
class ReferenceCheck:
    """The verdicts on one manuscript's references."""

    report: ReferenceReport

    @property
    def has_problems(self) -> bool:
        """Whether a reference is a mismatch, not found, lookup_failed or unparsed (exit code 1)."""
        return self.report.has_problems

    def warnings(self) -> list[str]:
        """One line per local record that could not be read (the check went on without it)."""
        return [f"record skipped: {skip}" for skip in self.report.skipped_records]

    def to_json(self) -> dict[str, Any]:
        """Every reference with its verdict, and the counts per verdict (``--format json``)."""
        return report_json(self.report.results)

    def markdown(self) -> str:
        """The Markdown report: counts, one row per reference, the problems in detail (``--format md``)."""
        return render_markdown(self.report.results, source=self.report.source)

    def table(self) -> Table:
        """The table of references, verdicts, differences and matched records (``--format table``)."""
        return render_table(self.report.results)


def check_manuscript(
    path: str | Path,
    records: Sequence[str] = (),
    *,
    offline: bool = False,
    api_key: str | None = None,
    email: str | None = None,
    base_url: str | None = None,
    progress: Progress | None = None,
) -> ReferenceCheck:
    """Check every reference of a manuscript, stopping at the first failure to reach PubMed.

    ``path`` is a manuscript or reference list (text/Markdown), BibTeX or RIS; the local
    ``records`` (PubMed XML / MEDLINE / RIS files or database URLs) are consulted first;
    ``offline`` checks against them alone. Otherwise E-utilities is reached at ``base_url``
    (None: NCBI's) with the ``api_key`` and ``email`` NCBI asks for. ``progress(done, total,
    where)`` is called after each reference checked.

    Raises
    ------
    InputError
        Unreadable or empty input, or ``offline`` without ``records``.
    NetworkError
        When PubMed cannot be reached.
    """
    if offline:
        return ReferenceCheck(check_file(path, records=records, offline=True, fail_fast=True, progress=progress))
    from caseseries.sources.eutils import DEFAULT_BASE_URL, EutilsClient

    with EutilsClient(base_url or DEFAULT_BASE_URL, api_key=api_key, email=email) as client:
        report = check_file(path, records=records, client=client, fail_fast=True, progress=progress)
    return ReferenceCheck(report)
