"""Anatomic sites in case-report text, mapped to the terms of the site vocabulary."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache

from caseseries.extraction.annotate import finditer, per_document
from caseseries.extraction.context import Category, Mention, default_engine
from caseseries.extraction.hits import SiteHit
from caseseries.extraction.patterns import patterns_by_name
from caseseries.vocab import drugs, sites
from caseseries.vocab.loader import reported_site
from caseseries.vocab.trie import alternation, letters_first, starts_with_letters


class SiteCue(StrEnum):
    """What the words around a site word say about it (``site_cues`` in ``extraction/data/patterns.yaml``)."""

    NOT_A_SITE = "not a site"
    IMAGING = "imaging field"
    REGIONAL_NODE = "regional node"
    CANCER = "cancer of the site"
    NODAL_STAGE = "nodal stage"
    TUMOUR = "tumour context"
    METASTATIC = "metastatic context"


@cache
def _cues() -> dict[SiteCue, list[re.Pattern[str]]]:
    return patterns_by_name("site_cues", SiteCue)


def site_cue(cue: SiteCue, text: str, pos: int, end: int) -> re.Match[str] | None:
    """The first of the cue's patterns that matches ``text`` right at ``pos`` (before ``end``)."""
    for pattern in _cues()[cue]:
        m = pattern.match(text, pos, end)
        if m:
            return m
    return None


@cache
def site_context(cue: SiteCue) -> re.Pattern[str]:
    """The cue's patterns as one pattern searched in a sentence or before a site word.

    ``tumour context``: words that make a sentence speak of disease at its sites ("mass",
    "metastases", "disease progressed in"); ``metastatic context``: words before a site word
    that make it a metastatic one ("spread to", "progressed in").
    """
    body = "|".join(f"(?:{p.pattern})" for p in _cues()[cue])
    return letters_first(re.compile(body, re.I))


@cache
def _site_regex() -> re.Pattern[str]:
    names = sorted({n for s in sites().entries for n in (s.term, *s.synonyms, *s.adjectives)}, key=len, reverse=True)
    alts = alternation(names, r"[\s\-]+", fold=True)
    return re.compile(rf"(?<![A-Za-z]){starts_with_letters(alts)}(?:{alts})(?![A-Za-z])", re.I)


_CASE_SENSITIVE_SITES = frozenset({"CNS", "NSCLC", "NSCLCS", "RCC", "RCCS"})


_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z][\w\-]*)")


def names_drug(text: str, pos: int, end: int) -> bool:
    """Whether the word right after a site word is a drug ("oral prednisolone", "oral celecoxib"): a route, no site."""
    m = _NEXT_WORD.match(text, pos, end)
    return m is not None and drugs().lookup(m.group(1)) is not None


@per_document
def find_sites(text: str, start: int = 0, end: int | None = None) -> list[SiteHit]:
    """Anatomic-site mentions (terms, synonyms, adjectives) mapped to the terms a case series records.

    A word that names no site of disease is skipped: an imaging field ("brain MRI"), an adjective
    of lymph nodes ("retroperitoneal lymph nodes" is a lymph node site), a descriptive "soft
    tissue mass in the bladder". A nodal stage (``cT1N3M0``, ``IIIB-N2``) is a metastatic lymph
    node site; a site word followed by its cancer ("lung adenocarcinoma") is a primary.
    """
    stop = len(text) if end is None else end
    out: list[SiteHit] = []
    vocab = sites()
    for m in finditer(_site_regex(), text, start, stop):
        word = m.group(0)
        if word.upper() in _CASE_SENSITIVE_SITES and not re.fullmatch(r"[A-Z]+s?", word):
            continue
        entry = vocab.lookup(re.sub(r"[\s\-]+", " ", word))
        if entry is None:
            continue
        after = min(stop, m.end() + 80)
        if site_cue(SiteCue.NOT_A_SITE, text, m.start(), after) or names_drug(text, m.end(), after):
            continue
        if site_cue(SiteCue.IMAGING, text, m.end(), after):
            continue
        if entry.term != "lymph node" and site_cue(SiteCue.REGIONAL_NODE, text, m.end(), after):
            continue
        cancer = site_cue(SiteCue.CANCER, text, m.end(), after) or site_cue(SiteCue.CANCER, text, m.start(), after)
        role = "primary" if cancer else None
        term = reported_site(entry.term) or entry.term
        out.append(SiteHit(term, m.start(), m.end(), role=role, detail=entry.term))
    for pattern in _cues()[SiteCue.NODAL_STAGE]:
        for m in pattern.finditer(text, start, stop):
            out.append(SiteHit("lymph node", m.start(), m.end(), role="metastatic", detail="lymph node"))
    out.sort(key=lambda h: h.start)
    return out


def site_of_cell(cell: str) -> str | None:
    """The canonical site of a short table cell (``Uterine``, ``Pleural cavity``, ``Gall bladder``)."""
    hits = find_sites(cell)
    return hits[0].value if hits else None


@per_document
def negated_sites(text: str, start: int = 0, end: int | None = None) -> frozenset[int]:
    """The start offsets of the site mentions of a sentence that a negation cue modifies.

    One pass of the context engine over the sentence's site mentions, with the ``SITE`` cue
    rules of ``extraction/data/context_rules.json`` ("no cervical lymphadenopathy", "without liver
    metastases", "free of", "negative for"; a comma or "but" ends a cue's scope).
    """
    stop = len(text) if end is None else end
    targets = [Mention("SITE", h.start, h.end, h.value) for h in find_sites(text, start, stop)]
    annotated = default_engine().annotate(text, targets, start, stop)
    return frozenset(m.start for m in annotated if m.has(Category.NEGATED_EXISTENCE))
