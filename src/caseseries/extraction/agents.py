"""Which drugs a sentence gives the patient and how they group into lines: combinations, sequences, doses.

A drug named in a sentence is given unless the words around it say otherwise (planned,
declined, "instead of", a drug for an adverse event); drugs named together form one combination
and sequence words ("followed by", "switched to") split them.
"""

from __future__ import annotations

import re

from caseseries.extraction.entities import DrugHit, find_drugs
from caseseries.extraction.pfs import ADVERSE
from caseseries.extraction.sentences import Span
from caseseries.model import Dose
from caseseries.vocab import drugs

SEQUENCE = re.compile(
    r"\b(?:followed\s+by|then|thereafter|subsequently|switched\s+to|changed\s+to|replaced\s+(?:by|with)|"
    r"after\s+(?:progression|failure|relapse)|later|afterwards|succeeded\s+by|second[\s\-]+line|third[\s\-]+line)\b"
    r"|;|→|->",
    re.I,
)
_NOT_GIVEN = re.compile(
    r"^[^.;]{0,40}?\b(?:was|were)\s+(?:not\s+(?:yet\s+)?(?:available|approved|given|started|administered|used)|planned|"
    r"considered|recommended|proposed|discussed|declined|refused|unavailable)"
    r"|^[^.;]{0,20}?\b(?:could\s+not|cannot|is\s+recommended|are\s+recommended)",
    re.I,
)
_NOT_GIVEN_BEFORE = re.compile(
    r"\b(?:instead\s+of|rather\s+than|guidelines?\s+recommend\w*|recommending|candidate\s+for|eligible\s+for|"
    r"consider(?:ed|ing)?|planned|sensitive\s+to|sensitivity\s+to|resistance\s+to\s+second-generation|"
    r"inhibitors?\s+such\s+as|such\s+as|including|like)\s+(?:the\s+)?(?:\w+\s+){0,3}$",
    re.I,
)
_DOSE = re.compile(r"[^.;]{0,25}?(\d+(?:[.,]\d+)?)\s*(mg/m²|mg/m2|g/m²|g/m2|mg/kg|mg|g|AUC\s*\d)\b([^;.)\]]{0,60})")
_SCHEDULE = re.compile(
    r"\b(once|twice|three\s+times)\s+(?:a\s+)?daily\b|\bper\s+day\b|\bdaily\b"
    r"|\bon\s+days?\s+\d+(?:\s*(?:,|and|to|-)\s*(?:days?\s+)?\d+)*|"
    r"\bevery\s+\d+(?:\s+to\s+\d+)?\s+(?:days|weeks)\b|\bweekly\b|\b(?:bid|qd|tid)\b",
    re.I,
)
_SYMPTOM = rf"(?:{ADVERSE}|diarrho?ea|nausea|vomiting|pain|fever|colitis|hyper\w*emia|hypercholesterol\w*)"
# a drug given for an adverse event or a symptom ("the pneumonitis was treated with prednisolone") is not a line
_SUPPORTIVE_BEFORE = re.compile(
    rf"\b{_SYMPTOM}(?:,?\s+(?:which|that))?\s+(?:was|were|is)\s+(?:treated|managed|controlled)\s+(?:successfully\s+)?with\s+$",
    re.I,
)
_SUPPORTIVE_AFTER = re.compile(
    rf"^[^.;]{{0,40}}?\b(?:for|to\s+treat|to\s+control)\s+(?:\w+\s+){{0,2}}?{_SYMPTOM}", re.I
)


def is_given(text: str, hit: DrugHit, sent: Span) -> bool:
    """Whether the sentence gives the drug to the patient (not planned, declined, or for an adverse event)."""
    after = text[hit.end : sent.end]
    before = text[max(sent.start, hit.start - 60) : hit.start]
    if (
        hit.value == "chemotherapy"
        and not re.search(
            r"\b(?:received|receiving|started|initiated|treated\s+with|underwent|given|administered|salvage|"
            r"adjuvant|neoadjuvant|first[\s\-]+line|second[\s\-]+line|cycles?\s+of)\s+(?:\w+\s+){0,3}$",
            before,
            re.I,
        )
        and not re.search(r"^\s+(?:was|were)\s+(?:given|started|initiated|administered)", after, re.I)
    ):
        return False
    if hit.value == "chemotherapy" and (
        re.search(r"\b(?:this|the|that|same|such|prior|previous|shift|switch|to)\s+$", before, re.I)
        or re.search(r"^\s+(?:protocols?|regimens?\s+(?:designed|used)|designed)", after, re.I)
    ):
        return False
    if _NOT_GIVEN.search(after) and not re.search(r"\b(?:and|with|plus)\b", after[:12]):
        return False
    if _SUPPORTIVE_BEFORE.search(before) or _SUPPORTIVE_AFTER.match(after):
        return False
    return not _NOT_GIVEN_BEFORE.search(before)


def first_mentions(hits: list[DrugHit]) -> list[DrugHit]:
    """New drugs of one sentence without repeats.

    A drug named again, or a class word after a drug of that class ("methylprednisolone ... after
    4 weeks of steroid therapy"), refers to the first mention.
    """
    vocab = drugs()
    out: list[DrugHit] = []
    for h in hits:
        entry = vocab.lookup(h.value)
        same_class = (
            entry is not None
            and entry.non_drug
            and any((o := vocab.lookup(k.value)) is not None and o.drug_class == entry.drug_class for k in out)
        )
        if not same_class and all(k.value != h.value for k in out):
            out.append(h)
    return out


def groups(text: str, hits: list[DrugHit]) -> list[list[DrugHit]]:
    """Split drugs named in one sentence into lines at sequence words."""
    groups: list[list[DrugHit]] = []
    for hit in hits:
        if groups and not SEQUENCE.search(text[groups[-1][-1].end : hit.start]):
            groups[-1].append(hit)
        else:
            groups.append([hit])
    return groups


def itemised(text: str, summarised: re.Match[str], sent: Span) -> list[list[DrugHit]] | None:
    """The regimens listed after "3 lines of chemotherapy (doxorubicin; gemcitabine plus docetaxel; ...)"."""
    m = re.match(r"\s*\(([^()]{3,300})\)", text[summarised.end() : sent.end])
    if m is None:
        return None
    inner = m.group(1)
    base = summarised.end() + m.start(1)
    sep = ";" if ";" in inner else ","
    parts: list[list[DrugHit]] = []
    pos = 0
    for chunk in inner.split(sep):
        hits = find_drugs(text, base + pos, base + pos + len(chunk))
        if hits:
            parts.append(hits)
        pos += len(chunk) + 1
    return parts if len(parts) >= 2 else None


def doses_after(text: str, hit: DrugHit, stop: int) -> list[Dose]:
    """Doses written right after a drug ("alectinib (600 mg twice daily)", "at dose of 600 mg per day")."""
    m = _DOSE.match(text, hit.end, min(stop, hit.end + 120))
    if not m:
        return []
    between = text[hit.end : m.start(1)]
    if find_drugs(between):
        return []
    schedule_m = _SCHEDULE.search(m.group(3) or "")
    schedule = schedule_m.group(0).strip() if schedule_m else None
    return [
        Dose(
            agent=hit.value,
            dose=float(m.group(1).replace(",", ".")),
            unit=m.group(2).replace("m²", "m2"),
            schedule=schedule,
            as_written=text[m.start(1) : m.end(2) + (schedule_m.end() if schedule_m else 0)].strip(),
        )
    ]
