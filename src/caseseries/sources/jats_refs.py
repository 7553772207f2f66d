"""JATS reference lists as structured citations (``<ref-list>`` -> :class:`Citation`).

``<element-citation>`` holds its parts as elements without the punctuation between them, so its
text as written runs the parts together; ``<mixed-citation>`` holds the punctuation. Both give
the same fields here (authors, title, journal, year, volume, issue, pages, DOI, PMID, PMCID),
and ``Citation.text`` is the entry as written with the parts kept apart. The citations are kept
on the publication for reference checking, never in the text extraction reads.
"""

from __future__ import annotations

from lxml import etree

from caseseries.model.publication import Author, Citation
from caseseries.sources.importer import clean, doi_of, initials_of, year_of
from caseseries.sources.pubmed_xml import flat_text, raw_text

CITATION_TAGS = ("element-citation", "mixed-citation", "citation", "nlm-citation")
_TITLE_TAGS = ("article-title", "chapter-title", "part-title", "data-title")


def local(tag: object) -> str:
    """The local name of an element tag (``{ns}name`` -> ``name``; "" for comments)."""
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def _name(el: etree._Element) -> Author | None:
    tag = local(el.tag)
    if tag == "collab":
        return Author(collective_name=flat_text(el))
    if tag not in ("name", "string-name"):
        return None
    surname = given = None
    for part in el:
        part_tag = local(part.tag)
        if part_tag == "surname":
            surname = flat_text(part)
        elif part_tag == "given-names":
            given = flat_text(part)
    if surname is None:  # a string-name without parts: "Avery SV"
        text = flat_text(el)
        if not text:
            return None
        last, _, rest = text.rpartition(" ")
        return Author(last_name=last or text, initials=initials_of(rest) if last else None)
    return Author(last_name=surname, fore_name=given, initials=initials_of(given))


def _authors(citation: etree._Element) -> list[Author]:
    groups = [g for g in citation if local(g.tag) == "person-group"]
    authors_groups = [g for g in groups if g.get("person-group-type", "author") == "author"]
    holders = authors_groups or ([] if groups else [citation])
    out = []
    for holder in holders:
        for el in holder:
            author = _name(el)
            if author is not None and (author.last_name or author.collective_name):
                out.append(author)
    return out


def _spaced(el: etree._Element) -> str:
    if not len(el):
        return raw_text(el)
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(" " + _spaced(child) + " ")
        parts.append(child.tail or "")
    return "".join(parts)


def spaced_text(el: etree._Element) -> str | None:
    """The text of a citation with a space between parts that the markup alone separates."""
    text = clean(_spaced(el))
    if text is None:
        return None
    for mark in (",", ".", ";", ":", ")"):
        text = text.replace(f" {mark}", mark)
    return text.replace("( ", "(")


def citation_of(ref: etree._Element) -> Citation | None:
    """The structured citation of one ``<ref>`` (None when it holds no citation)."""
    citation = next((c for c in ref.iter() if local(c.tag) in CITATION_TAGS), None)
    if citation is None:
        return None
    label = next((flat_text(c) for c in ref if local(c.tag) == "label"), None)
    fields: dict[str, str | None] = {}
    ids: dict[str, str | None] = {}
    for child in citation:
        tag = local(child.tag)
        if tag in _TITLE_TAGS and "title" not in fields:
            fields["title"] = flat_text(child)
        elif tag == "source" and "journal" not in fields:
            fields["journal"] = flat_text(child)
        elif tag in ("year", "volume", "issue", "fpage", "lpage", "elocation-id") and tag not in fields:
            fields[tag] = flat_text(child)
        elif tag == "pub-id":
            ids.setdefault(child.get("pub-id-type") or "", flat_text(child))
        elif tag == "ext-link" and "doi" not in ids:
            found = doi_of(flat_text(child))
            if found:
                ids["doi"] = found
    if not fields.get("year") and citation.find("date") is not None:
        fields["year"] = flat_text(citation.find("date"))
    fpage, lpage = fields.get("fpage"), fields.get("lpage")
    pages = f"{fpage}-{lpage}" if fpage and lpage else fpage or fields.get("elocation-id")
    pmcid = ids.get("pmcid") or ids.get("pmc")
    text = spaced_text(citation)
    return Citation(
        label=label,
        authors=_authors(citation),
        title=fields.get("title"),
        journal=fields.get("journal"),
        year=year_of(fields.get("year")) or year_of(text),  # an unstructured entry: the year it states
        volume=fields.get("volume"),
        issue=fields.get("issue"),
        pages=pages,
        doi=doi_of(ids.get("doi")) or ids.get("doi"),
        pmid=ids.get("pmid"),
        pmcid=(pmcid if pmcid.upper().startswith("PMC") else f"PMC{pmcid}") if pmcid else None,
        text=text,
    )


def references_of(back: etree._Element | None) -> list[Citation]:
    """Every citation of the ``<ref-list>`` elements in ``<back>``, in order."""
    if back is None:
        return []
    out = []
    for ref in back.iter():
        if local(ref.tag) == "ref":
            citation = citation_of(ref)
            if citation is not None:
                out.append(citation)
    return out
