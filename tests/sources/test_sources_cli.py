"""``caseseries import`` and ``caseseries search`` through the CLI: counts, de-duplication, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import DATA as TESTS_DATA

from caseseries.cli import main
from caseseries.model.publication import Author, Publication
from caseseries.sources.dedup import Deduplicator, merge_publications
from caseseries.sources.writers import pubmed_xml
from caseseries.store import Store
from fake_eutils import FakeEutils, fake_eutils  # noqa: F401

DATA = TESTS_DATA / "sources"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_json_counts_and_writes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    code, out, err = run(
        capsys,
        "--db",
        f"sqlite:///{db}",
        "import",
        str(DATA / "efetch_imt.xml"),
        str(DATA / "truncated.xml"),
        str(DATA / "imt.nbib"),
        "--dry-run",
        "--json",
    )
    assert json.loads(out) == {"read": 6, "skipped": 2, "by_reason": {"no-pmid": 1, "truncated": 1}}
    assert code == 1
    assert err.splitlines() == [
        f"Skipped: {DATA / 'truncated.xml'}: after record 1, line 110, column 37: the file ends early "
        """(AttValue: " or ' expected); download it again to import the rest""",
        f"Skipped: {DATA / 'imt.nbib'}: record 3 (line 56): MEDLINE record without a PMID line; "
        "it cannot be identified",
    ]
    assert not db.exists()


