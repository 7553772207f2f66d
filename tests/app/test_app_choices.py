"""The start-up copies of option choices in ``caseseries.app.choices`` equal the stages' own values."""

from __future__ import annotations

from typing import Any

import pytest

from caseseries.analysis.response import GROUPINGS
from caseseries.app import choices, records
from caseseries.report.build import FORMATS
from caseseries.screening import Stage
from caseseries.sources.eutils import DEFAULT_BASE_URL

COPIES: list[tuple[str, Any]] = [
    ("GROUPINGS", GROUPINGS),
    ("EUTILS_URL", DEFAULT_BASE_URL),
    ("REPORT_FORMATS", FORMATS),
    ("SCREENING_STATES", records.SCREENING_STATES),
    ("FIRST_STAGE", Stage.TITLE_ABSTRACT.value),
]


@pytest.mark.parametrize(("name", "original"), COPIES)
def test_each_copy_equals_its_original(name: str, original: Any) -> None:
    assert getattr(choices, name) == original


def test_every_copy_is_checked() -> None:
    assert {n for n in vars(choices) if n.isupper()} == {n for n, _ in COPIES}
