"""Minimum group sizes: a data file, and no test, median or CI computed on groups smaller than it."""

from __future__ import annotations

import pytest

from caseseries.analysis.cohort import Cohort
from caseseries.analysis.limits import MinGroups, min_groups, parse_min_groups
from caseseries.analysis.summary import analyze
from caseseries.analysis.survival import kaplan_meier, logrank
from caseseries.data import bundled_case_series
from caseseries.errors import InputError
from caseseries.report.content import assemble


def test_shipped_minimums() -> None:
    limits = min_groups()
    assert (limits.logrank_lines_per_group, limits.km_median_lines, limits.rate_ci_evaluable) == (5, 5, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nlogrank_lines_per_group: 8\n", MinGroups(logrank_lines_per_group=8)),
        ("km_median_lines: 10\nrate_ci_evaluable: 1\n", MinGroups(km_median_lines=10, rate_ci_evaluable=1)),
        ("logrank_min: 3\n", "f.yaml: logrank_min: unknown key 'logrank_min'; allowed keys: km_median_lines, "
                             "logrank_lines_per_group, rate_ci_evaluable, version"),
        ("km_median_lines: 0\n", "f.yaml: km_median_lines:"),
        ("km_median_lines: five\n", "f.yaml: km_median_lines:"),
        ("- 1\n", "f.yaml: expected a mapping with keys version, logrank_lines_per_group"),
        ("a: [\n", "f.yaml: invalid YAML; fix the syntax"),
    ],
)  # fmt: skip
def test_min_groups_file(text: str, expected: MinGroups | str) -> None:
    if isinstance(expected, MinGroups):
        assert parse_min_groups(text, source="f.yaml") == expected
    else:
        with pytest.raises(InputError) as err:
            parse_min_groups(text, source="f.yaml")
        assert str(err.value).startswith(expected)


def test_logrank_leaves_out_small_groups() -> None:
    big_a = kaplan_meier([1, 2, 3, 4, 5], [True] * 5, label="A")
    big_b = kaplan_meier([6, 7, 8, 9, 10], [True, True, False, True, True], label="B")
    tiny = kaplan_meier([2], [True], label="C")
    assert logrank([big_a, tiny], min_lines=5) is None  # one group left: no test
    with_tiny = logrank([big_a, big_b, tiny], min_lines=1)
    without = logrank([big_a, big_b, tiny], min_lines=5)
    assert with_tiny is not None and without is not None
    assert without.groups == ("A", "B") and without.df == 1
    assert with_tiny.groups == ("A", "B", "C") and with_tiny.df == 2


def test_bundled_series_log_rank_across_lines_is_not_computed() -> None:
    """Curves of 15, 1 and 2 lines: the report says why there is no test, and the JSON has none."""
    content = assemble(bundled_case_series())
    pfs = next(s for s in content.sections if s.key == "pfs")
    text = " ".join(pfs.paragraphs)
    assert "Log-rank test across lines: not computed (n < 5)" in text
    assert "line 1: 15; line 2: 1; line 3 or later: 2" in text
    assert "chi-square" not in text
    table = next(t for t in pfs.tables if t.key == "pfs_by_line")
    medians = {row[0]: row[-1] for row in table.rows}
    assert medians["line 2"] == medians["line 3 or later"] == "not computed (n < 5)"
    assert medians["line 1"].startswith("30 (")
    km = next(f for f in pfs.figures if f.key == "km_by_line")
    assert "Not drawn (fewer than 5 lines on the curve): line 2 (1 line); line 3 or later (2 lines)." in km.caption
    data = analyze(bundled_case_series(), Cohort(), by="line").to_dict()
    assert data["logrank"] is None
    assert {g["group"] for g in data["logrank_excluded"]} >= {"line 2", "line 3"}
    assert data["min_groups"] == {"logrank_lines_per_group": 5, "km_median_lines": 5, "rate_ci_evaluable": 3}


def test_rate_ci_not_computed_below_the_minimum() -> None:
    from caseseries.analysis.response import summarise_responses
    from caseseries.model.enums import Response
    from caseseries.report.tables import rate_cell

    two = summarise_responses([Response.PR, Response.PD])
    three = summarise_responses([Response.PR, Response.PD, Response.SD])
    assert rate_cell(two) == "50% (1/2; 95% CI not computed, n < 3)"
    assert rate_cell(three) == "33% (1/3; 95% CI 1–91)"
    assert not two.ci_reportable and three.ci_reportable
