"""PubMed XML read in batches gives exactly what element-by-element reading (iterparse) gives.

Each case compares :func:`batched_records` with :func:`stream_records` on the same bytes, with
chunks and batches small enough that record end tags fall across chunk boundaries, and checks
that the records were indeed read in batches where the file allows it.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from tests.conftest import DATA as TESTS_DATA

from caseseries.model.publication import AbstractSection, Author, Publication
from caseseries.sources import xml_stream
from caseseries.sources.importer import Deletion, GzipStream, ImportItem, Record, Skip
from caseseries.sources.pubmed_xml import RECORD_TAGS, record_reader
from caseseries.sources.writers import PUBMED_XML_HEADER, pubmed_article_xml

DATA = TESTS_DATA / "sources"


def pub(i: int) -> Publication:
    return Publication(
        pmid=str(1000 + i),
        doi=f"10.1000/x{i}",
        title=f"Inflammatory myofibroblastic tumour, case {i}: ALK fusion é",
        authors=[Author(last_name="Wu", fore_name="Shu", initials="S")],
        journal="J Test",
        year=2000 + i,
        mesh_terms=["Humans", "Lung Neoplasms"],
        abstract=[AbstractSection(label="CASE", text=f"A patient, number {i}.")],
    )


ARTICLES = [pubmed_article_xml(pub(i)) for i in range(12)]


def document(body: str) -> bytes:
    return (PUBMED_XML_HEADER + "<PubmedArticleSet>\n" + body + "\n</PubmedArticleSet>\n").encode()


@contextmanager
def small(chunk: int = 97, batch: int = 600) -> Iterator[list[int]]:
    """Small chunks and batches; yields the record counts at which element-by-element reading took over."""
    starts: list[int] = []
    real = xml_stream.stream_records

    def spy(*args: object) -> Iterator[ImportItem]:
        starts.append(int(args[4]) if len(args) > 4 else 0)  # type: ignore[call-overload]
        return real(*args)  # type: ignore[arg-type]

    with (
        mock.patch.object(xml_stream, "CHUNK", chunk),
        mock.patch.object(xml_stream, "BATCH", batch),
        mock.patch.object(xml_stream, "stream_records", spy),
    ):
        yield starts


def both(data: bytes, chunk: int = 97, batch: int = 600) -> tuple[list[ImportItem], list[int]]:
    """The items read in batches, checked equal to those read element by element."""
    expected = list(xml_stream.stream_records(io.BytesIO(data), "f.xml", RECORD_TAGS, record_reader("f.xml")))
    with small(chunk, batch) as starts:
        got = list(xml_stream.batched_records(io.BytesIO(data), "f.xml", RECORD_TAGS, record_reader("f.xml")))
    assert got == expected
    return got, starts


def pmids(items: list[ImportItem]) -> list[str]:
    return [i.publication.pmid for i in items if isinstance(i, Record)]


def skips(items: list[ImportItem]) -> list[str]:
    return [str(i) for i in items if isinstance(i, Skip)]


def test_end_tags_split_across_chunks_all_read_in_batches() -> None:
    data = document("\n".join(ARTICLES))
    for chunk in (5, 7, 16, 97, 1000):
        got, starts = both(data, chunk=chunk)
        assert pmids(got) == [str(1000 + i) for i in range(12)]
        assert skips(got) == []
        assert starts == [12]  # every record read in batches; iterparse only read the end of the file


def test_end_tag_inside_cdata_and_comment() -> None:
    tricky = ARTICLES[3].replace(
        "<ArticleTitle>", "<!-- </PubmedArticle> --><ArticleTitle><![CDATA[a </PubmedArticle> b ]]>"
    )
    got, starts = both(document("\n".join([*ARTICLES[:3], tricky, *ARTICLES[4:]])))
    assert pmids(got) == [str(1000 + i) for i in range(12)]
    assert [i.publication.title for i in got if isinstance(i, Record)][3].startswith("a </PubmedArticle> b Inflamm")
    assert starts and starts[0] < 12  # iterparse took over at the cut inside the CDATA or comment


def test_gzip_and_truncated_gzip(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb") as out:
        for line in document("\n".join(ARTICLES)).splitlines(keepends=True):
            out.write(line)
            out.flush()  # each line decompressible on its own, as in a large file
    packed = raw.getvalue()
    for blob, n, reasons in ((packed, 12, []), (packed[: len(packed) * 2 // 3], None, ["truncated"])):
        path = tmp_path / "f.xml.gz"
        path.write_bytes(blob)
        with open(path, "rb") as a, open(path, "rb") as b:
            expected = list(xml_stream.stream_records(GzipStream(a), "f.xml", RECORD_TAGS, record_reader("f.xml")))
            with small():
                got = list(xml_stream.batched_records(GzipStream(b), "f.xml", RECORD_TAGS, record_reader("f.xml")))
        assert got == expected
        assert [s.reason for s in got if isinstance(s, Skip)] == reasons
        assert n is None or len(pmids(got)) == n
    assert 0 < len(pmids(got)) < 12


def test_delete_citation_between_records() -> None:
    delete = '<DeleteCitation><PMID Version="1">77</PMID><PMID Version="1">78</PMID></DeleteCitation>'
    got, starts = both(document("\n".join([*ARTICLES[:5], delete, *ARTICLES[5:]])))
    assert [(i.pmid, i.location) for i in got if isinstance(i, Deletion)] == [
        ("77", "DeleteCitation PMID 1"),
        ("78", "DeleteCitation PMID 2"),
    ]
    assert pmids(got) == [str(1000 + i) for i in range(12)]
    assert starts == [12]


def test_truncated_last_record_same_line_and_column() -> None:
    data = document("\n".join(ARTICLES))
    cut = data[: data.rindex(b"<AbstractText") + 20]
    got, starts = both(cut)
    assert pmids(got) == [str(1000 + i) for i in range(11)]
    [message] = skips(got)
    line = cut.count(b"\n") + 1
    assert message.startswith(f"f.xml: after record 11, line {line}, column ")
    assert "the file ends early" in message
    assert starts == [11]


def test_faults_after_batches_name_the_same_place() -> None:
    body = "\n".join(ARTICLES)
    cases = [
        document(body.replace("case 9:", "case \xe9 9:")).replace("\xe9 9:".encode(), b"\xe9 9:"),  # Latin-1 byte
        document(body.replace("<Volume>", "<Volume><Bad>", 1).replace("case 9", "case 9</Worse>")),
        document(body.replace("case 8", "case &nbsp; 8")),  # an entity the DTD would define
        document(body).replace(b"\n", b"\r\n"),
        document(body).replace(b"\n", b"\r")[:-300],
        document(body).replace(b"\n", b"")[:-500],  # one line: columns must match
        document("".join(ARTICLES))[:-500],  # records on the line after the header
        document("".join(ARTICLES).replace("case 10", "case\n10"))[:-500],
        document(body.replace("</PubmedArticle>", "</PubmedArticle><!-- note -->", 1)),
        document(body) + b"<PubmedArticle>",
        document(body.replace("<Abstract>", "<Abstract>" + ARTICLES[0], 1)),  # a record inside a record
        (DATA / "latin1.xml").read_bytes(),
        (DATA / "truncated.xml").read_bytes(),
        (DATA / "update_revised_delete.xml").read_bytes(),
    ]
    for data in cases:
        for batch in (600, 1 << 20):
            got, _ = both(data, batch=batch)
            assert got


def test_line_numbers_past_65535_after_batches() -> None:
    # libxml2 keeps big line numbers; the batches count their line breaks by them
    body = "\n".join(a.replace("<ArticleTitle>", "\n" * 7000 + "<ArticleTitle>") for a in ARTICLES)
    data = document(body)[:-300]
    assert data.count(b"\n") > 70_000
    got, starts = both(data, chunk=1 << 16, batch=1 << 16)
    [message] = skips(got)
    line = data.count(b"\n") + 1
    assert f"line {line}, column " in message
    assert starts and starts[0] > 0  # some records were read in batches first


def test_prologues_that_are_not_batched() -> None:
    body = "\n".join(ARTICLES[:4])
    for data in (
        document(body).replace(b'<?xml version="1.0" ?>', b'<?xml version="1.0" encoding="ISO-8859-1"?>'),
        document(body).replace(b"<PubmedArticleSet>", b'<PubmedArticleSet xmlns="urn:x">'),
        document(body).replace(b'.dtd">', b'.dtd" [<!ENTITY nbsp "&#160;">]>'),
        document(body)
        .replace(b"<PubmedArticleSet>\n", b"<PubmedArticleSet>\n<Wrap>")
        .replace(b"</PubmedArticleSet>", b"</Wrap></PubmedArticleSet>"),
        ARTICLES[0].encode(),
    ):
        _, starts = both(data)
        assert starts == [0]


SNIPPETS = st.sampled_from(
    [b"</PubmedArticle>", b"<!--", b"-->", b"<![CDATA[", b"]]>", b"\xe9", b"&nbsp;", b"\r", b"<", b"<PubmedArticle>"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 12),
    sep=st.sampled_from(["\n", "", "\r\n", " \t"]),
    edits=st.lists(st.tuples(st.floats(0, 1), SNIPPETS), max_size=2),
    cut=st.none() | st.floats(0, 1),
    chunk=st.integers(3, 400),
    batch=st.integers(1, 3000),
)
# a record start tag before the XML declaration: the parser's message depends on where its input is cut
@example(n=1, sep="\n", edits=[(0.0, b"&nbsp;"), (0.0, b"<PubmedArticle>")], cut=None, chunk=11, batch=1)
def test_damaged_files_read_alike(
    n: int, sep: str, edits: list[tuple[float, bytes]], cut: float | None, chunk: int, batch: int
) -> None:
    data = document(sep.join(ARTICLES[:n]))
    for where, snippet in edits:
        at = int(where * len(data))
        data = data[:at] + snippet + data[at:]
    if cut is not None:
        data = data[: int(cut * len(data))]
    both(data, chunk=chunk, batch=batch)


def test_mesh_descriptor_found_after_a_qualifier_and_comments() -> None:
    headings = (
        "<MeshHeadingList><!-- c --><MeshHeading><QualifierName>surgery</QualifierName>"
        "<DescriptorName>Lung <i>Neoplasms</i></DescriptorName><DescriptorName>Second</DescriptorName></MeshHeading>"
        "<MeshHeading><QualifierName>only</QualifierName></MeshHeading>"
        "<MeshHeading><DescriptorName>  Humans </DescriptorName></MeshHeading></MeshHeadingList>"
    )
    article = ARTICLES[0].replace("</MedlineCitation>", headings + "</MedlineCitation>")
    assert article.count("<MeshHeadingList>") == 2
    got, _ = both(document(article))
    [record] = got
    assert isinstance(record, Record)
    assert record.publication.mesh_terms == ["Humans", "Lung Neoplasms", "Lung Neoplasms", "Humans"]
