"""Use case: the evidence report of the stored case series, with the provenance of its search and screening."""

from __future__ import annotations

from pathlib import Path

from caseseries.analysis.cohort import Cohort
from caseseries.report.build import ReportResult, build_report
from caseseries.report.methods import Provenance
from caseseries.screening import PrismaCounts, load_protocol, prisma_counts
from caseseries.store import Store


def screening_provenance(counts: PrismaCounts) -> dict[str, int]:
    """The PRISMA 2020 counts the methods paragraph reports (:attr:`Provenance.screening`)."""
    return {
        "identified": counts.identified,
        "duplicates_removed": counts.duplicates,
        "screened": counts.records_screened,
        "excluded": counts.records_excluded,
        "full_text_assessed": counts.reports_assessed,
        "included_studies": counts.included_studies,
        "included_patients": counts.included_patients,
    }


def provenance(store: Store, protocol: str | None = None) -> Provenance:
    """The stored searches and, with a review ``protocol`` (file or shipped name), its PRISMA flow."""
    searches = [s for _, s in store.searches()]
    if protocol is None:
        return Provenance(searches=searches)
    counts = prisma_counts(store, load_protocol(protocol))
    return Provenance(
        searches=searches,
        screening=screening_provenance(counts),
        notes=[f"Review protocol '{counts.protocol}': {counts.methods_sentence()}"],
    )


def write_report(
    store: Store,
    out: Path,
    *,
    formats: tuple[str, ...],
    cohort: Cohort,
    protocol: str | None = None,
    force: bool = False,
) -> ReportResult:
    """Write the evidence report of every stored case to folder ``out`` (see :func:`build_report`)."""
    return build_report(
        store.case_file(), out, formats=formats, cohort=cohort, provenance=provenance(store, protocol), force=force
    )
