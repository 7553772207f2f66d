"""Response rates show their fraction, what the denominator leaves out and that counts are lines."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from docx import Document

from caseseries.analysis.cohort import Cohort
from caseseries.analysis.response import summarise_responses
from caseseries.cli import main
from caseseries.data import bundled_case_series
from caseseries.model.enums import Response
from caseseries.report.build import build_report
from caseseries.report.tables import rate_cell
from caseseries.store import Store

CR, PR, SD, PD, NE = Response.CR, Response.PR, Response.SD, Response.PD, Response.NE
FIRST_LINE_ALECTINIB = "100% (11/11; 95% CI 72–100; 1 not reported)"


@pytest.mark.parametrize(
    ("responses", "rate", "expected"),
    [
        ([CR] * 3 + [PR] * 8 + [None], "orr", FIRST_LINE_ALECTINIB),
        ([PR, PR, SD, PD, NE, None, None], "orr", "50% (2/4; 95% CI 7–93; 1 not evaluable, 2 not reported)"),
        ([PR, PR, SD, PD, NE, None, None], "dcr", "75% (3/4; 95% CI 19–99; 1 not evaluable, 2 not reported)"),
        ([PD, PD, PD], "orr", "0% (0/3; 95% CI 0–71)"),
        ([PR], "orr", "100% (1/1; 95% CI not computed, n < 3)"),
        ([NE, None], "orr", "not computed (no evaluable line; 1 not evaluable, 1 not reported)"),
        ([], "orr", "not computed (no evaluable line)"),
    ],
)  # fmt: skip
def test_rate_cell(responses: list[Response | None], rate: str, expected: str) -> None:
    assert rate_cell(summarise_responses(responses), rate) == expected


@pytest.fixture(scope="module")
def first_line(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rates") / "report"
    build_report(bundled_case_series(), out, cohort=Cohort(agent="alectinib", line=1))
    return out


def test_every_format_shows_the_fraction_and_the_missing_response(first_line: Path) -> None:
    html = (first_line / "report.html").read_text(encoding="utf-8")
    md = (first_line / "report.md").read_text(encoding="utf-8")
    assert f"Objective response rate {FIRST_LINE_ALECTINIB}" in html
    assert f"Objective response rate {FIRST_LINE_ALECTINIB}" in md
    with (first_line / "tables" / "response_by_line.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][1] == "Lines" and "ORR (responders/evaluable lines)" in rows[0]
    assert rows[1][0] == "line 1" and FIRST_LINE_ALECTINIB in rows[1]
    docx_cells = [c.text for t in Document(str(first_line / "tables.docx")).tables for r in t.rows for c in r.cells]
    assert FIRST_LINE_ALECTINIB in docx_cells
    assert "Counts are lines of therapy (a patient can contribute several lines)" in md
    assert "ORR 100% (11/11; 95% CI 72–100; 1 not reported)" in md  # the response section's sentence


def test_analyze_text_output_shows_fraction_and_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cs.db'}"
    Store.open(url).add_case_file(bundled_case_series())
    assert main(["--db", url, "analyze", "--agent", "alectinib", "--line", "1"]) == 0
    out = capsys.readouterr().out
    assert "Cohort: agent = alectinib; line = 1 - 12 patients, 12 lines." in out
    assert f"all: 12 lines: CR 3, PR 8, SD 0, PD 0, NE 0, not reported 1; ORR {FIRST_LINE_ALECTINIB}" in out
    assert "over 11 evaluable lines" in out
    assert main(["--db", url, "analyze", "--agent", "alectinib", "--line", "1", "--json"]) == 0
    assert '"unit": "lines"' in capsys.readouterr().out
