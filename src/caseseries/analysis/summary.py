"""One call for every pooled number of a cohort: counts, response rates, PFS, by-group breakdowns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from caseseries.analysis.cohort import Cohort, LineUnit, Selection
from caseseries.analysis.limits import min_groups
from caseseries.analysis.response import ResponseSummary, group_units, response_summary
from caseseries.analysis.survival import LogRank, PfsSummary, logrank, pfs_summary
from caseseries.model.casejson import CaseFile
from caseseries.model.enums import CurationStatus


def unreviewed(selection: Selection) -> int:
    """Patients of a selection extracted from text but not yet reviewed by a curator."""
    return sum(1 for _, _, p in selection.patients if p.curation_status is CurationStatus.EXTRACTED)


@dataclass(frozen=True)
class GroupResult:
    """Response and PFS of one subgroup."""

    name: str
    n_patients: int
    response: ResponseSummary
    pfs: PfsSummary

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "group": self.name,
            "n_patients": self.n_patients,
            "n_lines": self.response.n,
            "response": self.response.to_dict(),
            "pfs": self.pfs.to_dict(),
        }


@dataclass(frozen=True)
class Analysis:
    """Pooled results of a cohort.

    Attributes
    ----------
    selection : Selection
        What the cohort selected.
    response : ResponseSummary
        Over every selected line.
    pfs : PfsSummary
        Kaplan–Meier PFS over every selected line.
    by : str or None
        The grouping of ``groups``.
    groups : list of GroupResult
        Per-subgroup results when ``by`` is given.
    logrank : LogRank or None
        Log-rank test between the subgroups large enough for it (None when undefined or when fewer
        than two subgroups reach ``min_groups().logrank_lines_per_group`` lines on the curve).
    """

    selection: Selection
    response: ResponseSummary
    pfs: PfsSummary
    by: str | None = None
    groups: list[GroupResult] = field(default_factory=list)
    logrank: LogRank | None = None

    def to_dict(self) -> dict[str, Any]:
        """Every number as JSON: proportions as fractions 0–1, CIs as ``[low, high]``, null where undefined."""
        sel = self.selection
        out: dict[str, Any] = {
            "cohort": {"name": sel.cohort.name, "description": sel.cohort.describe(), "filters": sel.cohort.filters()},
            "n_patients": sel.n_patients,
            "n_unreviewed_patients": unreviewed(sel),
            "n_documents": sel.n_documents,
            "n_lines": len(sel.units),
            "response": self.response.to_dict(),
            "pfs": self.pfs.to_dict(),
        }
        if self.by:
            out["by"] = self.by
            out["groups"] = [g.to_dict() for g in self.groups]
            out["logrank"] = self.logrank.to_dict() if self.logrank else None
            limit = min_groups().logrank_lines_per_group
            out["logrank_excluded"] = [
                {"group": g.name, "n": g.pfs.km.n} for g in self.groups if g.pfs.km.n < limit
            ]
        out["min_groups"] = min_groups().model_dump(exclude={"version"})
        return out


def _group_result(name: str, units: Sequence[LineUnit]) -> GroupResult:
    return GroupResult(
        name=name,
        n_patients=len({u.patient_index for u in units}),
        response=response_summary(units),
        pfs=pfs_summary(units, label=name),
    )


def analyze(case_file: CaseFile, cohort: Cohort | None = None, *, by: str | None = None) -> Analysis:
    """Pool the selected lines of a case file.

    Parameters
    ----------
    case_file : CaseFile
        The case series.
    cohort : Cohort or None
        Filters; None selects every line of every patient.
    by : {"line", "agent", "generation", "site", "partner"} or None
        Also break the results down by this characteristic (with a log-rank test across groups).

    Returns
    -------
    Analysis
        Counts, response rates and PFS; an empty cohort gives zero counts and null rates.
    """
    selection = (cohort or Cohort()).apply(case_file)
    units = selection.units
    result = Analysis(selection, response_summary(units), pfs_summary(units))
    if by is None:
        return result
    groups = [_group_result(name, members) for name, members in group_units(units, by).items()]
    test = logrank([g.pfs.km for g in groups], min_lines=min_groups().logrank_lines_per_group)
    return Analysis(selection, result.response, result.pfs, by, groups, test)
