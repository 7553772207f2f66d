"""Offline reference checks: verdicts against local records, the command line, the store as records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import DATA, SEED_003

from caseseries.cli import main
from caseseries.model.publication import Author, Publication
from caseseries.references.check import ReferenceChecker
from caseseries.references.index import RecordIndex
from caseseries.references.model import Verdict
from caseseries.references.reader import read_references
from caseseries.references.records import load_records
from caseseries.references.run import check_file
from caseseries.store import Store

REFS = DATA / "refs"
RECORDS = [str(REFS / "records.xml"), str(REFS / "records.nbib")]

# (label in the fixture manuscript, verdict, fields differing, PMID of the matched record)
EXPECTED = [
    ("1", Verdict.VERIFIED, [], "90000001"),
    ("2", Verdict.VERIFIED, [], "90000002"),
    ("3", Verdict.MINOR_MISMATCH, ["first_author"], "90000003"),
    ("4", Verdict.MINOR_MISMATCH, ["title", "first_page"], "90000004"),
    ("5", Verdict.MISMATCH, ["title", "first_author", "journal", "volume", "first_page"], "90000006"),
    ("6", Verdict.NOT_FOUND, [], None),
    ("7", Verdict.MISMATCH, ["title", "first_author"], "90000006"),
    ("8", Verdict.UNPARSED, [], None),
    ("9", Verdict.VERIFIED, [], "34036223"),
    ("Table 1, row 1", Verdict.VERIFIED, [], "90000002"),
    ("Table 1, row 2", Verdict.MISMATCH, ["title", "first_author", "journal"], "90000006"),
]


def _label(origin: str, n: int | None) -> str:
    return str(n) if origin == "references" else origin


def test_verdicts_against_local_records() -> None:
    report = check_file(REFS / "manuscript.md", records=RECORDS, offline=True)
    got = [
        (
            _label(r.reference.origin, r.reference.n),
            r.verdict,
            r.fields_differing,
            r.matched.pmid if r.matched else None,
        )
        for r in report.results
    ]
    assert got == EXPECTED
    assert report.records == 6 and report.has_problems
    by_label = {_label(r.reference.origin, r.reference.n): r for r in report.results}
    assert by_label["5"].note == "the cited PMID 90000006 belongs to another article"
    assert by_label["3"].differences[0].cited == "Gross" and by_label["3"].differences[0].matched == "Gros"
    assert by_label["6"].note == "no article in the local records matches the cited fields"
    assert by_label["7"].note == "the cited journal, year, volume and first page belong to another article"


def test_pmid_of_another_paper_names_the_cited_article() -> None:
    """When the cited PMID is another paper's and the cited article is known, both are shown."""
    real = Publication(
        pmid="90000010",
        title="Alectinib in ALK-rearranged inflammatory myofibroblastic tumor of the lung",
        authors=[Author(last_name="Imai", initials="H")],
        journal="Lung cancer (Amsterdam, Netherlands)",
        journal_abbrev="Lung Cancer",
        year=2017,
        volume="113",
        pages="43-46",
    )
    records = [*load_records(RECORDS).publications, real]
    refs = [r for r in read_references(REFS / "manuscript.md") if r.n == 5]
    result = ReferenceChecker(RecordIndex(records), "the local records").check(refs[:1])[0]
    assert result.verdict is Verdict.MISMATCH
    assert result.matched is not None and result.matched.pmid == "90000006"
    assert result.alternative is not None and result.alternative.pmid == "90000010"
    assert result.note is not None and result.note.endswith(
        'the cited article is PMID 90000010 (Imai 2017, "Alectinib in '
        'ALK-rearranged inflammatory myofibroblastic tumor of the lung")'
    )


def test_fabricated_reference_with_real_author_and_journal() -> None:
    """Seed 003 style: real first author surname and journal, a title that exists nowhere."""
    index = RecordIndex(load_records(RECORDS).publications)
    refs = read_references(REFS / "manuscript.md")
    fabricated = next(r for r in refs if r.n == 6 and r.origin == "references")
    assert index.search(fabricated.cited)  # the author's real 2014 paper is a candidate ...
    result = ReferenceChecker(index, "the local records").check([fabricated])[0]
    assert result.verdict is Verdict.NOT_FOUND  # ... but is not taken for the cited article
    assert result.matched is None


def test_bibtex_against_records() -> None:
    report = check_file(REFS / "references.bib", records=RECORDS, offline=True)
    assert [r.verdict for r in report.results] == [
        Verdict.VERIFIED,
        Verdict.MINOR_MISMATCH,  # first author van Noesel where the record has Lovly
        Verdict.VERIFIED,
        Verdict.UNPARSED,
    ]
    assert report.results[1].fields_differing == ["first_author"]


