"""Online reference checks against the local fake E-utilities server (never the real network)."""

from __future__ import annotations

import json

import pytest
from tests.conftest import DATA

from caseseries.cli import main
from caseseries.references.model import Verdict
from caseseries.references.online import author_term, title_term
from caseseries.references.reader import read_references
from caseseries.references.records import load_records
from caseseries.references.run import check_file
from caseseries.sources.eutils import EutilsClient
from fake_eutils import FakeEutils, fake_eutils  # noqa: F401

REFS = DATA / "refs"
MANUSCRIPT = REFS / "manuscript.md"
RECORDS = [str(REFS / "records.xml"), str(REFS / "records.nbib")]
OFFLINE_VERDICTS = [
    Verdict.VERIFIED,
    Verdict.VERIFIED,
    Verdict.MINOR_MISMATCH,
    Verdict.MINOR_MISMATCH,
    Verdict.MISMATCH,
    Verdict.NOT_FOUND,
    Verdict.MISMATCH,
    Verdict.UNPARSED,
    Verdict.VERIFIED,
    Verdict.VERIFIED,
    Verdict.MISMATCH,
]


def _client(fake: FakeEutils, retries: int = 1) -> EutilsClient:
    return EutilsClient(
        fake.url, email="t@example.org", rate=1000.0, backoff=0.001, max_retries=retries, sleep=lambda s: None
    )


def _pubmed(fake: FakeEutils) -> None:
    """Serve the fixture records the way PubMed would answer the checker's queries."""
    fake.add_records(load_records(RECORDS).publications)
    fake.add_citation("N Engl J Med", "2010", "363", "1727", "Butrynski JE", "90000001")
    fake.add_citation("Jpn J Clin Oncol", "2017", "47", "1189", "Kim A", "90000006")
    fake.add_search('"10.1158/2159-8290.CD-14-0377"[aid]', ["90000002"])
    refs = {r.n: r for r in read_references(MANUSCRIPT) if r.origin == "references"}
    for n, pmid in ((3, "90000003"), (4, "90000004")):
        term = title_term(refs[n].cited)
        assert term is not None
        fake.add_search(term, [pmid])
    fake.add_search(str(author_term(refs[6].cited)), ["90000002"])  # the real author's other paper


def test_online_verdicts_match_offline(fake_eutils: FakeEutils) -> None:  # noqa: F811
    _pubmed(fake_eutils)
    with _client(fake_eutils) as client:
        report = check_file(MANUSCRIPT, client=client)
    assert [r.verdict for r in report.results] == OFFLINE_VERDICTS
    matched_by = {r.reference.n: r.matched_by for r in report.results if r.reference.origin == "references"}
    assert matched_by[1] == "citation" and matched_by[2] == "doi" and matched_by[3] == "title"
    assert matched_by[5] == "pmid" and matched_by[9] == "pmid"
    efetches = fake_eutils.calls("efetch")
    assert "34036223" in efetches[0].params["id"] and "90000006" in efetches[0].params["id"]  # one PMID batch
    assert len(fake_eutils.calls("ecitmatch")) == 1  # all citations matched in one request
    assert report.results[5].note == "no article in PubMed matches the cited fields"


@pytest.mark.parametrize("kind", ["429", "500"])
def test_persistent_errors_are_lookup_failed_not_not_found(fake_eutils: FakeEutils, kind: str) -> None:  # noqa: F811
    _pubmed(fake_eutils)
    fake_eutils.fail("*", kind, times=10_000)
    with _client(fake_eutils) as client:
        report = check_file(MANUSCRIPT, client=client)
    verdicts = [r.verdict for r in report.results]
    assert Verdict.NOT_FOUND not in verdicts and Verdict.MISMATCH not in verdicts
    assert verdicts.count(Verdict.UNPARSED) == 1
    assert verdicts.count(Verdict.LOOKUP_FAILED) == len(verdicts) - 1
    failed = next(r for r in report.results if r.verdict is Verdict.LOOKUP_FAILED)
    assert failed.note is not None and f"HTTP {kind}" in failed.note
    assert report.has_problems  # nothing was checked: the check must not pass


def test_transient_429_is_retried(fake_eutils: FakeEutils) -> None:  # noqa: F811
    _pubmed(fake_eutils)
    fake_eutils.fail("efetch", "429", times=1, retry_after="0")
    with _client(fake_eutils, retries=2) as client:
        report = check_file(MANUSCRIPT, client=client)
    assert [r.verdict for r in report.results] == OFFLINE_VERDICTS


def test_local_records_first_then_pubmed(fake_eutils: FakeEutils) -> None:  # noqa: F811
    """Records held locally answer first; only what they do not hold goes to PubMed."""
    _pubmed(fake_eutils)
    with _client(fake_eutils) as client:
        report = check_file(MANUSCRIPT, records=[RECORDS[1]], client=client)
    assert [r.verdict for r in report.results] == OFFLINE_VERDICTS
    by_n = {r.reference.n: r for r in report.results if r.reference.origin == "references"}
    assert by_n[9].verdict is Verdict.VERIFIED  # Takeyasu is in records.nbib: no PubMed fetch needed for it
    assert all("34036223" not in r.params.get("id", "") for r in fake_eutils.calls("efetch"))


def test_cli_online(fake_eutils: FakeEutils, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    _pubmed(fake_eutils)
    code = main(
        [
            "refs",
            "check",
            str(MANUSCRIPT),
            "--base-url",
            fake_eutils.url,
            "--api-key",
            "k",
            "--email",
            "a@b.org",
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [r["verdict"] for r in data["references"]] == [v.value for v in OFFLINE_VERDICTS]
    assert all(r.params.get("api_key") == "k" and r.params.get("email") == "a@b.org" for r in fake_eutils.requests)
