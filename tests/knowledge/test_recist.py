"""RECIST 1.1 engine: time-point responses, best overall response, input rules and the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import DATA as TESTS_DATA

from caseseries.cli import main
from caseseries.errors import ValidationError
from caseseries.knowledge.recist import NonTargetResponse, evaluate, overall_response
from caseseries.model.enums import Response

RECIST = TESTS_DATA / "recist"


def tp(
    label: str,
    date: str,
    targets: dict[str, float | None] | None = None,
    non_targets: dict[str, str | None] | None = None,
    new_lesion: bool = False,
) -> dict[str, Any]:
    """A follow-up time point from {id: diameter} and {id: status}."""
    return {
        "label": label,
        "date": date,
        "targets": [{"id": k, "diameter_mm": v} for k, v in (targets or {}).items()],
        "non_targets": [{"id": k, "status": v} for k, v in (non_targets or {}).items()],
        "new_lesion": new_lesion,
    }


def baseline(
    targets: list[tuple[str, str, float, bool]] | None = None, non_targets: list[str] | None = None
) -> dict[str, Any]:
    """Baseline from (id, organ, diameter, node) tuples and non-target ids."""
    return {
        "label": "baseline",
        "date": "2020-01-06",
        "targets": [{"id": i, "organ": o, "diameter_mm": d, "node": n} for i, o, d, n in targets or []],
        "non_targets": [{"id": i, "status": "present"} for i in non_targets or []],
        "new_lesion": False,
    }


# Standard baseline: T1 lung 40 mm + T2 liver 30 mm = 70 mm; N1 pleural effusion present.
STD = baseline([("T1", "lung", 40, False), ("T2", "liver", 30, False)], ["N1"])

# One row per line of the RECIST 1.1 overall-response table (target disease), each with a worked example.
TARGET_TABLE = [
    # (worked example, follow-up time point, target, non-target, overall)
    ("CR/CR/no new -> CR: 70 -> 0 mm, N1 gone", tp("w8", "2020-03-02", {"T1": 0, "T2": 0}, {"N1": "absent"}),
     "CR", "CR", "CR"),
    ("CR/non-CR non-PD/no new -> PR: 70 -> 0 mm, N1 persists", tp("w8", "2020-03-02", {"T1": 0, "T2": 0},
     {"N1": "present"}), "CR", "NON_CR_NON_PD", "PR"),
    ("CR/not evaluated/no new -> PR: 70 -> 0 mm, N1 not assessed", tp("w8", "2020-03-02", {"T1": 0, "T2": 0},
     {"N1": None}), "CR", "NE", "PR"),
    ("PR/non-PD/no new -> PR: 70 -> 45 mm (-35.7%)", tp("w8", "2020-03-02", {"T1": 20, "T2": 25},
     {"N1": "present"}), "PR", "NON_CR_NON_PD", "PR"),
    ("PR/not all evaluated/no new -> PR: 70 -> 45 mm, N1 missing", tp("w8", "2020-03-02", {"T1": 20, "T2": 25}),
     "PR", "NE", "PR"),
    ("SD/non-PD/no new -> SD: 70 -> 65 mm (-7.1%)", tp("w8", "2020-03-02", {"T1": 35, "T2": 30},
     {"N1": "present"}), "SD", "NON_CR_NON_PD", "SD"),
    ("SD/not all evaluated/no new -> SD: 70 -> 65 mm, N1 missing", tp("w8", "2020-03-02", {"T1": 35, "T2": 30}),
     "SD", "NE", "SD"),
    ("not all evaluated/non-PD/no new -> NE: T1 not measured, T2 30 mm", tp("w8", "2020-03-02",
     {"T1": None, "T2": 30}, {"N1": "present"}), "NE", "NON_CR_NON_PD", "NE"),
    ("PD/any/no new -> PD: 70 -> 90 mm (+28.6%, +20 mm), N1 gone", tp("w8", "2020-03-02", {"T1": 50, "T2": 40},
     {"N1": "absent"}), "PD", "CR", "PD"),
    ("any/PD/no new -> PD: target PR (45 mm) but N1 unequivocal progression", tp("w8", "2020-03-02",
     {"T1": 20, "T2": 25}, {"N1": "progression"}), "PR", "PD", "PD"),
    ("any/any/new lesion -> PD: target CR, N1 gone, new lesion", tp("w8", "2020-03-02", {"T1": 0, "T2": 0},
     {"N1": "absent"}, new_lesion=True), "CR", "CR", "PD"),
]  # fmt: skip


@pytest.mark.parametrize(("example", "follow", "target", "non_target", "overall"), TARGET_TABLE,
                         ids=[row[0] for row in TARGET_TABLE])  # fmt: skip
def test_overall_response_table_with_target_disease(
    example: str, follow: dict[str, Any], target: str, non_target: str, overall: str
) -> None:
    """Every row of RECIST 1.1 Table 1, computed from lesion measurements.

    Worked example (first row): baseline T1 40 mm + T2 30 mm = 70 mm with N1 present; at week 8
    both targets measure 0 mm and N1 is absent, so target CR, non-target CR, overall CR.
    The other rows' worked examples are their test ids.
    """
    row = evaluate({"timepoints": [STD, follow]}).timepoints[1]
    assert (row.target, row.non_target, row.overall) == (target, non_target, overall), example


NON_TARGET_ONLY = baseline(non_targets=["N1", "N2"])
NON_TARGET_TABLE = [
    ("CR: N1 and N2 gone", {"N1": "absent", "N2": "absent"}, False, "CR", "CR"),
    ("non-CR/non-PD: N2 persists", {"N1": "absent", "N2": "present"}, False, "NON_CR_NON_PD", "NON_CR_NON_PD"),
    ("not all evaluated: N2 not assessed", {"N1": "absent", "N2": None}, False, "NE", "NE"),
    ("unequivocal progression of N1", {"N1": "progression", "N2": "present"}, False, "PD", "PD"),
    ("new lesion with N1, N2 gone", {"N1": "absent", "N2": "absent"}, True, "CR", "PD"),
]


@pytest.mark.parametrize(("example", "statuses", "new", "non_target", "overall"), NON_TARGET_TABLE,
                         ids=[row[0] for row in NON_TARGET_TABLE])  # fmt: skip
def test_overall_response_with_non_target_disease_only(
    example: str, statuses: dict[str, str | None], new: bool, non_target: str, overall: str
) -> None:
    """Non-target disease only: CR->CR, non-CR/non-PD->NON_CR_NON_PD, NE->NE, PD->PD, new lesion->PD.

    Worked example: baseline non-targets N1 (pleural effusion) and N2 (bone); at week 8 N1 is
    gone and N2 persists: non-target NON_CR_NON_PD, overall NON_CR_NON_PD, no target response
    and no sum.
    """
    row = evaluate({"timepoints": [NON_TARGET_ONLY, tp("w8", "2020-03-02", None, statuses, new)]}).timepoints[1]
    assert (row.target, row.non_target, row.overall) == (None, non_target, overall), example
    assert row.sum_mm is None


def test_overall_response_function_matches_table() -> None:
    """The overall_response function on its own: target PR + non-target NE + no new lesion = PR.

    Worked example: target NE with non-target CR is NE; target SD with a new lesion is PD.
    """
    assert overall_response(Response.PR, NonTargetResponse.NE, False) is Response.PR
    assert overall_response(Response.NE, NonTargetResponse.CR, False) is Response.NE
    assert overall_response(Response.SD, NonTargetResponse.NON_CR_NON_PD, True) is Response.PD
    assert overall_response(Response.CR, None, False) is Response.CR
    assert overall_response(None, NonTargetResponse.NON_CR_NON_PD, False) is NonTargetResponse.NON_CR_NON_PD


@pytest.mark.parametrize(
    ("follow_mm", "expected", "pct"),
    [(35.0, "PR", -30.0), (35.5, "SD", -29.0), (15.0, "PR", -70.0)],
    ids=["exactly -30% is PR", "-29% is SD", "-70% is PR"],
)
def test_partial_response_threshold_is_30_percent_vs_baseline(follow_mm: float, expected: str, pct: float) -> None:
    """PR is a decrease of at least 30% of the sum compared with the baseline sum.

    Worked example: baseline 50 mm -> 35 mm is -30.0% (PR); -> 35.5 mm is -29.0% (SD).
    """
    data = {"timepoints": [baseline([("T1", "lung", 50, False)]), tp("w8", "2020-03-02", {"T1": follow_mm})]}
    row = evaluate(data).timepoints[1]
    assert row.target == expected
    assert row.change_from_baseline_pct == pct


@pytest.mark.parametrize(
    ("base_mm", "follow_mm", "expected"),
    [(20.0, 24.0, "SD"), (20.0, 25.0, "PD"), (100.0, 115.0, "SD"), (100.0, 120.0, "PD")],
    ids=["+20% but +4 mm: SD", "+25% and +5 mm: PD", "+15 mm but +15%: SD", "+20% and +20 mm: PD"],
)
def test_progression_needs_20_percent_and_5_mm(base_mm: float, follow_mm: float, expected: str) -> None:
    """PD needs both >= +20% over the nadir and >= 5 mm absolute increase.

    Worked example: 20 -> 24 mm is +20% but only +4 mm, so SD; 100 -> 115 mm is +15 mm but only +15%, so SD.
    """
    data = {"timepoints": [baseline([("T1", "lung", base_mm, False)]), tp("w8", "2020-03-02", {"T1": follow_mm})]}
    assert evaluate(data).timepoints[1].target == expected


def test_progression_is_measured_from_the_nadir_not_the_baseline() -> None:
    """The reference for PD is the smallest sum on study.

    Worked example: baseline 100 mm, week 8 50 mm (PR, nadir 50), week 16 62 mm: -38% vs baseline
    (still a PR by the baseline rule) but +24% and +12 mm vs the nadir, so PD.
    """
    data = {
        "timepoints": [
            baseline([("T1", "lung", 100, False)]),
            tp("w8", "2020-03-02", {"T1": 50}),
            tp("w16", "2020-04-27", {"T1": 62}),
        ]
    }
    rows = evaluate(data).timepoints
    assert rows[2].change_from_baseline_pct == -38.0
    assert rows[2].change_from_nadir_pct == 24.0
    assert rows[2].target == "PD"
    assert evaluate(data).best_overall_response == "PR"


def test_nodes_under_10_mm_allow_complete_response_with_a_nonzero_sum() -> None:
    """CR holds when non-nodal targets are gone and nodal targets are < 10 mm short axis.

    Worked example: T1 lung 30 mm + L1 node 20 mm = 50 mm; week 8 T1 0 mm, L1 8 mm: sum 8 mm,
    target CR. With L1 at 10 mm the node is still pathological: sum 10 mm (-80%), PR.
    """
    base = baseline([("T1", "lung", 30, False), ("L1", "mediastinum", 20, True)])
    cr = evaluate({"timepoints": [base, tp("w8", "2020-03-02", {"T1": 0, "L1": 8})]}).timepoints[1]
    assert (cr.target, cr.sum_mm) == ("CR", 8.0)
    pr = evaluate({"timepoints": [base, tp("w8", "2020-03-02", {"T1": 0, "L1": 10})]}).timepoints[1]
    assert (pr.target, pr.sum_mm, pr.change_from_baseline_pct) == ("PR", 10.0, -80.0)


def test_missing_target_gives_not_evaluable_unless_progression_is_already_shown() -> None:
    """A target not measured makes the time point NE, unless the measured ones already show PD.

    Worked example: T1 20 + T2 20 = 40 mm. Week 8: T1 not measured, T2 15 mm -> NE (sum unknown).
    Week 8 instead: T1 not measured, T2 50 mm -> 50 mm is already +25% and +10 mm over 40 mm -> PD.
    """
    base = baseline([("T1", "lung", 20, False), ("T2", "liver", 20, False)])
    ne = evaluate({"timepoints": [base, tp("w8", "2020-03-02", {"T1": None, "T2": 15})]}).timepoints[1]
    assert (ne.target, ne.overall, ne.sum_mm) == ("NE", "NE", None)
    omitted = evaluate({"timepoints": [base, tp("w8", "2020-03-02", {"T2": 15})]}).timepoints[1]
    assert omitted.target == "NE"
    pd = evaluate({"timepoints": [base, tp("w8", "2020-03-02", {"T1": None, "T2": 50})]}).timepoints[1]
    assert (pd.target, pd.overall) == ("PD", "PD")


def test_seed_003_lesion_reaches_complete_response() -> None:
    """Seed 003: a 22 mm oral-cavity relapse measures 0 mm after 5 months of alectinib: CR.

    Worked example: baseline sum 22 mm, nasal-spine nodules (8 mm, non-measurable) as non-target;
    month 5 sum 0 mm (-100%), nodules gone: target CR, non-target CR, overall CR, BOR CR.
    """
    result = evaluate(json.loads((RECIST / "seed003_cr.json").read_text()))
    assert result.to_json() == {
        "timepoints": [
            {"label": "baseline", "sum_mm": 22.0, "change_from_baseline_pct": None, "change_from_nadir_pct": None,
             "target": None, "non_target": None, "overall": None},
            {"label": "month 5", "sum_mm": 0.0, "change_from_baseline_pct": -100.0, "change_from_nadir_pct": -100.0,
             "target": "CR", "non_target": "CR", "overall": "CR"},
        ],
        "best_overall_response": "CR",
    }  # fmt: skip


def test_best_response_stops_at_first_progression() -> None:
    """BOR is taken over time points up to the first PD.

    Worked example (confirmed_pr.json): sums 88 -> 52 (PR) -> 44 (PR) -> 57 mm (+29.5% over the
    nadir 44, PD); BOR PR, with or without confirmation (week 16 confirms week 8, 56 days later).
    """
    data = json.loads((RECIST / "confirmed_pr.json").read_text())
    result = evaluate(data)
    assert [r.overall for r in result.timepoints[1:]] == ["PR", "PR", "PD"]
    assert [r.sum_mm for r in result.timepoints] == [88.0, 52.0, 44.0, 57.0]
    assert result.timepoints[3].change_from_nadir_pct == 29.5
    assert result.best_overall_response == "PR"
    assert evaluate(data, confirm=True).best_overall_response == "PR"


LONG = baseline([("T1", "lung", 50, False)])


@pytest.mark.parametrize(
    ("example", "follow", "confirm", "min_sd_weeks", "bor"),
    [
        ("PR at day 56 confirmed by PR at day 84 (28 days)",
         [("2020-03-02", 30), ("2020-03-30", 30)], True, None, "PR"),
        ("PR at day 56, next PR only 21 days later: unconfirmed -> SD",
         [("2020-03-02", 30), ("2020-03-23", 30)], True, None, "SD"),
        ("CR at day 56 confirmed by CR 28 days later", [("2020-03-02", 0), ("2020-03-30", 0)], True, None, "CR"),
        ("without --confirm a single CR counts", [("2020-03-02", 0)], False, None, "CR"),
        ("unconfirmed PR (week 4) then SD (week 5), SD minimum 4 weeks met -> SD",
         [("2020-02-03", 30), ("2020-02-10", 35.5)], True, 4, "SD"),
        ("unconfirmed PR (week 4) then SD (week 5), SD minimum 6 weeks not met -> NE",
         [("2020-02-03", 30), ("2020-02-10", 35.5)], True, 6, "NE"),
        ("SD at week 4 with a 6-week minimum, then PD -> PD", [("2020-02-03", 45), ("2020-03-02", 70)], False, 6,
         "PD"),
        ("SD at week 8 with a 6-week minimum -> SD", [("2020-03-02", 45)], False, 6, "SD"),
        ("SD at week 4 with a 6-week minimum, nothing later -> NE", [("2020-02-03", 45)], False, 6, "NE"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)  # fmt: skip
def test_best_overall_response_confirmation_and_sd_duration(
    example: str, follow: list[tuple[str, float]], confirm: bool, min_sd_weeks: float | None, bor: str
) -> None:
    """--confirm needs a repeat CR/PR >= 28 days later; --min-sd-weeks sets when SD counts.

    Worked example: baseline 50 mm (2020-01-06); PR 30 mm at 2020-02-03 (week 4), SD 35.5 mm at
    2020-02-10 (week 5: -29% vs baseline, +18% vs the nadir). The PR is never confirmed, so it
    counts as SD; with a 6-week minimum neither time point is late enough and the BOR is NE; with a
    4-week minimum it is SD.
    """
    points = [tp(f"t{i}", d, {"T1": mm}) for i, (d, mm) in enumerate(follow, start=1)]
    result = evaluate({"timepoints": [LONG, *points]}, confirm=confirm, min_sd_weeks=min_sd_weeks)
    assert result.best_overall_response == bor, example


def test_confirmed_complete_response_followed_by_partial_response_is_partial_response() -> None:
    """A CR followed >= 28 days later by a PR confirms a PR, not a CR.

    Worked example: target node L1 short axis 30 mm; week 8 8 mm (< 10 mm: CR); week 12 11 mm
    (+3 mm, below the 5 mm PD minimum; -63% vs baseline: PR). With --confirm the BOR is PR.
    """
    data = {
        "timepoints": [
            baseline([("L1", "mediastinum", 30, True)]),
            tp("w8", "2020-03-02", {"L1": 8}),
            tp("w12", "2020-03-30", {"L1": 11}),
        ]
    }
    assert [r.overall for r in evaluate(data).timepoints[1:]] == ["CR", "PR"]
    assert evaluate(data, confirm=True).best_overall_response == "PR"
    assert evaluate(data).best_overall_response == "CR"


def test_non_target_only_best_response_is_non_cr_non_pd() -> None:
    """Non-target-only disease that persists gives BOR NON_CR_NON_PD.

    Worked example: N1 and N2 present at baseline and at week 8 and week 16.
    """
    data = {
        "timepoints": [
            NON_TARGET_ONLY,
            tp("w8", "2020-03-02", None, {"N1": "present", "N2": "present"}),
            tp("w16", "2020-04-27", None, {"N1": "present", "N2": "present"}),
        ]
    }
    assert evaluate(data).best_overall_response == "NON_CR_NON_PD"
    assert evaluate(data, min_sd_weeks=20).best_overall_response == "NE"


# ---- input rules: exact error text -------------------------------------------------------------

INVALID = [
    ("more than 5 targets", {"timepoints": [baseline([(f"T{i}", o, 20, False) for i, o in
     enumerate(["lung", "liver", "bone", "skin", "kidney", "spleen"], start=1)])]},
     "<data>: timepoints[0].targets: 6 target lesions at baseline; RECIST 1.1 allows at most 5 "
     "(move the others to non_targets)"),
    ("3 targets in one organ", {"timepoints": [baseline([("T1", "lung", 20, False), ("T2", "lung", 20, False),
     ("T3", "Lung", 20, False)])]},
     "<data>: timepoints[0].targets[2].organ: target 'T3' is target lesion 3 in 'Lung'; RECIST 1.1 allows at most "
     "2 per organ (move it to non_targets)"),
    ("non-measurable non-nodal target", {"timepoints": [baseline([("T1", "lung", 8, False)])]},
     "<data>: timepoints[0].targets[0].diameter_mm: target 'T1' measures 8 mm, under the 10 mm RECIST 1.1 "
     "measurability minimum; move it to non_targets"),
    ("pathological node under 15 mm", {"timepoints": [baseline([("L1", "axilla", 12, True)])]},
     "<data>: timepoints[0].targets[0].diameter_mm: target 'L1' is a lymph node with short axis 12 mm, under the "
     "15 mm RECIST 1.1 minimum for a target node; at this size it is a pathological non-target node "
     "(move it to non_targets or drop it)"),
    ("normal node", {"timepoints": [baseline([("L1", "axilla", 9, True)])]},
     "<data>: timepoints[0].targets[0].diameter_mm: target 'L1' is a lymph node with short axis 9 mm, under the "
     "15 mm RECIST 1.1 minimum for a target node; at this size it is a normal node "
     "(move it to non_targets or drop it)"),
    ("negative diameter", {"timepoints": [LONG, tp("w8", "2020-03-02", {"T1": -3})]},
     "<data>: timepoints[1].targets[0].diameter_mm: target 'T1': diameter -3 mm is negative; give the measured "
     "diameter in mm (0 if the lesion has disappeared)"),
    ("missing baseline diameter", {"timepoints": [baseline([("T1", "lung", None, False)])]},  # type: ignore[list-item]
     "<data>: timepoints[0].targets[0].diameter_mm: target 'T1' has no baseline diameter; give the measured "
     "diameter in mm or move the lesion to non_targets"),
    ("dates out of order", {"timepoints": [LONG, tp("w8", "2020-03-02", {"T1": 40}),
     tp("w4", "2020-02-03", {"T1": 45})]},
     "<data>: timepoints[2].date: 2020-02-03 is not after 2020-03-02 (timepoints[1]); list the baseline first and "
     "the time points in date order"),
    ("duplicate lesion id", {"timepoints": [baseline([("T1", "lung", 20, False)], ["T1"])]},
     "<data>: timepoints[0].non_targets[0].id: duplicate lesion id 'T1'; give each lesion its own id"),
    ("unknown follow-up target", {"timepoints": [LONG, tp("w8", "2020-03-02", {"T9": 10})]},
     "<data>: timepoints[1].targets[0].id: target 'T9' is not a baseline target; follow-up targets must be the "
     "baseline ones (report new disease with \"new_lesion\": true)"),
    ("unknown key", {"timepoints": [{**LONG, "lesions": []}]},
     "<data>: timepoints[0].lesions: unknown key 'lesions'; allowed keys: date, label, new_lesion, non_targets, "
     "targets"),
    ("bad status", {"timepoints": [LONG, {**tp("w8", "2020-03-02", {"T1": 40}),
     "non_targets": [{"id": "N1", "status": "smaller"}]}]},
     "<data>: timepoints[1].non_targets[0].status: Input should be 'present', 'absent' or 'progression' "
     "(got 'smaller')"),
    ("no time points", {"timepoints": []},
     "<data>: timepoints: List should have at least 1 item after validation, not 0"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "data", "message"), INVALID, ids=[row[0] for row in INVALID])
def test_invalid_input_names_the_lesion_the_rule_and_the_fix(rule: str, data: dict[str, Any], message: str) -> None:
    """Invalid baselines and follow-ups raise ValidationError with field, lesion and fix.

    Worked example: six baseline targets (lung, liver, bone, skin, kidney, spleen) break the
    five-target limit: "timepoints[0].targets: 6 target lesions at baseline; RECIST 1.1 allows at
    most 5 (move the others to non_targets)".
    """
    with pytest.raises(ValidationError) as err:
        evaluate(data)
    assert str(err.value) == message, rule


def test_negative_minimum_sd_duration_is_rejected() -> None:
    """--min-sd-weeks must not be negative.

    Worked example: -2 weeks -> "--min-sd-weeks: minimum SD duration -2 weeks is negative; give 0 or more weeks".
    """
    with pytest.raises(ValidationError, match=r"^--min-sd-weeks: minimum SD duration -2 weeks is negative"):
        evaluate({"timepoints": [LONG]}, min_sd_weeks=-2)


# ---- property test ----------------------------------------------------------------------------

diameters = st.one_of(st.none(), st.floats(min_value=0, max_value=300, allow_nan=False))


@settings(max_examples=150, deadline=None)
@given(
    base=st.lists(st.floats(min_value=10, max_value=200, allow_nan=False), min_size=1, max_size=5),
    follow=st.lists(st.tuples(diameters, st.booleans()), min_size=1, max_size=6),
)
def test_any_measurement_series_gives_consistent_results(
    base: list[float], follow: list[tuple[float | None, bool]]
) -> None:
    """Whatever the measurements, sums add up and responses obey the thresholds.

    Worked example: baseline [40, 30], every target scaled by the same follow-up value or missing.
    """
    organs = ["lung", "liver", "bone", "skin", "kidney"]
    data: dict[str, Any] = {"timepoints": [baseline([(f"T{i}", organs[i], d, False) for i, d in enumerate(base)])]}
    for k, (d, new) in enumerate(follow):
        data["timepoints"].append(
            tp(f"t{k}", f"2020-{k + 2:02d}-01", {f"T{i}": d for i in range(len(base))}, new_lesion=new)
        )
    result = evaluate(data)
    base_sum = sum(base)
    assert result.timepoints[0].sum_mm == round(base_sum, 1)
    for row, (d, new) in zip(result.timepoints[1:], follow, strict=True):
        if new:
            assert row.overall == "PD"
        if d is None:
            assert row.sum_mm is None and row.target == "NE"
            continue
        assert row.sum_mm == round(d * len(base), 1)
        if row.target == "PR":
            assert d * len(base) <= 0.7 * base_sum + 1e-6
    assert result.best_overall_response in {"CR", "PR", "SD", "PD", "NE"}


# ---- command line -----------------------------------------------------------------------------


def test_cli_json_output_for_seed_003(capsys: pytest.CaptureFixture[str]) -> None:
    """`caseseries recist FILE --json` prints the design.md output JSON.

    Worked example: seed 003 fixture -> month 5 CR, best overall response CR.
    """
    assert main(["recist", str(RECIST / "seed003_cr.json"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["best_overall_response"] == "CR"
    assert out["timepoints"][1]["overall"] == "CR"
    assert set(out["timepoints"][0]) == {
        "label", "sum_mm", "change_from_baseline_pct", "change_from_nadir_pct", "target", "non_target", "overall",
    }  # fmt: skip


def test_cli_confirm_turns_a_single_complete_response_into_stable_disease(capsys: pytest.CaptureFixture[str]) -> None:
    """With --confirm, seed 003's single CR assessment has no confirmation and counts as SD.

    Worked example: one follow-up (month 5, CR), nothing >= 28 days later -> BOR SD.
    """
    assert main(["recist", str(RECIST / "seed003_cr.json"), "--json", "--confirm"]) == 0
    assert json.loads(capsys.readouterr().out)["best_overall_response"] == "SD"


def test_cli_table_output(capsys: pytest.CaptureFixture[str]) -> None:
    """The default output is a table plus the best overall response line.

    Worked example: confirmed_pr.json with --confirm --min-sd-weeks 6 -> "Best overall response: PR (...)".
    """
    assert main(["recist", str(RECIST / "confirmed_pr.json"), "--confirm", "--min-sd-weeks", "6"]) == 0
    out = capsys.readouterr().out
    assert "week 24" in out and "-50%" in out
    assert "Best overall response: PR (CR/PR confirmed >= 28 days later; SD >= 6 weeks after baseline)" in out


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("bad_too_many_targets.json", "timepoints[0].targets: 6 target lesions at baseline; RECIST 1.1 allows at most "
         "5 (move the others to non_targets)"),
        ("bad_node_target.json", "timepoints[0].targets[1].diameter_mm: target 'L1' is a lymph node with short axis "
         "12 mm, under the 15 mm RECIST 1.1 minimum for a target node; at this size it is a pathological non-target "
         "node (move it to non_targets or drop it)"),
        ("bad_dates.json", "timepoints[1].date: 2019-12-01 is not after 2020-01-06 (timepoints[0]); list the "
         "baseline first and the time points in date order"),
        ("bad_duplicate_id.json", "timepoints[1].targets[1].id: duplicate lesion id 'T1'; give each lesion its own "
         "id"),
        ("bad_negative.json", "timepoints[1].targets[0].diameter_mm: target 'T1': diameter -3 mm is negative; give "
         "the measured diameter in mm (0 if the lesion has disappeared)"),
        ("bad_missing_baseline.json", "timepoints[0].targets[0].diameter_mm: target 'T1' has no baseline diameter; "
         "give the measured diameter in mm or move the lesion to non_targets"),
        ("malformed.json", "invalid JSON at line 2 column 46: Expecting property name enclosed in double quotes; fix "
         "the syntax"),
    ],
)  # fmt: skip
def test_cli_bad_input_exits_2_with_one_error_line(
    fixture: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad RECIST files exit 2 with `Error: FILE: FIELD: message and fix` on one line.

    Worked example: a 12 mm node chosen as target -> exit 2 naming L1, the 15 mm rule and the fix.
    """
    path = RECIST / fixture
    assert main(["recist", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"Error: {path}: {message}\n"


def test_cli_missing_file_and_non_object(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file or a JSON array exits 2 with the fix.

    Worked example: `[1, 2]` -> "the file must hold a JSON object {"timepoints": [...]}".
    """
    missing = tmp_path / "nope.json"
    assert main(["recist", str(missing)]) == 2
    assert (
        capsys.readouterr().err == f"Error: {missing}: cannot read file (No such file or directory); check the path\n"
    )
    array = tmp_path / "array.json"
    array.write_text("[1, 2]")
    assert main(["recist", str(array)]) == 2
    assert capsys.readouterr().err == (
        f'Error: {array}: (top level): the file must hold a JSON object {{"timepoints": [...]}}; '
        "wrap the time points in it\n"
    )
