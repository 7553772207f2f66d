"""Progression-free time of a line: which durations are PFS, censoring, and the choice between statements.

A duration written about a line ("PFS 5.5 months", "relapsed after 13 months", "stable for 1 year")
is a candidate for the line's PFS unless it times a dose, an assessment or a toxicity stop; the
line's PFS is chosen among the candidates by how specific their source is (dates, narrative,
other sections).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caseseries.extraction.scanning import search_string
from caseseries.extraction.timeline import CENSORED, PROGRESSED, Duration
from caseseries.extraction.wording import cue

PROGRESSION = cue("progression")
PFS_STATEMENT = cue("pfs_statement")
# "CT after 2 months showed ...", "MRI at 3 months revealed ...": the time of an assessment, not of the line.
_ASSESSMENT_BEFORE = cue("assessment_before")
_ASSESSMENT_AFTER = cue("assessment_after")
# A sentence that cites other work: "reported by Smith et al. [5]", "^[12]", "previously described".

ADVERSE = (
    r"(?:toxicit\w*|hepatitis|hepatotoxicity|adverse\s+(?:events?|effects?)|intolerance|side[\s\-]+effects?|"
    r"pneumonitis|rash|neutropenia|transaminase\s+elevation|elevated\s+transaminases|bradycardia|oedema|edema)"
)
TOXICITY_STOP = re.compile(
    rf"^[\s,]*(?:because\s+of|due\s+to|owing\s+to|for)\s+(?:\w+\s+){{0,4}}?{ADVERSE}\b"
    r"|^[\s,]*until\s+(?:the\s+)?(?:patient|he|she)\s+(?:could\s+not|couldn't|was\s+unable\s+to|did\s+not)\s+tolerate",
    re.I,
)
RUNNING = cue("running")
STILL_AFTER = cue("still_after")


def is_assessment_time(before: str, after: str) -> bool:
    """Whether a duration times an assessment ("CT after 2 months showed ...", "a partial response at 3 months").

    Parameters
    ----------
    before : str
        The clause before the duration.
    after : str
        The clause after it.

    Returns
    -------
    bool
        True when the duration says when the disease was assessed or responded, not how long the line
        worked; an assessment that found progression is the end of the line and is not an assessment time.
    """
    if PROGRESSED.search(before) or CENSORED.search(before):
        return False
    after = re.split(r",|\bwhich\b|\buntil\b|\bthat\b", after)[0]
    at_time = bool(re.search(r"\b(?:after|at|within)\s+$", before, re.I))
    if not at_time:
        return False
    if _ASSESSMENT_BEFORE.search(before) and (
        re.search(r"\b(?:CT|MRI|PET|scans?|imaging|evaluation|assessment|bronchoscopy|ultrasound)\b", before, re.I)
        or _ASSESSMENT_AFTER.match(after)
    ):
        return not PROGRESSION.search(after)
    if re.search(r"\b(?:response|remission|regression|CR|PR)\s+(?:after|at|within)\s+$", before, re.I):
        return not PROGRESSION.search(after)
    return False


@dataclass
class PfsCandidate:
    """A statement of a line's progression-free time and where it came from."""

    months: float
    censored: bool | None
    spans: list[tuple[int, int]]
    rank: int  # -1 day counts, 0 dates, 1 narrative statement, 2 abstract/discussion/caption
    floor: bool = False  # the time a response was seen: the PFS only when the line never progressed
    lower_bound: bool = False  # "over one year"


# a duration counted from another event than the start of the line (real-dev decision 23)
_FROM_EVENT = cue("from_event")
_LOCAL_EVENT = cue("local_event")
# a duration the clause after it names as PFS: "29 months of progression-free survival"
_PFS_AFTER = cue("pfs_after")
# the line still works at the last report: "PFS: 11 months ... up till the last follow-up", "20 months so far"
_CONTINUING_AFTER = cue("continuing_after")
_LOWER_BOUND = cue("lower_bound")
# "complete response at the end of 8 months", "regression after two years", "by year two": a response observed then
_RESPONSE_AT = cue("response_at")


@dataclass(frozen=True)
class DurationReading:
    """What a duration says about its line: a PFS candidate, a toxicity stop, or nothing.

    ``floor`` marks the time a response was observed (PFS only if nothing progressed);
    ``lower_bound`` a value written as "over one year".
    """

    kind: str  # "pfs", "toxicity" or "none"
    censored: bool | None = None
    floor: bool = False
    lower_bound: bool = False
    clause_end: int = 0


def _shared_tail(text: str, end: int) -> bool:
    """Whether the words after "respectively" that closes the list a duration is in say it goes on.

    "brigatinib (PFS: 9 months) and lorlatinib (PFS: 14 months), respectively, up to the last
    visit": the words after "respectively" are about every item, also one cut off before them.
    """
    rest = re.split(r"[.;]\s", text[end : end + 200])[0]
    m = re.search(r"\brespectively\b", rest, re.I)
    return m is not None and _CONTINUING_AFTER.search(rest, m.end()) is not None


