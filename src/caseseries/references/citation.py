"""Read the fields of one citation written in a numbered style (Vancouver, ICMJE, AMA).

``Casanova M, Brennan B, et al. Inflammatory myofibroblastic tumor: the experience of the EpSSG.
*Eur J Cancer*. 2020;127:123–9. <https://doi.org/10.1016/j.ejca.2019.12.021>`` gives the first
author, title, journal, year, volume, issue, pages, DOI, PMID and URL. Markdown emphasis around
the journal (``*Journal*``) is used when present; otherwise the journal is the last sentence
before the publication date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caseseries.references.model import CitedFields, Reference
from caseseries.references.normalise import first_page
from caseseries.references.styles import SCORED, Reading, read_with_styles

_URL = re.compile(r"<?(https?://[^\s<>]+?)>?(?=[\s.,;]*(?:\s|$))")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s<>\"]+)")
_PMID = re.compile(
    r"(?:\bPMID\s*:?\s*|\bPubMed\s+PMID\s*:?\s*|pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,9})\b",
    re.IGNORECASE,
)
_PMCID = re.compile(r"\bPMCID\s*:?\s*PMC\d+\b|\bPMC\d{4,}\b")
_NOISE = re.compile(
    r"\b(?:Available (?:from|at)|Accessed|Retrieved|Epub(?: ahead of print)?|doi|DOI)\s*:?\s*"
    r"(?=$|[\s.;,]|\d)",
)
_EMPHASIS = re.compile(r"(?<![*\w])([*_])(?!\s)([^*_]+?)(?<!\s)\1(?![*\w])")
_MARKUP = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)")
_ET_AL = re.compile(r"[*_]?\bet\s+al\b\.?[*_]?", re.IGNORECASE)
_NAME = re.compile(r"^(?P<surname>[^\d,;:()\[\]]{1,60}?)\s+(?P<initials>[A-Z]{1,4}(?:-[A-Z]{1,2})?)\.?$")
_PUB = re.compile(
    r"(?<![\d.])(?P<year>(?:1[89]|20)\d{2})[a-z]?"
    r"(?:\s+(?:[A-Z][a-z]{2,8}\.?|Spring|Summer|Autumn|Fall|Winter)(?:\s*[-/]\s*[A-Z][a-z]{2,8}\.?)?(?:\s+\d{1,2})?)?"
    r"\s*(?:;\s*(?P<volume>[A-Za-z]?\d[\w.]*|[A-Z]\w*)?\s*(?:\((?P<issue>[^)]*)\))?)?"
    r"\s*(?::\s*(?P<pages>[A-Za-z]{0,4}\.?\d[\dA-Za-z.]*(?:\s*[-–]\s*[A-Za-z]{0,4}\d*[A-Za-z]?)?)(?=[\s.;,]|$))?"
)
_BOOK = re.compile(
    r"\b\d+(?:st|nd|rd|th)\s+ed\b|\(eds?\.?\)|\beditors?\b|\bIn:\s|"
    r"\.\s+[A-Z][\w .,'-]{1,40}:\s*[A-Z][^;.:]{2,80};\s*(?:1[89]|20)\d{2}\.?\s*$"
)


@dataclass(frozen=True)
class _Authors:
    names: list[str]
    et_al: bool


def _split_authors(segment: str) -> _Authors | None:
    """The author list in ``segment``, or None when it does not read as one."""
    et_al = bool(_ET_AL.search(segment))
    cleaned = _ET_AL.sub("", segment).strip(" ,;.")
    parts = [p.strip() for p in re.split(r",|;|\s+and\s+|\s*&\s*", cleaned) if p.strip()]
    if not parts:
        return _Authors([], et_al) if et_al else None
    if not all(_NAME.match(p) for p in parts):
        return None
    return _Authors(parts, et_al)


def _take_identifiers(text: str, cited: dict[str, object]) -> str:
    """Record PMID, DOI and URL found in ``text``; return the text without them."""
    pmid = _PMID.search(text)
    if pmid:
        cited["pmid"] = pmid.group(1)
    urls = [m.group(1).rstrip(".,;)") for m in _URL.finditer(text)]
    doi = _DOI.search(text)
    if doi:
        cited["doi"] = doi.group(1).rstrip(".,;)>]")
    other = [u for u in urls if "doi.org/" not in u and "pubmed" not in u]
    if other:
        cited["url"] = other[0]
    elif urls:
        cited["url"] = urls[0]
    text = _URL.sub(" ", text)
    text = _DOI.sub(" ", text)
    text = _PMID.sub(" ", text)
    text = _PMCID.sub(" ", text)
    text = _NOISE.sub(" ", text)
    text = re.sub(r"\[(?:cited|accessed)[^\]]*\]", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"<\s*>|\(\s*\)", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .;,")


def _last_pub(text: str) -> re.Match[str] | None:
    """The publication-date group (``2020;127(3):123-9``) that ends the source part, if any."""
    matches = list(_PUB.finditer(text))
    if not matches:
        return None
    detailed = [m for m in matches if m.group("volume") or m.group("pages")]
    return (detailed or matches)[-1]


def _read_numbered(body: str) -> dict[str, object]:
    """Fields of a numbered-style citation (Vancouver and its variants), read sentence by sentence.

    The fallback for citations that no template of :mod:`caseseries.references.styles` matches
    whole (a missing full stop, extra notes, unusual dates).
    """
    found: dict[str, object] = {}
    authors: _Authors | None = None
    body = _ET_AL.sub("et al.", body)
    head = re.match(r"^(?P<head>.+?)\.\s+(?P<rest>.*)$", body)
    rest = body
    if head:
        authors = _split_authors(head.group("head"))
        if authors is not None:
            rest = head.group("rest")
    if authors is not None:
        found["authors"] = authors.names
        found["et_al"] = authors.et_al
        if authors.names:
            first = _NAME.match(authors.names[0])
            if first:
                found["first_author"] = first.group("surname").strip()
                found["first_author_initials"] = first.group("initials")

    is_book = bool(_BOOK.search(rest))
    if is_book:
        found["is_book"] = True
    journal: str | None = None
    title_part = rest
    pub: re.Match[str] | None = None
    emphasis = next((m for m in _EMPHASIS.finditer(rest) if not _ET_AL.fullmatch(m.group(0))), None)
    if emphasis is not None:
        journal = emphasis.group(2).strip(" .,")
        title_part = rest[: emphasis.start()]
        pub = _PUB.search(rest, emphasis.end())
    else:
        plain = _EMPHASIS.sub(lambda m: m.group(2), rest)
        pub = _last_pub(plain)
        if pub is not None:
            before = plain[: pub.start()].strip(" .,;")
            if is_book:
                title_part = before.split(". ")[0]
            else:
                title_part, sep, journal_part = before.rpartition(". ")
                if not sep:
                    title_part, journal_part = before, ""
                journal = journal_part.strip(" .,") or None
            rest = plain
        else:
            title_part = plain
    if pub is not None:
        found["year"] = int(pub.group("year"))
        if pub.group("volume"):
            found["volume"] = pub.group("volume").rstrip(".")
        if pub.group("issue"):
            found["issue"] = pub.group("issue").strip()
        if pub.group("pages"):
            pages = pub.group("pages").rstrip(".")
            found["pages"] = pages
            found["first_page"] = first_page(pages)
    title = _EMPHASIS.sub(lambda m: m.group(2), title_part).strip(" .,;")
    if title:
        found["title"] = title
    if journal and not is_book:
        found["journal"] = journal
    return found


def _score(found: dict[str, object]) -> int:
    return sum(1 for name in SCORED if found.get(name))


def _from_reading(reading: Reading) -> dict[str, object]:
    fields = reading.fields
    found: dict[str, object] = {"style": reading.style}
    if reading.authors:
        found["authors"] = [a.display for a in reading.authors]
        found["first_author"] = reading.authors[0].surname
        if reading.authors[0].initials:
            found["first_author_initials"] = reading.authors[0].initials
    found["et_al"] = reading.et_al
    title = fields.get("title", "").strip(" .,;:‘’'\"“”")
    if title:
        found["title"] = title
    if fields.get("journal") and reading.kind == "article":
        found["journal"] = fields["journal"].strip(" .,")
    year = re.match(r"\d{4}", fields.get("year", ""))
    if year:
        found["year"] = int(year.group(0))
    for name in ("volume", "issue", "pages"):
        if fields.get(name):
            found[name] = fields[name].strip(" .")
    if found.get("pages"):
        found["first_page"] = first_page(str(found["pages"]))
    if reading.kind == "other":
        found["is_book"] = True
    return found


def parse_citation(text: str) -> CitedFields:
    """Read the fields of one citation, in any style of ``references/data/styles.yaml``.

    Identifiers (PMID, DOI, URL) are taken first; the rest is read by the style templates and by
    the sentence-by-sentence reader of numbered styles, and the reading with more fields wins
    (the templates on a tie). A journal in Markdown italics (``*Eur J Cancer*``) must be the
    journal of a template's reading.

    Parameters
    ----------
    text : str
        The citation without its list number, e.g. ``"Butrynski JE, D'Adamo DR, et al. Crizotinib in
        ALK-rearranged inflammatory myofibroblastic tumor. *N Engl J Med* 2010;363:1727-33."`` or
        ``"Quillfeather TB, Ormond-Lyle S (2011) Tidal rhythms in captive limpets. Mar Biol Lett 14:
        233–241."``.

    Returns
    -------
    CitedFields
        What could be read; fields not found are None; ``style`` names the template style used.
    """
    ids: dict[str, object] = {}
    body = _take_identifiers(text, ids)
    numbered = _read_numbered(body)
    reading = read_with_styles(_MARKUP.sub("", body))
    italic = next((m.group(2).strip(" .,") for m in _EMPHASIS.finditer(body) if not _ET_AL.fullmatch(m.group(0))), None)
    if reading is not None and italic and reading.fields.get("journal", "").strip(" .,") not in (italic, ""):
        reading = None  # the journal marked in italics is not where this template put it
    found = numbered
    if reading is not None and reading.score >= _score(numbered):
        found = _from_reading(reading)
        if _BOOK.search(body):
            found["is_book"] = True
            found.pop("journal", None)
    return CitedFields.model_validate({**found, **ids})


def unparsed_problem(cited: CitedFields) -> str | None:
    """Why a citation cannot be looked up, or None when it can.

    A reference can be looked up with a PMID or DOI, with a title of two words or more and one
    of author, journal or year, or with a first author and a year (a garbled title).
    """
    if cited.has_identifier:
        return None
    title_ok = bool(cited.title) and len((cited.title or "").split()) >= 2
    if title_ok and (cited.year is not None or cited.journal or cited.first_author):
        return None
    if cited.first_author and cited.year is not None:
        return None
    if not title_ok:
        return "no title, PMID or DOI could be read"
    return "no author, journal or year could be read"


def reference_from_text(text: str, *, n: int | None = None, origin: str = "references") -> Reference:
    """A :class:`Reference` for one citation text, marked unparsed when it cannot be looked up."""
    if not any(ch.isalnum() for ch in text):
        problem = "the entry is empty (only punctuation); write the reference out, or remove its number"
        return Reference(n=n, origin=origin, text=text, problem=problem)
    cited = parse_citation(text)
    return Reference(n=n, origin=origin, text=text, cited=cited, problem=unparsed_problem(cited))
