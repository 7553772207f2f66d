"""Which drugs a sentence gives the patient and how they group into lines: combinations, sequences, doses.

A drug named in a sentence is given unless the words around it say otherwise (planned,
declined, "instead of", a drug for an adverse event); drugs named together form one combination
and sequence words ("followed by", "switched to") split them.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache

from caseseries.extraction.annotate import finditer, per_document
from caseseries.extraction.context import Category, Mention, default_engine
from caseseries.extraction.draft import UNNAMED
from caseseries.extraction.entities import DrugHit, find_drugs
from caseseries.extraction.patterns import patterns_by_name
from caseseries.extraction.sentences import Span
from caseseries.model import Dose
from caseseries.vocab import drugs
from caseseries.vocab.regimens import Regimen, RegimenKind, any_entry, regimens

SEQUENCE = re.compile(
    r"\b(?:followed\s+by|then|thereafter|subsequent(?:ly)?|switched\s+to|changed\s+to|replaced\s+(?:by|with)|"
    r"after\s+(?:progression|failure|relapse)|later|afterwards|succeeded\s+by|second[\s\-]+line|third[\s\-]+line)\b"
    r"|;|→|->",
    re.I,
)
_DOSE = re.compile(r"[^.;]{0,25}?(\d+(?:[.,]\d+)?)\s*(mg/m²|mg/m2|g/m²|g/m2|mg/kg|mg|g|AUC\s*\d)\b([^;.)\]]{0,60})")
_DIGIT = re.compile(r"\d")
_SCHEDULE = re.compile(
    r"\b(once|twice|three\s+times)\s+(?:a\s+)?daily\b|\bper\s+day\b|\bdaily\b"
    r"|\bon\s+days?\s+\d+(?:\s*(?:,|and|to|-)\s*(?:days?\s+)?\d+)*|"
    r"\bevery\s+\d+(?:\s+to\s+\d+)?\s+(?:days|weeks)\b|\bweekly\b|\b(?:bid|qd|tid)\b",
    re.I,
)
# words before "chemotherapy" that say it was given ("received adjuvant chemotherapy", "relapse following chemotherapy")
_CHEMO_GIVEN_BEFORE = re.compile(
    r"\b(?:received|receiving|started|initiated|treated\s+with|underwent|given|administered|salvage|"
    r"adjuvant|neoadjuvant|first[\s\-]+line|second[\s\-]+line|cycles?\s+of|courses?\s+of|followed\s+by|"
    r"respond\w*\s+to|refractory\s+to|resistant\s+to|(?:complicat\w+|arose|toxicity)\s+(?:\w+\s+){0,2}(?:with|from|of)|"
    r"(?:remission|response|CR\d?|PR)\s+with|(?:after|following|despite)(?:\s+[\w\-]+,?){0,6})\s+(?:[\w\-]+\s+){0,3}$",
    re.I,
)
_CHEMO_GIVEN_AFTER = re.compile(
    r"^\s+(?:was|were)\s+(?:given|started|initiated|administered)|^\s+failed\b|^\s+(?:proved|was|were)\s+"
    r"(?:ineffective|unsuccessful|effective|discontinued|stopped|complicated)",
    re.I,
)
# what the context rules say of a drug that is not given to the patient: "instead of", "was
# considered", "was not available", "such as", "for the pneumonitis" (extraction/data/context_rules.json)
_NOT_GIVEN = frozenset({Category.NEGATED_EXISTENCE, Category.HYPOTHETICAL, Category.NOT_GIVEN, Category.SUPPORTIVE})


def _kind(text: str, hit: DrugHit) -> str:
    """The context target type of a drug hit: the word "chemotherapy" (``CHEMOTHERAPY``) or a drug."""
    chemo = hit.value == "chemotherapy" and text[hit.start : hit.start + 5].lower() == "chemo"
    return "CHEMOTHERAPY" if chemo else "DRUG"


@per_document
def _modifiers(text: str, start: int, end: int) -> dict[tuple[int, int, str], frozenset[Category]]:
    """The context modifiers of the agents of a sentence, by span and target type (one context pass)."""
    targets = [Mention(_kind(text, h), h.start, h.end) for h in find_agents(text, start, end)]
    return {(m.start, m.end, m.kind): m.modifiers for m in default_engine().annotate(text, targets, start, end)}


@per_document
def is_given(text: str, hit: DrugHit, sent: Span) -> bool:
    """Whether the sentence gives the drug to the patient (not planned, declined, or for an adverse event)."""
    kind = _kind(text, hit)
    if kind == "CHEMOTHERAPY":
        after = text[hit.end : sent.end]
        before = text[max(sent.start, hit.start - 60) : hit.start]
        with_drug = re.search(r"\b(?:with|and|plus)\s+(?:[\w\-]+\s+){0,2}$", before) and find_drugs(
            text, sent.start, hit.start
        )  # "brentuximab vedotin with conventional chemotherapy"
        if not (_CHEMO_GIVEN_BEFORE.search(before) or _CHEMO_GIVEN_AFTER.match(after) or with_drug):
            return False
    modifiers = _modifiers(text, sent.start, sent.end).get((hit.start, hit.end, kind))
    if modifiers is None:  # a hit that is not one of the sentence's agents
        (target,) = default_engine().annotate(text, [Mention(kind, hit.start, hit.end)], sent.start, sent.end)
        modifiers = target.modifiers
    return not modifiers & _NOT_GIVEN


# ------------------------------------------------------------------ regimens and unnamed drug classes
_GENERATION = re.compile(r"\b(first|second|third|fourth|1st|2nd|3rd|4th)[\s\-]+generation\s+$", re.I)
_GENERATIONS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
# the words before a class phrase given to the patient: "an ALK inhibitor", "response to ALK inhibitor therapy"
_CLASS_CONTEXT = re.compile(
    r"\b(?:an?|the|with|to|on|of|using|received|started|initiated)\s+(?:[\w\-]+\s+){0,3}$", re.I
)
# a listed salvage phase: "chemotherapy (COP, reduced-dose ICE, low-dose cytarabine + etoposide)"
_PHASE_LIST = re.compile(r"\s*\(([^()]{3,200})\)")


def unnamed_class(value: str) -> tuple[str, int | None] | None:
    """The class name and generation of an unnamed drug-class hit value, or None for a named drug."""
    if not value.startswith(UNNAMED):
        return None
    name, _, generation = value[len(UNNAMED) :].partition(":")
    return name, int(generation) if generation else None


def class_matches(value: str, name: str) -> bool:
    """Whether the named drug ``name`` is one the unnamed class hit ``value`` could be.

    "class:ALK inhibitor:1" matches crizotinib (an ALK inhibitor of generation 1), not lorlatinib.
    """
    found = unnamed_class(value)
    drug = drugs().lookup(name)
    entry = regimens().lookup(found[0]) if found else None
    if found is None or drug is None or entry is None or drug.non_drug or drug.drug_class != entry.drug_class:
        return False
    if entry.target is not None and entry.target not in drug.targets:
        return False
    return found[1] is None or drug.generation == found[1]


@cache
def _entries(classes: bool) -> tuple[re.Pattern[str], tuple[Regimen, ...]]:
    """One pattern for the class phrases (``classes``) or for the regimens and protocols, and their entries."""
    entries = tuple(e for e in regimens().entries if (e.kind is RegimenKind.CLASS) is classes)
    return any_entry(entries, ignore_case=classes), entries


def _class_hits(text: str, start: int, stop: int, named: list[DrugHit]) -> list[DrugHit]:
    """Class phrases given to the patient whose drug the sentence does not name."""
    out: list[DrugHit] = []
    pattern, entries = _entries(True)
    for m in finditer(pattern, text, start, stop):
        for entry in entries:
            if not entry.pattern().fullmatch(m.group(0)):
                continue
            value = f"{UNNAMED}{entry.name}"
            before = text[max(start, m.start() - 50) : m.start()]
            fits = [h for h in named if class_matches(value, h.value)]
            after = text[m.end() : min(stop, m.end() + 25)]
            if any(h.start < m.end() and m.start() < h.end for h in named):
                continue
            if any(0 <= h.start - m.end() <= 12 and re.fullmatch(r"[\s,(]*", text[m.end() : h.start]) for h in fits):
                continue  # "the ALK inhibitor crizotinib", "an ALK inhibitor (alectinib)": the drug is named
            if any(
                0 <= m.start() - h.end <= 32
                and re.fullmatch(r"[\s,(]*(?:an?|the)?\s*[\w\-]*\s*", text[h.end : m.start()])
                for h in fits
            ):
                continue  # "crizotinib, a first-generation ALK inhibitor"
            if re.match(r"\s*(?:such\s+as|like|including)\b", after, re.I):
                continue
            generation = _GENERATION.search(before)
            head = before[: generation.start()] if generation else before
            opening = m.start() - 50 < start and re.fullmatch(r"\s*(?:[\w\-]+\s+){0,2}", head)
            if not (_CLASS_CONTEXT.search(head) or opening):
                continue
            level = _GENERATIONS[generation.group(1).lower()] if generation else None
            out.append(DrugHit(f"{UNNAMED}{entry.name}" + (f":{level}" if level else ""), m.start(), m.end()))
    return out


@per_document
def find_agents(text: str, start: int = 0, end: int | None = None) -> list[DrugHit]:
    """Drugs, regimens expanded to their drugs, protocols as chemotherapy, and unnamed drug classes.

    Parameters
    ----------
    text : str
        The document.
    start, end : int
        Range to scan.

    Returns
    -------
    list of DrugHit
        In text order. A regimen ("CHOP") gives one hit per component drug on the regimen's span;
        a protocol name ("ALCL99") gives ``chemotherapy``; a class phrase given to the patient
        ("an ALK-directed tyrosine kinase inhibitor") gives a hit whose value starts with
        :data:`UNNAMED`. Regimens listed in brackets after "chemotherapy" as one phase ("chemotherapy
        (COP, ICE, ...)") are that chemotherapy, not lines of their own.
    """
    stop = len(text) if end is None else end
    named = find_drugs(text, start, stop)
    out = list(named)
    pattern, entries = _entries(False)
    for m in finditer(pattern, text, start, stop):
        if any(h.start < m.end() and m.start() < h.end for h in named):
            continue
        for entry in entries:
            if entry.pattern().fullmatch(m.group(0)):
                out.extend(DrugHit(component, m.start(), m.end()) for component in entry.components)
    out.extend(_class_hits(text, start, stop, named))
    out.sort(key=lambda h: h.start)
    for chemo in [h for h in out if h.value == "chemotherapy"]:
        phase = _PHASE_LIST.match(text, chemo.end, stop)
        if phase is None:
            continue
        parts = [p for p in re.split(r"[,;]", phase.group(1)) if p.strip()]
        inside = [h for h in out if phase.start(1) <= h.start < phase.end(1)]
        if len(parts) >= 2 and len({h.start for h in inside}) >= 2:
            out = [h for h in out if h not in inside]
    return out


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


class LineBreak(StrEnum):
    """Words that split the drugs of a sentence into lines (``line_breaks`` in ``extraction/data/patterns.yaml``)."""

    EARLIER_ENDED = "earlier ended"
    STARTED_LATER = "started later"


@cache
def _line_breaks() -> dict[LineBreak, list[re.Pattern[str]]]:
    return patterns_by_name("line_breaks", LineBreak)


def _breaks_line(text: str, gap_start: int, hit: DrugHit) -> bool:
    """Whether the words between two drugs, or right after the second, say the first one's line ended."""
    breaks = _line_breaks()
    if any(p.search(text, gap_start, hit.start) for p in breaks[LineBreak.EARLIER_ENDED]):
        return True
    return any(p.match(text, hit.end, hit.end + 40) for p in breaks[LineBreak.STARTED_LATER])


def groups(text: str, hits: list[DrugHit]) -> list[list[DrugHit]]:
    """Split drugs named in one sentence into lines at sequence words.

    Besides "followed by" or "switched to", the first drug's end written between them ("proved
    ineffective, and") or "was then started" after the second one split them (``line_breaks``).
    """
    groups: list[list[DrugHit]] = []
    for hit in hits:
        gap = text[groups[-1][-1].end : hit.start] if groups else ""
        # "After surgery and chemotherapy, an inhibitor was used": what follows "After ..." came first
        after_first = (
            bool(groups)
            and re.match(r"\s*,", re.sub(r"\([^()]*\)", "", gap))
            and re.search(
                r"\b(?:After|Following)\b[^,.;]*$", text[max(0, groups[-1][0].start - 100) : groups[-1][0].start]
            )
        )
        if groups and not SEQUENCE.search(gap) and not after_first and not _breaks_line(text, groups[-1][-1].end, hit):
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


def without_generic_chemotherapy(text: str, group: list[DrugHit]) -> list[DrugHit]:
    """A combination without the word "chemotherapy" when the named drugs are that chemotherapy.

    "chemotherapy with vinorelbine and cisplatin", "CHOP chemotherapy", "cisplatin-based
    chemotherapy": the drugs are its content. "brentuximab vedotin with conventional chemotherapy",
    "high-dose chemotherapy (including methotrexate)" keep it: part of the regimen is unnamed.
    """
    named = [h for h in group if h.value != "chemotherapy"]
    if not named or len(named) == len(group):
        return group
    out = []
    for h in group:
        if h.value == "chemotherapy":
            after = text[h.end : next((k.start for k in group if k.start > h.end), h.end)]
            before = text[max((k.end for k in group if k.end <= h.start), default=h.start) : h.start]
            if re.fullmatch(
                r"[^().;]{0,60}?(?:\b(?:with|including|using|consisting\s+of|of)|:)\s+"
                r"(?!continuous|concurrent|concomitant|ongoing)(?:[\w\-]+\s+)?",
                after,
                re.I,
            ):
                continue
            if any(k.end <= h.start for k in group) and re.fullmatch(
                r"[\s\-]*(?:based\s+)?|\s*\([^()]*(?:\([^()]*\)[^()]*)*\)\s*", before, re.I
            ):
                continue
        out.append(h)
    return out


def doses_after(text: str, hit: DrugHit, stop: int) -> list[Dose]:
    """Doses written right after a drug ("alectinib (600 mg twice daily)", "at dose of 600 mg per day")."""
    # a dose's number comes within 25 characters of the drug (checked first: most drugs have none)
    if not _DIGIT.search(text, hit.end, min(stop, hit.end + 26)):
        return []
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
