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
from caseseries.model.publication import Publication
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
_NAME_PARTS = {"LastName": "last_name", "ForeName": "fore_name", "Initials": "initials"}


def raw_text(el: etree._Element) -> str:
    """All the text inside an element (markup removed, its tail excluded), as written."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def flat_text(el: etree._Element | None) -> str | None:
    """The text of an element with inline markup (``<i>``, ``<sup>``, ...) flattened, spaces collapsed."""
    if el is None:
        return None
    if not len(el):
        return clean(el.text)
    return clean(raw_text(el))


def _authors(parent: etree._Element | None) -> list[dict[str, str | None]]:
    """Authors as dicts (validated with the Publication, in one go)."""
    if parent is None:
        return []
    out = []
    for a in parent:
        if a.tag != "Author":
            continue
        parts: dict[str, str | None] = {}
        for child in a:
            tag = child.tag
            if tag == "CollectiveName":
                parts = {"collective_name": flat_text(child)}
                break
            if tag in _NAME_PARTS:
                parts[_NAME_PARTS[tag]] = clean(child.text)
        out.append(parts)
    return out


def _abstract(parent: etree._Element | None) -> list[dict[str, str | None]]:
    """Abstract sections as dicts (label None when unstructured)."""
    if parent is None:
        return []
    out = []
    for at in parent:
        if at.tag != "AbstractText":
            continue
        text = flat_text(at)
        if text:
            out.append({"label": at.get("Label") or None, "text": text})
    return out


def _journal(journal: etree._Element, out: dict[str, object]) -> None:
    """Title, abbreviation, volume, issue and year of ``Article/Journal`` into ``out``."""
    for child in journal:
        tag = child.tag
        if tag == "Title":
            out["journal"] = clean(child.text)
        elif tag == "ISOAbbreviation":
            out["journal_abbrev"] = clean(child.text)
        elif tag == "JournalIssue":
            for part in child:
                ptag = part.tag
                if ptag == "Volume":
                    out["volume"] = clean(part.text)
                elif ptag == "Issue":
                    out["issue"] = clean(part.text)
                elif ptag == "PubDate":
                    for d in part:
                        if d.tag in ("Year", "MedlineDate"):
                            out["year"] = out.get("year") or year_of(d.text)


def _article_fields(article: etree._Element, out: dict[str, object]) -> None:
    """The fields of ``MedlineCitation/Article``, read in one pass over its children."""
    types: list[str] = []
    for child in article:
        tag = child.tag
        if tag == "Journal":
            _journal(child, out)
        elif tag == "ArticleTitle":
            out["title"] = flat_text(child)
        elif tag == "VernacularTitle":
            out.setdefault("vernacular", flat_text(child))
        elif tag == "Pagination":
            pages = {p.tag: clean(p.text) for p in child}
            start, end = pages.get("StartPage"), pages.get("EndPage")
            out["pages"] = pages.get("MedlinePgn") or (f"{start}-{end}" if start and end else start)
        elif tag == "ELocationID":
            if child.get("EIdType") == "doi":
                out.setdefault("eloc_doi", clean(child.text))
        elif tag == "Abstract":
            out["abstract"] = _abstract(child)
        elif tag == "AuthorList":
            out["authors"] = _authors(child)
        elif tag == "Language":
            out.setdefault("language", clean(child.text))
        elif tag == "PublicationTypeList":
            types.extend(t for t in (clean(p.text) for p in child) if t)
        elif tag == "ArticleDate":
            out.setdefault("article_year", year_of(child.findtext("Year")))
    out["publication_types"] = types


def _citation(root: etree._Element, source: str, location: str) -> Record | Skip:
    """One ``PubmedArticle`` as a Record, or a Skip when it has no PMID."""
    mc = pubmed_data = None
    for child in root:
        if child.tag == "MedlineCitation":
            mc = child
        elif child.tag == "PubmedData":
            pubmed_data = child
    out: dict[str, object] = {}
    pmid_el = None
    mesh: list[str] = []
    medline_ta = None
    for child in mc if mc is not None else ():
        tag = child.tag
        if tag == "PMID":
            pmid_el = child
        elif tag == "Article":
            _article_fields(child, out)
        elif tag == "MedlineJournalInfo":
            medline_ta = clean(child.findtext("MedlineTA"))
        elif tag == "MeshHeadingList":
            for heading in child:
                d = heading[0] if len(heading) else None
                if d is not None and d.tag != "DescriptorName":
                    d = heading.find("DescriptorName")
                if d is not None:
                    term = clean(d.text) if not len(d) else flat_text(d)
                    if term:
                        mesh.append(term)
    pmid = clean(pmid_el.text) if pmid_el is not None else None
    if pmid_el is None or not pmid:
        return Skip(source, location, "no-pmid", "PubmedArticle without a PMID; the record cannot be identified")
    ids: dict[str | None, str | None] = {}
    pubmed_year = None
    for child in pubmed_data if pubmed_data is not None else ():
        if child.tag == "ArticleIdList":
            ids = {a.get("IdType"): clean(a.text) for a in child}
        elif child.tag == "History":
            for date in child:
                if date.get("PubStatus") == "pubmed":
                    pubmed_year = year_of(date.findtext("Year"))
    pub = Publication.model_validate(
        {
            "pmid": pmid,
            "pmcid": ids.get("pmc"),
            "doi": ids.get("doi") or out.get("eloc_doi"),
            "title": out.get("title") or out.get("vernacular"),
            "authors": out.get("authors", []),
            "journal": out.get("journal"),
            "journal_abbrev": out.get("journal_abbrev") or medline_ta,
            "year": out.get("year") or out.get("article_year") or pubmed_year,
            "volume": out.get("volume"),
            "issue": out.get("issue"),
            "pages": out.get("pages"),
            "publication_types": out.get("publication_types", []),
            "language": out.get("language"),
            "mesh_terms": mesh,
            "abstract": out.get("abstract", []),
            "source_format": SourceFormat.PUBMED_XML,
        }
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
