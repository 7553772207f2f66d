"""``print_json_array`` writes, item by item, exactly the bytes ``print_json`` writes for the whole list."""

from __future__ import annotations

from typing import Any

import pytest

from caseseries.commands._common import print_json, print_json_array

CASES: list[list[Any]] = [
    [],
    [{}],
    [{"id": 1}],
    [1, "two", None],
    [{"id": 1, "label": "Fall 2 – Ä", "lines": [{"agents": ["a", "b"]}], "x": {}}, {"id": 2, "empty": []}],
    [[1, [2, [3]]], {"nested": {"deep": {"deeper": [1, 2]}}}],
]


@pytest.mark.parametrize("items", CASES)
def test_streamed_json_is_byte_identical(items: list[Any], capsys: pytest.CaptureFixture[str]) -> None:
    print_json(items)
    whole = capsys.readouterr().out
    print_json_array(iter(items))
    assert capsys.readouterr().out == whole
