"""Statistics against independent reference values (stated tolerances)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import chi2, norm

from caseseries.analysis.response import clopper_pearson, summarise_responses
from caseseries.analysis.survival import kaplan_meier, load_benchmarks, logrank
from caseseries.errors import ValidationError
from caseseries.model.enums import Response

TOL_CI = 1e-4  # R prints binom.test CIs to 7 digits; we compare at 4 decimals


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (7, 10, 0.3475, 0.9333),  # R: binom.test(7, 10)$conf.int  -> 0.3475471 0.9332605
        (0, 10, 0.0, 0.3085),  # R: binom.test(0, 10)$conf.int  -> 0.0000000 0.3084971
        (10, 10, 0.6915, 1.0),  # R: binom.test(10, 10)$conf.int -> 0.6915029 1.0000000
        (1, 1, 0.025, 1.0),  # R: binom.test(1, 1)$conf.int   -> 0.025 1.000
        (5, 10, 0.1871, 0.8129),  # R: binom.test(5, 10)$conf.int  -> 0.187086 0.812914
    ],
)
def test_clopper_pearson_matches_r_binom_test(k: int, n: int, low: float, high: float) -> None:
    ci = clopper_pearson(k, n)
    assert ci is not None
    assert ci[0] == pytest.approx(low, abs=TOL_CI)
    assert ci[1] == pytest.approx(high, abs=TOL_CI)


def test_clopper_pearson_undefined_without_trials() -> None:
    assert clopper_pearson(0, 0) is None
    with pytest.raises(ValueError, match="k=3 must lie between 0 and n=2"):
        clopper_pearson(3, 2)


def test_response_rates_exclude_ne_and_missing_from_the_denominator() -> None:
    s = summarise_responses([Response.CR, Response.PR, Response.PR, Response.SD, Response.PD, Response.NE, None, None])
    assert (s.CR, s.PR, s.SD, s.PD, s.NE, s.missing) == (1, 2, 1, 1, 1, 2)
    assert s.evaluable == 5 and s.n == 8
    assert s.orr == pytest.approx(3 / 5)
    assert s.dcr == pytest.approx(4 / 5)
    d = s.to_dict()
    assert d["orr_ci95"] == pytest.approx(list(clopper_pearson(3, 5) or ()))


def test_empty_response_summary_is_null_not_a_crash() -> None:
    d = summarise_responses([None, Response.NE]).to_dict()
    assert d["evaluable"] == 0 and d["missing"] == 1 and d["NE"] == 1
    assert d["orr"] is None and d["orr_ci95"] is None and d["dcr"] is None and d["dcr_ci95"] is None


def _greenwood_loglog_band(durations: list[float], events: list[bool]) -> list[tuple[float, float, float, float]]:
    """Independent KM with the log-log (exponential Greenwood) 95% band: (t, S, low, high) at each event time."""
    out = []
    s, var_sum = 1.0, 0.0
    z = norm.ppf(0.975)
    for t in sorted({d for d, e in zip(durations, events, strict=True) if e}):
        n = sum(1 for d in durations if d >= t)
        d_ = sum(1 for d, e in zip(durations, events, strict=True) if e and d == t)
        s *= 1 - d_ / n
        var_sum += d_ / (n * (n - d_)) if n > d_ else math.inf
        if 0 < s < 1 and math.isfinite(var_sum):
            se = math.sqrt(var_sum) / abs(math.log(s))
            low, high = s ** math.exp(z * se), s ** math.exp(-z * se)
        else:
            low, high = (0.0, 0.0) if s == 0 else (s, s)
        out.append((t, s, low, high))
    return out


def test_kaplan_meier_worked_example() -> None:
    """Worked by hand.

    durations 1, 2, 2+, 3, 4+, 5 (+ = censored):
      t=1: 6 at risk, 1 event -> S = 5/6          = 0.8333
      t=2: 5 at risk, 1 event -> S = 5/6 * 4/5    = 0.6667  (the censored 2 is still at risk at 2)
      t=3: 3 at risk, 1 event -> S = 0.6667 * 2/3 = 0.4444  -> median = 3 (first S <= 0.5)
      t=5: 1 at risk, 1 event -> S = 0
    Numbers at risk at 0, 2, 4, 6: 6, 5, 2, 0.
    """
    durations = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0]
    events = [True, True, False, True, False, True]
    km = kaplan_meier(durations, events)
    assert km.survival_at(1) == pytest.approx(5 / 6, abs=1e-9)
    assert km.survival_at(2.5) == pytest.approx(2 / 3, abs=1e-9)
    assert km.survival_at(3) == pytest.approx(4 / 9, abs=1e-9)
    assert km.survival_at(5) == pytest.approx(0.0, abs=1e-9)
    assert km.median_months == 3.0
    assert (km.n, km.events, km.censored) == (6, 4, 2)
    assert km.at_risk([0, 2, 4, 6]) == [6, 5, 2, 0]
    # the median CI: where the independent log-log band crosses 0.5
    band = _greenwood_loglog_band(durations, events)
    # lower limit: first time the lower band reaches 0.5; upper limit: first time the upper band does
    low = next((t for t, _, lo, _ in band if lo <= 0.5), None)
    high = next((t for t, _, _, hi in band if hi <= 0.5), None)
    assert (low, high) == (1.0, 5.0)
    assert km.median_ci95 is not None
    assert km.median_ci95[0] == low
    assert km.median_ci95[1] == high
    for t, s, lo, hi in band[:-1]:
        i = km.timeline.index(t)
        assert km.survival[i] == pytest.approx(s, abs=1e-9)
        assert km.ci_lower[i] == pytest.approx(lo, abs=1e-6)
        assert km.ci_upper[i] == pytest.approx(hi, abs=1e-6)


def test_kaplan_meier_ties() -> None:
    """Three progressions tied at 2 months and one at 4: S(2) = 1/4, median 2."""
    km = kaplan_meier([2, 2, 2, 4], [True, True, True, True])
    assert km.survival_at(2) == pytest.approx(0.25)
    assert km.median_months == 2.0


def test_kaplan_meier_all_censored_has_no_median() -> None:
    km = kaplan_meier([3, 6, 9], [False, False, False])
    assert km.events == 0 and km.censored == 3
    assert km.median_months is None and km.median_ci95 is None
    assert km.survival_at(8) == 1.0


def test_kaplan_meier_single_patient() -> None:
    km = kaplan_meier([5.5], [True])
    assert km.median_months == 5.5
    assert km.survival_at(5.5) == 0.0
    assert km.median_ci95 == (5.5, 5.5)  # degenerate but defined: the band collapses onto the single step


def test_kaplan_meier_median_not_reached() -> None:
    """One of four progresses: S never reaches 0.5, median not reached (None)."""
    km = kaplan_meier([2, 10, 12, 20], [True, False, False, False])
    assert km.survival_at(3) == pytest.approx(0.75)
    assert km.median_months is None


def test_kaplan_meier_no_data() -> None:
    km = kaplan_meier([], [])
    assert (km.n, km.events, km.median_months, km.median_ci95) == (0, 0, None, None)
    assert km.survival_at(1) is None


def test_kaplan_meier_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="2 durations but 1 event flags"):
        kaplan_meier([1, 2], [True])


def test_logrank_worked_example() -> None:
    """Group A progresses at 1 and 3, group B at 2 and 4 (no censoring).

    t  n  nA  d  dA  E_A   V = nA*nB*d*(n-d) / (n^2 (n-1))
    1  4  2   1  1   1/2   2*2*1*3/(16*3) = 0.25
    2  3  1   1  0   1/3   1*2*1*2/(9*2)  = 0.2222
    3  2  1   1  1   1/2   1*1*1*1/(4*1)  = 0.25
    4  1  0   1  0   0     0
    O_A - E_A = 2 - 4/3 = 2/3; V = 0.7222; chi-square = (2/3)^2 / 0.7222 = 0.6154 (1 df), p = 0.4328.
    """
    a = kaplan_meier([1, 3], [True, True], label="A")
    b = kaplan_meier([2, 4], [True, True], label="B")
    test = logrank([a, b])
    assert test is not None
    assert test.statistic == pytest.approx((2 / 3) ** 2 / (0.25 + 2 / 9 + 0.25), abs=1e-4)
    assert test.statistic == pytest.approx(0.6154, abs=1e-4)
    assert test.df == 1
    assert test.p_value == pytest.approx(float(chi2.sf(0.6154, 1)), abs=1e-4)
    assert test.p_value == pytest.approx(0.4328, abs=1e-3)


def test_logrank_undefined_cases() -> None:
    a = kaplan_meier([1, 3], [False, False], label="A")
    b = kaplan_meier([2, 4], [False, False], label="B")
    assert logrank([a, b]) is None  # no events
    assert logrank([kaplan_meier([1, 2], [True, True], label="A")]) is None  # one group
    assert logrank([a, kaplan_meier([], [], label="empty")]) is None


def test_shipped_benchmark_is_alex() -> None:
    (alex,) = load_benchmarks()
    assert alex.agent == "alectinib" and alex.median_pfs_months == 34.8
    assert "Mok" in alex.source


def test_benchmark_file_rejects_unknown_keys() -> None:
    text = (
        "version: 1\nbenchmarks:\n"
        "  - {id: x, label: y, agent: a, population: p, median_pfs_months: 3, source: s, hr: 1}\n"
    )
    with pytest.raises(ValidationError) as err:
        load_benchmarks(text, source="b.yaml")
    assert str(err.value) == (
        "b.yaml: benchmarks[0].hr: unknown key 'hr'; allowed keys: agent, id, label, line, median_pfs_months, "
        "population, source"
    )


def test_band_helper_sanity() -> None:
    # the independent helper reproduces the plain KM product-limit values
    band = _greenwood_loglog_band([1, 2, 3], [True, True, True])
    assert [round(s, 6) for _, s, _, _ in band] == [round(x, 6) for x in np.array([2 / 3, 1 / 3, 0.0])]
