"""``refs check`` never passes when nothing was checked; exit codes, fail-fast and progress.

Network tests use the local fake E-utilities server or a closed port on 127.0.0.1, never the
real network. The fixtures (``styles_manuscript.md``, ``styles_records.ris``) are made up.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from tests.conftest import DATA

from caseseries.cli import main
from caseseries.errors import NetworkError
from caseseries.references import Verdict, check_file, read_references
from fake_eutils import FakeEutils, fake_eutils  # noqa: F401

REFS = DATA / "refs"
STYLES_MANUSCRIPT = REFS / "styles_manuscript.md"
STYLES_RECORDS = REFS / "styles_records.ris"
NOT_CHECKED = "Error: the references were not checked: PubMed could not be reached ("


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_style_of_the_made_up_manuscript_verifies(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["refs", "check", str(STYLES_MANUSCRIPT), "--records", str(STYLES_RECORDS), "--offline", "--json"])
    refs = json.loads(capsys.readouterr().out)["references"]
    assert [(r["cited"]["style"], r["verdict"]) for r in refs] == [
        (style, "verified") for style in ("vancouver", "ama", "nlm", "bmc", "plos", "apa", "harvard", "nature")
    ]
    assert code == 0


def test_unparsed_reference_fails_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = STYLES_MANUSCRIPT.read_text(encoding="utf-8") + "9. Personal communication.\n10. . . .\n"
    manuscript = _write(tmp_path, "m.md", text)
    code = main(["refs", "check", str(manuscript), "--records", str(STYLES_RECORDS), "--offline", "--json"])
    refs = json.loads(capsys.readouterr().out)["references"]
    assert [r["verdict"] for r in refs[-2:]] == ["unparsed", "unparsed"]
    assert refs[-1]["note"] == "the entry is empty (only punctuation); write the reference out, or remove its number"
    assert code == 1


def test_lookup_failed_is_a_problem(fake_eutils: FakeEutils) -> None:  # noqa: F811
    from caseseries.sources.eutils import EutilsClient

    fake_eutils.fail("*", "500", times=10_000)
    client = EutilsClient(fake_eutils.url, rate=1000.0, backoff=0.001, max_retries=0, sleep=lambda s: None)
    with client:
        report = check_file(STYLES_MANUSCRIPT, client=client)
    assert {r.verdict for r in report.results} == {Verdict.LOOKUP_FAILED}
    assert report.has_problems


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "# Notes\n\nThe lamps were lit at dusk.\n\nNobody wrote anything down.\n",
            "no reference list found (no 'References' heading, and the text does not read as a list of citations); "
            "put the list under a 'References' heading, or give a BibTeX (.bib) or RIS (.ris) file",
        ),
        (
            "# Draft\n\nSome text.\n\n## References\n\n",
            "line 5: the references heading has no entries under it; list the references below it, one per line",
        ),
    ],
    ids=["no-heading-no-citations", "empty-heading"],
)
def test_no_reference_list_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    manuscript = _write(tmp_path, "notes.md", text)
    assert main(["refs", "check", str(manuscript), "--records", str(STYLES_RECORDS), "--offline"]) == 2
    assert capsys.readouterr().err == f"Error: {manuscript}: {message}\n"


def test_a_bare_list_without_heading_is_still_read(tmp_path: Path) -> None:
    lines = STYLES_MANUSCRIPT.read_text(encoding="utf-8").split("## References\n", 1)[1]
    bare = _write(tmp_path, "list.txt", lines)
    assert len(read_references(bare)) == 8


def test_unreachable_pubmed_stops_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    url = _closed_port_url()
    code = main(["refs", "check", str(STYLES_MANUSCRIPT), "--base-url", url])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out == ""
    assert captured.err.startswith(NOT_CHECKED) and captured.err.count("\n") == 1
    assert "use --offline --records FILE" in captured.err


def test_failing_pubmed_is_asked_twice_not_once_per_reference(
    fake_eutils: FakeEutils,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_eutils.fail("*", "500", times=10_000)
    code = main(["refs", "check", str(STYLES_MANUSCRIPT), "--base-url", fake_eutils.url])
    assert code == 1
    assert capsys.readouterr().err.startswith(NOT_CHECKED)
    assert len(fake_eutils.requests) == 2  # the probe and its one retry


def test_pubmed_is_not_asked_when_local_records_answer(capsys: pytest.CaptureFixture[str]) -> None:
    url = _closed_port_url()
    code = main(["refs", "check", str(STYLES_MANUSCRIPT), "--records", str(STYLES_RECORDS), "--base-url", url])
    assert code == 0
    assert "Error" not in capsys.readouterr().err


def test_fail_fast_in_the_library(fake_eutils: FakeEutils) -> None:  # noqa: F811
    from caseseries.sources.eutils import EutilsClient

    fake_eutils.fail("*", "500", times=10_000)
    client = EutilsClient(fake_eutils.url, rate=1000.0, backoff=0.001, max_retries=3, sleep=lambda s: None)
    with client, pytest.raises(NetworkError) as err:
        check_file(STYLES_MANUSCRIPT, client=client, fail_fast=True)
    assert "the references were not checked" in str(err.value) and "HTTP 500" in str(err.value)
    assert client.max_retries == 3  # the probe's retry limit is not left behind


def test_progress_is_reported_per_reference() -> None:
    seen: list[tuple[int, int, str]] = []
    check_file(
        STYLES_MANUSCRIPT,
        records=[str(STYLES_RECORDS)],
        offline=True,
        progress=lambda done, total, where: seen.append((done, total, where)),
    )
    assert seen == [(i, 8, "the local records") for i in range(1, 9)]


def test_numbered_ris_list_is_not_doubled(tmp_path: Path) -> None:
    refs = read_references(STYLES_RECORDS)
    assert [r.n for r in refs] == list(range(1, 9))
    assert all(r.parsed for r in refs)
    record = STYLES_RECORDS.read_text(encoding="utf-8").split("\n\n")[1]
    text = "Provider: A made-up export service\nContent: text/plain\n\n1.\n" + record + "\n2.\n" + record + "\n"
    twice = _write(tmp_path, "twice.ris", text)
    assert [r.cited.title for r in read_references(twice)] == ["Tidal rhythms in captive limpets"]
