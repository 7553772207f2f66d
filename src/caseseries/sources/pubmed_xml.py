"""PubMed/MEDLINE XML: EFetch output and the annual baseline and daily update files.

Streams with :func:`lxml.etree.iterparse`, clearing each record once read, so memory stays
constant whatever the file size. ``DeleteCitation`` entries become :class:`Deletion` items; a
revised record carries its ``PMID/@Version`` so that a later or newer version replaces an
earlier one. A truncated or non-UTF-8 file keeps the records before the fault and yields one
:class:`Skip` naming the line and column where reading stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from lxml import etree

from caseseries.model.enums import SourceFormat
from caseseries.model.publication import Publication
from caseseries.sources.importer import (
    Deletion,
    Importer,
    ImportItem,
    Record,
    Skip,
    all_clean,
    clean,
    strip_bom,
    year_of,
)
from caseseries.sources.xml_stream import ReadElement, batched_records, children

RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
"""The elements read as records (or deletions) of a PubMed XML file."""

_DESCRIPTORS: Callable[[etree._Element], list[etree._Element]] = etree.XPath("*/DescriptorName[1]")  # type: ignore[assignment]
"""The first ``DescriptorName`` of each heading in a ``MeshHeadingList`` (one call for the whole list)."""

Tidy = Callable[[str | None], str | None]
"""What is done to each text read: :func:`clean`, or keep it as read (see :func:`_citation`)."""


def raw_text(el: etree._Element) -> str:
    """All the text inside an element (markup removed, its tail excluded), as written."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def flat_text(el: etree._Element | None, tidy: Tidy = clean) -> str | None:
    """The text of an element with inline markup (``<i>``, ``<sup>``, ...) flattened, spaces collapsed."""
    if el is None:
        return None
    return tidy(raw_text(el) if len(el) else el.text)


def child_text(el: etree._Element, tag: str) -> str | None:
    """The text of the first child of ``el`` named ``tag`` (None when there is none)."""
    for child in children(el):
        if child.tag == tag:
            return child.text
    return None


def _authors(parent: etree._Element | None, tidy: Tidy = clean) -> list[dict[str, str | None]]:
    """Authors as dicts (validated with the Publication, in one go)."""
    out = []
    for author in children(parent) if parent is not None else ():
        if author.tag != "Author":
            continue
        parts: dict[str, str | None] = {}
        for child in children(author):
            tag = child.tag
            if tag == "LastName":
                parts["last_name"] = tidy(child.text)
            elif tag == "ForeName":
                parts["fore_name"] = tidy(child.text)
            elif tag == "Initials":
                parts["initials"] = tidy(child.text)
            elif tag == "CollectiveName":
                parts = {"collective_name": flat_text(child, tidy)}
                break
        out.append(parts)
    return out


def _abstract(parent: etree._Element | None, tidy: Tidy = clean) -> list[dict[str, str | None]]:
    """Abstract sections as dicts (label None when unstructured)."""
    out = []
    for section in children(parent) if parent is not None else ():
        if section.tag == "AbstractText":
            text = flat_text(section, tidy)
            if text:
                out.append({"label": section.get("Label") or None, "text": text})
    return out


