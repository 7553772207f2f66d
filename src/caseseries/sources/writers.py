"""Write publications in the bibliographic formats the importers read.

Used to export records (PubMed XML, MEDLINE text, RIS) and to build test and benchmark inputs
of the real shapes. Each writer carries the fields its format has; reading the output back with
the matching importer gives the same values for those fields.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from caseseries.model.publication import Author, Publication

PUBMED_XML_HEADER = (
    '<?xml version="1.0" ?>\n'
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2024//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n'
)


def _el(tag: str, text: str | None, attrs: str = "") -> str:
    return f"<{tag}{attrs}>{escape(text)}</{tag}>" if text else ""


def _author_xml(a: Author) -> str:
    if a.collective_name:
        return f'<Author ValidYN="Y">{_el("CollectiveName", a.collective_name)}</Author>'
    inner = _el("LastName", a.last_name) + _el("ForeName", a.fore_name) + _el("Initials", a.initials)
    return f'<Author ValidYN="Y">{inner}</Author>'


def pubmed_article_xml(pub: Publication, *, version: int = 1, status: str = "MEDLINE") -> str:
    """One ``<PubmedArticle>`` element as PubMed's EFetch and baseline files write it."""
    abstract = "".join(
        _el("AbstractText", s.text, f" Label={quoteattr(s.label)}" if s.label else "") for s in pub.abstract
    )
    year = _el("Year", str(pub.year) if pub.year else None)
    ids = _el("ArticleId", pub.pmid, ' IdType="pubmed"') + _el("ArticleId", pub.doi, ' IdType="doi"')
    ids += _el("ArticleId", pub.pmcid, ' IdType="pmc"')
    mesh = "".join(
        f'<MeshHeading><DescriptorName UI="D000000" MajorTopicYN="N">{escape(m)}</DescriptorName></MeshHeading>'
        for m in pub.mesh_terms
    )
    types = "".join(_el("PublicationType", t, ' UI="D016428"') for t in pub.publication_types)
    parts = [
        f'<PubmedArticle><MedlineCitation Status="{status}" Owner="NLM">',
        f'<PMID Version="{version}">{escape(pub.pmid or "")}</PMID>',
        '<Article PubModel="Print-Electronic"><Journal><JournalIssue CitedMedium="Internet">',
        _el("Volume", pub.volume),
        _el("Issue", pub.issue),
        f"<PubDate>{year}</PubDate></JournalIssue>",
        _el("Title", pub.journal),
        _el("ISOAbbreviation", pub.journal_abbrev),
        "</Journal>",
        _el("ArticleTitle", pub.title),
        f"<Pagination>{_el('MedlinePgn', pub.pages)}</Pagination>" if pub.pages else "",
        _el("ELocationID", pub.doi, ' EIdType="doi" ValidYN="Y"'),
        f"<Abstract>{abstract}</Abstract>" if abstract else "",
    ]
    if pub.authors:
        parts.append('<AuthorList CompleteYN="Y">' + "".join(_author_xml(a) for a in pub.authors) + "</AuthorList>")
    parts += [
        _el("Language", pub.language),
        f"<PublicationTypeList>{types}</PublicationTypeList></Article>",
        f"<MedlineJournalInfo>{_el('MedlineTA', pub.journal_abbrev)}</MedlineJournalInfo>",
        f"<MeshHeadingList>{mesh}</MeshHeadingList>" if mesh else "",
        "</MedlineCitation><PubmedData><PublicationStatus>ppublish</PublicationStatus>",
        f"<ArticleIdList>{ids}</ArticleIdList></PubmedData></PubmedArticle>",
    ]
    return "".join(parts)


def pubmed_xml(pubs: Iterable[Publication], *, deleted: Iterable[str] = ()) -> str:
    """A whole ``PubmedArticleSet`` document; ``deleted`` PMIDs go into a ``DeleteCitation``."""
    body = "\n".join(pubmed_article_xml(p) for p in pubs)
    gone = "".join(f'<PMID Version="1">{escape(p)}</PMID>' for p in deleted)
    delete = f"\n<DeleteCitation>{gone}</DeleteCitation>" if gone else ""
    return f"{PUBMED_XML_HEADER}<PubmedArticleSet>\n{body}{delete}\n</PubmedArticleSet>\n"


def _medline_field(tag: str, value: str | None) -> list[str]:
    if not value:
        return []
    lines = textwrap.wrap(value, width=82, break_long_words=False, break_on_hyphens=False) or [value]
    return [f"{tag:<4}- {lines[0]}"] + [f"      {line}" for line in lines[1:]]


def medline_record(pub: Publication) -> str:
    """One record in MEDLINE text ("PubMed format", .nbib), without the separating blank line."""
    out: list[str] = []
    out += _medline_field("PMID", pub.pmid)
    out += _medline_field("DP", str(pub.year) if pub.year else None)
    out += _medline_field("TI", pub.title)
    out += _medline_field("PG", pub.pages)
    out += _medline_field("LID", f"{pub.doi} [doi]" if pub.doi else None)
    out += _medline_field("AB", " ".join(pub.abstract_text.split("\n")) or None)
    for a in pub.authors:
        if a.collective_name:
            out += _medline_field("CN", a.collective_name)
            continue
        out += _medline_field("FAU", ", ".join(p for p in (a.last_name, a.fore_name) if p))
        out += _medline_field("AU", " ".join(p for p in (a.last_name, a.initials) if p))
    out += _medline_field("LA", pub.language)
    for t in pub.publication_types:
        out += _medline_field("PT", t)
    out += _medline_field("TA", pub.journal_abbrev)
    out += _medline_field("JT", pub.journal)
    out += _medline_field("VI", pub.volume)
    out += _medline_field("IP", pub.issue)
    for m in pub.mesh_terms:
        out += _medline_field("MH", m)
    out += _medline_field("PMC", pub.pmcid)
    return "\n".join(out) + "\n"


def medline_text(pubs: Iterable[Publication]) -> str:
    """Records in MEDLINE text, separated by blank lines."""
    return "\n".join(medline_record(p) for p in pubs)


def ris_record(pub: Publication) -> str:
    """One RIS record (``TY  - JOUR`` ... ``ER  -``)."""
    lines = ["TY  - JOUR"]

    def add(tag: str, value: str | None) -> None:
        if value:
            lines.append(f"{tag}  - {value}")

    add("TI", pub.title)
    for a in pub.authors:
        add("AU", a.collective_name or f"{a.last_name or ''}, {a.fore_name or ''}".strip())
    add("PY", str(pub.year) if pub.year else None)
    add("JO", pub.journal)
    add("J2", pub.journal_abbrev)
    add("VL", pub.volume)
    add("IS", pub.issue)
    if pub.pages:
        start, _, end = pub.pages.partition("-")
        add("SP", start)
        add("EP", end or None)
    add("AB", " ".join(pub.abstract_text.split("\n")) or None)
    add("DO", pub.doi)
    add("AN", pub.pmid)
    add("LA", pub.language)
    for m in pub.mesh_terms:
        add("KW", m)
    lines.append("ER  - ")
    return "\n".join(lines) + "\n"


def ris_text(pubs: Iterable[Publication]) -> str:
    """Records in RIS, separated by blank lines."""
    return "\n".join(ris_record(p) for p in pubs)
