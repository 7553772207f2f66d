"""PMC JATS XML full text: metadata, abstract, sections, tables (rows and cells), captions, references.

A file may hold one ``<article>`` (PMC open-access package) or several inside
``<pmc-articleset>`` (EFetch ``db=pmc``); each article is read and cleared in turn.

``Publication.text`` is built here from the title, abstract, sections and tables so that it is
self-contained: extraction offsets refer to it, and every section's text and every table row
(cells joined by tabs) appears in it verbatim. An article without ``<body>`` (abstract only)
is skipped with the reason ``no-body``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from caseseries.model.enums import SourceFormat
from caseseries.model.publication import AbstractSection, Author, Publication, Section, Table
from caseseries.sources.importer import Importer, ImportItem, Record, Skip, clean, initials_of, strip_bom, year_of
from caseseries.sources.jats_refs import local, references_of
from caseseries.sources.pubmed_xml import flat_text, raw_text
from caseseries.sources.xml_stream import stream_records

_NOT_PROSE = {"table-wrap", "fig", "sec", "title", "label", "caption", "table-wrap-foot", "ref-list", "fn-group"}


def _prose(el: etree._Element) -> str | None:
    """Text of a paragraph without the tables and figures nested in it."""
    parts = [el.text or ""]
    for child in el:
        if local(child.tag) not in ("table-wrap", "fig"):
            parts.append(raw_text(child))
        parts.append(child.tail or "")
    return clean("".join(parts))


def _table(wrap: etree._Element) -> Table:
    label = flat_text(wrap.find("label"))
    caption = flat_text(wrap.find("caption"))
    header: list[str] = []
    rows: list[list[str]] = []
    for tr in wrap.iter("tr"):
        cells = [flat_text(c) or "" for c in tr if local(c.tag) in ("td", "th")]
        parent = tr.getparent()
        in_head = parent is not None and local(parent.tag) == "thead"
        if (in_head or all(local(c.tag) == "th" for c in tr)) and not rows and not header:
            header = cells
        elif in_head and not rows:
            header = [f"{a} {b}".strip() for a, b in zip(header, cells, strict=False)] or cells
        else:
            rows.append(cells)
    foot = wrap.find("table-wrap-foot")
    footnotes = [t for t in (flat_text(p) for p in foot.iter("p")) if t] if foot is not None else []
    if foot is not None and not footnotes and flat_text(foot):
        footnotes = [flat_text(foot) or ""]
    return Table(label=label, caption=caption, header=header, rows=rows, footnotes=footnotes)


def _sections(body: etree._Element) -> list[Section]:
    """One Section per ``<sec>`` (nested ones flattened in document order), prose and figure captions."""
    out: list[Section] = []

    def visit(container: etree._Element, title: str | None) -> None:
        paragraphs: list[str] = []
        for child in container:
            name = local(child.tag)
            if name == "sec":
                if paragraphs:
                    out.append(Section(title=title, text="\n".join(paragraphs)))
                    paragraphs = []
                visit(child, flat_text(child.find("title")))
            elif name == "fig":
                caption = " ".join(t for t in (flat_text(child.find("label")), flat_text(child.find("caption"))) if t)
                if caption:
                    paragraphs.append(caption)
            elif name not in _NOT_PROSE:
                text = _prose(child)
                if text:
                    paragraphs.append(text)
                for fig in child.iter("fig"):
                    caption = " ".join(t for t in (flat_text(fig.find("label")), flat_text(fig.find("caption"))) if t)
                    if caption:
                        paragraphs.append(caption)
        if paragraphs:
            out.append(Section(title=title, text="\n".join(paragraphs)))

    visit(body, None)
    return out


_ABSTRACT_PARTS_LEFT_OUT = {"title", "sec", "label", "object-id", "fig", "graphic"}


def _abstract_sections(abstract: etree._Element) -> list[AbstractSection]:
    """An ``<abstract>``'s text: its paragraphs (unlabelled) first, then each ``<sec>`` labelled."""
    out = []
    lead = [t for t in (_prose(c) for c in abstract if local(c.tag) not in _ABSTRACT_PARTS_LEFT_OUT) if t]
    if lead:
        out.append(AbstractSection(text=" ".join(lead)))
    for sec in abstract.iterfind("sec"):
        text = clean(" ".join(t for t in (_prose(p) for p in sec.iter("p", "list")) if t))
        if text:
            out.append(AbstractSection(label=flat_text(sec.find("title")), text=text))
    return out


def _abstracts(meta: etree._Element) -> tuple[list[AbstractSection], list[Section]]:
    """The main abstract, and the others (highlights, author summary, digest, ...) as titled sections.

    The main abstract is the first one without an ``abstract-type``, else the first one.
    """
    found = list(meta.iterfind("abstract"))
    if not found:
        return [], []
    main = next((a for a in found if not a.get("abstract-type")), found[0])
    others = []
    for el in found:
        if el is main:
            continue
        parts = _abstract_sections(el)
        if parts:
            kind = (el.get("abstract-type") or "abstract").replace("-", " ")
            title = flat_text(el.find("title")) or kind[:1].upper() + kind[1:]
            others.append(
                Section(title=title, text="\n".join(f"{p.label}: {p.text}" if p.label else p.text for p in parts))
            )
    return _abstract_sections(main), others