def _citation_fields(root: etree._Element, tidy: Tidy) -> tuple[dict[str, Any], str | None] | None:
    """The Publication fields of one ``PubmedArticle`` and its ``PMID/@Version`` (None without a PMID)."""
    mc = pubmed_data = pmid_el = None
    for child in children(root):
        tag = child.tag
        if tag == "MedlineCitation":
            mc = child
        elif tag == "PubmedData":
            pubmed_data = child
    pub: dict[str, Any] = {"source_format": SourceFormat.PUBMED_XML}
    mesh: list[str] = []
    types: list[str] = []
    title = vernacular = eloc_doi = medline_ta = language = year = other_year = None
    for child in children(mc) if mc is not None else ():
        tag = child.tag
        if tag == "PMID":
            pmid_el = child
        elif tag == "Article":
            for field in children(child):
                tag = field.tag
                if tag == "Journal":
                    for part in children(field):
                        tag = part.tag
                        if tag == "JournalIssue":
                            for issue in children(part):
                                tag = issue.tag
                                if tag == "Volume":
                                    pub["volume"] = tidy(issue.text)
                                elif tag == "Issue":
                                    pub["issue"] = tidy(issue.text)
                                elif tag == "PubDate":
                                    for d in children(issue):
                                        if year is None and d.tag in ("Year", "MedlineDate"):
                                            year = year_of(d.text)
                        elif tag == "Title":
                            pub["journal"] = tidy(part.text)
                        elif tag == "ISOAbbreviation":
                            pub["journal_abbrev"] = tidy(part.text)
                elif tag == "ArticleTitle":
                    title = flat_text(field, tidy)
                elif tag == "Abstract":
                    pub["abstract"] = _abstract(field, tidy)
                elif tag == "AuthorList":
                    pub["authors"] = _authors(field, tidy)
                elif tag == "Pagination":
                    pages = {p.tag: tidy(p.text) for p in children(field)}
                    start, end = pages.get("StartPage"), pages.get("EndPage")
                    pub["pages"] = pages.get("MedlinePgn") or (f"{start}-{end}" if start and end else start)
                elif tag == "ELocationID":
                    if eloc_doi is None and field.get("EIdType") == "doi":
                        eloc_doi = tidy(field.text)
                elif tag == "Language":
                    language = language or tidy(field.text)
                elif tag == "PublicationTypeList":
                    types.extend(t for t in (tidy(p.text) for p in children(field)) if t)
                elif tag == "VernacularTitle":
                    vernacular = vernacular or flat_text(field, tidy)
                elif tag == "ArticleDate":
                    other_year = other_year or year_of(child_text(field, "Year"))
        elif tag == "MeshHeadingList":
            for descriptor in _DESCRIPTORS(child):
                term = tidy(raw_text(descriptor) if len(descriptor) else descriptor.text)
                if term:
                    mesh.append(term)
        elif tag == "MedlineJournalInfo":
            medline_ta = tidy(child_text(child, "MedlineTA"))
    pmid = tidy(pmid_el.text) if pmid_el is not None else None
    if pmid_el is None or not pmid:
        return None
    ids: dict[str | None, str | None] = {}
    for child in children(pubmed_data) if pubmed_data is not None else ():
        tag = child.tag
        if tag == "ArticleIdList":
            ids = {a.get("IdType"): tidy(a.text) for a in children(child)}
        elif tag == "History" and other_year is None:
            for date in children(child):
                if date.get("PubStatus") == "pubmed":
                    other_year = year_of(child_text(date, "Year"))
    pub["pmid"] = pmid
    pub["pmcid"] = ids.get("pmc")
    pub["doi"] = ids.get("doi") or eloc_doi
    pub["title"] = title or vernacular
    pub["journal_abbrev"] = pub.get("journal_abbrev") or medline_ta
    pub["year"] = year or other_year
    pub["publication_types"] = types
    pub["language"] = language
    pub["mesh_terms"] = mesh
    return pub, pmid_el.get("Version")


def _citation(root: etree._Element, source: str, location: str) -> Record | Skip:
    """One ``PubmedArticle`` as a Record, or a Skip when it has no PMID.

    The record is first read keeping each text as it is, noting every text read; when they are
    all already clean (no white space to collapse, by far the common case: one check for the
    whole record) that is the result, otherwise the record is read again cleaning each text.
    Either way the fields are those :func:`clean` gives.
    """
    seen: list[str] = []

    def as_read(text: str | None) -> str | None:
        if text:
            seen.append(text)
            return text
        return None

    read = _citation_fields(root, as_read)
    if read is not None and not all_clean(seen):
        read = _citation_fields(root, clean)
    if read is None:
        return Skip(source, location, "no-pmid", "PubmedArticle without a PMID; the record cannot be identified")
    fields, version = read
    return Record(
        Publication.model_validate(fields), source, location, int(version) if version and version.isdigit() else None
    )


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


def record_reader(source: str) -> ReadElement:
    """What reads each element of :data:`RECORD_TAGS` in the file ``source``."""

    def read(elem: etree._Element, count: int) -> list[ImportItem]:
        tag = elem.tag
        if tag == "PubmedArticle":
            return [_citation(elem, source, f"record {count + 1}")]
        if tag == "PubmedBookArticle":
            return [_book(elem, source, f"record {count + 1}")]
        pmids = [(p.text or "").strip() for p in elem.iterfind("PMID")]
        return [Deletion(pmid, source, f"DeleteCitation PMID {i}") for i, pmid in enumerate(pmids, start=1) if pmid]

    return read


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
        return batched_records(stream, source, RECORD_TAGS, record_reader(source))
