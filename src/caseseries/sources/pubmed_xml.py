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


def _citation_parts(root: etree._Element) -> tuple[dict[str, Any], list[str | None]]:
    """The raw parts of one ``PubmedArticle`` and every text read for them, as written.

    The parts are the element texts before any choice between them is made (every candidate
    vernacular title, language, DOI location, ...), so that they can be cleaned first and chosen
    from after (:func:`_citation_fields`). Lists are in document order; where an element may
    repeat, the last one read wins, as for ``ArticleIdList``.
    """
    seen: list[str | None] = []
    note = seen.append
    mc = pubmed_data = None
    for child in children(root):
        tag = child.tag
        if tag == "MedlineCitation":
            mc = child
        elif tag == "PubmedData":
            pubmed_data = child
    parts: dict[str, Any] = {"pmid": None, "version": None, "title": None, "journal": None}
    vernacular: list[str | None] = []
    eloc_doi: list[str | None] = []
    languages: list[str | None] = []
    types: list[str | None] = []
    mesh: list[str | None] = []
    abstract: list[tuple[str | None, str | None]] = []
    authors: list[dict[str, str | None]] = []
    pages: dict[str, str | None] = {}
    ids: dict[str | None, str | None] = {}
    year = other_year = None
    for child in children(mc) if mc is not None else ():
        tag = child.tag
        if tag == "Article":
            for field in children(child):
                tag = field.tag
                if tag == "AuthorList":
                    authors = _author_parts(field, note)
                elif tag == "Abstract":
                    abstract = []
                    for section in children(field):
                        if section.tag == "AbstractText":
                            note(label := section.get("Label"))
                            note(text := raw_text(section) if len(section) else section.text)
                            abstract.append((label, text))
                elif tag == "Journal":
                    for part in children(field):
                        tag = part.tag
                        if tag == "JournalIssue":
                            for issue in children(part):
                                tag = issue.tag
                                if tag == "Volume":
                                    note(text := issue.text)
                                    parts["volume"] = text
                                elif tag == "Issue":
                                    note(text := issue.text)
                                    parts["issue"] = text
                                elif tag == "PubDate":
                                    for d in children(issue):
                                        if year is None and d.tag in ("Year", "MedlineDate"):
                                            year = year_of(d.text)
                        elif tag == "Title":
                            note(text := part.text)
                            parts["journal"] = text
                        elif tag == "ISOAbbreviation":
                            note(text := part.text)
                            parts["journal_abbrev"] = text
                elif tag == "ArticleTitle":
                    note(text := raw_text(field) if len(field) else field.text)
                    parts["title"] = text
                elif tag == "PublicationTypeList":
                    for ptype in children(field):
                        note(text := ptype.text)
                        types.append(text)
                elif tag == "Pagination":
                    pages = {}
                    for page in children(field):
                        note(text := page.text)
                        pages[page.tag] = text
                elif tag == "ELocationID":
                    if field.get("EIdType") == "doi":
                        note(text := field.text)
                        eloc_doi.append(text)
                elif tag == "Language":
                    note(text := field.text)
                    languages.append(text)
                elif tag == "VernacularTitle":
                    note(text := raw_text(field) if len(field) else field.text)
                    vernacular.append(text)
                elif tag == "ArticleDate" and other_year is None:
                    other_year = year_of(child_text(field, "Year"))
        elif tag == "MeshHeadingList":
            for descriptor in _DESCRIPTORS(child):
                note(text := raw_text(descriptor) if len(descriptor) else descriptor.text)
                mesh.append(text)
        elif tag == "PMID":
            note(text := child.text)
            note(version := child.get("Version"))
            parts.update(pmid=text, version=version)
        elif tag == "MedlineJournalInfo":
            note(text := child_text(child, "MedlineTA"))
            parts["medline_ta"] = text
    for child in children(pubmed_data) if pubmed_data is not None else ():
        tag = child.tag
        if tag == "ArticleIdList":
            ids = {}
            for article_id in children(child):
                note(text := article_id.text)
                ids[article_id.get("IdType")] = text
        elif tag == "History" and other_year is None:
            for date in children(child):
                if date.get("PubStatus") == "pubmed":
                    other_year = year_of(child_text(date, "Year"))
    parts.update(
        vernacular=vernacular,
        eloc_doi=eloc_doi,
        languages=languages,
        types=types,
        mesh=mesh,
        abstract=abstract,
        authors=authors,
        pages=pages,
        ids=ids,
        year=year or other_year,
    )
    return parts, seen


