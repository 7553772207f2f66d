"""Anatomic sites in case-report text, mapped to the terms of the site vocabulary."""

from __future__ import annotations

import re
from functools import cache

from caseseries.extraction.hits import SiteHit, flexible
from caseseries.vocab import sites


@cache
def _site_regex() -> re.Pattern[str]:
    names = sorted({n for s in sites().entries for n in (s.term, *s.synonyms, *s.adjectives)}, key=len, reverse=True)
    alts = "|".join(flexible(n) for n in names)
    return re.compile(rf"(?<![A-Za-z])(?:{alts})(?![A-Za-z])", re.I)


_CASE_SENSITIVE_SITES = frozenset({"CNS"})


def find_sites(text: str, start: int = 0, end: int | None = None) -> list[SiteHit]:
    """Anatomic-site mentions (terms, synonyms, adjectives) mapped to canonical terms."""
    stop = len(text) if end is None else end
    out: list[SiteHit] = []
    vocab = sites()
    for m in _site_regex().finditer(text, start, stop):
        word = m.group(0)
        if word.upper() in _CASE_SENSITIVE_SITES and word != word.upper():
            continue
        entry = vocab.lookup(re.sub(r"[\s\-]+", " ", word))
        if entry is not None:
            out.append(SiteHit(entry.term, m.start(), m.end()))
    return out


def site_of_cell(cell: str) -> str | None:
    """The canonical site of a short table cell (``Uterine``, ``Pleural cavity``, ``Gall bladder``)."""
    hits = find_sites(cell)
    return hits[0].value if hits else None