def table_text(table: Table) -> str:
    """A table as text: title line, tab-separated header and rows, footnotes."""
    title = ": ".join(t for t in (table.label, table.caption) if t)
    lines = [title] if title else []
    if table.header:
        lines.append("\t".join(table.header))
    lines.extend("\t".join(r) for r in table.rows)
    lines.extend(table.footnotes)
    return "\n".join(lines)


def document_text(pub: Publication) -> str:
    """The self-contained text of a full-text publication: title, abstract, sections, then tables."""
    parts = [pub.model_copy(update={"text": None}).document_text()]
    parts.extend(table_text(t) for t in pub.tables)
    return "\n\n".join(p for p in parts if p)


def _article(article: etree._Element, source: str, location: str) -> Record | Skip:
    meta = article.find("front/article-meta")
    journal_meta = article.find("front/journal-meta")
    if meta is None:
        return Skip(source, location, "no-front", "JATS article without <front>/<article-meta>; not a PMC article")
    ids = {i.get("pub-id-type"): clean(i.text) for i in meta.iterfind("article-id")}
    pmcid = ids.get("pmcid") or ids.get("pmc")
    if pmcid and not pmcid.upper().startswith("PMC"):
        pmcid = f"PMC{pmcid}"
    authors = []
    for contrib in meta.iterfind("contrib-group/contrib"):
        if contrib.get("contrib-type", "author") != "author":
            continue
        name = contrib.find("name")
        if name is not None:
            given = clean(name.findtext("given-names"))
            authors.append(
                Author(last_name=clean(name.findtext("surname")), fore_name=given, initials=initials_of(given))
            )
        elif contrib.find("collab") is not None:
            authors.append(Author(collective_name=flat_text(contrib.find("collab"))))
    abstract, other_abstracts = _abstracts(meta)
    year = None
    for date in meta.iterfind("pub-date"):
        year = year_of(date.findtext("year"))
        if year:
            break
    fpage, lpage = clean(meta.findtext("fpage")), clean(meta.findtext("lpage"))
    journal = abbrev = None
    if journal_meta is not None:
        journal = flat_text(journal_meta.find("journal-title-group/journal-title")) or flat_text(
            journal_meta.find("journal-title")
        )
        for a in journal_meta.iterfind("journal-id"):
            if a.get("journal-id-type") in ("nlm-ta", "iso-abbrev"):
                abbrev = abbrev or clean(a.text)
        for a in journal_meta.iter("abbrev-journal-title"):
            abbrev = clean(a.text) or abbrev
    body = article.find("body")
    pub = Publication(
        pmid=ids.get("pmid"),
        pmcid=pmcid,
        doi=ids.get("doi"),
        title=flat_text(meta.find("title-group/article-title")),
        authors=authors,
        journal=journal,
        journal_abbrev=abbrev,
        year=year,
        volume=clean(meta.findtext("volume")),
        issue=clean(meta.findtext("issue")),
        pages=f"{fpage}-{lpage}" if fpage and lpage else fpage or clean(meta.findtext("elocation-id")),
        publication_types=[t for t in (clean(article.get("article-type")),) if t],
        language=clean(article.get("{http://www.w3.org/XML/1998/namespace}lang")),
        mesh_terms=[k for k in (flat_text(k) for k in meta.iterfind("kwd-group/kwd")) if k],
        abstract=abstract,
        references=references_of(article.find("back")),
        source_format=SourceFormat.JATS,
        source_path=source,
    )
    if body is None or not len(body):
        return Skip(
            source,
            location,
            "no-body",
            f"JATS article {pmcid or pub.doi or pub.title or ''} has no <body> (no full text); "
            "import its PubMed record instead, or get the full-text XML".replace("  ", " "),
        )
    sections = other_abstracts + _sections(body)
    tables = [_table(w) for w in body.iter("table-wrap")]
    pub = pub.model_copy(update={"sections": sections, "tables": tables})
    return Record(pub.model_copy(update={"text": document_text(pub)}), source, location)


class JatsImporter(Importer):
    """PMC JATS XML full text."""

    name = "jats"
    source_format = SourceFormat.JATS
    description = "PMC JATS XML full text (open-access packages, EFetch db=pmc)"

    @classmethod
    def sniff(cls, head: bytes) -> int:
        """Certain on a ``pmc-articleset`` or a JATS ``<article>`` with ``<front>``."""
        start = strip_bom(head)[:16384]
        if not start.startswith(b"<"):
            return 0
        if b"<pmc-articleset" in start or b"JATS" in start[:2048] or b"jats.nlm.nih.gov/ns/" in start:
            return 100
        if b"<article " in start or b"<article>" in start:
            return 90 if b"<front>" in start or b"<article-meta" in start else 60
        return 0

    def read_stream(self, stream: BinaryIO, source: str) -> Iterator[ImportItem]:
        """Yield one item per ``<article>``."""

        def read(elem: etree._Element, count: int) -> list[ImportItem] | None:
            if any(local(a.tag) == "article" for a in elem.iterancestors()):
                return None  # an <article> nested in another: read with its parent
            if isinstance(elem.tag, str) and elem.tag.startswith("{"):
                without_namespaces(elem)
            return [_article(elem, source, f"record {count + 1}")]

        return stream_records(stream, source, "{*}article", read)


def without_namespaces(root: etree._Element) -> None:
    """Rename every element under ``root`` (itself included) to its local name, in place.

    JATS 1.3 (the PMC OAI-PMH service) puts the article in a namespace, and MathML keeps its
    own; read without them, the article is read like any other JATS file.
    """
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]
    etree.cleanup_namespaces(root)
