"""The methods section of the report: what was actually done, with its counts.

Search and screening (when a protocol was given), how the patients were extracted (the
extractor and rule-set version recorded on them), how many a person reviewed, how many duplicate
patients were merged (when that is known), the curation rule for PFS and the statistics with
their minimum group sizes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from caseseries.analysis.cohort import Selection
from caseseries.analysis.limits import min_groups
from caseseries.model.casejson import CaseDocument
from caseseries.model.enums import CurationStatus
from caseseries.model.publication import SearchRecord
from caseseries.report.grammar import count, verb

STATEMENT = (
    "This report summarises published case reports and literature tables. It reports evidence; it does not "
    "give treatment advice and must not be read as a recommendation for any patient."
)

PRISMA_LABELS = {
    "identified": "records identified",
    "duplicates_removed": "duplicates removed",
    "screened": "records screened",
    "excluded": "records excluded",
    "full_text_assessed": "full texts assessed",
    "included_studies": "studies included",
    "included_patients": "patients included",
}


@dataclass(frozen=True)
class Provenance:
    """Where the case series came from, for the methods paragraph.

    Attributes
    ----------
    searches : list of SearchRecord
        Literature searches as run (query, date, hit count).
    screening : mapping or None
        Screening counts, e.g. PRISMA 2020 keys ``identified``, ``duplicates_removed``, ``screened``,
        ``excluded``, ``full_text_assessed``, ``included_studies``, ``included_patients``.
    notes : list of str
        Further sentences (e.g. the review protocol's name).
    extraction : mapping
        ``{(document key, patient label): (extractor, rule-set version)}`` as recorded on the stored
        patients (see :func:`extraction_key`); patients not in it count as curated by hand.
    merged_duplicates : int or None
        Duplicate patients merged into one (None when not known).
    """

    searches: Sequence[SearchRecord] = field(default_factory=list)
    screening: Mapping[str, int] | None = None
    notes: Sequence[str] = field(default_factory=list)
    extraction: Mapping[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)
    merged_duplicates: int | None = None

    def is_empty(self) -> bool:
        """True when there is no search or screening to describe."""
        return not self.searches and not self.screening and not self.notes


def extraction_key(doc: CaseDocument, label: str) -> tuple[str, str]:
    """The key of a patient in :attr:`Provenance.extraction`: its document's key and its label."""
    return (doc.key(), label)


def _search_sentence(s: SearchRecord) -> str:
    when = s.run_at[:10]
    limits = ""
    if s.mindate or s.maxdate:
        limits = f", publication dates {s.mindate or '…'} to {s.maxdate or '…'}"
    return f'{s.database.capitalize() if s.database != "pubmed" else "PubMed"} was searched on {when} with the query ' \
        f'"{s.query}"{limits} ({s.count} records).'  # fmt: skip


def provenance_paragraph(provenance: Provenance | None) -> str | None:
    """Sentences on the search and screening, or None without provenance."""
    if provenance is None or provenance.is_empty():
        return None
    parts = [_search_sentence(s) for s in provenance.searches]
    if provenance.screening:
        counts = [
            f"{provenance.screening[k]} {label}" for k, label in PRISMA_LABELS.items() if k in provenance.screening
        ]
        extra = [f"{v} {k.replace('_', ' ')}" for k, v in provenance.screening.items() if k not in PRISMA_LABELS]
        parts.append("Screening (PRISMA 2020): " + "; ".join(counts + extra) + ".")
    parts.extend(provenance.notes)
    return " ".join(parts)


def curation_paragraph(selection: Selection, provenance: Provenance | None, merged: int | None) -> str:
    """How the patients were obtained: extractor and rule set recorded on them, reviewed or not, duplicates merged."""
    extraction = provenance.extraction if provenance else {}
    tools: Counter[str] = Counter()
    by_status: Counter[CurationStatus] = Counter()
    for _, doc, patient in selection.patients:
        by_status[patient.curation_status] += 1
        extractor, ruleset = extraction.get(extraction_key(doc, patient.label), (None, None))
        if extractor:
            tools[extractor + (f" (rule set {ruleset})" if ruleset else "")] += 1
    n = selection.n_patients
    unreviewed = by_status[CurationStatus.EXTRACTED]
    reviewed = by_status[CurationStatus.REVIEWED]
    curated = by_status[CurationStatus.CURATED]
    parts = [
        f"Curation status of the {count(n, 'patient')}: curated by hand {curated}; extracted and then reviewed by a "
        f"person {reviewed}; extracted automatically and not yet reviewed {unreviewed} (marked \"unreviewed\" "
        "wherever the patient appears)"
        + (f"; rejected by a reviewer {by_status[CurationStatus.REJECTED]}." if by_status[CurationStatus.REJECTED]
           else ".")
    ]
    if tools:
        used = "; ".join(f"{name}: {count(k, 'patient')}" for name, k in sorted(tools.items()))
        parts.append(f"Extraction recorded on the patients: {used}.")
    if merged is not None:
        parts.append(
            f"{count(merged, 'duplicate patient')} (one person reported in more than one source) "
            f"{verb(merged)} merged and counted once."
        )
    return " ".join(parts)


def pfs_rule_paragraph(unknown: int, missing: int) -> str:
    """The curation rule for PFS and the lines it leaves off the curves."""
    return (
        "Curation rule for progression-free survival: a line is placed on a Kaplan–Meier curve only when the source "
        "gives its duration and says whether it ended with progression (an event) or was ongoing at last report "
        "(censored). A duration given without a progression status (for example \"stable disease for 6 months\") "
        "is recorded with censoring unknown and left off the curves. "
        f"Lines excluded from PFS: {unknown} (duration without progression status); "
        f"{missing} more had no PFS reported."
    )


def methods_paragraphs(
    selection: Selection,
    provenance: Provenance | None = None,
    *,
    merged: int | None = None,
    pfs_unknown: int = 0,
    pfs_missing: int = 0,
) -> list[str]:
    """The methods section: search and screening (when known), curation, the PFS rule and the statistics.

    Parameters
    ----------
    selection : Selection
        The cohort reported.
    provenance : Provenance or None
        Search, screening and extraction records; the search sentence is omitted when None.
    merged : int or None
        Duplicate patients merged (the sentence is omitted when None).
    pfs_unknown, pfs_missing : int
        Lines left off the PFS curves: duration without progression status; no PFS reported.
    """
    units = selection.units
    n_resp = sum(1 for u in units if u.line.best_response is not None)
    n_pfs = sum(1 for u in units if u.line.pfs_months is not None)
    limits = min_groups()
    paragraphs = []
    prov = provenance_paragraph(provenance)
    if prov:
        paragraphs.append(prov)
    paragraphs.append(
        f"The case series comprises {count(selection.n_patients, 'patient')} from "
        f"{count(selection.n_documents, 'source document')} ({selection.cohort.describe()}), with "
        f"{count(len(units), 'line')} of systemic therapy; a best response category was reported for "
        f"{count(n_resp, 'line')} and a progression-free duration for {n_pfs}. Each patient was curated from the "
        "published text (tables, case descriptions and cited references); responses are the categories the authors "
        "reported (CR, PR, SD, PD, NE), and vague statements were kept as written without a category."
    )
    paragraphs.append(curation_paragraph(selection, provenance, merged))
    paragraphs.append(pfs_rule_paragraph(pfs_unknown, pfs_missing))
    paragraphs.append(
        "Counts of responses and PFS are lines of therapy (a patient contributes one line per treatment). The "
        "objective response rate (CR + PR) and the disease control rate (CR + PR + SD) are given over evaluable "
        "lines (CR, PR, SD or PD), each with its fraction, the lines left out of the denominator (not evaluable or "
        "without a reported response) and an exact Clopper–Pearson 95% confidence interval. Progression-free "
        "survival was estimated with the Kaplan–Meier method (lifelines), censoring lines reported as ongoing. "
        "Medians are given with 95% confidence intervals from the log-log transformed pointwise band, groups are "
        "compared with the log-rank test, and a published benchmark median is shown for context only. No statistic "
        f"is computed on groups too small to mean anything: a log-rank test needs {limits.logrank_lines_per_group} "
        f"or more lines on the curve in each group compared, a median {limits.km_median_lines} or more, and a "
        f"confidence interval of a rate {limits.rate_ci_evaluable} or more evaluable lines; below that the report "
        "says \"not computed\". Pooled published cases are subject to selection and reporting bias; the numbers "
        "describe the literature, not the expected outcome of a treatment."
    )
    return paragraphs
