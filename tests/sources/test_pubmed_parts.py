"""The compiled PubMed reader reads every record it accepts exactly as the Python walk does.

``caseseries.sources._pubmed_parts.citation_parts`` reads the parts of a ``PubmedArticle``
straight from libxml2's nodes; ``pubmed_xml._citation_parts`` is the walk it mirrors. Each test
compares the two (the parts and the texts told, in order) on the same parsed record: the records
of the test files and of the real files beside the repository, generated records with every
kind of node the walk meets (comments, processing instructions, CDATA, entities, namespaced
elements, MathML, inline markup, repeated and missing elements), and the records it must leave
to the Python walk.

The compiled reader is built when the package is installed with a C compiler; without it these
tests skip, unless ``CASESERIES_REQUIRE_COMPILED`` is set (as CI sets it).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.conftest import DATA, SHARED

from caseseries.model.publication import AbstractSection, Author, Publication
from caseseries.sources import pubmed_xml
from caseseries.sources.importer import Record, open_source
from caseseries.sources.writers import PUBMED_XML_HEADER, pubmed_article_xml
from caseseries.sources.xml_stream import xml_parser

if pubmed_xml.compiled_citation_parts is None:
    if os.environ.get("CASESERIES_REQUIRE_COMPILED"):
        built = getattr(pubmed_xml._pubmed_parts, "BUILT_WITH_LXML", None)
        pytest.fail(
            "CASESERIES_REQUIRE_COMPILED is set but caseseries.sources._pubmed_parts is not used "
            f"(built for lxml {built}, running lxml {etree.__version__}; None: not built)"
        )
    pytest.skip("the compiled PubMed reader was not built (no C compiler at install)", allow_module_level=True)

COMPILED = pubmed_xml._compiled_parts


def both(article: etree._Element) -> tuple[tuple[dict[str, Any], list[str | None]], tuple[Any, list[str | None]]]:
    """(parts, texts told) by the Python walk and by the compiled reader."""
    told: list[str | None] = []
    walked = pubmed_xml._citation_parts(article, told.append)
    seen: list[str | None] = []
    return (walked, told), (COMPILED(article, seen), seen)


def articles(data: bytes) -> list[etree._Element]:
    root = etree.fromstring(data, xml_parser())
    return list(root.iter("PubmedArticle"))


def agree(article: etree._Element) -> bool:
    """Assert that the compiled reader reads ``article`` as the walk does; False when it declined."""
    (walked, told), (compiled, seen) = both(article)
    if compiled is None:
        return False
    assert compiled == walked
    assert seen == told
    return True


def xml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.name.endswith((".xml", ".xml.gz")))


def read_bytes(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()


def records_of(folder: Path) -> list[etree._Element]:
    found = []
    for path in xml_files(folder) if folder.is_dir() else [folder]:
        try:
            found.extend(articles(read_bytes(path)))
        except (etree.XMLSyntaxError, OSError, EOFError):
            continue  # the damaged test files: the importer's own tests read those
    return found


def test_the_records_of_the_test_files_read_alike() -> None:
    records = records_of(DATA)
    assert len(records) > 10
    read = [agree(article) for article in records]
    assert sum(read) >= len(read) - 3  # the few with MathML or comments are left to the walk


def test_the_real_files_read_alike() -> None:
    records = records_of(SHARED / "data" / "real-files")
    assert records
    read = [agree(article) for article in records]
    assert sum(read) > 0.9 * len(read)


def pub() -> Publication:
    return Publication(
        pmid="31000001",
        pmcid="PMC700001",
        doi="10.1000/imt.1",
        title="ALK-positive inflammatory myofibroblastic tumour treated with crizotinib",
        authors=[Author(last_name="Núñez", fore_name="Ana", initials="A"), Author(collective_name="IMT Group")],
        journal="Journal of Rare Tumours",
        journal_abbrev="J Rare Tumours",
        year=2021,
        volume="12",
        issue="3",
        pages="101-105",
        publication_types=["Case Reports", "Journal Article"],
        language="eng",
        mesh_terms=["Humans", "Crizotinib"],
        abstract=[AbstractSection(label="CASE", text="A 9-year-old girl."), AbstractSection(text="Partial response.")],
    )


def test_a_written_record_is_read_by_the_compiled_reader() -> None:
    (article,) = articles((PUBMED_XML_HEADER + pubmed_article_xml(pub())).encode())
    assert agree(article)
    (_, _), (parts, _) = both(article)
    assert parts["pmid"] == "31000001" and parts["ids"]["pmc"] == "PMC700001"
    assert parts["authors"][1] == {"collective_name": "IMT Group"}


MATHML = '<mml:math xmlns:mml="http://www.w3.org/1998/Math/MathML"><mml:mi>x</mml:mi></mml:math>'


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<LastName>", "<LastName><!-- a note -->"),
        ("<Volume>12</Volume>", "<Volume>12<?page 4?></Volume>"),
        ("A 9-year-old girl.", f"A 9-year-old girl {MATHML}."),
        ("A 9-year-old girl.", "A 9-year-old girl <math><mi>y</mi></math>."),
        ("<Language>", '<x:Note xmlns:x="urn:example">n</x:Note><Language>'),
        ("<Volume>12</Volume>", "<Volume>1<i>2</i></Volume>"),
    ],
)
def test_records_the_walk_reads_differently_are_left_to_it(old: str, new: str) -> None:
    xml = pubmed_article_xml(pub())
    assert old in xml
    (article,) = articles((PUBMED_XML_HEADER + xml.replace(old, new, 1)).encode())
    assert not agree(article)
    record = pubmed_xml._citation(article, "file.xml", "record 1")
    assert isinstance(record, Record)
    assert record.publication.pmid == "31000001"


def test_a_dtd_declaring_attributes_leaves_the_record_to_the_walk() -> None:
    dtd = '<!DOCTYPE PubmedArticleSet [<!ATTLIST ELocationID EIdType CDATA "doi">]>'
    xml = pubmed_article_xml(pub()).replace(' EIdType="doi"', "")
    root = etree.fromstring(f"{dtd}<PubmedArticleSet>{xml}</PubmedArticleSet>".encode(), xml_parser())
    (article,) = root.iter("PubmedArticle")
    assert not agree(article)


def test_the_importer_reads_files_alike_with_and_without_the_compiled_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [p for p in xml_files(DATA / "sources") if records_of(p)]
    assert len(paths) > 1

    def items() -> list[object]:
        return [
            item for path in paths for item in pubmed_xml.PubmedXmlImporter().read_stream(open_source(path), str(path))
        ]

    compiled = items()
    monkeypatch.setattr(pubmed_xml, "compiled_citation_parts", None)
    assert items() == compiled


class FakeBuild:
    """A compiled module as the loader sees it: the lxml it was built for, and its entry point."""

    def __init__(self, built: str):
        self.BUILT_WITH_LXML = built
        self.citation_parts = pubmed_xml.compiled_citation_parts


@pytest.mark.parametrize(
    ("built", "running", "used"),
    [
        ("6.2.0", "6.2.0", True),
        ("6.2.0", "6.2.1", False),  # lxml upgraded after the build: its nodes may be laid out otherwise
        ("6.2.0", "5.4.0", False),
        ("", "6.2.0", False),
    ],
)
def test_the_compiled_reader_is_used_only_with_the_lxml_it_was_built_for(built: str, running: str, used: bool) -> None:
    reader = pubmed_xml.compiled_reader(FakeBuild(built), running)
    assert (reader is not None) is used
    if used:
        assert reader is pubmed_xml.compiled_citation_parts


def test_the_installed_compiled_reader_was_built_for_the_running_lxml() -> None:
    assert etree.__version__ == pubmed_xml._pubmed_parts.BUILT_WITH_LXML
    assert pubmed_xml.compiled_reader(None, etree.__version__) is None


# Generated records: the tags the walk reads, in any number and order, with noise among them.

CHILDREN = {
    "PubmedArticle": ["MedlineCitation", "PubmedData"],
    "MedlineCitation": ["PMID", "Article", "MedlineJournalInfo", "MeshHeadingList", "PMID"],
    "Article": [
        "Journal",
        "ArticleTitle",
        "Pagination",
        "ELocationID",
        "Abstract",
        "AuthorList",
        "Language",
        "PublicationTypeList",
        "VernacularTitle",
        "ArticleDate",
    ],
    "Journal": ["JournalIssue", "Title", "ISOAbbreviation"],
    "JournalIssue": ["Volume", "Issue", "PubDate"],
    "PubDate": ["Year", "MedlineDate", "Month"],
    "Pagination": ["StartPage", "EndPage", "MedlinePgn"],
    "Abstract": ["AbstractText", "CopyrightInformation"],
    "AuthorList": ["Author", "Author"],
    "Author": ["LastName", "ForeName", "Initials", "CollectiveName", "AffiliationInfo"],
    "PublicationTypeList": ["PublicationType"],
    "ArticleDate": ["Year", "Month"],
    "MedlineJournalInfo": ["MedlineTA", "Country"],
    "MeshHeadingList": ["MeshHeading"],
    "MeshHeading": ["QualifierName", "DescriptorName", "DescriptorName"],
    "PubmedData": ["History", "ArticleIdList"],
    "History": ["PubMedPubDate"],
    "PubMedPubDate": ["Year"],
    "ArticleIdList": ["ArticleId"],
}
ATTRIBUTE = {
    "PMID": "Version",
    "ELocationID": "EIdType",
    "AbstractText": "Label",
    "ArticleId": "IdType",
    "PubMedPubDate": "PubStatus",
}
PIECES = [
    "IMT",
    "ALK",
    "2019",
    "Mar-Apr",
    "10.1000/x",
    "doi",
    "pmc",
    "pubmed",
    "é",
    "Ω",
    " ",
    "  ",
    "\n",
    "\t",
    "",
    "&amp;",
    "&lt;",
    "&#233;",
    "&#x85;",
    "<![CDATA[a<b]]>",
]
NOISE = [
    "<!-- c -->",
    "<?pi x?>",
    MATHML,
    "<math>\n  <mi>y</mi>\n  <mo>+</mo>\n</math>",
    '<x:foo xmlns:x="urn:x">t</x:foo>',
    '<x:Language xmlns:x="urn:x">xx</x:Language>',
    "<Other>o</Other>",
    "<i>it</i>",
    "<sup>2</sup>",
    "<b><i>bi</i></b>",
]

texts = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
values = st.sampled_from(["doi", "pmc", "pubmed", "pii", "", "CASE", "1", "2", "a&amp;b", "&#x20;x"])


@st.composite
def element(draw: st.DrawFn, tag: str, kinds: tuple[str, ...], depth: int = 0) -> str:
    """``tag`` with children by :data:`CHILDREN` (or text), and now and then a node of ``kinds``."""
    attribute = ATTRIBUTE.get(tag)
    attrs = ""
    if attribute and draw(st.integers(0, 5)):
        prefix = draw(st.sampled_from(["", "", "", "x:"]))  # an attribute of the same name in a namespace
        attrs = f' {prefix}{attribute}="{draw(values)}"' + (' xmlns:x="urn:x"' if prefix else "")
    noise = st.sampled_from((None,) * 3 + kinds) if kinds else st.none()
    if tag in CHILDREN and depth < 6:
        names = draw(st.lists(st.sampled_from(CHILDREN[tag]), max_size=len(CHILDREN[tag]) + 1))
        if draw(st.booleans()):
            names = sorted(set(CHILDREN[tag]), key=CHILDREN[tag].index)  # the usual complete record
        parts = []
        for name in names:
            parts.append(draw(st.sampled_from(["", "\n  ", " "])))
            parts.append(draw(element(name, kinds, depth + 1)))
            if (extra := draw(noise)) is not None:
                parts.append(extra)
        body = "".join(parts)
    else:
        body = draw(texts)
        if (extra := draw(noise)) is not None:
            body += extra + draw(texts)
    return f"<{tag}{attrs}>{body}</{tag}>" if body or draw(st.booleans()) else f"<{tag}{attrs}/>"


@pytest.mark.parametrize("kinds", [(), *((kind,) for kind in NOISE), tuple(NOISE)], ids=repr)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_generated_records_read_alike(kinds: tuple[str, ...], data: st.DataObject) -> None:
    xml = data.draw(element("PubmedArticle", kinds))
    (article,) = articles(f"<PubmedArticleSet>{xml}</PubmedArticleSet>".encode())
    agree(article)
