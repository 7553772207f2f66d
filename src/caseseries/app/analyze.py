"""Use cases ``analyze`` (pooled response and PFS of a cohort) and ``similar`` (comparable published patients).

Each returns a result that owns its JSON form (``--json``) and its lines of text, so that every
adapter shows the same numbers with the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caseseries.analysis.cohort import Cohort
from caseseries.analysis.duplicates import MergedPatient
from caseseries.analysis.limits import min_groups, not_computed
from caseseries.analysis.sequencing import SimilarPatient, line_text, similar
from caseseries.analysis.summary import Analysis, analyze
from caseseries.app.duplicates import merge_sentence, pooled_series
from caseseries.choices import GROUPINGS
from caseseries.errors import InputError
from caseseries.report.grammar import count
from caseseries.report.methods import STATEMENT
from caseseries.report.tables import median_ci, rate_cell
from caseseries.store import Store


@dataclass(frozen=True)
class CohortAnalysis:
    """The analysis of a cohort of the pooled series (linked duplicates merged), with what was merged."""

    cohort: Cohort
    by: str | None
    result: Analysis
    merges: list[MergedPatient]

    @property
    def merged_duplicates(self) -> int:
        """How many duplicate reports were merged into the cohort's patients."""
        return sum(len(m.merged) for m in self.merges)

    def to_json(self) -> dict[str, Any]:
        """Every number as JSON-ready data (``analyze --json``)."""
        merged = [m.to_dict() for m in self.merges]
        return {**self.result.to_dict(), "merged_duplicates": self.merged_duplicates, "merged": merged}

    def lines(self) -> list[str]:
        """The analysis as text: the cohort, one line per group, the log-rank test and the statement."""
        result, sel = self.result, self.result.selection
        merged_text = f" ({merge_sentence(self.merged_duplicates, len(self.merges))})" if self.merges else ""
        out = [
            f"Cohort: {self.cohort.describe()} - {count(sel.n_patients, 'patient')}{merged_text}, "
            f"{count(len(sel.units), 'line')}."
        ]
        rows = [("all", result.response, result.pfs)] + [(g.name, g.response, g.pfs) for g in result.groups]
        for name, r, p in rows:
            out.append(
                f"{name}: {count(r.n, 'line')}: CR {r.CR}, PR {r.PR}, SD {r.SD}, PD {r.PD}, NE {r.NE}, not reported "
                f"{r.missing}; ORR {rate_cell(r, 'orr')}, DCR {rate_cell(r, 'dcr')} "
                f"over {count(r.evaluable, 'evaluable line')}; "
                f"PFS {count(p.km.n, 'line')} on the curve, events {p.km.events}, censored {p.km.censored}, censoring "
                f"unknown {p.censoring_unknown}, median {median_ci(p)}"
                + (" months" if p.km.n >= min_groups().km_median_lines else "")
            )
        if result.logrank:
            t = result.logrank
            out.append(f"Log-rank: chi-square {t.statistic:.2f}, df {t.df}, p = {t.p_value:.3g}")
        elif self.by is not None:
            out.append(
                f"Log-rank: {not_computed(min_groups().logrank_lines_per_group)} lines on the curve in two groups"
            )
        out.append(STATEMENT)
        return out


def check_grouping(by: str | None) -> None:
    """Refuse an unknown grouping, listing the allowed ones (before any database is opened)."""
    if by is not None and by not in GROUPINGS:
        raise InputError(f"unknown grouping {by!r}; use one of: {', '.join(GROUPINGS)}", location="--by")


def analyze_cohort(store: Store, cohort: Cohort, *, by: str | None = None) -> CohortAnalysis:
    """Pooled response rates (exact CIs) and Kaplan-Meier PFS of ``cohort``, optionally by a grouping.

    Raises
    ------
    InputError
        For an unknown grouping (listing the allowed ones).
    """
    check_grouping(by)
    series = pooled_series(store)
    result = analyze(series.case_file, cohort, by=by)
    merges = series.merges_for((doc, patient) for _, doc, patient in result.selection.patients)
    return CohortAnalysis(cohort, by, result, merges)


@dataclass(frozen=True)
class SimilarPatients:
    """Published patients comparable to a cohort's filters, and what happened to them next."""

    cohort: Cohort
    patients: list[SimilarPatient]

    def to_json(self) -> dict[str, Any]:
        """JSON-ready data (``similar --json``)."""
        return {
            "query": self.cohort.filters(),
            "patients": [p.to_dict() for p in self.patients],
            "statement": STATEMENT,
        }

    def lines(self) -> list[str]:
        """The patients as text, each with its line before and the lines after, and the statement."""
        out = [f"{count(len(self.patients), 'published patient')} comparable to: {self.cohort.describe()}"]
        for sp in self.patients:
            out.append(f"\n{sp.label} - {sp.citation}")
            if sp.prior:
                out.append(f"  before: line {sp.prior.line} {line_text(sp.prior)}")
            for nl in sp.next_lines:
                out.append(f"  then:   line {nl.line.line} {line_text(nl.line)}")
                out.extend(f"          reported: {sentence}" for sentence in nl.evidence)
        out.append(f"\n{STATEMENT}")
        return out


def check_filters(cohort: Cohort) -> None:
    """Refuse a cohort without any filter: ``similar`` compares with something."""
    if cohort.is_empty():
        raise InputError("give at least one filter, e.g. --after alectinib --mutation G1202R", location="similar")


def similar_patients(store: Store, cohort: Cohort) -> SimilarPatients:
    """The stored patients comparable to ``cohort`` (at least one filter is needed).

    Raises
    ------
    InputError
        When the cohort has no filter.
    """
    check_filters(cohort)
    return SimilarPatients(cohort, similar(store.case_file(), cohort))
