"""Response categories in text: RECIST words and abbreviations, negation, hedging and vague praise.

A category is reported only when the text gives one. Vague praise ("dramatic response",
"significant improvement") is kept as written with no category; negated or hedged categories
("failed to achieve a partial response", "possible partial response") are not that category.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from caseseries.extraction.entities import flexible
from caseseries.model.enums import Response
from caseseries.vocab import responses


@dataclass(frozen=True)
class ResponseHit:
    """A response statement: ``category`` None for vague words; ``as_written`` the phrase."""

    category: Response | None
    as_written: str
    start: int
    end: int
    negated: bool = False


@cache
def _category_regex() -> re.Pattern[str]:
    words: list[str] = []
    for term in responses().entries:
        for name in (term.label, *term.synonyms):
            if name.isupper() and len(name) <= 3:
                continue
            words.append(name)
    words += [
        "no evidence of disease",
        "no evidence of residual disease",
        "no evidence of recurrence",
        "complete disappearance",
        "disease progression",
        "progression of disease",
        "progressive disease",
        "stable disease",
        "disease stability",
        "radiological progression",
        "tumou?r progression",
    ]
    alts = "|".join(sorted({flexible(w).replace(r"tumou\?r", "tumou?r") for w in words}, key=len, reverse=True))
    return re.compile(rf"\b(?:{alts})\b", re.I)


_ABBREVIATIONS = re.compile(r"(?<![A-Za-z0-9])(CR|PR|SD|PD|NE|NED|cCR|pCR|iCR|irPR|irCR)(?![A-Za-z0-9])")
_NOT_CATEGORY = re.compile(
    r"\b(?:no|not|without|never|nor|failed\s+to\s+(?:achieve|show|reach|obtain)|absence\s+of|rather\s+than|"
    r"instead\s+of|did\s+not\s+(?:achieve|show|reach|obtain)|unable\s+to\s+(?:achieve|reach)|lack\s+of|short\s+of)"
    r"\s+(?:\w+\s+){0,2}$",
    re.I,
)
_HEDGE = re.compile(
    r"\b(?:possible|possibly|probable|probably|suspected|suspicious\s+for|questionable|equivocal|near[\s\-]*|"
    r"nearly|almost|unconfirmed|may\s+(?:have|be)|might|could|consistent\s+with\s+a\s+possible)\s*(?:\w+\s+){0,1}$",
    re.I,
)
_VAGUE = re.compile(
    r"\b(?:(?:dramatic|significant|remarkable|marked|excellent|good|great|favou?rable|impressive|rapid|prompt|"
    r"substantial|minor|mild|modest|slight|transient|durable|sustained|sustainable|clinical|radiological|radiologic|"
    r"partial\s+clinical|initial|deep|striking|considerable|satisfactory|positive|noticeable|notable|"
    r"short[\s\-]+lived)\s+)+(?:response|responses|improvement|regression|shrinkage|reduction|benefit|decrease|"
    r"tumou?r\s+(?:shrinkage|regression|reduction)|disease\s+control)\b"
    r"|\b(?:responded\s+(?:well|dramatically|rapidly|favou?rably)|tumou?r\s+(?:shrinkage|regression|reduction))"
    r"|\b(?:(?:condition|disease)\s+(?:remained|was|has\s+remained)\s+stable)\b",
    re.I,
)
_NO_RESPONSE = re.compile(
    r"\b(?:did\s+not\s+respond|no\s+(?:clinical\s+|radiological\s+|objective\s+)?response|failed\s+to\s+respond|"
    r"refractory\s+to|progressed\s+(?:despite|on|during|under|while)|progression\s+(?:despite|on|during|under|while)|"
    r"resistant\s+to|unresponsive\s+to|without\s+(?:any\s+)?response)\b",
    re.I,
)


def _negated(text: str, start: int, floor: int) -> bool:
    before = text[max(floor, start - 40) : start]
    before = re.split(r"[.;:,]|\bbut\b|\bhowever\b", before)[-1]
    return bool(_NOT_CATEGORY.search(before))


def _hedged(text: str, start: int, floor: int) -> bool:
    before = text[max(floor, start - 30) : start]
    before = re.split(r"[.;:,]", before)[-1]
    return bool(_HEDGE.search(before))


def category_of(phrase: str) -> Response | None:
    """The category a phrase names exactly (``partial response``, ``PR``, ``no evidence of disease``)."""
    key = re.sub(r"[\s\-]+", " ", phrase.strip()).lower()
    if key in (
        "no evidence of disease",
        "ned",
        "no evidence of residual disease",
        "no evidence of recurrence",
        "complete disappearance",
        "ccr",
        "pcr",
        "icr",
        "ircr",
    ):
        return Response.CR
    if key in ("irpr",):
        return Response.PR
    if key in (
        "disease progression",
        "progression of disease",
        "radiological progression",
        "tumor progression",
        "tumour progression",
    ):
        return Response.PD
    if key in ("disease stability",):
        return Response.SD
    term = responses().lookup(key) or responses().lookup(phrase.strip())
    return term.code if term else None


def find_responses(
    text: str, start: int = 0, end: int | None = None, *, abbreviations: bool = True
) -> list[ResponseHit]:
    """Every response statement in the range, in order.

    Parameters
    ----------
    text : str
        The document.
    start, end : int
        The range (a sentence, a clause or a table cell).
    abbreviations : bool
        Whether bare CR/PR/SD/PD/NE count (always in tables; in prose only as whole words).

    Returns
    -------
    list of ResponseHit
        Categories (negated ones flagged and without category), vague phrases (no category)
        and "did not respond"-style statements (PD).
    """
    stop = len(text) if end is None else end
    hits: list[ResponseHit] = []
    for m in _category_regex().finditer(text, start, stop):
        phrase = m.group(0)
        cat = category_of(phrase)
        if cat is None:
            continue
        if cat is not Response.PD and _negated(text, m.start(), start):
            hits.append(ResponseHit(None, phrase, m.start(), m.end(), negated=True))
            continue
        if _hedged(text, m.start(), start):
            s = m.start()
            before = text[max(start, s - 30) : s]
            hm = _HEDGE.search(re.split(r"[.;:,]", before)[-1])
            hs = s - (len(re.split(r"[.;:,]", before)[-1]) - hm.start()) if hm else s
            hits.append(ResponseHit(None, text[hs : m.end()].strip(), hs, m.end()))
            continue
        hits.append(ResponseHit(cat, phrase, m.start(), m.end()))
    if abbreviations:
        for m in _ABBREVIATIONS.finditer(text, start, stop):
            if any(h.start <= m.start() < h.end for h in hits):
                continue
            cat = category_of(m.group(1))
            if cat is None:
                continue
            if _negated(text, m.start(), start):
                hits.append(ResponseHit(None, m.group(1), m.start(), m.end(), negated=True))
                continue
            hits.append(ResponseHit(cat, m.group(1), m.start(), m.end()))
    for m in _NO_RESPONSE.finditer(text, start, stop):
        if any(h.start <= m.start() < h.end for h in hits):
            continue
        hits.append(ResponseHit(Response.PD, m.group(0), m.start(), m.end()))
    for m in _VAGUE.finditer(text, start, stop):
        if any(h.start <= m.start() < h.end or m.start() <= h.start < m.end() for h in hits):
            continue
        hits.append(ResponseHit(None, m.group(0), m.start(), m.end()))
    hits.sort(key=lambda h: h.start)
    return hits


_RANK = {Response.CR: 0, Response.PR: 1, Response.SD: 2, Response.PD: 3, Response.NE: 4}


def best_of(hits: list[ResponseHit]) -> ResponseHit | None:
    """The best category among hits (CR > PR > SD > PD > NE), or None when none has a category."""
    categorised = [h for h in hits if h.category is not None]
    if not categorised:
        return None
    return min(categorised, key=lambda h: (_RANK[h.category] if h.category else 9, h.start))


def vague_of(hits: list[ResponseHit]) -> ResponseHit | None:
    """The first vague (uncategorised, not negated) response phrase."""
    return next((h for h in hits if h.category is None and not h.negated), None)
