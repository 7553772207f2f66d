"""The methods paragraph of the report: counts, statistics and, when known, search and screening."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from caseseries.analysis.cohort import Selection
from caseseries.model.publication import SearchRecord

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
    """

    searches: Sequence[SearchRecord] = field(default_factory=list)
    screening: Mapping[str, int] | None = None
    notes: Sequence[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        """True when there is nothing to say."""
        return not self.searches and not self.screening and not self.notes


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


def methods_paragraphs(selection: Selection, provenance: Provenance | None = None) -> list[str]:
    """The methods section: provenance (when known), the case series counts and the statistics.

    Parameters
    ----------
    selection : Selection
        The cohort reported.
    provenance : Provenance or None
        Search and screening records; omitted from the text when None.
    """
    units = selection.units
    n_resp = sum(1 for u in units if u.line.best_response is not None)
    n_pfs = sum(1 for u in units if u.line.pfs_months is not None)
    paragraphs = []
    prov = provenance_paragraph(provenance)
    if prov:
        paragraphs.append(prov)
    paragraphs.append(
        f"The case series comprises {selection.n_patients} patients from {selection.n_documents} source documents "
        f"({selection.cohort.describe()}), with {len(units)} lines of systemic therapy; a best response category was "
        f"reported for {n_resp} lines and a progression-free duration for {n_pfs}. Each patient was curated from the "
        "published text (tables, case descriptions and cited references); responses are the categories the authors "
        "reported (CR, PR, SD, PD, NE), and vague statements were kept as written without a category."
    )
    paragraphs.append(
        "The objective response rate (CR + PR) and the disease control rate (CR + PR + SD) are given over evaluable "
        "lines (CR, PR, SD or PD) with exact Clopper–Pearson 95% confidence intervals; lines not evaluable or without "
        "a reported response are counted separately. Progression-free survival was estimated with the Kaplan–Meier "
        "method (lifelines), censoring lines reported as ongoing; lines with a duration but no statement of how they "
        "ended are excluded from the curves and counted as censoring unknown. Medians are given with 95% confidence "
        "intervals from the log-log transformed pointwise band, groups are compared with the log-rank test, and a "
        "published benchmark median is shown for context only. Pooled published cases are subject to selection and "
        "reporting bias; the numbers describe the literature, not the expected outcome of a treatment."
    )
    return paragraphs
