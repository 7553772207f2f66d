"""Read references from BibTeX with bibtexparser (LaTeX decoded, names split into parts)."""

from __future__ import annotations

import logging
import re

from bibtexparser import middlewares as mw
from bibtexparser.entrypoint import parse_string
from bibtexparser.model import Entry, ParsingFailedBlock

from caseseries.references.model import CitedFields, Reference
from caseseries.references.normalise import first_page

_PMID_FIELDS = ("pmid", "pubmed")


def _value(entry: Entry, *names: str) -> str | None:
    for name in names:
        field = entry.fields_dict.get(name)
        if field is not None and str(field.value).strip():
            return re.sub(r"\s+", " ", str(field.value).replace("{", "").replace("}", "")).strip()
    return None


def _cited(entry: Entry) -> CitedFields:
    authors_field = entry.fields_dict.get("author")
    names: list[str] = []
    surname = initials = None
    et_al = False
    if authors_field is not None and isinstance(authors_field.value, list):
        for part in authors_field.value:
            if not isinstance(part, mw.NameParts):
                continue
            last = " ".join(part.von + part.last).replace("{", "").replace("}", "").strip()
            if last.lower() == "others":
                et_al = True
                continue
            inits = "".join(w[0] for w in " ".join(part.first).replace("-", " ").split() if w[:1].isalpha()).upper()
            names.append(f"{last} {inits}".strip())
            if surname is None:
                surname, initials = last or None, inits or None
    year = _value(entry, "year") or (_value(entry, "date") or "")[:4]
    pages = _value(entry, "pages")
    pmid = _value(entry, *_PMID_FIELDS)
    if pmid is None and (_value(entry, "eprinttype") or "").lower() == "pubmed":
        pmid = _value(entry, "eprint")
    return CitedFields(
        authors=names,
        first_author=surname,
        first_author_initials=initials,
        et_al=et_al,
        title=_value(entry, "title"),
        journal=_value(entry, "journal", "journaltitle", "booktitle"),
        year=int(year) if year and year.isdigit() else None,
        volume=_value(entry, "volume"),
        issue=_value(entry, "number", "issue"),
        pages=pages,
        first_page=first_page(pages),
        doi=_value(entry, "doi"),
        pmid=pmid if pmid and pmid.isdigit() else None,
        url=_value(entry, "url"),
    )


def parse_bibtex(text: str) -> list[Reference]:
    """One reference per BibTeX entry, in file order; blocks that fail to parse are kept as unparsed.

    Parameters
    ----------
    text : str
        The content of a ``.bib`` file.

    Returns
    -------
    list of Reference
        ``n`` is the position of the entry in the file.
    """
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    library = parse_string(
        text,
        append_middleware=[mw.LatexDecodingMiddleware(), mw.SeparateCoAuthors(), mw.SplitNameParts()],
    )
    refs: list[Reference] = []
    for block in library.blocks:
        if isinstance(block, Entry):
            cited = _cited(block)
            problem = None if (cited.has_identifier or cited.title) else "entry has no title, PMID or DOI"
            refs.append(Reference(n=len(refs) + 1, text=(block.raw or "").strip(), cited=cited, problem=problem))
        elif isinstance(block, ParsingFailedBlock):
            lines = str(block.error or "").strip().splitlines()
            reason = lines[0] if lines else "malformed entry (unbalanced braces or a missing comma); fix it in the file"
            refs.append(Reference(n=len(refs) + 1, text=(block.raw or "").strip(), problem=f"BibTeX error: {reason}"))
    return refs
