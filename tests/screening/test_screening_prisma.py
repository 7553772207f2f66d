"""PRISMA 2020 counts on the fixture review: the numbers, the arithmetic, the CSV and the diagram."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from screening_fixtures import Review

from caseseries.screening import Decision, DecisionLog, PrismaCounts, Role, Stage, prisma_counts, screen, write_prisma
from caseseries.screening.prisma_diagram import render_diagram

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT


def screened_review(review: Review) -> PrismaCounts:
    """Rules at both stages and one reviewer decision on the record the rules left open."""
    screen(review.store, review.protocol, TA)
    DecisionLog(review.store, review.protocol.name).record(
        "pmid:1007", TA, Decision.EXCLUDE, role=Role.REVIEWER, actor="AB", reason="alectinib not used"
    )
    screen(review.store, review.protocol, FT)
    return prisma_counts(review.store, review.protocol)


def test_counts_of_the_fixture_review(review: Review) -> None:
    c = screened_review(review)
    # 6 + 4 records from the searches and 2 from the import; pmid 1001/1002 in both searches and
    # pmid 1003 in a search and the import are duplicates.
    assert [(s.name, s.identified) for s in c.sources] == [("imt-alectinib", 6), ("imt-alk", 4), ("extra.ris", 2)]
    assert (c.identified, c.duplicates, c.awaiting_screening, c.records_screened) == (12, 3, 0, 9)
    # review (1004), animals (1005), lung cancer (1006), no ALK inhibitor (1008) by rules; 1007 by AB
    assert (c.records_excluded, c.excluded_by_rules, c.reports_sought) == (5, 4, 4)
    # 1003 has no full text; 1002 got alectinib after crizotinib
    assert (c.reports_not_retrieved, c.awaiting_assessment, c.reports_assessed, c.reports_excluded) == (1, 0, 3, 1)
    assert c.exclusion_reasons == {"alectinib not given first line": 1}
    assert (c.included_studies, c.included_reports, c.included_patients) == (2, 2, 3)
    assert c.included_keys == ["pmid:1001", "doi:10.1000/imt.2023.7"]
    assert c.reviewers == ["AB"]


def test_counts_add_up(review: Review) -> None:
    c = screened_review(review)
    assert c.identified - c.duplicates == c.records_screened
    assert c.records_screened - c.records_excluded == c.reports_sought
    assert c.reports_sought - c.reports_not_retrieved == c.reports_assessed
    assert c.reports_assessed - c.reports_excluded == c.included_studies
    assert c.arithmetic_problems() == []


def test_undecided_records_are_counted_as_awaiting(sqlite_review: Review) -> None:
    screen(sqlite_review.store, sqlite_review.protocol, TA)  # pmid:1007 stays "maybe" -> sought
    DecisionLog(sqlite_review.store, "fixture-review").record(
        "pmid:1008", TA, Decision.INCLUDE, role=Role.REVIEWER, actor="AB"
    )
    DecisionLog(sqlite_review.store, "fixture-review").record(
        "pmid:1008", TA, Decision.EXCLUDE, role=Role.REVIEWER, actor="CD"
    )
    c = prisma_counts(sqlite_review.store, sqlite_review.protocol)
    assert (c.awaiting_screening, c.records_screened, c.records_excluded) == (1, 8, 3)
    # no full-text decisions yet: the three with full texts await assessment, the other two were not retrieved
    assert (c.reports_sought, c.awaiting_assessment, c.reports_not_retrieved, c.reports_assessed) == (5, 3, 2, 0)
    assert c.arithmetic_problems() == []
    assert c.methods_sentence().endswith(
        "0 publications reporting 0 patients were included. 4 records were still awaiting a decision. "
        "Screening decisions were made by 2 reviewers."
    )


def test_arithmetic_problems_are_reported() -> None:
    c = PrismaCounts("p", [], 10, 1, 0, 9, 4, 0, 5, 1, 0, 3, 1, {"x": 1}, 2, 2)
    assert c.arithmetic_problems() == ["sought - not retrieved - awaiting assessment = assessed: 4 != 3"]


def test_methods_sentence(review: Review) -> None:
    assert screened_review(review).methods_sentence() == (
        '2 PubMed searches ("inflammatory myofibroblastic tumor" AND "alectinib", 6 records; '
        '"inflammatory myofibroblastic tumor" AND "ALK", 4 records) and 1 imported record file (extra.ris, 2 records) '
        "identified 12 records; after removing 3 duplicates, 9 titles and abstracts were screened and 5 excluded "
        "(4 by the protocol's rules without a reviewer's confirmation). 4 full texts were sought, 1 could not be "
        "retrieved and 3 were assessed for eligibility, of which 1 was excluded (alectinib not given first line, 1). "
        "2 publications reporting 3 patients were included. Screening decisions were made by 1 reviewer."
    )


def test_prisma2020_csv_layout(review: Review) -> None:
    rows = list(csv.DictReader(io.StringIO(screened_review(review).prisma2020_csv())))
    assert list(rows[0]) == ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]
    n = {r["data"]: r["n"] for r in rows}
    for key in (
        "previous_studies",
        "previous_reports",
        "database_results",
        "register_results",
        "website_results",
        "organisation_results",
        "citations_results",
        "duplicates",
        "excluded_automatic",
        "excluded_other",
        "records_screened",
        "records_excluded",
        "dbr_sought_reports",
        "dbr_notretrieved_reports",
        "other_sought_reports",
        "other_notretrieved_reports",
        "dbr_assessed",
        "dbr_excluded",
        "other_assessed",
        "other_excluded",
        "new_studies",
        "new_reports",
        "total_studies",
        "total_reports",
        "identification",
        "screening",
        "included",
        "newstud",
        "othstud",
        "prevstud",
    ):
        assert key in n
    assert (n["database_results"], n["duplicates"], n["records_screened"], n["records_excluded"]) == (
        "12",
        "3",
        "9",
        "5",
    )
    assert (n["dbr_sought_reports"], n["dbr_notretrieved_reports"], n["dbr_assessed"]) == ("4", "1", "3")
    assert n["dbr_excluded"] == "alectinib not given first line, 1"
    assert (n["new_studies"], n["total_studies"], n["total_reports"]) == ("2", "2", "2")


def test_diagram_files(review: Review, tmp_path: Path) -> None:
    written = write_prisma(screened_review(review), tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "prisma2020.csv",
        "prisma2020.json",
        "prisma2020.png",
        "prisma2020.svg",
    ]
    png = written["png"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 1000 and height > 800
    svg = written["svg"].read_text("utf-8")
    for text in (
        "Identification",
        "Screening",
        "Included",
        "imt-alectinib (database search) (n = 6)",
        "extra.ris (imported file) (n = 2)",
        "Total (n = 12)",
        "Duplicate records removed (n = 3)",
        "Records screened (n = 9)",
        "Records excluded (n = 5)",
        "Reports sought for retrieval (n = 4)",
        "Reports not retrieved (n = 1)",
        "Reports assessed for eligibility (n = 3)",
        "alectinib not given first line (n = 1)",
        "Studies included in review (n = 2)",
        "Reports of included studies (n = 2)",
        "Patients included (n = 3)",
    ):
        assert f">{text}<" in svg.replace(">  ", ">"), text


def test_the_diagram_is_drawn_in_the_formats_asked_for(review: Review) -> None:
    counts = screened_review(review)
    only_svg = render_diagram(counts, ("svg",))
    assert list(only_svg) == ["svg"]
    assert only_svg["svg"].lstrip().startswith(b"<?xml")
    both = render_diagram(counts)
    assert list(both) == ["svg", "png"]
    assert both["svg"] == only_svg["svg"]
    assert both["png"][:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("stage", [TA, FT])
def test_prisma_counts_depend_on_decisions_not_on_rules_rerun(sqlite_review: Review, stage: Stage) -> None:
    first = screened_review(sqlite_review)
    screen(sqlite_review.store, sqlite_review.protocol, stage)
    assert prisma_counts(sqlite_review.store, sqlite_review.protocol) == first


def test_report_methods_paragraph_reports_the_protocols_flow(sqlite_review: Review, tmp_path: Path) -> None:
    from caseseries.cli import main

    counts = screened_review(sqlite_review)
    url = str(sqlite_review.store.engine.url)
    out = tmp_path / "report"
    code = main(["--db", url, "report", "--protocol", str(sqlite_review.protocol_path), "--out", str(out),
                 "--format", "md"])  # fmt: skip
    assert code == 0
    text = (out / "report.md").read_text(encoding="utf-8")
    assert counts.methods_sentence() in text
    assert f"{counts.included_patients} patients included" in text


def test_extract_included_records_of_a_screened_review(
    sqlite_review: Review, capsys: pytest.CaptureFixture[str]
) -> None:
    from caseseries.cli import main

    counts = screened_review(sqlite_review)
    url = str(sqlite_review.store.engine.url)
    assert main(["--db", url, "extract", "--included", str(sqlite_review.protocol_path), "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)["documents"]
    keys = [f"pmid:{d['source']['pmid']}" if d["source"]["pmid"] else f"doi:{d['source']['doi']}" for d in docs]
    assert keys == counts.included_keys
    assert main(["--db", url, "extract"]) == 2
    assert capsys.readouterr().err.strip() == (
        "Error: give case-report files or --included PROTOCOL; see 'caseseries extract --help'"
    )
