"""Response rates: CR/PR/SD/PD/NE/missing counts, ORR and DCR with exact Clopper–Pearson CIs.

The objective response rate (ORR = CR + PR) and the disease control rate (DCR = CR + PR + SD)
are computed over *evaluable* lines (CR + PR + SD + PD). Lines assessed as not evaluable (NE)
and lines with no reported response (missing) are counted and shown, never silently dropped;
they are simply not in the denominator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from scipy.stats import beta

from caseseries.analysis.cohort import LineUnit, line_generations
from caseseries.analysis.limits import min_groups
from caseseries.choices import GROUPINGS
from caseseries.model.enums import Response
from caseseries.vocab import site_term


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Exact (Clopper–Pearson) confidence interval for a binomial proportion.

    Parameters
    ----------
    k : int
        Successes (0 <= k <= n).
    n : int
        Trials.
    confidence : float
        Two-sided confidence level.

    Returns
    -------
    tuple of float or None
        ``(low, high)`` as fractions; None when ``n == 0``.

    Examples
    --------
    >>> tuple(round(x, 4) for x in clopper_pearson(7, 10))
    (0.3475, 0.9333)
    """
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError(f"k={k} must lie between 0 and n={n}")
    alpha = 1.0 - confidence
    low = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return (low, high)


@dataclass(frozen=True)
class ResponseSummary:
    """Counts of best response and the rates derived from them.

    ``orr`` and ``dcr`` are fractions (0–1) over ``evaluable``; they and their CIs are None
    when nothing is evaluable.
    """

    CR: int
    PR: int
    SD: int
    PD: int
    NE: int
    missing: int

    @property
    def n(self) -> int:
        """Every line counted, evaluable or not."""
        return self.evaluable + self.NE + self.missing

    @property
    def evaluable(self) -> int:
        """CR + PR + SD + PD."""
        return self.CR + self.PR + self.SD + self.PD

    @property
    def responders(self) -> int:
        """CR + PR."""
        return self.CR + self.PR

    @property
    def controlled(self) -> int:
        """CR + PR + SD."""
        return self.CR + self.PR + self.SD

    @property
    def orr(self) -> float | None:
        """Objective response rate over evaluable lines."""
        return self.responders / self.evaluable if self.evaluable else None

    @property
    def orr_ci95(self) -> tuple[float, float] | None:
        """Exact 95% CI of the ORR."""
        return clopper_pearson(self.responders, self.evaluable)

    @property
    def dcr(self) -> float | None:
        """Disease control rate over evaluable lines."""
        return self.controlled / self.evaluable if self.evaluable else None

    @property
    def dcr_ci95(self) -> tuple[float, float] | None:
        """Exact 95% CI of the DCR."""
        return clopper_pearson(self.controlled, self.evaluable)

    @property
    def ci_reportable(self) -> bool:
        """Whether enough lines are evaluable for the CIs to be reported (see :mod:`caseseries.analysis.limits`)."""
        return self.evaluable >= min_groups().rate_ci_evaluable

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dictionary (CIs as ``[low, high]`` lists or None).

        Counts are lines of therapy (``unit``). The CIs are as computed; ``ci_reportable`` is false
        below ``ci_min_evaluable`` evaluable lines (the report then says "not computed").
        """
        orr_ci, dcr_ci = self.orr_ci95, self.dcr_ci95
        return {
            "unit": "lines",
            "CR": self.CR, "PR": self.PR, "SD": self.SD, "PD": self.PD, "NE": self.NE, "missing": self.missing,
            "n": self.n, "evaluable": self.evaluable,
            "orr": self.orr, "orr_ci95": list(orr_ci) if orr_ci else None,
            "dcr": self.dcr, "dcr_ci95": list(dcr_ci) if dcr_ci else None,
            "ci_reportable": self.ci_reportable, "ci_min_evaluable": min_groups().rate_ci_evaluable,
        }  # fmt: skip


def summarise_responses(responses: Iterable[Response | None]) -> ResponseSummary:
    """Count best responses (None = missing) into a :class:`ResponseSummary`."""
    counts = {r: 0 for r in Response}
    missing = 0
    for r in responses:
        if r is None:
            missing += 1
        else:
            counts[Response(r)] += 1
    return ResponseSummary(
        CR=counts[Response.CR], PR=counts[Response.PR], SD=counts[Response.SD],
        PD=counts[Response.PD], NE=counts[Response.NE], missing=missing,
    )  # fmt: skip


def response_summary(units: Sequence[LineUnit]) -> ResponseSummary:
    """Summarise the best responses of selected lines."""
    return summarise_responses(u.line.best_response for u in units)


def regimen(agents: Sequence[str]) -> str:
    """A regimen label: the agents joined with ``+`` (``"no agent recorded"`` when empty)."""
    return " + ".join(agents) if agents else "no agent recorded"


def _line_key(u: LineUnit) -> list[str]:
    return [f"line {u.line.line}"]


def _agent_key(u: LineUnit) -> list[str]:
    return [regimen(u.line.agents)]


def _generation_key(u: LineUnit) -> list[str]:
    gens = line_generations(u.line)
    return [f"generation {max(gens)} ALK inhibitor"] if gens else ["no ALK inhibitor"]


def _site_key(u: LineUnit) -> list[str]:
    site = u.patient.primary_site
    return [(site_term(site) or site) if site else "site not reported"]


def _partner_key(u: LineUnit) -> list[str]:
    known = sorted({f.gene5 for f in u.patient.fusions if f.gene5})
    return known or ["partner unknown"]


GROUP_KEYS: dict[str, Callable[[LineUnit], list[str]]] = {
    "line": _line_key,
    "agent": _agent_key,
    "generation": _generation_key,
    "site": _site_key,
    "partner": _partner_key,
}


def group_units(units: Sequence[LineUnit], by: str) -> dict[str, list[LineUnit]]:
    """Group selected lines by ``line``, ``agent`` (regimen), ``generation``, ``site`` or ``partner``.

    Groups are returned in a stable order (line numbers ascending, otherwise by size then name).
    """
    if by not in GROUP_KEYS:
        from caseseries.errors import InputError

        raise InputError(f"unknown grouping {by!r}; use one of: {', '.join(GROUPINGS)}", location="--by")
    groups: dict[str, list[LineUnit]] = {}
    for u in units:
        for key in GROUP_KEYS[by](u):
            groups.setdefault(key, []).append(u)
    if by == "line":
        ordered = sorted(groups, key=lambda k: int(k.split()[-1]))
    else:
        ordered = sorted(groups, key=lambda k: (-len(groups[k]), k))
    return {k: groups[k] for k in ordered}


def responses_by(units: Sequence[LineUnit], by: str) -> dict[str, ResponseSummary]:
    """Response summary per group (see :func:`group_units`)."""
    return {k: response_summary(v) for k, v in group_units(units, by).items()}
