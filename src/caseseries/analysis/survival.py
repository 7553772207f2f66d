"""Progression-free survival: Kaplan–Meier estimates (lifelines), medians, log-rank tests.

Conventions (lifelines' vocabulary): ``durations`` in months, ``event_observed`` True for a
progression. A line whose PFS is "ongoing" (``pfs_censored`` true) is censored at its duration.
A line with ``pfs_months`` but ``pfs_censored`` null (the text gives a duration but not how it
ended) cannot be placed on a Kaplan–Meier curve: it is excluded and counted as
*censoring unknown*. The median is the smallest time at which the survival estimate is at or
below 0.5 (lifelines' definition); its 95% CI comes from the exponential Greenwood ("log-log")
pointwise band, as lifelines and R's ``survfit(conf.type = "log-log")`` compute it.

Minimum group sizes (``analysis/data/min_groups.yaml``, :mod:`caseseries.analysis.limits`): a
median is *reportable* only from ``km_median_lines`` lines on the curve, and a log-rank test
leaves out groups with fewer than ``logrank_lines_per_group`` lines (no test with fewer than two
groups left).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field

from caseseries.analysis.cohort import LineUnit
from caseseries.analysis.limits import min_groups
from caseseries.errors import ValidationError
from caseseries.model.casejson import describe_validation_error

BENCHMARKS_FILE = "benchmarks.yaml"


def _finite(x: float | None) -> float | None:
    if x is None:
        return None
    value = float(x)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class KaplanMeier:
    """A fitted Kaplan–Meier estimate.

    Attributes
    ----------
    label : str
        Name of the group.
    durations, event_observed : tuple
        The input data (months; True = progression).
    timeline : tuple of float
        Step times starting at 0.
    survival : tuple of float
        Survival estimate at each step time.
    ci_lower, ci_upper : tuple of float
        Pointwise 95% band (exponential Greenwood).
    median_months : float or None
        Median PFS; None when the curve never reaches 0.5 (or there are no data).
    median_ci95 : tuple or None
        ``(low, high)``; a bound is None when it is not reached.
    """

    label: str
    durations: tuple[float, ...]
    event_observed: tuple[bool, ...]
    timeline: tuple[float, ...] = ()
    survival: tuple[float, ...] = ()
    ci_lower: tuple[float, ...] = ()
    ci_upper: tuple[float, ...] = ()
    median_months: float | None = None
    median_ci95: tuple[float | None, float | None] | None = None

    @property
    def n(self) -> int:
        """Number of lines on the curve."""
        return len(self.durations)

    @property
    def events(self) -> int:
        """Progressions observed."""
        return sum(self.event_observed)

    @property
    def censored(self) -> int:
        """Lines censored (ongoing at last report)."""
        return self.n - self.events

    def at_risk(self, times: Sequence[float]) -> list[int]:
        """Numbers at risk (duration >= t) at each of ``times``."""
        d = np.asarray(self.durations, dtype=float)
        return [int((d >= t).sum()) for t in times]

    def survival_at(self, t: float) -> float | None:
        """The estimate S(t) (right-continuous step function); None without data."""
        if not self.timeline:
            return None
        idx = int(np.searchsorted(np.asarray(self.timeline), t, side="right")) - 1
        return self.survival[max(idx, 0)]


def kaplan_meier(durations: Sequence[float], event_observed: Sequence[bool], *, label: str = "all") -> KaplanMeier:
    """Fit a Kaplan–Meier estimate with lifelines' ``KaplanMeierFitter``.

    Parameters
    ----------
    durations : sequence of float
        Months from the start of the line to progression or last report.
    event_observed : sequence of bool
        True for progression, False for censored (ongoing).
    label : str
        Group name.

    Returns
    -------
    KaplanMeier
        The estimate; with no data, an empty estimate whose median is None.

    Examples
    --------
    >>> km = kaplan_meier([2, 4, 6], [True, True, False])
    >>> km.median_months
    4.0
    """
    d = tuple(float(x) for x in durations)
    e = tuple(bool(x) for x in event_observed)
    if len(d) != len(e):
        raise ValueError(f"{len(d)} durations but {len(e)} event flags; give one flag per duration")
    if not d:
        return KaplanMeier(label=label, durations=d, event_observed=e)
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    kmf = KaplanMeierFitter(label=label)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf.fit(durations=list(d), event_observed=list(e), label=label)
        ci = kmf.confidence_interval_survival_function_
        median = _finite(kmf.median_survival_time_)
        median_ci: tuple[float | None, float | None] | None = None
        if any(e):
            bounds = median_survival_times(ci)
            low, high = (float(v) for v in np.asarray(bounds, dtype=float).ravel()[:2])
            median_ci = (_finite(low), _finite(high))
    sf = kmf.survival_function_
    return KaplanMeier(
        label=label,
        durations=d,
        event_observed=e,
        timeline=tuple(float(t) for t in sf.index),
        survival=tuple(float(s) for s in sf.iloc[:, 0]),
        ci_lower=tuple(float(s) for s in ci.iloc[:, 0]),
        ci_upper=tuple(float(s) for s in ci.iloc[:, 1]),
        median_months=median,
        median_ci95=median_ci,
    )


@dataclass(frozen=True)
class PfsSummary:
    """PFS of a set of lines: the KM estimate plus what could not be placed on it."""

    km: KaplanMeier
    censoring_unknown: int = 0
    missing: int = 0
    excluded_labels: tuple[str, ...] = field(default=())

    @property
    def median_reportable(self) -> bool:
        """Whether enough lines are on the curve for a median (see :mod:`caseseries.analysis.limits`)."""
        return self.km.n >= min_groups().km_median_lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (null where undefined).

        ``median_months`` is the estimate as computed; below ``km_median_lines`` lines on the curve
        (:mod:`caseseries.analysis.limits`) the report says "not computed" instead.
        """
        ci = self.km.median_ci95
        return {
            "n": self.km.n,
            "events": self.km.events,
            "censored": self.km.censored,
            "censoring_unknown": self.censoring_unknown,
            "missing": self.missing,
            "median_months": self.km.median_months,
            "median_ci95": list(ci) if ci else None,
        }