def test_import_stores_and_is_idempotent(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    code, out, _ = run(capsys, "--db", sqlite_url, "import", str(DATA / "efetch_imt.xml"))
    assert (code, out) == (
        0,
        "3 records read: 3 added, 0 updated, 0 unchanged, 0 merged duplicates, 0 deleted; 0 skipped.\n",
    )
    code, out, _ = run(capsys, "--db", sqlite_url, "import", str(DATA / "efetch_imt.xml.gz"))
    assert out == "3 records read: 0 added, 0 updated, 3 unchanged, 0 merged duplicates, 0 deleted; 0 skipped.\n"
    assert len(list(Store(sqlite_url).iter_publications())) == 3


def test_update_file_revises_and_deletes(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    run(capsys, "--db", sqlite_url, "import", str(DATA / "efetch_imt.xml"))
    code, out, err = run(capsys, "--db", sqlite_url, "import", str(DATA / "update_revised_delete.xml"), "--json")
    report = json.loads(out)
    assert code == 1  # the older version after the newer one is skipped
    assert {k: report[k] for k in ("read", "added", "replaced", "deleted", "skipped", "by_reason")} == {
        "read": 5,
        "added": 2,
        "replaced": 1,
        "deleted": 1,
        "skipped": 1,
        "by_reason": {"older-version": 1},
    }
    assert "PMID 29439172 version 1 comes after version 2 (record 3); the newer version is kept" in err
    store = Store(sqlite_url)
    assert not store.has_publication("pmid:28338730")
    revised = store.get_publication("pmid:36754839")
    assert revised is not None and revised.pages == "e32910"
    kept = store.get_publication("pmid:29439172")
    assert kept is not None and kept.title is not None and kept.title.endswith("(version 2).")


def test_duplicates_across_sources_are_merged_and_reported(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    run(capsys, "--db", sqlite_url, "import", str(DATA / "imt.ris"))
    code, out, _ = run(
        capsys, "--db", sqlite_url, "import", str(DATA / "efetch_imt.xml"), str(DATA / "pubmed_export.csv")
    )
    assert code == 1  # the CSV has one malformed row
    lines = out.splitlines()
    assert lines[0] == (
        "6 records read: 4 added, 1 updated, 1 unchanged, 2 merged duplicates, 0 deleted; 1 skipped (malformed: 1)."
    )
    assert lines[1:] == [
        f"Merged: {DATA / 'efetch_imt.xml'}: record 1: pmid:34926741 merged into doi:10.1016/j.gore.2021.100883 "
        "(same DOI)",
        f"Merged: {DATA / 'pubmed_export.csv'}: record 1 (line 2): pmid:34926741 merged into pmid:34926741 (same PMID)",
    ]
    store = Store(sqlite_url)
    carballo = store.get_publication("pmid:34926741")
    assert carballo is not None
    assert (carballo.source_format, carballo.pmcid, carballo.mesh_terms) == (
        "pubmed-xml",
        "PMC8649122",
        ["alectinib", "inflammatory myofibroblastic tumor"],
    )
    assert not store.has_publication("doi:10.1016/j.gore.2021.100883")


def test_wrong_declared_format_exits_2(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    code, out, err = run(capsys, "--db", sqlite_url, "import", str(DATA / "imt.ris"), "--format", "pubmed-xml")
    assert (code, out) == (2, "")
    assert (
        err
        == f"Error: {DATA / 'imt.ris'}: not a pubmed-xml file: it looks like ris; use --format ris or --format auto\n"
    )


def test_nothing_written_when_a_later_file_is_wrong(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    code, _, _ = run(
        capsys, "--db", sqlite_url, "import", str(DATA / "efetch_imt.xml"), str(DATA / "imt.ris"), "--format", "medline"
    )
    assert code == 2
    assert list(Store.open(sqlite_url).iter_publications()) == []


def test_unknown_format_and_missing_file(capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path) -> None:
    code, _, err = run(capsys, "--db", sqlite_url, "import", str(DATA / "imt.ris"), "--format", "endnote")
    assert (code, err) == (
        2,
        "Error: --format: unknown format 'endnote'; "
        "use one of: auto, csv, ids, jats, medline, pubmed-xml, ris, text, wos\n",
    )
    missing = tmp_path / "missing.xml"
    code, _, err = run(capsys, "--db", sqlite_url, "import", str(missing))
    assert (code, err) == (2, f"Error: {missing}: cannot read the file (No such file or directory); check the path\n")


def test_full_text_merges_into_its_pubmed_record(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    run(capsys, "--db", sqlite_url, "import", str(DATA / "pmc_article.xml"))
    record = Publication(
        pmid="38179194",
        title="New perspectives in the treatment of inflammatory myofibroblastic tumor with ALK translocation",
        authors=[Author(last_name="Benedetti Pedroza", fore_name="Johana", initials="J")],
        year=2024,
        journal="Case reports in oncology",
    )
    tmp = Path(sqlite_url.removeprefix("sqlite:///")).parent / "record.xml"
    tmp.write_text(pubmed_xml([record]))
    code, out, _ = run(capsys, "--db", sqlite_url, "import", str(tmp))
    assert code == 0
    assert "merged into pmid:38179194 (same PMID)" in out
    merged = Store(sqlite_url).get_publication("pmid:38179194")
    assert merged is not None
    assert merged.journal == "Case reports in oncology"  # PubMed's value wins
    assert merged.text is not None and merged.text.startswith("New Perspectives in the Treatment")  # full text kept
    assert len(merged.tables) == 1


def test_dedup_matches_title_year_and_first_author() -> None:
    d = Deduplicator()
    d.register(Publication(title="Alectinib in IMT: a case report.", year=2019, authors=[Author(last_name="Ono")]))
    assert d.match(
        Publication(title="ALECTINIB in IMT — a case report", year=2019, authors=[Author(last_name="ONO")])
    ) == (
        "title:alectinib in imt a case report|2019|ono",
        "same title, year and first author",
    )
    assert (
        d.match(Publication(title="Alectinib in IMT: a case report.", year=2020, authors=[Author(last_name="Ono")]))
        is None
    )


def test_merge_fills_gaps_from_the_less_authoritative_record() -> None:
    pubmed = Publication(pmid="1", title="PubMed title", source_format="pubmed-xml")
    ris = Publication(doi="10.1000/abc", title="RIS title", volume="3", source_format="ris")
    merged = merge_publications(ris, pubmed)
    assert (merged.pmid, merged.doi, merged.title, merged.volume, merged.source_format) == (
        "1",
        "10.1000/abc",
        "PubMed title",
        "3",
        "pubmed-xml",
    )


# ---------------------------------------------------------------------------------- search command
def test_search_command(capsys: pytest.CaptureFixture[str], sqlite_url: str, fake_eutils: FakeEutils) -> None:  # noqa: F811
    fake_eutils.add_records(Publication(pmid=str(i), title=f"Report {i}") for i in range(1, 4))
    fake_eutils.add_search("imt AND alectinib", ["1", "2", "3"])
    code, out, _ = run(
        capsys,
        "--db",
        sqlite_url,
        "search",
        "imt AND alectinib",
        "--email",
        "me@example.org",
        "--api-key",
        "KEY",
        "--base-url",
        fake_eutils.url,
    )
    assert (code, out) == (
        0,
        "Search 1: 3 hits, 3 PMIDs stored; 3 records fetched, 0 already stored, 0 not returned by PubMed.\n",
    )
    assert fake_eutils.calls("esearch")[0].params["api_key"] == "KEY"
    code, out, _ = run(
        capsys, "--db", sqlite_url, "search", "imt AND alectinib", "--base-url", fake_eutils.url, "--json"
    )
    summary = json.loads(out)
    assert (summary["search_id"], summary["already_stored"], summary["fetched"], summary["complete"]) == (2, 3, 0, True)


def test_search_bad_date(capsys: pytest.CaptureFixture[str], sqlite_url: str, fake_eutils: FakeEutils) -> None:  # noqa: F811
    code, _, err = run(
        capsys, "--db", sqlite_url, "search", "imt", "--mindate", "last year", "--base-url", fake_eutils.url
    )
    assert (code, err) == (
        2,
        "Error: --mindate: 'last year' is not a date; use YYYY, YYYY/MM or YYYY/MM/DD (e.g. 2015/06/30)\n",
    )


def test_search_network_failure_exits_1(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("time.sleep", slept.append)
    with FakeEutils() as fake:
        url = fake.url
    code, _, err = run(capsys, "--db", sqlite_url, "search", "imt", "--base-url", url)
    assert code == 1
    assert err.startswith("Error: esearch.fcgi failed after 6 attempts (ConnectError")
    assert [s for s in slept if s >= 1] == [1.0, 2.0, 4.0, 8.0, 16.0]  # backoff (the rest is rate limiting)


def test_import_help_states_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "Exit code: 0 when every record was read; 1 when any record was skipped (also with --dry-run);" in text
    assert "2 when a file cannot be opened or is wholly not of the declared format." in text
