"""Progression-free time of a line: which durations are PFS, censoring, and the choice between statements.

A duration written about a line ("PFS 5.5 months", "relapsed after 13 months", "stable for 1 year")
is a candidate for the line's PFS unless it times a dose, an assessment or a toxicity stop; the
line's PFS is chosen among the candidates by how specific their source is (dates, narrative,
other sections).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caseseries.extraction.timeline import CENSORED, PROGRESSED

PROGRESSION = re.compile(
    r"\b(?:disease\s+progression|progressi(?:on|ve\s+disease)|progressed|progressing|relapse[ds]?|recurrence|"
    r"recurred|regrowth|re-?grew|grew|enlarged|enlargement|increased\s+in\s+size|"
    r"(?<!no\s)(?<!without\s)new\s+(?:\w+\s+)?(?:lesions?|nodules?|metastas\w+)|(?:developed|revealed|showed)\s+(?:\w+\s+){0,3}metastas\w+|"
    r"resistance\s+(?:developed|emerged|occurred)|acquired\s+resistance|"
    r"(?:alectinib|crizotinib|ceritinib|lorlatinib|brigatinib|drug)\s+resistance|resistance\s+to|(?-i:PD))\b",
    re.I,
)
PFS_STATEMENT = re.compile(
    r"\b(?:PFS|progression[\s\-]+free\s+survival|time\s+to\s+progression|TTP)\b"
    r"|\bafter\s+(?:starting|initiat\w+|beginning|the\s+start\s+of)\b"
    r"|\b(?:for|over|beyond|more\s+than|after|lasted|lasting|maintained|sustained)\b",
    re.I,
)
# "CT after 2 months showed ...", "MRI at 3 months revealed ...": the time of an assessment, not of the line.
_ASSESSMENT_BEFORE = re.compile(
    r"\b(?:CT|MRI|PET(?:-CT)?|scans?|imaging|evaluation|assessment|re-?evaluation|bronchoscopy|cystoscopy|endoscopy|"
    r"ultrasound|ultrasonography|examination|radiographs?|x-?rays?)\b[^.;]{0,20}\b(?:after|at|within)\s+$"
    r"|^\s*(?:after|at|within)\s+$",
    re.I,
)
_ASSESSMENT_AFTER = re.compile(
    r"^[^.;]{0,50}?\b(?:showed|shows|revealed|demonstrated|documented|confirmed|disclosed|had\s+(?:decreased|shrunk|"
    r"resolved|regressed|disappeared))\b",
    re.I,
)
# A sentence that cites other work: "reported by Smith et al. [5]", "^[12]", "previously described".

ADVERSE = (
    r"(?:toxicit\w*|hepatitis|hepatotoxicity|adverse\s+(?:events?|effects?)|intolerance|side[\s\-]+effects?|"
    r"pneumonitis|rash|neutropenia|transaminase\s+elevation|elevated\s+transaminases|bradycardia|oedema|edema)"
)
TOXICITY_STOP = re.compile(
    rf"^[\s,]*(?:because\s+of|due\s+to|owing\s+to|for)\s+(?:\w+\s+){{0,4}}?{ADVERSE}\b",
    re.I,
)
RUNNING = re.compile(r"\b(?:has|have)\s+(?:now\s+)?(?:received|been\s+(?:on|receiving|taking|treated))\b", re.I)
STILL_AFTER = re.compile(r"^[^.;]{0,40}?\b(?:which|and|that)\s+(?:continues|is\s+ongoing|remains|persists)\b", re.I)


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
