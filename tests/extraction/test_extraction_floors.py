"""Extraction scores may not fall below their floors on any corpus (CI runs this on every change).

The project's development set is always scored; the seeds and the real published texts of
``../shared/corpus/real-dev`` are scored when ``../shared`` is beside the repository (read in
place, never copied). The held-aside set is not scored here: it stays held aside.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import ROOT as REPO
from tests.conftest import SHARED

from caseseries.extraction.evaluate import Evaluation, evaluate

ROOT = REPO
DEV = ROOT / "tests" / "data" / "extraction" / "dev"
REAL_DEV = SHARED / "corpus" / "real-dev"
SEEDS = SHARED / "seeds"
SERIES = ROOT / "src" / "caseseries" / "data" / "cases" / "alk_imt_seed_series.json"

OVERALL_FLOOR = {"dev": 0.95, "seeds": 0.95, "real-dev": 0.92}
PATIENTS_FOUND_FLOOR = 0.95
FIELD_FLOOR = 0.80
"""Every field's floor on real published text (the own corpora are held to the overall floor)."""
MIN_GOLD_FOR_FIELD_FLOOR = 3
"""A field is held to ``FIELD_FLOOR`` only when the gold has at least this many values of it."""


def _check(name: str, result: Evaluation, *, every_field: bool = False) -> None:
    overall = result.scores.overall
    assert overall.f1 >= OVERALL_FLOOR[name], f"{name}: overall F1 {overall.f1:.3f} < {OVERALL_FLOOR[name]}"
    found = result.matched_patients / max(result.gold_patients, 1)
    assert found >= PATIENTS_FOUND_FLOOR, f"{name}: {result.matched_patients}/{result.gold_patients} patients found"
    if not every_field:
        return
    low = {
        field: round(c.f1, 3)
        for field, c in result.scores.fields.items()
        if c.tp + c.fn >= MIN_GOLD_FOR_FIELD_FLOOR and c.f1 < FIELD_FLOOR
    }
    assert not low, f"{name}: fields below {FIELD_FLOOR}: {low}"


def test_development_set_stays_above_its_floors() -> None:
    _check("dev", evaluate(DEV, DEV))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not beside the repository")
def test_seeds_stay_above_their_floors(tmp_path: Path) -> None:
    shutil.copy(SERIES, tmp_path / SERIES.name)
    _check("seeds", evaluate(tmp_path, SEEDS))


@pytest.mark.skipif(not REAL_DEV.is_dir(), reason="../shared/corpus/real-dev is not beside the repository")
def test_real_published_text_stays_above_its_floors() -> None:
    result = evaluate(REAL_DEV, REAL_DEV)
    assert result.documents == len(list(REAL_DEV.glob("*.json")))
    _check("real-dev", result, every_field=True)
