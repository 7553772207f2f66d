"""Data-driven tables for the molecular and anatomic finders (ALK testing, fusions, mutations, sites).

Each table in ``tests/data/extraction/tables/`` lists texts written for these tests with the
fields the finders must read from them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from caseseries.extraction.alk import find_alk

TABLES = Path(__file__).parent / "data" / "extraction" / "tables"


def rows(name: str) -> list[Any]:
    """The rows of a table file, each a pytest param with its text as id."""
    data = yaml.safe_load((TABLES / name).read_text("utf-8"))
    return [pytest.param(row, id=row["text"][:60]) for row in data]


@pytest.mark.parametrize("row", rows("alk_testing.yaml"))
def test_alk_testing_table(row: dict[str, Any]) -> None:
    text = row["text"]
    found = find_alk(text, [(0, len(text))])
    assert (found.status.value if found.status else None) == row["status"]
    assert sorted(m.value for m in found.methods) == sorted(row["methods"])
    if found.status_span is not None:
        start, end = found.status_span
        assert 0 <= start < end <= len(text)
