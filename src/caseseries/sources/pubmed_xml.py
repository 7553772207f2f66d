"""PubMed/MEDLINE XML: EFetch output and the annual baseline and daily update files.

Streams with :func:`lxml.etree.iterparse`, clearing each record once read, so memory stays
constant whatever the file size. ``DeleteCitation`` entries become :class:`Deletion` items; a
revised record carries its ``PMID/@Version`` so that a later or newer version replaces an
earlier one. A truncated or non-UTF-8 file keeps the records before the fault and yields one
:class:`Skip` naming the line and column where reading stopped.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from caseseries.model.enums import SourceFormat
from caseseries.model.publication import AbstractSection, Author, Publication
from caseseries.sources.importer import (
    Deletion,
    Importer,
    ImportItem,
    Record,
    Skip,
    clean,
    strip_bom,
    year_of,
)

_RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")


def raw_text(el: etree._Element) -> str:
    """All the text inside an element (markup removed, its tail excluded), as written."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def flat_text(el: etree._Element | None) -> str | None:
    """The text of an element with inline markup (``<i>``, ``<sup>``, ...) flattened, spaces collapsed."""
    if el is None:
        return None
    return clean(raw_text(el))


def _authors(parent: etree._Element | None) -> list[Author]:
    if parent is None:
        return []
    out = []
    for a in parent.iterfind("Author"):
        collective = a.find("CollectiveName")
        if collective is not None:
            out.append(Author(collective_name=flat_text(collective)))
            continue
        out.append(
            Author(
                last_name=clean(a.findtext("LastName")),
                fore_name=clean(a.findtext("ForeName")),
                initials=clean(a.findtext("Initials")),
            )
        )
    return out


def _abstract(parent: etree._Element | None) -> list[AbstractSection]:
    if parent is None:
        return []
    out = []
    for at in parent.iterfind("AbstractText"):
        text = flat_text(at)
        if text:
            out.append(AbstractSection(label=at.get("Label") or None, text=text))
    return out


def _year(article: etree._Element | None, root: etree._Element) -> int | None:
    if article is not None:
        pub_date = article.find("Journal/JournalIssue/PubDate")
        if pub_date is not None:
            year = year_of(pub_date.findtext("Year")) or year_of(pub_date.findtext("MedlineDate"))
            if year:
                return year
        year = year_of(article.findtext("ArticleDate/Year"))
        if year:
            return year
    for date in root.iterfind("PubmedData/History/PubMedPubDate"):
        if date.get("PubStatus") == "pubmed":
            return year_of(date.findtext("Year"))
    return None


def _pages(article: etree._Element) -> str | None:
    pages = clean(article.findtext("Pagination/MedlinePgn"))
    if pages:
        return pages
    start = clean(article.findtext("Pagination/StartPage"))
    end = clean(article.findtext("Pagination/EndPage"))
    return f"{start}-{end}" if start and end else start


def _citation(root: etree._Element, source: str, location: str) -> Record | Skip:
    """One ``PubmedArticle`` as a Record, or a Skip when it has no PMID."""
    mc = root.find("MedlineCitation")
    pmid_el = mc.find("PMID") if mc is not None else None
    pmid = clean(pmid_el.text) if pmid_el is not None else None
    if pmid_el is None or not pmid:
        return Skip(source, location, "no-pmid", "PubmedArticle without a PMID; the record cannot be identified")
    assert mc is not None
    article = mc.find("Article")
    ids = {a.get("IdType"): clean(a.text) for a in root.iterfind("PubmedData/ArticleIdList/ArticleId")}
    doi = ids.get("doi")
    title = journal = abbrev = volume = issue = pages = language = None
    authors: list[Author] = []
    abstract: list[AbstractSection] = []
    types: list[str] = []
    if article is not None:
        title = flat_text(article.find("ArticleTitle")) or flat_text(article.find("VernacularTitle"))
        journal_el = article.find("Journal")
        if journal_el is not None:
            journal = clean(journal_el.findtext("Title"))
            abbrev = clean(journal_el.findtext("ISOAbbreviation"))
            volume = clean(journal_el.findtext("JournalIssue/Volume"))
            issue = clean(journal_el.findtext("JournalIssue/Issue"))
        pages = _pages(article)
        authors = _authors(article.find("AuthorList"))
        abstract = _abstract(article.find("Abstract"))
        types = [t for t in (clean(p.text) for p in article.iterfind("PublicationTypeList/PublicationType")) if t]
        language = clean(article.findtext("Language"))
        if not doi:
            for eloc in article.iterfind("ELocationID"):
                if eloc.get("EIdType") == "doi":
                    doi = clean(eloc.text)
    pub = Publication(
        pmid=pmid,
        pmcid=ids.get("pmc"),
        doi=doi,
        title=title,
        authors=authors,
        journal=journal,
        journal_abbrev=abbrev or clean(mc.findtext("MedlineJournalInfo/MedlineTA")),
        year=_year(article, root),
        volume=volume,
        issue=issue,
        pages=pages,
        publication_types=types,
        language=language,
        mesh_terms=[m for m in (clean(d.text) for d in mc.iterfind("MeshHeadingList/MeshHeading/DescriptorName")) if m],
        abstract=abstract,
        source_format=SourceFormat.PUBMED_XML,
    )
    version = pmid_el.get("Version")
    return Record(pub, source, location, int(version) if version and version.isdigit() else None)


