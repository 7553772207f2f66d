"""Use case: the evidence report of the stored case series, with the provenance of its search and screening."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from caseseries.analysis.cohort import Cohort
from caseseries.app.duplicates import merge_sentence, pooled_series
from caseseries.model.casejson import CaseDocument
from caseseries.report.build import ReportResult, build_report, parse_formats
from caseseries.report.methods import Provenance, extraction_key
from caseseries.screening import PrismaCounts, load_protocol, prisma_counts
from caseseries.store import Store

__all__ = ["parse_formats", "provenance", "screening_provenance", "write_report"]


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
    """The provenance of the report: searches, extractor of each patient, a protocol's PRISMA flow.

    ``protocol`` is a review protocol file or shipped name; without one there is no screening flow.
    """
    extraction = {
        extraction_key(CaseDocument(source=sp.source), sp.patient.label): (sp.extractor, sp.ruleset_version)
        for sp in store.cases.iter_patients()
        if sp.extractor
    }
    searches = [s for _, s in store.searches()]
    if protocol is None:
        return Provenance(searches=searches, extraction=extraction)
    counts = prisma_counts(store, load_protocol(protocol))
    return Provenance(
        searches=searches,
        extraction=extraction,
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
    """Write the evidence report of every stored case to folder ``out`` (see :func:`build_report`).

    Linked duplicate patients are pooled once, the kept one citing every report; the methods say so.
    """
    prov = provenance(store, protocol)
    series = pooled_series(store)
    if series.merged:
        note = f"Duplicate patients: {merge_sentence(series.merged_duplicates, len(series.merged))} after review."
        prov = replace(prov, notes=[*prov.notes, note])
    return build_report(series.case_file, out, formats=formats, cohort=cohort, provenance=prov, force=force)
