"""Real-world export shapes on fixtures written for this project: namespaced JATS, RIS with
exporter headers, Web of Science tagged text, PMID/DOI lists, book records, MathML, resync after
a malformed record, malformed EFetch batches, bounded titles, damaged gzip, ``records`` CLI."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import httpx
import pytest
from tests.conftest import DATA as TESTS_DATA

from caseseries.cli import main
from caseseries.errors import FormatError
from caseseries.model.enums import SourceFormat
from caseseries.model.publication import Author, Publication
from caseseries.sources.dedup import fill_gaps
from caseseries.sources.eutils import EutilsClient
from caseseries.sources.importer import MAX_TITLE, Record, Skip
from caseseries.sources.registry import read_file, resolve_importer
from caseseries.sources.writers import pubmed_xml
from fake_eutils import FakeEutils, fake_eutils  # noqa: F401

DATA = TESTS_DATA / "sources"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def records(name: str, fmt: str = "auto") -> tuple[list[Publication], list[Skip]]:
    items = list(read_file(DATA / name, fmt))
    return [i.publication for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Skip)]


# ------------------------------------------------------------------------------ JATS 1.3
def test_namespaced_jats_is_read_with_main_abstract_and_structured_references() -> None:
    [pub], skips = records("jats13_namespaced.xml")
    assert skips == []
    assert (pub.pmcid, pub.pmid, pub.doi, pub.year, pub.pages) == (
        "PMC1000001",
        "90000001",
        "10.5555/example.1",
        2023,
        "10-14",
    )
    assert [(a.last_name, a.initials) for a in pub.authors] == [("Moreno", "JL")]
    # the paragraph before the sections is kept, the highlights are not the abstract
    assert [(s.label, s.text) for s in pub.abstract] == [
        (None, "An opening paragraph outside any section."),
        ("Case", "A woman of forty had a mass; uptake was SU2 high."),
    ]
    assert pub.sections[0].title == "Highlights"
    assert pub.sections[0].text == "Short points that are not the abstract."
    first, second = pub.references
    assert [(a.last_name, a.initials) for a in first.authors] == [("Quill", "AB"), ("Rowe", "C")]
    assert (first.title, first.journal, first.year, first.volume, first.pages) == (
        "Fusion kinases in soft tissue",
        "J Invented Path",
        2011,
        "7",
        "55-60",
    )
    assert (first.doi, first.pmid, first.label) == ("10.5555/inv.2011.7", "90000002", "1")
    assert first.text is not None and "Quill AB Rowe Carl Fusion kinases" in first.text  # parts kept apart
    assert (second.authors[0].last_name, second.title, second.year) == ("Stone", "Another made-up study", 2015)
    assert pub.text is not None
    assert "Fusion kinases" not in pub.text and "made-up study" not in pub.text
    assert "The tumour shrank on the inhibitor." in pub.text


def test_namespaced_jats_with_explicit_format() -> None:
    pubs, skips = records("jats13_namespaced.xml", "jats")
    assert len(pubs) == 1 and skips == []


# ------------------------------------------------------------------------------ RIS
def test_ris_exporter_headers_numbering_and_links_are_not_records() -> None:
    assert resolve_importer(DATA / "ris_with_headers.ris").name == "ris"
    pubs, skips = records("ris_with_headers.ris")
    assert skips == []
    assert [p.title for p in pubs] == ["A first invented article about fusion tumours", "A second invented article"]
    first, second = pubs
    assert first.mesh_terms == ["fusion", "kinase", "soft tissue"]  # one keyword a line
    assert first.pmid is None  # a 10-digit accession number of another database
    assert second.pmid == "31234567"  # an accession number without a database is a PMID
    assert [(a.last_name, a.initials) for a in first.authors] == [("Moreno", "JL"), ("Quill", "AB")]
    assert second.authors[0].initials == "C"


def test_ris_fields_without_ty_are_one_named_skip(tmp_path: Path) -> None:
    path = tmp_path / "no_ty.ris"
    path.write_text("T1  - A record that lost its type line\nAU  - Rowe, C\nPY  - 2001\nER  - \n")
    items = list(read_file(path))
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items] == [("Skip", "no-ty")]


def test_wrong_explicit_format_names_the_format_the_file_looks_like() -> None:
    with pytest.raises(FormatError) as err:
        resolve_importer(DATA / "ris_with_headers.ris", "medline")
    assert str(err.value).endswith("not a medline file: it looks like ris; use --format ris or --format auto")
    with pytest.raises(FormatError) as err:
        resolve_importer(DATA / "wos_tagged.txt", "text")
    assert "it looks like wos; use --format wos" in str(err.value)


# ------------------------------------------------------------------------------ Web of Science
def test_web_of_science_tagged_records() -> None:
    assert resolve_importer(DATA / "wos_tagged.txt").name == "wos"
    pubs, skips = records("wos_tagged.txt")
    assert skips == []
    first, second = pubs
    assert first.title == "A tagged record about an invented fusion-driven tumour"
    assert [(a.last_name, a.fore_name, a.initials) for a in first.authors] == [
        ("Moreno", "Jana Luisa", "JL"),
        ("Quill", "Anna Beth", "AB"),
    ]
    assert (first.journal, first.year, first.volume, first.pages) == (
        "JOURNAL OF INVENTED PATHOLOGY",
        2018,
        "12",
        "101-109",
    )
    assert (first.doi, first.pmid, first.mesh_terms) == (
        "10.5555/wos.2018.12",
        "90000003",
        ["fusion", "kinase inhibitor"],
    )
    assert first.source_format is SourceFormat.WOS
    assert [(a.last_name, a.fore_name, a.initials) for a in second.authors] == [("Rowe", None, "C")]


# ------------------------------------------------------------------------------ unknown files
@pytest.mark.parametrize(
    "content",
    [
        "@article{key1,\n  title = {An invented entry},\n  year = {2001}\n}\n",
        '{"records": [{"title": "x"}]}\n',
        "XA first field\nXB second field\nXC third field\n",
    ],
    ids=["bibtex", "json", "tagged"],
)
def test_record_formats_nobody_reads_are_refused_with_the_list(tmp_path: Path, content: str) -> None:
    path = tmp_path / "export.txt"
    path.write_text(content)
    with pytest.raises(FormatError) as err:
        resolve_importer(path)
    assert str(err.value) == (
        f"{path}: cannot tell the format of this file (it is in none of the formats caseseries reads); "
        "convert it to one of: csv, ids, jats, medline, pubmed-xml, ris, text, wos"
    )


def test_prose_is_still_a_text(tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text("# A case\n\nCASE REPORT\n\nA woman of forty presented with a mass in the bladder.\n")
    assert resolve_importer(path).name == "text"


# ------------------------------------------------------------------------------ identifier lists
def _pub(pmid: str, title: str) -> Publication:
    return Publication(pmid=pmid, title=title, year=2020, authors=[Author(last_name="Rowe", initials="C")])


def test_identifier_list_is_fetched_from_pubmed(
    capsys: pytest.CaptureFixture[str],
    sqlite_url: str,
    fake_eutils: FakeEutils,  # noqa: F811
) -> None:
    fake_eutils.add_records([_pub("90000001", "First fetched"), _pub("90000005", "Found by its DOI")])
    fake_eutils.add_search("10.5555/example.5[doi]", ["90000005"])
    code, out, err = run(
        capsys, "--db", sqlite_url, "import", str(DATA / "pmid_list.txt"), "--base-url", fake_eutils.url, "--json"
    )
    assert code == 1  # PMID 90000004 is not returned
    report = json.loads(out)
    assert (report["read"], report["added"], report["by_reason"]) == (2, 2, {"not-returned": 1})
    assert f"{DATA / 'pmid_list.txt'}: line 2: PubMed returned no record for PMID 90000004; check it" in err


def test_identifier_list_offline_says_so(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    code, out, err = run(
        capsys, "--db", sqlite_url, "import", str(DATA / "pmid_list.txt"), "--base-url", "http://127.0.0.1:9/"
    )
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: {DATA / 'pmid_list.txt'}: this file lists 3 PMIDs/DOIs whose records are fetched")
    assert "PubMed could not be reached" in err and err.count("\n") == 1


# ------------------------------------------------------------------------------ PubMed XML
def test_book_authors_and_mathml_text() -> None:
    [pub], skips = records("pubmed_book_mathml.xml")
    assert skips == []
    assert [(a.last_name, a.initials) for a in pub.authors] == [("Stone", "D")]
    assert pub.abstract_text == "Uptake rose to VO2max after treatment."


def _big_xml(n: int, bad: int) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<PubmedArticleSet>\n')
    for i in range(1, n + 1):
        close = "ArticleTitel" if i == bad else "ArticleTitle"
        out.write(
            f"<PubmedArticle><MedlineCitation><PMID>{i}</PMID><Article>\n"
            f"<ArticleTitle>Invented record {i}</{close}>\n</Article></MedlineCitation></PubmedArticle>\n"
        )
    out.write("</PubmedArticleSet>\n")
    return out.getvalue().encode()


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_one_malformed_record_in_50000_loses_only_that_record(tmp_path: Path, gz: bool) -> None:
    data = _big_xml(50_000, 25_001)
    path = tmp_path / ("big.xml.gz" if gz else "big.xml")
    path.write_bytes(gzip.compress(data, 1) if gz else data)
    items = list(read_file(path))
    pubs = [i.publication for i in items if isinstance(i, Record)]
    skips = [i for i in items if isinstance(i, Skip)]
    assert len(pubs) == 49_999
    assert [s.reason for s in skips] == ["xml-error"]
    bad_line = 3 * 25_000 + 4  # two header lines, three lines a record, then the title line
    assert skips[0].location.startswith(f"record 25001 (line {bad_line}, column ")
    assert pubs[25_000].pmid == "25002" and pubs[-1].pmid == "50000"


def test_malformed_record_exits_1_naming_the_line(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "few.xml"
    path.write_bytes(_big_xml(5, 3))
    code, out, err = run(capsys, "--db", sqlite_url, "import", str(path))
    assert code == 1
    assert out.startswith("4 records read: 4 added")
    assert f"Skipped: {path}: record 3 (line 10, column " in err


def test_malformed_efetch_batch_is_retried_then_split() -> None:
    good = {str(i): _pub(str(i), f"Invented record {i}") for i in range(1, 9)}
    calls: list[list[str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        params = dict(httpx.QueryParams(request.content.decode()) if request.method == "POST" else request.url.params)
        ids = params["id"].split(",")
        calls.append(ids)
        body = pubmed_xml([good[i] for i in ids])
        if "5" in ids:  # the record of PMID 5 always comes back broken
            body = body.replace("<ArticleTitle>Invented record 5</ArticleTitle>", "<ArticleTitle>broken</Art>")
        return httpx.Response(200, content=body.encode())

    with EutilsClient(
        "http://eutils.test/", transport=httpx.MockTransport(answer), rate=1000.0, sleep=lambda s: None
    ) as client:
        items = list(client.fetch_publications(list(good), batch_size=8))
    got = sorted(i.publication.pmid or "" for i in items if isinstance(i, Record))
    assert got == ["1", "2", "3", "4", "6", "7", "8"]
    [skip] = [i for i in items if isinstance(i, Skip)]
    assert (skip.reason, skip.location) == ("unreadable", "PMID 5 (batch PMIDs 1-8)")
    assert calls[0] == calls[1] == list(good)  # retried once before splitting


# ------------------------------------------------------------------------------ merge, bounds, damage
def test_emptier_later_record_keeps_earlier_values(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    full = Publication(pmid="77", title="An invented full record", year=2012, authors=[Author(last_name="Rowe")])
    (tmp_path / "a.xml").write_text(pubmed_xml([full]))
    (tmp_path / "b.xml").write_text(pubmed_xml([Publication(pmid="77", volume="9")]))
    assert run(capsys, "--db", sqlite_url, "import", str(tmp_path / "a.xml"))[0] == 0
    assert run(capsys, "--db", sqlite_url, "import", str(tmp_path / "b.xml"))[0] == 0
    out = run(capsys, "--db", sqlite_url, "records", "show", "77", "--json")[1]
    shown = json.loads(out)
    assert (shown["title"], shown["year"], shown["authors"][0]["last_name"], shown["volume"]) == (
        "An invented full record",
        2012,
        "Rowe",
        "9",
    )
    assert fill_gaps(Publication(pmid="1", title="new"), Publication(pmid="1", title="old", year=1)).model_dump() == (
        Publication(pmid="1", title="new", year=1).model_dump()
    )


def test_one_line_text_gets_a_bounded_title(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("word " * 5000 + "\n")
    [pub], _ = (lambda items: ([i.publication for i in items if isinstance(i, Record)], None))(list(read_file(path)))
    assert pub.title is not None and len(pub.title) <= MAX_TITLE and pub.title.endswith("\u2026")
    assert pub.text is not None and len(pub.text) == 25_001


def test_bare_carriage_return_in_first_line(
    capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"a\rb\n")
    code, out, err = run(capsys, "--db", sqlite_url, "import", str(path))
    assert (code, err) == (0, "")
    assert out.startswith("1 records read: 1 added")


def test_damaged_gzip_is_a_one_line_error(capsys: pytest.CaptureFixture[str], sqlite_url: str, tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(b"A short invented text.\n" * 50))
    packed[-8] ^= 0xFF  # the CRC
    path = tmp_path / "text.txt.gz"
    path.write_bytes(bytes(packed))
    code, out, err = run(capsys, "--db", sqlite_url, "import", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: {path}: the compressed file is damaged (") and err.count("\n") == 1


def test_damaged_gzip_mid_file_keeps_records_and_names_the_damage(tmp_path: Path) -> None:
    packed = bytearray(gzip.compress(_big_xml(30_000, 0), 1))
    packed[-6] ^= 0xFF  # the CRC, checked at the end
    path = tmp_path / "big.xml.gz"
    path.write_bytes(bytes(packed))
    items = list(read_file(path))
    skips = [i for i in items if isinstance(i, Skip)]
    assert [s.reason for s in skips] == ["corrupt-gzip"]
    assert sum(isinstance(i, Record) for i in items) > 0


# ------------------------------------------------------------------------------ records CLI
def test_records_list_filters_and_show(capsys: pytest.CaptureFixture[str], sqlite_url: str) -> None:
    assert run(capsys, "--db", sqlite_url, "import", str(DATA / "wos_tagged.txt"), str(DATA / "efetch_imt.xml"))[0] == 0
    code, out, _ = run(capsys, "--db", sqlite_url, "records", "list", "--json")
    assert code == 0 and len(json.loads(out)) == 5
    code, out, _ = run(capsys, "--db", sqlite_url, "records", "list", "--search", "alectinib", "--json")
    assert sorted(r["pmid"] for r in json.loads(out)) == ["28338730", "34926741"]
    code, out, _ = run(
        capsys, "--db", sqlite_url, "records", "list", "--year", "2021", "--source-file", "wos_tagged", "--json"
    )
    assert [r["title"] for r in json.loads(out)] == ["Second tagged record"]
    code, out, _ = run(capsys, "--db", sqlite_url, "records", "list", "--search", "tagged record about")
    assert "A tagged record about an invented fusion-driven tumour" in out  # not cut when piped
    assert out.rstrip().endswith("1 records.")
    code, out, _ = run(capsys, "--db", sqlite_url, "records", "show", "pmid:90000003")
    assert code == 0 and "authors: Moreno JL, Quill AB" in out
    code, out, err = run(capsys, "--db", sqlite_url, "records", "show", "pmid:1")
    assert (code, err) == (2, "Error: ID: no record 'pmid:1'; list the ids with 'caseseries records list'\n")
    code, out, err = run(capsys, "--db", sqlite_url, "records", "list", "--screening", "include")
    assert code == 2 and "add --protocol NAME" in err
