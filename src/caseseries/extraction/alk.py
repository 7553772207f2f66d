"""ALK testing in case-report text: the status of the tumour and the methods that tested ALK."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from caseseries.extraction.genes import gene_like
from caseseries.extraction.patterns import ordered_patterns
from caseseries.model.enums import AlkMethod, AlkStatus


@dataclass
class AlkFinding:
    """ALK status and methods found in a range, with the spans that support them."""

    status: AlkStatus | None = None
    status_span: tuple[int, int] | None = None
    methods: dict[AlkMethod, tuple[int, int]] = field(default_factory=dict)


_ALK_POS = re.compile(
    r"\bALK\s+(?:immunohisto\w*|IHC|staining|immunostaining)\s+(?:was|were|is)\s+(?:\w+\s+)?positive|\bALK[\s\-]*(?:positive|positivity|\+)(?![A-Za-z])|\bpositive\s+(?:for|of)\s+(?:the\s+)?ALK\b"
    r"|\bALK\s+(?:was|were|is)\s+(?:strongly\s+|diffusely\s+|focally\s+)?positive\b"
    r"|\b(?:strong|diffuse|intense|positive|cytoplasmic|high)\s+(?:\w+\s+)?ALK\s+(?:expression|staining|immunoreactivity)"
    r"|\bALK\s+(?:expression|immunoreactivity|staining)\b"
    r"|\bALK[\s\-]*(?:gene\s+)?(?:rearrangement|rearranged|translocation|translocated|fusion|break[\s\-]*apart)"
    r"|\b(?:rearrangement|translocation)\s+of\s+(?:the\s+)?ALK\b|\bexpress(?:ed|ing)\s+(?:\w+\s+){0,4}?(?:and\s+)?ALK\b",
    re.I,
)
_ALK_NEG = re.compile(
    r"\bALK\s+(?:immunohisto\w*|IHC|staining|immunostaining|expression)\s+(?:was|were|is)\s+negative"
    r"|\bALK[\s\-]*negative|\bnegative\s+(?:for|of)\s+(?:the\s+)?ALK\b|\bALK\s+(?:was|were|is)\s+negative\b"
    r"|\bno\s+ALK\s+(?:expression|rearrangement|fusion)|\bwithout\s+ALK\s+(?:expression|rearrangement)",
    re.I,
)
_METHODS = ordered_patterns("alk_methods", AlkMethod)


def find_alk(text: str, spans: list[tuple[int, int]]) -> AlkFinding:
    """ALK status and methods from the sentences ``spans`` (only sentences that mention ALK)."""
    found = AlkFinding()
    for s, e in spans:
        sentence = text[s:e]
        if "ALK" not in sentence and "alk" not in sentence.lower():
            continue
        neg = _ALK_NEG.search(sentence)
        pos = _ALK_POS.search(sentence)
        if found.status is None:
            if neg:
                found.status = AlkStatus.NEGATIVE
                found.status_span = (s + neg.start(), s + neg.end())
            elif pos:
                found.status = AlkStatus.POSITIVE
                found.status_span = (s + pos.start(), s + pos.end())
        if not (pos or neg or re.search(r"\bALK\b", sentence)):
            continue
        for c_start, c_end in _alk_clauses(sentence):
            for pattern, method in _METHODS:
                mm = pattern.search(sentence, c_start, c_end)
                if mm and method not in found.methods:
                    found.methods[method] = (s + mm.start(), s + mm.end())
    return found


_CLAUSE_BREAK = re.compile(r",\s*(?:and|but|while|whereas)\s+|;\s*|\s+(?:but|whereas|while)\s+")
_GENERIC_TEST = re.compile(r"\b(?:fusions?|rearrange\w*|translocation|break[\s\-]*apart|kinase)\b", re.I)


def _alk_clauses(sentence: str) -> list[tuple[int, int]]:
    """The clauses of a sentence that speak of testing ALK (methods are read only there).

    A clause qualifies when it names ALK, or reports a fusion or rearrangement without naming
    another gene ("break-apart FISH showed a rearrangement", "a panel found no kinase fusion");
    "RNA sequencing identified a TFG-ROS1 fusion" and "no ROS1, NTRK or RET fusion" do not.
    """
    out: list[tuple[int, int]] = []
    pos = 0
    bounds = [(m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(sentence)] + [(len(sentence), len(sentence))]
    for b_start, b_end in bounds:
        clause = sentence[pos:b_start]
        names_alk = bool(re.search(r"\bALK\b", clause, re.I))
        other_gene = any(gene_like(t) for t in re.findall(r"\b[A-Z][A-Z0-9]{1,9}\b", clause))
        if names_alk or (_GENERIC_TEST.search(clause) and not other_gene):
            out.append((pos, b_start))
        pos = b_end
    return out


def alk_methods_in(cell: str) -> list[tuple[AlkMethod, int, int]]:
    """Methods named in a short text (a table cell)."""
    out = []
    for pattern, method in _METHODS:
        m = pattern.search(cell)
        if m:
            out.append((method, m.start(), m.end()))
    return out
