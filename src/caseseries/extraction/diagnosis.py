"""Diagnoses: disease mentions from the disease vocabulary, the patient's own tumour, a text's disease.

The words are data (``vocab/data/diseases.yaml``: names, abbreviations, variants, OncoTree codes) and
so are the cues of a differential or background mention (``extraction/data/patient_cues.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from caseseries.extraction.annotate import finditer, per_document
from caseseries.extraction.reported import own_diagnosis
from caseseries.vocab.diseases import Disease, diseases, whole_word_pattern


@cache
def _diagnoses() -> list[tuple[re.Pattern[str], Disease]]:
    """Each disease of the vocabulary as (pattern including older names and variants, disease)."""
    return [(d.pattern(related=True), d) for d in diseases().entries]


@dataclass(frozen=True)
class DiagnosisHit:
    """A disease mention: the diagnosis value, the histological variant it names (or None), offsets."""

    diagnosis: str
    histology: str | None
    start: int
    end: int


@cache
def _any_disease() -> re.Pattern[str]:
    """Every name of every disease in one pattern (the longest name at a position wins)."""
    words: list[str] = []
    abbreviations: list[str] = []
    for d in diseases().entries:
        w, a = d.written(related=True)
        words.extend(w)
        abbreviations.extend(a)
    return whole_word_pattern(words, abbreviations)


@per_document
def diagnosis_mentions(text: str, start: int = 0, end: int | None = None) -> list[DiagnosisHit]:
    """Every disease mention in the range, in text order (overlapping mentions: the longest).

    A name of several diseases is the first of them in the vocabulary.
    """
    stop = len(text) if end is None else end
    out: list[DiagnosisHit] = []
    for m in finditer(_any_disease(), text, start, stop):
        written = m.group(0)
        d = next((d for pattern, d in _diagnoses() if pattern.fullmatch(written)), None)
        if d is not None:
            out.append(DiagnosisHit(d.diagnosis, d.histology_of(written), m.start(), m.end()))
    return out


def own_diagnoses(text: str, spans: list[tuple[int, int]]) -> list[DiagnosisHit]:
    """The disease mentions of the spans that name the patient's own tumour (not a differential)."""
    return [h for s, e in spans for h in diagnosis_mentions(text, s, e) if own_diagnosis(text, h.start, h.end, s)]


def main_diagnosis(text: str, start: int = 0, end: int | None = None) -> tuple[str, str | None, int, int] | None:
    """The disease a text is about: its most often named own tumour (ties: the first named)."""
    hits = own_diagnoses(text, [(start, len(text) if end is None else end)])
    if not hits:
        return None
    counts: dict[str, int] = {}
    for h in hits:
        counts[h.diagnosis] = counts.get(h.diagnosis, 0) + 1
    best = max(counts.values())
    h = next(h for h in hits if counts[h.diagnosis] == best)
    histology = next((x.histology for x in hits if x.diagnosis == h.diagnosis and x.histology), None)
    return h.diagnosis, histology, h.start, h.end


def find_diagnosis(text: str, start: int = 0, end: int | None = None) -> tuple[str, str | None, int, int] | None:
    """``(diagnosis, histology variant or None, start, end)`` for the first disease mention."""
    hits = diagnosis_mentions(text, start, end)
    if not hits:
        return None
    h = hits[0]
    return h.diagnosis, h.histology, h.start, h.end
