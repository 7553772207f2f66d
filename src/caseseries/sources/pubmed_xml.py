"""PubMed/MEDLINE XML: EFetch output and the annual baseline and daily update files.

Records are read in batches of about 130, each parsed with one lxml call
(:func:`caseseries.sources.xml_stream.batched_records`, which hands anything unusual to
:func:`lxml.etree.iterparse`), so memory stays constant whatever the file size. Each record's
texts are read as written and cleaned only when one of them needs it (:func:`_read`). Where the
package was built with a C compiler, a ``PubmedArticle`` is read by the compiled form of
:func:`_citation_parts` (``caseseries.sources._pubmed_parts``), which reads the same parts
straight from libxml2's nodes and leaves any record it would read differently to the walk here.

``DeleteCitation`` entries become :class:`Deletion` items; a revised record carries its
``PMID/@Version`` so that a later or newer version replaces an earlier one. A truncated or
non-UTF-8 file keeps the records before the fault and yields one :class:`Skip` naming the line
and column where reading stopped.
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

CompiledParts = Callable[[etree._Element, list[str | None]], tuple[Any, ...] | None]
"""The compiled reader's entry point: appends the texts it reads and returns the parts in the order
of :data:`CITATION_PARTS`, or None for a record it leaves to the walk."""


def compiled_reader(module: Any, running: str) -> CompiledParts | None:
    """The compiled reader of ``module`` when it was built for the lxml ``running``, else None.

    The compiled reader reads the fields of lxml's and libxml2's node structures as the headers it
    was compiled with lay them out. Another lxml (upgraded or downgraded after the package was
    built) may lay them out otherwise, so its records are read by the Python walk until the
    package is built again (``pip install --force-reinstall --no-deps caseseries``).
    """
    if module is None or getattr(module, "BUILT_WITH_LXML", None) != running:
        return None
    parts: CompiledParts = module.citation_parts
    return parts


try:  # built when the package is installed with a C compiler
    from caseseries.sources import _pubmed_parts
except ImportError:  # pragma: no cover - an installation without a C compiler
    _pubmed_parts = None  # type: ignore[assignment]

compiled_citation_parts: CompiledParts | None = compiled_reader(_pubmed_parts, etree.__version__)
"""The compiled form of :func:`_citation_parts` (None without it, see :func:`compiled_reader`)."""

CITATION_PARTS = (
    "pmid", "version", "title", "vernacular", "journal", "journal_abbrev", "medline_ta", "volume", "issue",
    "year", "pages", "eloc_doi", "languages", "types", "mesh", "abstract", "authors", "ids",
)  # fmt: skip
"""The parts :func:`_citation_parts` reads from a ``PubmedArticle``, in order."""

RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")
"""The elements read as records (or deletions) of a PubMed XML file."""

_DESCRIPTORS: Callable[[etree._Element], list[etree._Element]] = etree.XPath("*/DescriptorName[1]")  # type: ignore[assignment]
"""The first ``DescriptorName`` of each heading in a ``MeshHeadingList`` (one call for the whole list)."""

Note = Callable[[str | None], None]
"""Told every text read for a record, so that one check can say whether any needs cleaning."""


MATHML = "{http://www.w3.org/1998/Math/MathML}math"
"""A MathML formula (as in PubMed and JATS abstracts); ``math`` once namespaces are removed."""


def math_text(math: etree._Element) -> str:
    """A MathML formula as readable text: its tokens joined without the layout white space."""
    return "".join(str(t).strip() for t in math.itertext())


def _text_with_math(el: etree._Element) -> str:
    parts = [el.text or ""]
    for child in el:
        tag = child.tag
        if tag in (MATHML, "math"):
            parts.append(math_text(child))
        elif isinstance(tag, str):
            parts.append(_text_with_math(child))
        parts.append(child.tail or "")
    return "".join(parts)


def raw_text(el: etree._Element) -> str:
    """All the text inside an element (markup removed, its tail excluded), as written.

    A MathML formula inside becomes its tokens joined (``VO2max``), not the letters spaced out
    by the layout white space between its elements.
    """
    if el.tag in (MATHML, "math"):
        return math_text(el)
    if next(el.iter(MATHML, "math"), None) is not None:
        return _text_with_math(el)
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def as_written(el: etree._Element) -> str | None:
    """The text of an element with inline markup (``<i>``, ``<sup>``, ...) flattened, as written."""
    return raw_text(el) if len(el) else el.text


def flat_text(el: etree._Element | None) -> str | None:
    """The text of an element with inline markup flattened and spaces collapsed (None when empty)."""
    return None if el is None else clean(as_written(el))


def child_text(el: etree._Element, tag: str) -> str | None:
    """The text of the first child of ``el`` named ``tag`` (None when there is none)."""
    for child in children(el):
        if child.tag == tag:
            return child.text
    return None


_AUTHOR_KEYS = {"LastName": "last_name", "ForeName": "fore_name", "Initials": "initials"}


def _author_parts(author_list: etree._Element, note: Note) -> list[dict[str, str | None]]:
    """The authors of an ``AuthorList`` as dicts of the texts as written."""
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
                note(text := as_written(child))
                parts = {"collective_name": text}
                break
        out.append(parts)
    return out


def _abstract_parts(abstract: etree._Element, note: Note) -> list[tuple[str | None, str | None]]:
    """The ``AbstractText`` sections of an ``Abstract`` as (label, text) as written."""
    out = []
    for section in children(abstract):
        if section.tag == "AbstractText":
            note(label := section.get("Label"))
            note(text := as_written(section))
            out.append((label, text))
    return out


def _citation_parts(root: etree._Element, note: Note) -> dict[str, Any]:
    """The parts of one ``PubmedArticle``: the element texts as written, before any choice among them.

    Every candidate is kept where the fields choose one (vernacular titles, languages, DOI
    locations, ...), so that the parts can be cleaned first and chosen from after
    (:func:`_citation_fields`). Where an element repeats, the last one read wins, as for
    ``ArticleIdList``.
    """
    mc = pubmed_data = None
    for child in children(root):
        tag = child.tag
        if tag == "MedlineCitation":
            mc = child
        elif tag == "PubmedData":
            pubmed_data = child
    pmid = version = title = journal = journal_abbrev = medline_ta = volume = issue = None
    year = other_year = None
    vernacular: list[str | None] = []
    eloc_doi: list[str | None] = []
    languages: list[str | None] = []
    types: list[str | None] = []
    mesh: list[str | None] = []
    abstract: list[tuple[str | None, str | None]] = []
    authors: list[dict[str, str | None]] = []
    pages: dict[str, str | None] = {}
    ids: dict[str | None, str | None] = {}
    for child in children(mc) if mc is not None else ():
        tag = child.tag
        if tag == "Article":
            for field in children(child):
                tag = field.tag
                if tag == "Journal":
                    for part in children(field):
                        tag = part.tag
                        if tag == "JournalIssue":
                            for issue_part in children(part):
                                tag = issue_part.tag
                                if tag == "Volume":
                                    note(volume := issue_part.text)
                                elif tag == "Issue":
                                    note(issue := issue_part.text)
                                elif tag == "PubDate":
                                    for d in children(issue_part):
                                        if year is None and d.tag in ("Year", "MedlineDate"):
                                            year = year_of(d.text)
                        elif tag == "Title":
                            note(journal := part.text)
                        elif tag == "ISOAbbreviation":
                            note(journal_abbrev := part.text)
                elif tag == "ArticleTitle":
                    note(title := as_written(field))
                elif tag == "AuthorList":
                    authors = _author_parts(field, note)
                elif tag == "Abstract":
                    abstract = _abstract_parts(field, note)
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
                elif tag == "PublicationTypeList":
                    for ptype in children(field):
                        note(text := ptype.text)
                        types.append(text)
                elif tag == "VernacularTitle":
                    note(text := as_written(field))
                    vernacular.append(text)
                elif tag == "ArticleDate" and other_year is None:
                    other_year = year_of(child_text(field, "Year"))
        elif tag == "MeshHeadingList":
            for descriptor in _DESCRIPTORS(child):
                note(text := as_written(descriptor))
                mesh.append(text)
        elif tag == "PMID" and pmid is None:  # the first one is the record's
            note(pmid := child.text)
            note(version := child.get("Version"))
        elif tag == "MedlineJournalInfo":
            note(medline_ta := child_text(child, "MedlineTA"))
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
    values = (
        pmid, version, title, vernacular, journal, journal_abbrev, medline_ta, volume, issue,
        year or other_year, pages, eloc_doi, languages, types, mesh, abstract, authors, ids,
    )  # fmt: skip
    return dict(zip(CITATION_PARTS, values, strict=True))


def _compiled_parts(root: etree._Element, seen: list[str | None]) -> dict[str, Any] | None:
    """The parts :data:`compiled_citation_parts` reads, as :func:`_citation_parts` gives them (or None)."""
    assert compiled_citation_parts is not None
    values = compiled_citation_parts(root, seen)
    return None if values is None else dict(zip(CITATION_PARTS, values, strict=True))


def _book_parts(root: etree._Element, note: Note) -> dict[str, Any]:
    """The parts of one ``PubmedBookArticle`` (a book or chapter record), texts as written."""
    doc = root.find("BookDocument")
    if doc is None:
        return {"pmid": None}
    book = doc.find("Book")
    book_title = book.find("BookTitle") if book is not None else None
    title = doc.find("ArticleTitle")
    author_list = doc.find("AuthorList")
    if author_list is None and book is not None:
        author_list = book.find("AuthorList")  # a whole book: its authors are the book's
    abstract = doc.find("Abstract")
    parts: dict[str, Any] = {
        "pmid": doc.findtext("PMID"),
        "ids": {a.get("IdType"): a.text for a in doc.iterfind("ArticleIdList/ArticleId")},
        "title": as_written(title) if title is not None else None,
        "book_title": as_written(book_title) if book_title is not None else None,
        "authors": _author_parts(author_list, note) if author_list is not None else [],
        "year": year_of(book.findtext("PubDate/Year")) if book is not None else None,
        "types": [p.text for p in doc.iterfind("PublicationType")],
        "language": doc.findtext("Language"),
        "abstract": _abstract_parts(abstract, note) if abstract is not None else [],
    }
    for key in ("pmid", "title", "book_title", "language"):
        note(parts[key])
    for text in (*parts["ids"].values(), *parts["types"]):
        note(text)
    return parts


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


def _read(
    parts_of: Callable[[etree._Element, Note], dict[str, Any]],
    root: etree._Element,
    compiled: Callable[[etree._Element, list[str | None]], dict[str, Any] | None] | None = None,
) -> dict[str, Any]:
    """The parts ``parts_of`` reads from ``root``, cleaned text by text only when one needs it.

    ``compiled``, when given, reads the same parts and may decline a record (None), which
    ``parts_of`` then reads. By far most texts are already clean (no white space to collapse):
    one check over all the texts of a record says so, and then they are kept as read. Either
    way the parts hold the texts :func:`clean` gives.
    """
    seen: list[str | None] = []
    parts = compiled(root, seen) if compiled is not None else None
    if parts is None:
        seen = []
        parts = parts_of(root, seen.append)
    if not all_clean([text for text in seen if text is not None]):
        parts = _cleaned(parts)
    return parts


def _first(texts: list[str | None]) -> str | None:
    """The first non-empty text of ``texts``."""
    for text in texts:
        if text:
            return text
    return None


def _abstract_fields(sections: list[tuple[str | None, str | None]]) -> list[dict[str, str | None]]:
    """Abstract sections as dicts (label None when unstructured), empty ones left out."""
    return [{"label": label or None, "text": text} for label, text in sections if text]


def _citation_fields(parts: dict[str, Any]) -> dict[str, Any]:
    """The Publication fields chosen from the (clean) parts of a ``PubmedArticle``."""
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
        "journal_abbrev": parts["journal_abbrev"] or parts["medline_ta"],
        "year": parts["year"],
        "volume": parts["volume"],
        "issue": parts["issue"],
        "pages": pages.get("MedlinePgn") or (f"{start}-{end}" if start and end else start),
        "publication_types": [t for t in parts["types"] if t],
        "language": _first(parts["languages"]),
        "mesh_terms": [t for t in parts["mesh"] if t],
        "abstract": _abstract_fields(parts["abstract"]),
    }


def _citation(root: etree._Element, source: str, location: str) -> Record | Skip:
    """One ``PubmedArticle`` as a Record, or a Skip when it has no PMID."""
    parts = _read(_citation_parts, root, _compiled_parts if compiled_citation_parts is not None else None)
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
    parts = _read(_book_parts, root)
    if not parts["pmid"]:
        return Skip(source, location, "no-pmid", "PubmedBookArticle without a PMID; the record cannot be identified")
    pub = Publication(
        pmid=parts["pmid"],
        doi=parts["ids"].get("doi"),
        title=parts["title"] or parts["book_title"],
        authors=parts["authors"],
        journal=parts["book_title"],
        year=parts["year"],
        publication_types=[t for t in parts["types"] if t],
        language=parts["language"],
        abstract=_abstract_fields(parts["abstract"]),
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
