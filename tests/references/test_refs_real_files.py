"""Offline ``refs check`` on the real reference lists of ``../shared/data/real-files/refs_check``.

Each manuscript there renders the reference list of a published article in one journal style
(Vancouver, BMC or PLoS author-year), next to the same references as RIS records. Some RIS
records are empty (a book, patent or report whose fields were lost: only ``TY  - BOOK``); those
references cannot be verified in any style, and must never be called not_found. Of the others,
at least 95 % must be verified in every style. Skips when the folder is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.conftest import SHARED

from caseseries.references import Verdict, check_file

REFS_CHECK = SHARED / "data" / "real-files" / "refs_check"
MANUSCRIPTS = sorted(REFS_CHECK.glob("*_manuscript_*.md")) if REFS_CHECK.is_dir() else []
FLOOR = 0.95


def _records_with_a_title(ris: Path) -> int:
    """RIS records that carry a title (the references that can be verified)."""
    text = ris.read_text(encoding="utf-8-sig")
    return sum(1 for record in re.split(r"(?m)^ER  -.*$", text) if re.search(r"(?m)^TI  - \S", record))


@pytest.mark.skipif(not MANUSCRIPTS, reason="../shared/data/real-files/refs_check is absent")
@pytest.mark.parametrize("manuscript", MANUSCRIPTS, ids=[m.name for m in MANUSCRIPTS])
def test_every_style_verifies_against_its_ris_records(manuscript: Path) -> None:
    ris = manuscript.with_name(manuscript.name.split("_manuscript_")[0] + "_refs.ris")
    report = check_file(manuscript, records=[str(ris)], offline=True)
    verified = report.count(Verdict.VERIFIED)
    verifiable = _records_with_a_title(ris)
    assert len(report.results) == ris.read_text(encoding="utf-8-sig").count("TY  - "), "one result per reference"
    assert report.count(Verdict.NOT_FOUND) == 0, [
        r.reference.text for r in report.results if r.verdict is Verdict.NOT_FOUND
    ]
    assert report.count(Verdict.MISMATCH) == 0
    assert verified >= FLOOR * verifiable, f"{verified}/{verifiable} verified"
    others = [r for r in report.results if r.verdict is not Verdict.VERIFIED]
    assert all(r.verdict in (Verdict.NOT_INDEXED, Verdict.UNPARSED, Verdict.MINOR_MISMATCH) for r in others)
