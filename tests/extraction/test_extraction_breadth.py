"""Breadth texts: phenomena of the wider domain the development set lacks, one text each.

The texts and gold of ``tests/data/extraction/breadth/`` are written for these tests; the table
``phenomena.yaml`` names, per text, the values its phenomenon must give (a driver other than ALK,
an unnamed partner, old gene symbols, infant ages, lines without a kinase inhibitor, resistance
mutations, EIMS).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.conftest import DATA as TESTS_DATA

from caseseries.extraction import extract_text
from caseseries.model.casejson import Patient, Source, load_case_file
from caseseries.vocab.check import check_case_file

BREADTH = TESTS_DATA / "extraction" / "breadth"
ROWS = yaml.safe_load((BREADTH / "phenomena.yaml").read_text("utf-8"))
GOLD = sorted(BREADTH.glob("*.json"))


def _patient(doc: str) -> Patient:
    path = BREADTH / f"{doc}.txt"
    document = extract_text(path.read_text("utf-8"), source=Source(path=path.name)).document
    assert document.patients, f"{doc}: no patient extracted"
    return document.patients[0]


def _value(patient: Patient, field: str) -> Any:
    """The value of a field path (``age_years``, ``alk.status``, ``lines[1].agents``) in comparable form."""
    if field == "fusions":
        return [f"{f.gene5 or 'v'}::{f.gene3 or 'v'}" for f in patient.fusions]
    if field == "fusion_flags":
        return [flag for f in patient.fusions for flag in f.flags]
    if field == "mutations":
        return [" ".join(x for x in (m.gene, m.protein, m.coding) if x) for m in patient.mutations]
    m = re.fullmatch(r"lines\[(\d+)\]\.(\w+)", field)
    if m:
        index = int(m.group(1))
        return getattr(patient.lines[index], m.group(2)) if index < len(patient.lines) else None
    value: Any = patient
    for part in field.split("."):
        value = getattr(value, part)
    return value.value if hasattr(value, "value") else value


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['doc']}-{r['field']}" for r in ROWS])
def test_breadth_phenomenon(row: dict[str, Any]) -> None:
    assert _value(_patient(row["doc"]), row["field"]) == row["expected"], row["phenomenon"]


@pytest.mark.parametrize("path", GOLD, ids=[p.stem for p in GOLD])
def test_breadth_gold_is_valid(path: Path) -> None:
    case_file = load_case_file(path)
    check_case_file(case_file, source=str(path))
    assert case_file.documents[0].source.path == f"{path.stem}.txt"
    assert (BREADTH / f"{path.stem}.txt").is_file()