def _book(root: etree._Element, source: str, location: str) -> Record | Skip:
    """One ``PubmedBookArticle`` (a book or chapter record)."""
    doc = root.find("BookDocument")
    pmid = clean(doc.findtext("PMID")) if doc is not None else None
    if doc is None or not pmid:
        return Skip(source, location, "no-pmid", "PubmedBookArticle without a PMID; the record cannot be identified")
    book = doc.find("Book")
    ids = {a.get("IdType"): clean(a.text) for a in doc.iterfind("ArticleIdList/ArticleId")}
    pub = Publication(
        pmid=pmid,
        doi=ids.get("doi"),
        title=flat_text(doc.find("ArticleTitle")) or (flat_text(book.find("BookTitle")) if book is not None else None),
        authors=_authors(doc.find("AuthorList")),
        journal=flat_text(book.find("BookTitle")) if book is not None else None,
        year=year_of(book.findtext("PubDate/Year")) if book is not None else None,
        publication_types=[t for t in (clean(p.text) for p in doc.iterfind("PublicationType")) if t],
        language=clean(doc.findtext("Language")),
        abstract=_abstract(doc.find("Abstract")),
        source_format=SourceFormat.PUBMED_XML,
    )
    return Record(pub, source, location)


class EofWatch:
    """A read-only stream wrapper that notes when the end of the underlying stream was reached."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream
        self.eof = False

    def read(self, size: int = -1) -> bytes:
        """Read like the wrapped stream."""
        data = self._stream.read(size)
        if not data:
            self.eof = True
        return data


def xml_fault(err: Exception, source: str, count: int, at_eof: bool) -> Skip:
    """The Skip for a file whose reading stopped after ``count`` records."""
    where = f"after record {count}"
    if isinstance(err, etree.XMLSyntaxError) and err.position:
        where += f", line {err.position[0]}, column {err.position[1]}"
    text = re.sub(r"(, line \d+, column \d+)?( \(<string>, line \d+\))?$", "", str(err))
    if "UTF-8" in text or "encoding" in text.lower():
        return Skip(
            source, where, "not-utf8", f"not valid UTF-8 here ({text}); re-save the file as UTF-8 and import again"
        )
    if at_eof or isinstance(err, EOFError | zlib.error | OSError):
        return Skip(source, where, "truncated", f"the file ends early ({text}); download it again to import the rest")
    return Skip(source, where, "xml-error", f"malformed XML ({text}); the records after this point were not read")


class PubmedXmlImporter(Importer):
    """PubMed/MEDLINE XML (EFetch output, baseline and update files)."""

    name = "pubmed-xml"
    source_format = SourceFormat.PUBMED_XML
    description = "PubMed/MEDLINE XML: EFetch output, baseline and update files"

    @classmethod
    def sniff(cls, head: bytes) -> int:
        """Certain when a ``PubmedArticleSet`` root or ``PubmedArticle`` element appears early."""
        start = strip_bom(head)[:8192]
        if not start.startswith(b"<"):
            return 0
        if b"<PubmedArticleSet" in start or b"<PubmedArticle>" in start or b"<PubmedBookArticle>" in start:
            return 100
        if b"<MedlineCitationSet" in start or b"<DeleteCitation" in start:
            return 90
        return 0

    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield one item per ``PubmedArticle``/``PubmedBookArticle``/``DeleteCitation`` PMID."""
        watch = EofWatch(stream)
        context = etree.iterparse(
            watch,
            events=("end",),
            tag=_RECORD_TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
        )
        count = 0
        try:
            for _, elem in context:
                if elem.tag == "DeleteCitation":
                    for i, p in enumerate(elem.iterfind("PMID"), start=1):
                        if p.text and p.text.strip():
                            yield Deletion(p.text.strip(), source, f"DeleteCitation PMID {i}")
                else:
                    count += 1
                    location = f"record {count}"
                    if elem.tag == "PubmedArticle":
                        yield _citation(elem, source, location)
                    else:
                        yield _book(elem, source, location)
                elem.clear()
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
        except (etree.XMLSyntaxError, EOFError, zlib.error, OSError) as err:
            yield xml_fault(err, source, count, watch.eof)
