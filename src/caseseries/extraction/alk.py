"""ALK testing in case-report text: the status of the tumour and the methods that tested ALK."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from caseseries.extraction.genes import DASHES, alk_name_end, alk_view, gene_like
from caseseries.extraction.patterns import ordered_patterns
from caseseries.extraction.reported import counts_reported
from caseseries.model.enums import AlkMethod, AlkStatus


@dataclass
class AlkFinding:
    """ALK status and methods found in a range, with the spans that support them."""

    status: AlkStatus | None = None
    status_span: tuple[int, int] | None = None
    methods: dict[AlkMethod, tuple[int, int]] = field(default_factory=dict)


class StatementKind(StrEnum):
    """Whom a sentence about ALK or a fusion speaks of."""

    PATIENT = "patient"
    GENERAL = "general"


_STATEMENTS = ordered_patterns("molecular_statements", StatementKind)


@lru_cache(maxsize=2048)
def is_general(sentence: str) -> bool:
    """Whether a sentence states something general about a disease or gene, not about the patient.

    "Approximately half of these tumours harbour ALK rearrangements" is general; "the biopsy
    showed an ALK rearrangement, as in about half of these tumours" speaks of the patient, and so
    does one that reports a number of patients with it ("three adults with ROS1-rearranged tumours
    are described", the ``counted`` cues of ``patient_cues.yaml``).
    """
    if counts_reported(sentence, 0, len(sentence)):
        return False
    kind = next((k for pattern, k in _STATEMENTS if pattern.search(sentence)), StatementKind.PATIENT)
    return kind is StatementKind.GENERAL


class Purpose(StrEnum):
    """What a test named in a sentence was done for."""

    OTHER = "other than ALK"


_STATUS = ordered_patterns("alk_status", AlkStatus)
_METHODS = ordered_patterns("alk_methods", AlkMethod)
_PURPOSES = [pattern for pattern, purpose in ordered_patterns("test_purposes", Purpose) if purpose is Purpose.OTHER]


def find_alk(text: str, spans: list[tuple[int, int]]) -> AlkFinding:
    """ALK status and methods from the sentences ``spans`` (only sentences that mention ALK)."""
    found = AlkFinding()
    for s, e in spans:
        sentence = alk_view(text[s:e])
        if "alk" not in sentence.lower() or is_general(sentence):
            continue
        stated = next(((m, status) for pattern, status in _STATUS if (m := pattern.search(sentence))), None)
        if found.status is None and stated is not None:
            m, found.status = stated
            found.status_span = (s + m.start(), s + alk_name_end(text[s:e].translate(DASHES), m.end()))
        if not (stated or re.search(r"\bALK\b", sentence)):
            continue
        for c_start, c_end in _alk_clauses(sentence):
            for pattern, method in _METHODS:
                mm = pattern.search(sentence, c_start, c_end) if method not in found.methods else None
                while mm and _other_purpose(sentence, mm.end(), c_end):
                    mm = pattern.search(sentence, mm.end(), c_end)
                if mm:
                    found.methods[method] = (s + mm.start(), s + mm.end())
    return found


_ELIDED = ordered_patterns("alk_status_elided", AlkStatus)


def elided_status(text: str, whole: tuple[int, int], piece: tuple[int, int]) -> tuple[AlkStatus, int, int] | None:
    """The ALK status a patient's piece of a sentence states without naming ALK, with its span.

    In "ALK staining was positive in the first patient and negative in the second" the piece of
    the second patient says "negative" of the ALK status the sentence states in the piece of the
    first (``alk_status_elided`` in ``patterns.yaml``); a piece that names ALK states its own.
    """
    p_start, p_end = piece
    if "alk" in alk_view(text[p_start:p_end]).lower():
        return None
    stated = find_alk(text, [whole])
    if stated.status is None or stated.status_span is None or p_start <= stated.status_span[0] < p_end:
        return None
    return next(
        (
            (status, p_start + m.start(), p_start + m.end())
            for pattern, status in _ELIDED
            if (m := pattern.search(text[p_start:p_end]))
        ),
        None,
    )


_CLAUSE_BREAK = re.compile(r",\s*(?:and|but|while|whereas)\s+|;\s*|\s+(?:but|whereas|while)\s+")
_GENERIC_TEST = re.compile(r"\b(?:fusions?|rearrange\w*|translocation|break[\s\-]*apart|kinase)\b", re.I)


def _alk_clauses(sentence: str) -> list[tuple[int, int]]:
    """The clauses of a sentence that speak of testing ALK (methods are read only there).

    A clause qualifies when it names ALK, or reports a fusion or rearrangement without naming
    another gene ("break-apart FISH showed a rearrangement", "a panel found no kinase fusion");
    "RNA sequencing identified a TFG-ROS1 fusion" and "no ROS1, NTRK or RET fusion" do not. A list
    in brackets does not end a clause ("partners (CLTC for case 1, and RANBP2 for case 2) were found by NGS").
    """
    out: list[tuple[int, int]] = []
    pos = 0
    bounds = [
        (m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(sentence) if not _in_brackets(sentence, m.start())
    ] + [(len(sentence), len(sentence))]
    for b_start, b_end in bounds:
        clause = sentence[pos:b_start]
        names_alk = bool(re.search(r"\bALK\b", clause, re.I))
        other_gene = any(gene_like(t) for t in re.findall(r"\b[A-Z][A-Z0-9]{1,9}\b", clause))
        if names_alk or (_GENERIC_TEST.search(clause) and not other_gene):
            out.append((pos, b_start))
        pos = b_end
    return out


def _other_purpose(sentence: str, after: int, clause_end: int) -> bool:
    """Whether the test named just before ``after`` was done to study something other than ALK.

    "genome sequencing to explore his molecular make-up" was; "NGS to characterise the genomic
    profile revealed an EML4-ALK fusion" names ALK after the purpose and was not.
    """
    m = next((m for p in _PURPOSES if (m := p.match(sentence, after, clause_end))), None)
    return m is not None and not re.search(r"\bALK\b", sentence[m.end() : clause_end])


def _in_brackets(sentence: str, pos: int) -> bool:
    """Whether ``pos`` lies inside an open bracket of the sentence."""
    before = sentence[:pos]
    return before.count("(") > before.count(")")


def alk_methods_in(cell: str) -> list[tuple[AlkMethod, int, int]]:
    """Methods named in a short text (a table cell)."""
    out = []
    for pattern, method in _METHODS:
        m = pattern.search(cell)
        if m:
            out.append((method, m.start(), m.end()))
    return out
