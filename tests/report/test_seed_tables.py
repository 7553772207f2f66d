"""Acceptance: the report's Tables 1 and 2 for the bundled patients match seed 000's tables row for row.

The expected rows are seed 000's Table 1 (10 rows) and Table 2 (9 rows) copied verbatim from the
seed text into tests/data/analysis/seed000_table{1,2}.tsv. Cells are compared for meaning, not
spelling: sites and agents through the vocabularies ("Uterine" = uterus, "navelbine" =
vinorelbine, "ASP3062" = ASP3026, "Bladder" = urinary bladder), durations in months ("Ongoing after
3 years" = ongoing after 36 months), footnote marks ignored, and a blank reference cell means the
row above's reference.
"""

from __future__ import annotations

import csv
import re

import pytest
from tests.conftest import DATA

from caseseries.data import bundled_case_series
from caseseries.report.tables import Table, table1, table2
from caseseries.vocab import drug_name, site_term

SEED = DATA / "analysis"


def _seed_cells(name: str) -> list[list[str]]:
    """Body rows as lists (Table 2 has two 'Outcome' columns); blank references continue the row above."""
    with (SEED / name).open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))[1:]
    previous = ""
    for row in rows:
        row[-1] = row[-1].strip() or previous
        previous = row[-1]
    return rows


def _seed_rows(name: str) -> list[dict[str, str]]:
    with (SEED / name).open(encoding="utf-8") as fh:
        header = next(csv.reader(fh, delimiter="\t"))
    return [dict(zip(header, r, strict=True)) for r in _seed_cells(name)]


def _site(text: str) -> str:
    return site_term(text) or text.lower()


def _duration(text: str) -> str:
    """Normalise durations: '3 years' -> '36 months', '5.5 months' -> '5.5 months'."""

    def years(m: re.Match[str]) -> str:
        return f"{float(m.group(1)) * 12:g} months"

    text = re.sub(r"(\d+(?:\.\d+)?) years?", years, text)
    return re.sub(r"(\d+(?:\.\d+)?) months?", lambda m: f"{float(m.group(1)):g} months", text)


def _cell(text: str) -> str:
    return _duration(re.sub(r"[*†⁰¹²³⁴⁵⁶⁷⁸⁹]", "", text).strip()).lower()


def _regimen(text: str) -> list[str]:
    text = text.strip()
    if re.match(r"\d+ lines of ", text):
        return [text.lower()]
    parts = [p.strip() for p in re.split(r"\band\b|,", text) if p.strip()]
    names = []
    for p in parts:
        code = "asp3026" if p.upper() == "ASP3062" else p  # the seed's typo of the code name
        names.append(drug_name(code) or p.lower())
    return names


def _report_rows(table: Table, prefix: str) -> dict[int, dict[str, str]]:
    out = {}
    for label, row in zip(table.row_labels, table.rows, strict=True):
        m = re.fullmatch(rf"Wu 2024, {prefix}, case (\d+)", label)
        if m:
            out[int(m.group(1))] = dict(zip(table.columns, row, strict=True))
    return out


@pytest.fixture(scope="module")
def bundled_tables() -> tuple[Table, Table]:
    series = bundled_case_series()
    return table1(series), table2(series)


def test_table1_matches_seed_row_for_row(bundled_tables: tuple[Table, Table]) -> None:
    seed = _seed_rows("seed000_table1.tsv")
    report = _report_rows(bundled_tables[0], "Table 1")
    assert sorted(report) == list(range(1, len(seed) + 1)) == list(range(1, 11))
    for row in seed:
        got = report[int(row["Case"])]
        assert _site(got["Primary site"]) == _site(row["Primary site"]), row
        assert _cell(got["ALK fusion partner"]) == _cell(row["ALK fusion partner"]), row
        assert _cell(got["Best response"]) == _cell(row["Best response"]), row
        assert _cell(got["PFS"]) == _cell(row["PFS"]), row
        assert got["Reference"].split()[0] == row["Reference"], row


def test_table2_matches_seed_row_for_row(bundled_tables: tuple[Table, Table]) -> None:
    seed = _seed_cells("seed000_table2.tsv")
    table = bundled_tables[1]
    assert sorted(_report_rows(table, "Table 2")) == list(range(1, len(seed) + 1)) == list(range(1, 10))
    for row in seed:
        got = table.rows[table.row_labels.index(f"Wu 2024, Table 2, case {row[0]}")]
        assert _site(got[1]) == _site(row[1]), row
        assert got[2].split()[0] == row[2], row
        assert _regimen(got[3]) == _regimen(row[3]), row
        assert _cell(got[4]) == _cell(row[4]), row
        assert _regimen(got[5]) == _regimen(row[5]), row
        assert _cell(got[6]) == _cell(row[6]), row
        assert got[7].split()[0] == row[7], row


def test_table1_also_lists_index_patients_treated_first_line(bundled_tables: tuple[Table, Table]) -> None:
    labels = bundled_tables[0].row_labels
    assert [label for label in labels if label.endswith("index patient")] == [
        "Wu 2024, index patient", "Benedetti Pedroza 2024, index patient"
    ]  # fmt: skip
    assert len(labels) == 12


def test_footnote_marks_a_partner_that_is_not_a_gene(bundled_tables: tuple[Table, Table]) -> None:
    t1 = bundled_tables[0]
    row = t1.rows[t1.row_labels.index("Wu 2024, Table 1, case 10")]
    assert row[2] == "CTCL¹"
    assert any(n.startswith("¹CTCL as written in the source") for n in t1.footnotes)
    assert "PR: Partial response" in t1.footnotes[-1]


def test_subsequent_therapy_footnote_for_case_5(bundled_tables: tuple[Table, Table]) -> None:
    t2 = bundled_tables[1]
    row = t2.rows[t2.row_labels.index("Wu 2024, Table 2, case 5")]
    mark = row[6].removeprefix("SD for 6 months")
    assert re.fullmatch("[⁰¹²³⁴⁵⁶⁷⁸⁹]+", mark)
    note = next(n for n in t2.footnotes if re.match(f"{mark}(?![⁰¹²³⁴⁵⁶⁷⁸⁹])", n))
    assert "lorlatinib" in note
