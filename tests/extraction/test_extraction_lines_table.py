"""Therapy-line rules table (tests/data/extraction/unit/lines.yaml): order, segmentation, regimens, durations."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from tests.conftest import DATA as TESTS_DATA

from caseseries.extraction.rules import RuleExtractor

TABLE = yaml.safe_load((TESTS_DATA / "extraction" / "unit" / "lines.yaml").read_text("utf-8"))
INTRO = "Case report\n\nA 40-year-old woman had an ALK-positive inflammatory myofibroblastic tumour of the lung. "


@pytest.mark.parametrize("row", TABLE, ids=[r["rule"] for r in TABLE])
def test_line_rules(row: dict[str, Any]) -> None:
    text = (row["title"] + "\n\n" if "title" in row else "") + INTRO + row["story"]
    patients = RuleExtractor().extract(text).document.patients
    assert len(patients) == 1
    lines = patients[0].lines
    got = [{key: _value(getattr(line, key)) for key in want} for line, want in zip(lines, row["lines"], strict=False)]
    expected = [{key: _value(v) for key, v in want.items()} for want in row["lines"]]
    assert (len(lines), got) == (len(row["lines"]), expected)


def _value(value: Any) -> Any:
    """Enum values as strings; a combination's agents in any order."""
    if isinstance(value, list):
        return sorted(value)
    return getattr(value, "value", value)
