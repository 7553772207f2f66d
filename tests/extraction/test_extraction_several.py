"""Texts of several patients: each patient's findings from sentences about all or some of them.

The tables of ``tests/extraction/tables/several_patients.yaml`` (whole texts -> each patient) and
the sentence rows below are written for these tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from caseseries.extraction.alk import elided_status, find_alk
from caseseries.extraction.genes import find_fusions
from caseseries.extraction.rules import RuleExtractor

TABLES = Path(__file__).resolve().parent / "tables"


def _label(gene5: str | None, gene3: str | None) -> str:
    return f"{gene5 or 'v'}::{gene3 or 'v'}"


def _patient(p: Any) -> dict[str, Any]:
    return {
        "label": p.label,
        "age": p.age_years,
        "sex": p.sex.value if p.sex else None,
        "site": p.primary_site,
        "diagnosis": p.diagnosis,
        "status": p.alk.status.value if p.alk.status else None,
        "methods": sorted(m.value for m in p.alk.methods),
        "fusions": [_label(f.gene5, f.gene3) for f in p.fusions],
        "lines": [[ln.agents, ln.best_response.value if ln.best_response else None, ln.pfs_months] for ln in p.lines],
    }


@pytest.mark.parametrize(
    "row",
    [pytest.param(r, id=r["name"]) for r in yaml.safe_load((TABLES / "several_patients.yaml").read_text("utf-8"))],
)
def test_several_patients_table(row: dict[str, Any]) -> None:
    doc = RuleExtractor().extract(row["text"]).document
    got = [_patient(p) for p in doc.patients]
    want = row["patients"]
    assert [g["label"] for g in got] == [w["label"] for w in want]
    for g, w in zip(got, want, strict=True):
        expected = {**w, "methods": sorted(w["methods"])} if "methods" in w else w
        assert {k: g[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("sentence", "status", "methods"),
    [
        ("An ALK fusion was detected in neither child by targeted sequencing.", "negative", ["NGS"]),
        ("Neither of the resected tumours showed ALK expression on immunostaining.", "negative", ["IHC"]),
    ],
)
def test_alk_denied_for_every_patient_named(sentence: str, status: str, methods: list[str]) -> None:
    found = find_alk(sentence, [(0, len(sentence))])
    assert (found.status.value if found.status else None) == status
    assert sorted(m.value for m in found.methods) == methods


@pytest.mark.parametrize(
    ("sentence", "fusions"),
    [
        ("Break-apart FISH showed an ALK rearrangement in neither specimen.", []),
        ("Neither tumour carried an ALK fusion on RNA sequencing.", []),
    ],
)
def test_rearrangement_denied_for_every_patient_named(sentence: str, fusions: list[str]) -> None:
    assert [_label(h.gene5, h.gene3) for h in find_fusions(sentence)] == fusions


@pytest.mark.parametrize(
    ("sentence", "piece", "status"),
    [
        (
            "ALK staining was positive in the first patient and negative in the second.",
            "negative in the second",
            "negative",
        ),
        (
            "An ALK rearrangement was detected by FISH in the first child but not in the second.",
            "but not in the second",
            "negative",
        ),
        (
            "ALK IHC was negative in the elder sister and positive in the younger one.",
            "positive in the younger one",
            "positive",
        ),
        # the piece names ALK: it states its own status (read by find_alk)
        (
            "ALK IHC was positive in the first and ALK FISH negative in the second.",
            "ALK FISH negative in the second",
            None,
        ),
        # the sentence states no ALK status for the elided word to refer to
        ("Desmin was positive in the first patient and negative in the second.", "negative in the second", None),
        # the piece says no status
        ("ALK staining was positive in the first patient and weak in the second.", "weak in the second", None),
    ],
)
def test_status_said_without_naming_alk_again(sentence: str, piece: str, status: str | None) -> None:
    start = sentence.index(piece)
    told = elided_status(sentence, (0, len(sentence)), (start, start + len(piece)))
    assert (told[0].value if told else None) == status
    if told is not None:
        assert start <= told[1] < told[2] <= start + len(piece)
