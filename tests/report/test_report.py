"""The evidence report: files written, self-contained HTML, figures with text, atomic writes, CLI."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from docx import Document
from tests.conftest import DATA

from caseseries.cli import main
from caseseries.errors import InputError
from caseseries.model.casejson import CaseFile, load_case_file
from caseseries.model.publication import SearchRecord
from caseseries.report import build as build_module
from caseseries.report.build import build_report
from caseseries.report.methods import STATEMENT, Provenance
from caseseries.store import Store

MINI = DATA / "analysis" / "mini_series.json"


@pytest.fixture(scope="module")
def mini() -> CaseFile:
    return load_case_file(MINI)


@pytest.fixture(scope="module")
def report_dir(mini: CaseFile, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rep") / "report"
    search = SearchRecord(query='"inflammatory myofibroblastic tumor" AND "alectinib"', run_at="2024-01-05T10:00:00Z",
                          count=98)  # fmt: skip
    result = build_report(
        mini, out, provenance=Provenance(searches=[search], screening={"screened": 98, "included_patients": 9})
    )
    assert result.n_patients == 7 and result.n_lines == 15
    assert all(p.exists() for p in result.files)
    return out


def test_every_format_is_written(report_dir: Path) -> None:
    for name in ("report.html", "report.md", "tables.docx", "analysis.json", "tables/table1.csv",
                 "tables/table2.csv", "tables/table1.md", "figures/km_by_line.svg", "figures/km_by_line.png",
                 "figures/swimmer.svg", "figures/forest_orr.png", "figures/timeline_1.svg"):  # fmt: skip
        assert (report_dir / name).is_file(), name
    assert (report_dir / "figures" / "swimmer.png").read_bytes().startswith(b"\x89PNG")
    assert not list(report_dir.parent.glob(".report.*"))  # no temporary directory left behind


def test_html_is_self_contained_with_statement_and_methods(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#|data:)""", html, re.I)
    assert "<link" not in html and "<script" not in html
    assert html.count(STATEMENT) == 2
    assert html.count("<svg") >= 5
    assert "PubMed was searched on 2024-01-05 with the query" in html
    assert "98 records screened; 9 patients included" in html
    assert "The case series comprises 7 patients from 2 source documents" in html
    assert "Ongoing after 36 months" in html


def test_svg_figures_keep_their_text(report_dir: Path) -> None:
    km = (report_dir / "figures" / "km_first_line_alectinib.svg").read_text(encoding="utf-8")
    assert "At risk" in km and "PFS on first-line alectinib" in km
    assert "ALEX, alectinib first line" in km  # the benchmark reference line's label
    swimmer = (report_dir / "figures" / "swimmer.svg").read_text(encoding="utf-8")
    assert "index patient" in swimmer and "ongoing at last report" in swimmer
    forest = (report_dir / "figures" / "forest_orr.svg").read_text(encoding="utf-8")
    assert "4/4  100% (40–100); 1 not reported" in forest  # line 1 responders/evaluable, exact CI, left out


def test_csv_and_docx_tables(report_dir: Path) -> None:
    with (report_dir / "tables" / "table1.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Patient", "Primary site", "ALK fusion partner", "Best response", "PFS", "Reference"]
    assert rows[1][1:5] == ["Uterus", "TNS1", "CR", "Ongoing after 36 months"]
    doc = Document(str(report_dir / "tables.docx"))
    first = doc.tables[0]
    assert [c.text for c in first.rows[0].cells] == rows[0]
    assert [c.text for c in first.rows[1].cells] == rows[1]
    assert any(p.text == STATEMENT for p in doc.paragraphs)


def test_analysis_json_has_every_headline_number(report_dir: Path) -> None:
    data = json.loads((report_dir / "analysis.json").read_text(encoding="utf-8"))
    assert data["n_patients"] == 7
    assert set(data["response"]) >= {"CR", "PR", "SD", "PD", "NE", "missing", "evaluable", "orr", "orr_ci95", "dcr",
                                     "dcr_ci95"}  # fmt: skip
    assert data["by"] == "line"