def test_seed_003_table_2_pmids_not_in_records_are_not_found() -> None:
    report = check_file(SEED_003, records=RECORDS, offline=True)
    rows = [r for r in report.results if r.reference.origin.startswith("Table 2")]
    assert [r.verdict for r in rows] == [Verdict.NOT_FOUND] * 6
    assert rows[0].note == "PMID 36754839 is not in the local records and no article matches the cited fields"


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["refs", "check", str(REFS / "manuscript.md"), *[f"--records={r}" for r in RECORDS], "--offline", "--json"]
    )
    assert code == 1
    data = json.loads(capsys.readouterr().out)
    first = data["references"][0]
    assert set(first) >= {"n", "text", "cited", "matched", "verdict", "fields_differing"}
    assert first["matched"] == {
        "pmid": "90000001",
        "doi": None,
        "title": "Crizotinib in ALK-rearranged inflammatory myofibroblastic tumor.",
        "first_author": "Butrynski",
        "journal": "N Engl J Med",
        "year": 2010,
    }
    assert first["cited"]["first_author"] == "Butrynski" and first["cited"]["year"] == 2010
    assert [r["verdict"] for r in data["references"]] == [e[1].value for e in EXPECTED]
    assert data["summary"]["mismatch"] == 3


def test_cli_markdown_and_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.md"
    clean.write_text(
        "References\n\n"
        "1. Butrynski JE, D'Adamo DR, et al. Crizotinib in ALK-rearranged inflammatory myofibroblastic tumor. "
        "N Engl J Med 2010;363:1727-33.\n"
        "2. Gross L, Dei Tos AP. Inflammatory myofibroblastic tumour: state of the art. Cancers 2022;14:3662.\n"
    )
    code = main(["refs", "check", str(clean), "--records", RECORDS[0], "--offline", "--format", "md"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("# Reference check\n")
    row = (
        "| 1 | Butrynski 2010. Crizotinib in ALK-rearranged inflammatory myofi... | verified |  "
        "| PMID 90000001 Butrynski 2010 |"
    )
    assert row in out
    assert "- first_author (minor): cited `Gross`, found `Gros`" in out


def test_cli_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["refs", "check", str(REFS / "manuscript.md"), "--records", RECORDS[0], "--offline"])
    out = capsys.readouterr().out
    assert code == 1
    assert "Reference check: 11 references" in out and "not_found" in out and "unparsed" in out


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope.md"
    assert main(["refs", "check", str(missing), "--records", RECORDS[0], "--offline"]) == 2
    assert capsys.readouterr().err == f"Error: {missing}: file not found; check the path\n"
    assert main(["refs", "check", str(REFS / "manuscript.md"), "--offline"]) == 2
    assert capsys.readouterr().err == (
        "Error: --offline: --offline needs local records to check against; add --records FILE (PubMed XML, "
        "MEDLINE text or a database URL), or drop --offline to check against PubMed\n"
    )
    assert main(["refs", "check", str(REFS / "manuscript.md"), "--records", str(missing), "--offline"]) == 2
    assert capsys.readouterr().err == f"Error: {missing}: file not found; check the path given to --records\n"


def test_records_from_the_store(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(sqlite_url)
    for pub in load_records(RECORDS).publications:
        store.upsert_publication(pub)
    code = main(["refs", "check", str(REFS / "manuscript.md"), "--records", sqlite_url, "--offline", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [r["verdict"] for r in data["references"]] == [e[1].value for e in EXPECTED]


def test_books_are_not_indexed_and_do_not_fail_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    manuscript = tmp_path / "with_book.md"
    manuscript.write_text(
        "References\n\n"
        "1. Butrynski JE, D'Adamo DR, et al. Crizotinib in ALK-rearranged inflammatory myofibroblastic tumor. "
        "N Engl J Med 2010;363:1727-33.\n"
        "2. Fletcher CD, Bridge JA, Hogendoorn PC, Mertens F. WHO Classification of Tumours of Soft Tissue and Bone: "
        "WHO Classification of Tumours. 4th ed. Vol. 5. Lyon: World Health Organization; 2013.\n"
    )
    code = main(["refs", "check", str(manuscript), "--records", RECORDS[0], "--offline", "--json"])
    refs = json.loads(capsys.readouterr().out)["references"]
    assert [r["verdict"] for r in refs] == ["verified", "not_indexed"]
    assert code == 0
    # the same book cited with a PMID that is not in the records is still not_found
    report = check_file(SEED_003, records=RECORDS, offline=True)
    assert not any(r.verdict is Verdict.NOT_INDEXED and r.reference.cited.pmid for r in report.results)
