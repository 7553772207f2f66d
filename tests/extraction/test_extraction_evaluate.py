"""Evaluation: one-to-one patient matching, line matching by number, counts and scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caseseries.errors import InputError
from caseseries.extraction.evaluate import Counts, compare_patients, evaluate, match_patients, score_document
from caseseries.model import CaseDocument, Patient, TherapyLine


def _p(label: str, **kw) -> Patient:  # type: ignore[no-untyped-def]
    return Patient(label=label, **kw)


def test_counts_scores() -> None:
    c = Counts(tp=6, fp=2, fn=4)
    assert (round(c.precision, 4), round(c.recall, 4), round(c.f1, 4)) == (0.75, 0.6, 0.6667)


def test_worked_example() -> None:
    gold = CaseDocument(
        patients=[
            _p(
                "A",
                age_years=52,
                sex="female",
                primary_site="uterus",
                lines=[
                    TherapyLine(line=1, agents=["alectinib"], best_response="PR", pfs_months=10.0, pfs_censored=False),
                    TherapyLine(line=2, agents=["lorlatinib"], best_response="PD"),
                ],
            ),
            _p(
                "B",
                age_years=7,
                sex="male",
                primary_site="lung",
                lines=[TherapyLine(line=1, agents=["crizotinib"], best_response="CR")],
            ),
        ]
    )
    pred = CaseDocument(
        patients=[
            # matches B: age within 1 year (7.8), site wrong, line 1 right
            _p(
                "x",
                age_years=7.8,
                sex="male",
                primary_site="pleura",
                lines=[TherapyLine(line=1, agents=["crizotinib"], best_response="CR")],
            ),
            # matches A: PFS 10.4 within 0.5 months; line 2 missed; extra agent in line 1
            _p(
                "y",
                age_years=52,
                sex="female",
                primary_site="uterus",
                lines=[
                    TherapyLine(
                        line=1, agents=["alectinib", "steroid"], best_response="PR", pfs_months=10.4, pfs_censored=False
                    )
                ],
            ),
            # extra patient: two false positives
            _p("z", sex="female", lines=[TherapyLine(line=1, agents=["ceritinib"])]),
        ]
    )
    assert sorted(match_patients(gold.patients, pred.patients)) == [(0, 1), (1, 0)]
    scores, matched = score_document(gold, pred)
    assert matched == 2
    f = scores.fields
    assert (f["age_years"].tp, f["age_years"].fp, f["age_years"].fn) == (2, 0, 0)
    assert (f["sex"].tp, f["sex"].fp, f["sex"].fn) == (2, 1, 0)
    assert (f["primary_site"].tp, f["primary_site"].fp, f["primary_site"].fn) == (1, 1, 1)
    assert (f["lines.agents"].tp, f["lines.agents"].fp, f["lines.agents"].fn) == (2, 2, 1)
    assert (f["lines.best_response"].tp, f["lines.best_response"].fp, f["lines.best_response"].fn) == (2, 0, 1)
    assert (f["lines.pfs_months"].tp, f["lines.pfs_censored"].tp) == (1, 1)
    total = scores.overall
    # A: 7 tp, 1 fp, 2 fn; B: 4 tp, 1 fp, 1 fn; extra z: 2 fp
    assert (total.tp, total.fp, total.fn) == (11, 4, 3)
    assert round(total.f1, 4) == round(2 * 11 / (2 * 11 + 4 + 3), 4)


@pytest.mark.parametrize(
    ("gold_lines", "pred_lines", "expected"),
    [
        # gold start equal -> tp; different -> fp + fn; missing -> fn
        ([TherapyLine(line=1, start="2022-03")], [TherapyLine(line=1, start="2022-03")], (1, 0, 0)),
        ([TherapyLine(line=1, start="2022-03")], [TherapyLine(line=1, start="2022-04")], (0, 1, 1)),
        ([TherapyLine(line=1, start="2022-03")], [TherapyLine(line=1)], (0, 0, 1)),
        # a gold line without a start date has nothing to match
        ([TherapyLine(line=1)], [TherapyLine(line=1, start="2021")], (0, 0, 0)),
        # the start of a predicted line the gold does not have is not counted
        (
            [TherapyLine(line=1, start="2020")],
            [TherapyLine(line=1, start="2020"), TherapyLine(line=2, start="2021")],
            (1, 0, 0),
        ),
        # a gold line the prediction lacks: its start is a false negative
        ([TherapyLine(line=1), TherapyLine(line=2, start="2023-01-05")], [TherapyLine(line=1)], (0, 0, 1)),
    ],
)
def test_line_start_dates(
    gold_lines: list[TherapyLine], pred_lines: list[TherapyLine], expected: tuple[int, int, int]
) -> None:
    c = compare_patients(_p("A", lines=gold_lines), _p("A", lines=pred_lines)).fields["lines.start"]
    assert (c.tp, c.fp, c.fn) == expected


def test_pfs_tolerance() -> None:
    gold = _p("A", lines=[TherapyLine(line=1, agents=["x"], pfs_months=36.0)])
    near = _p("A", lines=[TherapyLine(line=1, agents=["x"], pfs_months=37.7)])  # within 5% of 36 (1.8)
    far = _p("A", lines=[TherapyLine(line=1, agents=["x"], pfs_months=38.0)])
    assert compare_patients(gold, near).fields["lines.pfs_months"].tp == 1
    assert compare_patients(gold, far).fields["lines.pfs_months"].tp == 0
    assert compare_patients(gold, far, tolerance=0.1).fields["lines.pfs_months"].tp == 1


def test_evaluate_on_folders(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A 40-year-old woman received crizotinib with a partial response.", "utf-8")
    gold = {
        "schema": "caseseries/1",
        "documents": [
            {
                "source": {"path": "a.txt"},
                "patients": [
                    {
                        "label": "index patient",
                        "age_years": 40,
                        "sex": "female",
                        "lines": [{"line": 1, "agents": ["crizotinib"], "best_response": "PR"}],
                    }
                ],
            }
        ],
    }
    (tmp_path / "a.json").write_text(json.dumps(gold), "utf-8")
    result = evaluate(tmp_path, tmp_path)
    assert result.documents == 1 and result.matched_patients == 1
    assert result.scores.overall.tp == 4 and result.scores.overall.fn == 0


def test_evaluate_needs_matching_texts(tmp_path: Path) -> None:
    (tmp_path / "g.json").write_text(
        json.dumps({"schema": "caseseries/1", "documents": [{"source": {"path": "missing.txt"}, "patients": []}]}),
        "utf-8",
    )
    with pytest.raises(InputError, match="no gold document names a text file"):
        evaluate(tmp_path, tmp_path)
