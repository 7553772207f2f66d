"""The light reading of a scan gives the tables and counts of reading every record in full.

Baseline-shaped files (authors, reference lists, keywords, chemicals, grants around the fields a
scan reads; revisions, deletions and candidates) are scanned both ways and every Parquet table is
compared; files the light reading is not certain of are read by the importer, with the same
tables and skips as the full reading.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from lxml import etree
from scan_files import CASE_EVERY, PROTOCOL, make_rich_file
from tests.conftest import SHARED

from caseseries.scan.light import NotLightError, _cut, _unusual, light_items
from caseseries.scan.task import TABLES, output_name, scan_file
from caseseries.sources.importer import Record, open_source, read_head


def _both_ways(path: Path, tmp_path: Path) -> tuple[dict[str, object], dict[str, object]]:
    """The FileResult and every table of ``path``, read lightly and in full."""
    out: list[dict[str, object]] = []
    for light in (True, False):
        folder = tmp_path / ("light" if light else "full")
        result = scan_file(str(path), PROTOCOL, str(folder), light=light).to_json()
        tables = {t: pq.read_table(folder / f"{output_name(str(path))}.{t}.parquet") for t in TABLES}
        out.append({"result": result, **tables})
    return out[0], out[1]


def _light_reads(path: Path) -> list[tuple[object, bool]]:
    with open_source(path) as stream:
        return list(light_items(stream, str(path), lambda r: r.publication.pmid in {"1000", "1010"}))


def test_the_light_reading_gives_every_table_of_the_full_one(tmp_path: Path) -> None:
    path = tmp_path / "upd0001.xml.gz"
    make_rich_file(path, 0, 150, version=2, deletes=["1003", "77777"])
    reads = _light_reads(path)  # read lightly, not handed to the importer
    assert len(reads) == 152 and [w for _, w in reads].count(True) == 2
    light, full = _both_ways(path, tmp_path)
    assert light["result"] == full["result"]
    for table in TABLES:
        assert light[table].equals(full[table]), table  # type: ignore[attr-defined]
    result = full["result"]
    assert isinstance(result, dict)
    assert result["records"] == 150 and result["deletions"] == 2
    assert result["candidates"] == len(range(0, 150, CASE_EVERY)) == result["patients"]
    records = full["records"].to_pylist()  # type: ignore[attr-defined]
    assert {r["version"] for r in records} == {2}
    by_pmid = {r["pmid"]: r for r in records}
    assert by_pmid["1001"]["title"] == "Walking speed after knee replacement, cohort 1"  # markup and spaces
    assert by_pmid["1002"]["title"] == "Gehgeschwindigkeit nach Knieersatz"  # the vernacular title
    assert (by_pmid["1003"]["year"], by_pmid["1003"]["doi"]) == (2019, "10.5555/e.3")  # MedlineDate, ELocationID
    assert (by_pmid["1004"]["year"], by_pmid["1005"]["year"]) == (2017, 2016)  # article date, history date
    assert by_pmid["1013"]["prefilter"] and not by_pmid["1011"]["prefilter"]  # a term in a MeSH heading


def test_only_the_wanted_records_are_read_in_full(tmp_path: Path) -> None:
    path = tmp_path / "base0001.xml.gz"
    make_rich_file(path, 0, 12)
    reads = {item.publication.pmid: (item.publication, wanted) for item, wanted in _light_reads(path)}  # type: ignore[attr-defined]
    full, wanted = reads["1000"]
    assert wanted and full.authors and full.publication_types == ["Case Reports"]
    light, wanted = reads["1001"]
    assert not wanted and light.authors == [] and light.publication_types == []  # cut from the bytes


BROKEN = [
    # (what is written before the end of the file, or a replacement of the whole text, why the importer reads it)
    ("<!-- a comment -->\n", "a comment between records"),
    (
        "<PubmedArticle><MedlineCitation><Article><ArticleTitle>No PMID</ArticleTitle></Article></MedlineCitation>"
        "</PubmedArticle>\n",
        "a record without a PMID (a skip)",
    ),
    (
        "<PubmedArticle><MedlineCitation><PMID>5</PMID><Article><ArticleTitle><![CDATA[ALK & co]]></ArticleTitle>"
        "</Article></MedlineCitation></PubmedArticle>\n",
        "a CDATA section",
    ),
    ("<PubmedArticle><MedlineCitation><PMID>6</PMID></MedlineCitation>\n", "a record not closed (malformed)"),
    ("stray text", "text after the last record"),
]


@pytest.mark.parametrize(("tail", "why"), BROKEN, ids=[b for _, b in BROKEN])
def test_a_file_the_light_reading_is_not_sure_of_is_read_by_the_importer(tmp_path: Path, tail: str, why: str) -> None:
    path = tmp_path / "odd0001.xml.gz"
    make_rich_file(path, 0, 30, tail=tail)
    with pytest.raises(NotLightError):
        _light_reads(path)
    light, full = _both_ways(path, tmp_path)
    assert light["result"] == full["result"]
    for table in TABLES:
        assert light[table].equals(full[table]), table  # type: ignore[attr-defined]


def test_a_truncated_file_gives_the_importers_skip(tmp_path: Path) -> None:
    whole = tmp_path / "whole.xml.gz"
    make_rich_file(whole, 0, 60)
    data = gzip.decompress(whole.read_bytes())
    path = tmp_path / "cut0001.xml.gz"
    path.write_bytes(gzip.compress(data[: len(data) * 2 // 3]))
    light, full = _both_ways(path, tmp_path)
    assert light["result"] == full["result"]
    result = full["result"]
    assert isinstance(result, dict) and result["skipped"] == 1 and 0 < result["records"] < 60


CUTS = [
    # (bytes, bytes once the unused lists are cut)
    (b"<a><AuthorList CompleteYN='Y'><Author/></AuthorList><b/></a>", b"<a><b/></a>"),
    (b"<a><ReferenceList><ReferenceList>x</ReferenceList></ReferenceList><b/></a>", b"<a><b/></a>"),  # nested
    (
        b"<a><GrantList CompleteYN='Y'/><MeshHeadingList>y</MeshHeadingList></a>",
        b"<a><GrantList CompleteYN='Y'/><MeshHeadingList>y</MeshHeadingList></a>",
    ),  # empty; a list kept
    (b"<a><KeywordList>Lists and <i>List</i></KeywordList>t</a>", b"<a>t</a>"),  # the word inside
    (b"<a><ChemicalList><ChemicalListing/></ChemicalList></a>", b"<a></a>"),  # a longer name inside
    (b"<a><AuthorList>never closed</a>", b"<a><AuthorList>never closed</a>"),
    (
        b"<a><ArticleIdList>z</ArticleIdList><KeywordList\n>k</KeywordList></a>",
        b"<a><ArticleIdList>z</ArticleIdList></a>",
    ),
]


@pytest.mark.parametrize(("raw", "expected"), CUTS)
def test_cut_table(raw: bytes, expected: bytes) -> None:
    assert _cut(raw) == expected


def test_cut_elements_hold_nothing_a_light_record_is_used_for(tmp_path: Path) -> None:
    path = tmp_path / "base0001.xml.gz"
    make_rich_file(path, 0, 20)
    with open_source(path) as stream:
        items = list(light_items(stream, str(path), lambda r: True))  # every record in full
    with open_source(path) as stream:
        light = list(light_items(stream, str(path), lambda r: False))
    for (full, _), (part, _) in zip(items, light, strict=True):
        assert isinstance(full, Record) and isinstance(part, Record)
        a, b = full.publication, part.publication
        assert (a.pmid, a.title, a.year, a.doi, a.abstract, a.mesh_terms) == (
            b.pmid,
            b.title,
            b.year,
            b.doi,
            b.abstract,
            b.mesh_terms,
        )
        assert full.version == part.version and full.location == part.location
    assert etree.fromstring(_cut(gzip.decompress(path.read_bytes()))) is not None  # still well-formed


UNUSUAL = [
    (b"<a><?nihms ?></a>", False),  # a processing instruction without markup, as in baseline files
    (b"<a><?x <b>?></a>", True),
    (b"<a><!-- a comment --></a>", True),
    (b"<a><![CDATA[x]]></a>", True),
    (b"<a>Is it? Yes!</a>", False),
    (b"<a><?x never closed</a>", True),
]


@pytest.mark.parametrize(("raw", "unusual"), UNUSUAL)
def test_unusual_table(raw: bytes, unusual: bool) -> None:
    assert _unusual(raw) is unusual


def _head(path: Path) -> bytes:
    return read_head(path, 4096)


REAL = SHARED / "data" / "real-files"
REAL_PUBMED = sorted(
    p for p in REAL.rglob("*.xml*") if p.is_file() and b"<PubmedArticle" in _head(p)
) if REAL.is_dir() else []  # fmt: skip


@pytest.mark.skipif(not REAL_PUBMED, reason="../shared/data/real-files is absent")
@pytest.mark.parametrize("path", REAL_PUBMED, ids=lambda p: p.name)
def test_real_pubmed_files_scan_alike_lightly_and_in_full(path: Path, tmp_path: Path) -> None:
    light, full = _both_ways(path, tmp_path)
    assert light["result"] == full["result"]
    for table in TABLES:
        assert light[table].equals(full[table]), table  # type: ignore[attr-defined]