def pfs_data(units: Sequence[LineUnit]) -> tuple[list[float], list[bool], int, int]:
    """Durations and events of lines with known PFS; counts of censoring-unknown and missing PFS."""
    durations: list[float] = []
    events: list[bool] = []
    unknown = missing = 0
    for u in units:
        if u.line.pfs_months is None:
            missing += 1
        elif u.line.pfs_censored is None:
            unknown += 1
        else:
            durations.append(u.line.pfs_months)
            events.append(not u.line.pfs_censored)
    return durations, events, unknown, missing


def pfs_summary(units: Sequence[LineUnit], *, label: str = "all") -> PfsSummary:
    """Kaplan–Meier PFS of selected lines."""
    durations, events, unknown, missing = pfs_data(units)
    return PfsSummary(kaplan_meier(durations, events, label=label), censoring_unknown=unknown, missing=missing)


@dataclass(frozen=True)
class LogRank:
    """Result of a log-rank test between groups."""

    groups: tuple[str, ...]
    statistic: float
    df: int
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"groups": list(self.groups), "statistic": self.statistic, "df": self.df, "p_value": self.p_value}


def too_small(curves: Sequence[KaplanMeier], min_lines: int) -> list[KaplanMeier]:
    """The curves with fewer than ``min_lines`` lines (left out of a log-rank test)."""
    return [c for c in curves if c.n < min_lines]


def logrank(curves: Sequence[KaplanMeier], *, min_lines: int = 1) -> LogRank | None:
    """Log-rank test between the groups of fitted curves.

    Parameters
    ----------
    curves : sequence of KaplanMeier
        One fitted estimate per group.
    min_lines : int
        Groups with fewer lines on the curve are left out of the test (the report uses
        ``min_groups().logrank_lines_per_group``).

    Returns
    -------
    LogRank or None
        None when fewer than two groups are left or no event was observed (undefined).
    """
    used = [c for c in curves if c.n >= max(min_lines, 1)]
    if len(used) < 2 or not any(c.events for c in used):
        return None
    from lifelines.statistics import multivariate_logrank_test

    durations = [d for c in used for d in c.durations]
    events = [e for c in used for e in c.event_observed]
    groups = [c.label for c in used for _ in c.durations]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = multivariate_logrank_test(durations, groups, events)
    stat = float(res.test_statistic)
    if not math.isfinite(stat):
        return None
    return LogRank(tuple(c.label for c in used), stat, int(res.degrees_of_freedom), float(res.p_value))


# ---------------------------------------------------------------------- published benchmarks
class Benchmark(BaseModel):
    """A published median PFS used as a reference line on KM plots."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    agent: str
    line: int | None = None
    population: str
    median_pfs_months: float = Field(gt=0)
    source: str


class BenchmarkFile(BaseModel):
    """``{"version": N, "benchmarks": [...]}``."""

    model_config = ConfigDict(extra="forbid")

    version: int
    benchmarks: list[Benchmark]


def load_benchmarks(
    text: str | None = None, *, source: str = f"caseseries/analysis/data/{BENCHMARKS_FILE}"
) -> list[Benchmark]:
    """The published PFS benchmarks (the shipped file unless ``text`` is given).

    Raises
    ------
    ValidationError
        For unknown keys (listing the allowed ones) or bad values.
    """
    if text is None:
        text = resources.files("caseseries.analysis").joinpath("data", BENCHMARKS_FILE).read_text("utf-8")
    try:
        return BenchmarkFile.model_validate(yaml.safe_load(text)).benchmarks
    except pydantic.ValidationError as err:
        loc, msg = describe_validation_error(err, BenchmarkFile)
        raise ValidationError(msg, source=source, location=loc) from None


def benchmark_for(agent: str | None, line: int | None) -> Benchmark | None:
    """The shipped benchmark for an agent (and line), if any."""
    if agent is None:
        return None
    for b in load_benchmarks():
        if b.agent == agent and (b.line is None or line is None or b.line == line):
            return b
    return None