def read_duration(text: str, d: Duration, span_start: int, span_end: int) -> DurationReading:
    """Classify a duration written about a line.

    Parameters
    ----------
    text : str
        The document.
    d : Duration
        The duration.
    span_start, span_end : int
        The clause range the duration was found in (the words around it are read up to its limits).

    Returns
    -------
    DurationReading
        ``kind`` "none" for doses, ages, assessment times and durations counted from other events;
        "toxicity" for "stopped after 5 weeks because of hepatitis"; else "pfs" with its censoring.
    """
    none = DurationReading("none")
    before = re.split(r"[.;]\s", text[max(span_start, d.start - 60) : d.start])[-1]
    after = text[d.end : min(span_end, d.end + 40)]
    clause_after = re.split(r"[.;]\s", text[d.end : min(span_end, d.end + 120)])[0]
    ends_now = PROGRESSION.search(re.split(r",|\bwhich\b|\buntil\b", clause_after)[0])  # "after 2 months showed growth"
    if re.search(r"^[\s\-]*old", after) or re.search(r"\b(?:age|aged|old|ago|before|prior)\b", before, re.I):
        return none
    if _FROM_EVENT.match(after) or (re.match(r"^\s*later\b", after, re.I) and not PROGRESSED.search(before)):
        return none
    if re.match(r"^\s*later\b", after, re.I) and _LOCAL_EVENT.search(text, max(0, d.start - 200), d.start):
        return none  # "... followed by a transplant. He relapsed 3 months later": counted from the transplant
    if TOXICITY_STOP.match(clause_after):
        return DurationReading("toxicity", clause_end=d.end + len(clause_after))
    if _PFS_AFTER.match(after):
        return DurationReading("pfs", bool(d.censored or _CONTINUING_AFTER.search(clause_after)))
    response_at = _RESPONSE_AT.search(before)
    negated = re.search(r"\b(?:no|not|without|failed\s+to)\s+(?:\w+\s+)?(?:respon|remission|regression)", before, re.I)
    if response_at is not None and not negated and not PROGRESSED.search(before) and not ends_now:
        return DurationReading("pfs", True, floor=True)  # real-dev decision 22
    if re.search(r"\b(?:of|mg|dose|cycles?)\s*$", before, re.I) and not PFS_STATEMENT.search(before):
        return none
    if re.search(r"\btaper\w*\s+(?:over\s+)?$", before, re.I) or re.search(r"\bwithin\b", before, re.I):
        return none  # "tapered over 6 weeks": a dose schedule
    still = bool(STILL_AFTER.match(clause_after))
    if is_assessment_time(before, clause_after) and not still:
        return none
    if (
        re.search(r"\bafter\s+(?:\w+\s+)?$", before, re.I)
        and re.search(r"^\s+of\s+(?:\w+\s+)?(?:treatment|therapy)", after)
        and not (PROGRESSED.search(before) or CENSORED.search(before) or still or RUNNING.search(before))
        and not ends_now
    ):
        return none  # "after 5 months of treatment": the time of an assessment
    dose = re.search(r"\d\s*(?:mg|g|mg/m2|mg/m²|mg/kg)\b([^.;]{0,40})$", before, re.I)
    if dose and not re.search(r"[,:]", dose.group(1)):
        return none  # "90 mg once daily for 7 days": part of a dose schedule ("600 mg BID: PR, PFS 20 mo" is not)
    since_start = re.match(r"\s*after\s+(?:starting|initiat\w+|beginning|the\s+start\s+of)\b", after, re.I)
    if not (PFS_STATEMENT.search(before) or PROGRESSED.search(before) or CENSORED.search(before) or since_start):
        return none
    censored = d.censored
    if censored is None and since_start and CENSORED.search(text[max(span_start, d.start - 90) : d.start]):
        censored = True  # "he remains on it, ..., 6 months after starting it"
    if censored is None and re.search(r"\b(?:progress\w*|relaps\w*|resist\w*)\b", after, re.I):
        censored = False
    if censored is None and ends_now and re.search(r"\b(?:after|at)\s+$", before, re.I):
        censored = False  # "CT after 2 months showed enlargement of the mass"
    if censored is None and (still or RUNNING.search(before) or _CONTINUING_AFTER.search(clause_after)):
        censored = True  # "has received it for 2 months", "stable disease after 6 months, which continues"
    if re.search(r"\bPFS\s*[:=]?\s*$", before) and (
        _CONTINUING_AFTER.search(text[d.end : min(span_end, d.end + 160)]) or _shared_tail(text, d.end)
    ):
        censored = True  # "(PFS: 11 months ...), respectively, up till the last follow-up"
    return DurationReading("pfs", censored, lower_bound=bool(search_string(_LOWER_BOUND, before)))