def _author_parts(author_list: etree._Element, note: Callable[[str | None], None]) -> list[dict[str, str | None]]:
    """The authors of an ``AuthorList`` as dicts of raw texts, each text also given to ``note``."""
    out = []
    for author in children(author_list):
        if author.tag != "Author":
            continue
        parts: dict[str, str | None] = {}
        for child in children(author):
            tag = child.tag
            key = _AUTHOR_KEYS.get(tag)
            if key is not None:
                note(text := child.text)
                parts[key] = text
            elif tag == "CollectiveName":
                note(text := raw_text(child) if len(child) else child.text)
                parts = {"collective_name": text}
                break
        out.append(parts)
    return out


_AUTHOR_KEYS = {"LastName": "last_name", "ForeName": "fore_name", "Initials": "initials"}


def _cleaned(value: Any) -> Any:
    """``value`` with :func:`clean` applied to every text in it, empty texts dropped from lists."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [item for item in map(_cleaned, value) if item is not None]
    if isinstance(value, tuple):
        return tuple(map(_cleaned, value))
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}
    return value


def _first(texts: list[str | None]) -> str | None:
    """The first non-empty text of ``texts``."""
    for text in texts:
        if text:
            return text
    return None


def _citation_fields(parts: dict[str, Any]) -> dict[str, Any]:
    """The Publication fields made of the (cleaned) parts of a ``PubmedArticle``."""
    pages, ids = parts["pages"], parts["ids"]
    start, end = pages.get("StartPage"), pages.get("EndPage")
    return {
        "source_format": SourceFormat.PUBMED_XML,
        "pmid": parts["pmid"],
        "pmcid": ids.get("pmc"),
        "doi": ids.get("doi") or _first(parts["eloc_doi"]),
        "title": parts["title"] or _first(parts["vernacular"]),
        "authors": parts["authors"],
        "journal": parts["journal"],
        "journal_abbrev": parts.get("journal_abbrev") or parts.get("medline_ta"),
        "year": parts["year"],
        "volume": parts.get("volume"),
        "issue": parts.get("issue"),
        "pages": pages.get("MedlinePgn") or (f"{start}-{end}" if start and end else start),
        "publication_types": [t for t in parts["types"] if t],
        "language": _first(parts["languages"]),
        "mesh_terms": [t for t in parts["mesh"] if t],
        "abstract": [{"label": label or None, "text": text} for label, text in parts["abstract"] if text],
    }


def _citation(root: etree._Element, source: str, location: str) -> Record | Skip:
    """One ``PubmedArticle`` as a Record, or a Skip when it has no PMID.

    The texts are read as written; only when one of them is not already clean (white space to
    collapse, a rare case: one check for the whole record) are the parts cleaned, text by text,
    before the fields are chosen from them. Either way the fields are those :func:`clean` gives.
    """
    parts, seen = _citation_parts(root)
    if not all_clean([text for text in seen if text is not None]):
        parts = _cleaned(parts)
    if not parts["pmid"]:
        return Skip(source, location, "no-pmid", "PubmedArticle without a PMID; the record cannot be identified")
    version = parts["version"]
    return Record(
        Publication.model_validate(_citation_fields(parts)),
        source,
        location,
        int(version) if version and version.isdigit() else None,
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