def test_failed_build_leaves_previous_report_untouched(mini: CaseFile, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    out = tmp_path / "report"
    build_report(mini, out, formats=("md",))
    before = sorted(p.name for p in out.rglob("*"))

    def boom(*_: object, **__: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(build_module, "write_html", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        build_report(mini, out, formats=("html", "md"))
    assert sorted(p.name for p in out.rglob("*")) == before
    assert not (out / "report.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_rebuild_keeps_the_formats_it_does_not_write(mini: CaseFile, tmp_path: Path) -> None:
    out = tmp_path / "report"
    build_report(mini, out, formats=("html",))
    build_report(mini, out, formats=("csv",))
    assert (out / "report.html").exists() and (out / "tables" / "table1.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_bad_format_and_bad_out(mini: CaseFile, tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        build_report(mini, tmp_path / "r", formats=("pdf",))
    assert str(err.value) == "--format: unknown report format 'pdf'; use a comma-separated list of: html, md, docx, csv"
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(InputError) as err:
        build_report(mini, file)
    assert str(err.value) == f"{file}: exists and is not a directory; choose another --out"


def test_empty_cohort_report_is_defined(mini: CaseFile, tmp_path: Path) -> None:
    from caseseries.analysis.cohort import Cohort

    result = build_report(mini, tmp_path / "r", cohort=Cohort(partner="ROS1"), formats=("html",))
    assert result.n_patients == 0
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert "No patients or lines in this cohort." in html


# ---------------------------------------------------------------------- command line
@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cs.db'}"
    Store.open(url).add_case_file(load_case_file(MINI))
    return url


def test_cli_analyze_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "analyze", "--cohort", "first-line-alectinib", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_patients"] == 5
    assert data["response"]["orr"] == 1.0 and data["response"]["orr_ci95"] == [pytest.approx(0.3976, abs=1e-4), 1.0]
    assert data["pfs"]["median_months"] == 6.9 and data["pfs"]["events"] == 3
    assert data["cohort"]["filters"] == {"agent": "alectinib", "line": 1}


def test_cli_analyze_by_and_filters_combine(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "analyze", "--site", "uterus", "--line", "1", "--by", "generation", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_patients"] == 4
    assert [g["group"] for g in data["groups"]] == ["generation 2 ALK inhibitor", "generation 1 ALK inhibitor",
                                                   "no ALK inhibitor"]  # fmt: skip


def test_cli_similar(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, "similar", "--after", "alectinib", "--mutation", "G1202R"]) == 0
    out = capsys.readouterr().out
    assert "1 published patient comparable to: after = alectinib; mutation = ALK p.G1202R" in out
    assert "then:   line 2 lorlatinib: PD" in out
    assert "reported: ALK p.G1202R" in out
    assert STATEMENT in out
    assert main(["--db", db, "similar", "--after", "alectinib", "--mutation", "G1202R", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["patients"][0]["next_lines"][0]["agents"] == ["lorlatinib"]


def test_cli_report(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "rep"
    assert main(["--db", db, "report", "--out", str(out), "--format", "html,csv", "--agent", "alectinib"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"Report for 5 patients (5 lines): {out / 'report.html'}")
    assert (out / "report.html").exists() and not (out / "report.md").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "--agent", "alectinb"],
         "Error: --agent: unknown drug 'alectinb'; did you mean 'alectinib', 'larotrectinib', 'trabectedin'?"),
        (["analyze", "--by", "colour"],
         "Error: --by: unknown grouping 'colour'; use one of: line, agent, generation, site, partner"),
        (["analyze", "--cohort", "nope"],
         "Error: shipped cohorts: --cohort: unknown cohort 'nope'; available cohorts: first-line-alectinib, "
         "two-or-more-lines"),
        (["similar"], "Error: similar: give at least one filter, e.g. --after alectinib --mutation G1202R"),
        (["report", "--format", "pdf"],
         "Error: --format: unknown report format 'pdf'; use a comma-separated list of: html, md, docx, csv"),
    ],
)  # fmt: skip
def test_cli_bad_input_exits_2(db: str, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", db, *argv]) == 2
    assert capsys.readouterr().err.strip() == message


def test_cli_cohorts_file(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("version: 1\ncohorts:\n  crizo:\n    agent: Xalkori\n    line: 1\n", encoding="utf-8")
    assert main(["--db", db, "analyze", "--cohorts", str(f), "--cohort", "crizo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_patients"] == 1
    f.write_text("cohorts:\n  crizo:\n    drug: crizotinib\n", encoding="utf-8")
    assert main(["--db", db, "analyze", "--cohorts", str(f), "--cohort", "crizo"]) == 2
    assert capsys.readouterr().err.startswith(f"Error: {f}: cohorts.crizo: unknown key 'drug'; allowed keys: after,")
