"""Ordering of therapy lines in a narrative: first-line, subsequently, after progression, salvage, switched to.

:func:`narrative_lines` walks the sentences of one patient's story in order. Drugs named for the
first time start a line (drugs named together form one combination line; sequence words such as
"followed by" or "switched to" split them); drugs already seen refer back to their line unless
the text says "rechallenge"/"again". Responses, progression, dates, durations and resistance
mutations are attached to the line they are written about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caseseries.extraction.draft import LineDraft
from caseseries.extraction.entities import DrugHit, MutationHit, find_drugs, find_mutations
from caseseries.extraction.responses import ResponseHit, find_responses, rank
from caseseries.extraction.sentences import Span
from caseseries.extraction.timeline import (
    CENSORED,
    DAYS_PER_MONTH,
    PROGRESSED,
    Duration,
    MonthDate,
    find_dates,
    find_durations,
)
from caseseries.model import Dose, Response, StopReason
from caseseries.vocab import drugs

_SEQUENCE = re.compile(
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
_AGAIN = re.compile(
    r"\b(?:rechallenge\w*|re-?challenge\w*|again|resumed|reintroduced|restarted|re-?started|"
    r"re-?initiated|retreat\w*)\b",
    re.I,
)
_SUMMARISED = re.compile(
    r"\b(\d+|two|three|four|five|six|several|multiple)\s+(?:prior\s+|previous\s+)?lines?\s+of\s+"
    r"(?:systemic\s+|cytotoxic\s+)?(chemotherapy|therapy|treatment|systemic\s+therapy)",
    re.I,
)
_LINE_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_PROGRESSION = re.compile(
    r"\b(?:disease\s+progression|progressi(?:on|ve\s+disease)|progressed|progressing|relapse[ds]?|recurrence|"
    r"recurred|regrowth|re-?grew|grew|enlarged|enlargement|increased\s+in\s+size|"
    r"(?<!no\s)(?<!without\s)new\s+(?:\w+\s+)?(?:lesions?|nodules?|metastas\w+)|(?:developed|revealed|showed)\s+(?:\w+\s+){0,3}metastas\w+|"
    r"resistance\s+(?:developed|emerged|occurred)|acquired\s+resistance|"
    r"(?:alectinib|crizotinib|ceritinib|lorlatinib|brigatinib|drug)\s+resistance|resistance\s+to|(?-i:PD))\b",
    re.I,
)
_DOSE = re.compile(r"[^.;]{0,25}?(\d+(?:[.,]\d+)?)\s*(mg/m²|mg/m2|g/m²|g/m2|mg/kg|mg|g|AUC\s*\d)\b([^;.)\]]{0,60})")
_SCHEDULE = re.compile(
    r"\b(once|twice|three\s+times)\s+(?:a\s+)?daily\b|\bper\s+day\b|\bdaily\b"
    r"|\bon\s+days?\s+\d+(?:\s*(?:,|and|to|-)\s*(?:days?\s+)?\d+)*|"
    r"\bevery\s+\d+(?:\s+to\s+\d+)?\s+(?:days|weeks)\b|\bweekly\b|\b(?:bid|qd|tid)\b",
    re.I,
)
_PFS_STATEMENT = re.compile(
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
CITED = re.compile(
    r"\bet\s+al\b|\[\d{1,3}(?:\s*[,\-–]\s*\d{1,3})*\]|\^\[|\breported\s+(?:by|in)\b|\bdescribed\s+by\b"
    r"|\bpreviously\s+(?:reported|described|published)\b|\bin\s+the\s+literature\b",
    re.I,
)
# Words of general statements about drugs: approvals, trials, other diseases, what drugs can do.
_GENERAL = re.compile(
    r"\b(?:approved|approval|trials?|studies|study|series|cohorts?|guidelines?|NSCLC|lung\s+cancer|neuroblastoma|"
    r"lymphoma|in\s+(?:children|adults|patients)\s+with|patients\s+with|is\s+(?:an?|the)\s+(?:\w+\s+)?"
    r"(?:option|standard|inhibitor|choice)|are\s+(?:active|effective|standard|options?)|is\s+(?:active|effective)|"
    r"has\s+been\s+(?:used|reported|shown|described)|have\s+been|may|can|should|could|(?<!next-)(?<!next\s)generation|"
    r"mechanisms?|preclinical|in\s+vitro|experience\s+with)\b",
    re.I,
)
# What ties a sentence to the patient whose story is told.
_PATIENT_ANCHOR = re.compile(
    r"\b(?:he|she|his|her|him|the\s+patient|our\s+patient|this\s+patient|(?:case|patient)\s+\d+|"
    r"the\s+(?:child|boy|girl|man|woman|infant|baby)|both\s+patients|was\s+(?:started|given|administered|initiated|"
    r"switched|changed|continued|resumed|discontinued|stopped|added|begun)|were\s+(?:started|given|administered)|"
    r"received|receiving|underwent|achieved|responded|(?:decided|decision)\s+(?:\w+\s+){0,4}to\s+(?:initiate|start|begin)|"
    r"we\s+(?:started|initiated|gave|administered|treated)|the\s+(?:tumou?r|mass|lesions?|nodules?|disease)\s+"
    r"(?:decreased|shrank|regressed|progressed|grew|responded|remained)|"
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+(?:19|20)\d\d)\b",
    re.I,
)


_OTHER_PERSON = re.compile(
    r"\b(?:an?|one|another)\s+(?:\d{1,3}[\s\-]*(?:year|month)s?[\s\-]*old\s+)?(?:man|woman|boy|girl|child|patient|infant)\b",
    re.I,
)


def is_background(text: str, sent: Span) -> bool:
    """Whether a sentence speaks of drugs in general or of other patients, not of this patient.

    "Crizotinib produces objective responses in most children with ALK-rearranged IMT [1]",
    "Ensartinib was approved in 2024 for ALK-positive lung cancer": a citation or words of general
    statements, and nothing that ties the sentence to the patient (a pronoun, "the patient",
    "was started", "received"). Such sentences start no line and add nothing to one.
    """
    cited = CITED.search(text, sent.start, sent.end)
    if cited and _OTHER_PERSON.search(text, sent.start, sent.end):
        return True  # "A 33-year-old woman reported by Okafor et al. [7] received alectinib"
    if _PATIENT_ANCHOR.search(text, sent.start, sent.end):
        return False
    return bool(CITED.search(text, sent.start, sent.end) or _GENERAL.search(text, sent.start, sent.end))


_ADVERSE = (
    r"(?:toxicit\w*|hepatitis|hepatotoxicity|adverse\s+(?:events?|effects?)|intolerance|side[\s\-]+effects?|"
    r"pneumonitis|rash|neutropenia|transaminase\s+elevation|elevated\s+transaminases|bradycardia|oedema|edema)"
)
_TOXICITY_STOP = re.compile(
    rf"^[\s,]*(?:because\s+of|due\s+to|owing\s+to|for)\s+(?:\w+\s+){{0,4}}?{_ADVERSE}\b",
    re.I,
)
_SYMPTOM = rf"(?:{_ADVERSE}|diarrho?ea|nausea|vomiting|pain|fever|colitis|hyper\w*emia|hypercholesterol\w*)"
# a drug given for an adverse event or a symptom ("the pneumonitis was treated with prednisolone") is not a line
_SUPPORTIVE_BEFORE = re.compile(
    rf"\b{_SYMPTOM}(?:,?\s+(?:which|that))?\s+(?:was|were|is)\s+(?:treated|managed|controlled)\s+(?:successfully\s+)?with\s+$",
    re.I,
)
_SUPPORTIVE_AFTER = re.compile(
    rf"^[^.;]{{0,40}}?\b(?:for|to\s+treat|to\s+control)\s+(?:\w+\s+){{0,2}}?{_SYMPTOM}", re.I
)
_REBIOPSY = re.compile(
    r"\b(?:re-?biops\w*|repeat\s+biops\w*|(?:new|second|further)\s+biops\w*|at\s+(?:the\s+time\s+of\s+)?progression|"
    r"at\s+(?-i:PD)|"
    r"after\s+progression|acquired|resistance\s+mutation|secondary\s+mutation)\b",
    re.I,
)
_ABOUT_NEXT = re.compile(
    r"\b(?:did\s+not\s+respond|failed\s+to\s+respond|no\s+(?:\w+\s+)?response|refractory|resistant|unresponsive|"
    r"progressed|progression|responded(?:\s+\w+)?)\s+(?:to|on|despite|during|under|while\s+on)\s+"
    r"(?:the\s+|treatment\s+with\s+|therapy\s+with\s+)?$",
    re.I,
)
# a timeline counted in days or weeks from the start of a drug (not "post-operative day 9", "week 14 after surgery")
_DAY = re.compile(r"\b(?<!operative\s)(day|week)\s+(\d{1,4})\b(?!\s+(?:after|post|of|from|since)\b)", re.I)
_SHRINKAGE = re.compile(
    r"\d+(?:\.\d+)?\s*%\s+(?:reduction|decrease|shrinkage)|\b(?:decreased|reduced|shrank)\s+by\s+\d+(?:\.\d+)?\s*%",
    re.I,
)
_FAILED_LIST = re.compile(
    r"\b(?:after|following|despite)\s+(?:the\s+)?(?:failure|failing|progression)\s+(?:of|on)\s+(?:prior\s+)?", re.I
)
_RUNNING = re.compile(r"\b(?:has|have)\s+(?:now\s+)?(?:received|been\s+(?:on|receiving|taking|treated))\b", re.I)
_STILL_AFTER = re.compile(r"^[^.;]{0,40}?\b(?:which|and|that)\s+(?:continues|is\s+ongoing|remains|persists)\b", re.I)


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
        return not _PROGRESSION.search(after)
    if re.search(r"\b(?:response|remission|regression|CR|PR)\s+(?:after|at|within)\s+$", before, re.I):
        return not _PROGRESSION.search(after)
    return False


@dataclass
class PfsCandidate:
    """A statement of a line's progression-free time and where it came from."""

    months: float
    censored: bool | None
    spans: list[tuple[int, int]]
    rank: int  # -1 day counts, 0 dates, 1 narrative statement, 2 abstract/discussion/caption


def _is_given(text: str, hit: DrugHit, sent: Span) -> bool:
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


def _first_mentions(hits: list[DrugHit]) -> list[DrugHit]:
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


def _groups(text: str, hits: list[DrugHit]) -> list[list[DrugHit]]:
    """Split drugs named in one sentence into lines at sequence words."""
    groups: list[list[DrugHit]] = []
    for hit in hits:
        if groups and not _SEQUENCE.search(text[groups[-1][-1].end : hit.start]):
            groups[-1].append(hit)
        else:
            groups.append([hit])
    return groups


def _itemised(text: str, summarised: re.Match[str], sent: Span) -> list[list[DrugHit]] | None:
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


class Narrative:
    """The therapy lines of one patient's story, built sentence by sentence.

    Parameters
    ----------
    text : str
        The document.
    """

    def __init__(self, text: str):
        self.text = text
        self.lines: list[LineDraft] = []
        self.pfs: dict[int, list[PfsCandidate]] = {}
        self.start_dates: dict[int, MonthDate] = {}
        self.last_date: MonthDate | None = None
        self.current: int | None = None
        self.mutations: list[MutationHit] = []
        self.start_days: dict[int, tuple[int, int, int]] = {}  # line -> (day, start, end) of "(day 0)"
        self.days: list[tuple[int, int, int]] = []  # the day counts of the sentence being read

    # ------------------------------------------------------------------ main walk
    def read(self, sentences: list[Span]) -> None:
        """Read the narrative sentences in order, creating and filling lines."""
        for sent in sentences:
            if not is_background(self.text, sent):
                self._sentence(sent)

    def _line_of(self, name: str) -> int | None:
        for i in range(len(self.lines) - 1, -1, -1):
            if name in self.lines[i].agents:
                return i
        return None

    def _line_of_class(self, name: str) -> int | None:
        """The last line a class word ("steroid therapy") refers back to: one with a drug of that class."""
        vocab = drugs()
        entry = vocab.lookup(name)
        if entry is None or not entry.non_drug:
            return None
        for i in range(len(self.lines) - 1, -1, -1):
            for agent in self.lines[i].agents:
                other = vocab.lookup(agent)
                if other is not None and other is not entry and other.drug_class == entry.drug_class:
                    return i
        return None

    def _sentence(self, sent: Span) -> None:
        text = self.text
        dates = find_dates(text, sent.start, sent.end)
        self.days = [
            (int(m.group(2)) * (7 if m.group(1).lower() == "week" else 1), m.start(), m.end())
            for m in _DAY.finditer(text, sent.start, sent.end)
        ]
        failed = self._failed_list(sent)
        hits = [h for h in find_drugs(text, sent.start, sent.end) if _is_given(text, h, sent) and h not in failed]
        summarised = _SUMMARISED.search(text, sent.start, sent.end)
        new_hits: list[DrugHit] = []
        old_refs: list[tuple[DrugHit, int]] = []
        again = bool(_AGAIN.search(text, sent.start, sent.end))
        for h in hits:
            idx = self._line_of(h.value)
            if idx is None:
                idx = self._line_of_class(h.value)
            if idx is None or (again and idx != self.current):
                new_hits.append(h)
            else:
                old_refs.append((h, idx))
        if summarised is not None:
            new_hits = [h for h in new_hits if not (summarised.start() <= h.start < summarised.end())]
        new_hits = _first_mentions(new_hits)
        first_new = min([h.start for h in new_hits] + ([summarised.start()] if summarised else []), default=sent.end)
        # responses and progression before the first new drug belong to the line being read
        prior = old_refs[-1][1] if old_refs and old_refs[-1][0].start < first_new else self.current
        # "did not respond to doxorubicin", "progressed on crizotinib": the words before the drug are about it
        lead = _ABOUT_NEXT.search(text, sent.start, first_new) if first_new < sent.end else None
        intro_start = lead.start() if lead else first_new
        if prior is not None:
            self._attach(prior, Span(sent.start, intro_start), dates, is_intro=False)
        for h in failed:  # "after failure of crizotinib, ceritinib and chemotherapy": one PD line each
            line = LineDraft(order=len(self.lines))
            line.add_agent(h.value, h.start, h.end)
            line.best_response = Response.PD
            line.support("best_response", h.start, h.end)
            line.progressed = True
            self.lines.append(line)
            self.current = len(self.lines) - 1
        itemised = _itemised(text, summarised, sent) if summarised is not None else None
        if itemised is not None:
            after_each = bool(
                re.search(r"\b(?:progress\w*|PD)\b[^.]{0,40}\bafter\s+each\b", text[sent.start : sent.end])
            )
            for part in itemised:
                line = LineDraft(order=len(self.lines))
                for h in part:
                    line.add_agent(h.value, h.start, h.end)
                if after_each:
                    line.best_response = Response.PD
                    line.progressed = True
                self.lines.append(line)
                self.current = len(self.lines) - 1
            inside = {h.start for part in itemised for h in part}
            new_hits = [h for h in new_hits if h.start not in inside]
            summarised = None
        if summarised is not None:
            raw = summarised.group(1).lower()
            count = int(raw) if raw.isdigit() else _LINE_WORDS.get(raw)
            line = LineDraft(order=len(self.lines))
            line.add_agent(
                "chemotherapy" if "chemo" in summarised.group(2).lower() else "therapy",
                summarised.start(),
                summarised.end(),
            )
            if count and count >= 2:
                line.summarised_lines = count
                line.support("summarised_lines", summarised.start(), summarised.end())
            self.lines.append(line)
            self.current = len(self.lines) - 1
        for group in _groups(text, [h for h in new_hits]):
            real = [h for h in group if h.value != "chemotherapy"] or group
            line = LineDraft(order=len(self.lines))
            for h in real:
                line.add_agent(h.value, h.start, h.end)
                line.doses.extend(doses_after(text, h, sent.end))
                if h.fuzzy:
                    line.notes.append(f"{text[h.start : h.end]!r} read as {h.value} (closest known code name)")
            self.lines.append(line)
            self.current = len(self.lines) - 1
            day = next((d for d in self.days if d[1] > real[0].start), None)
            if day is not None:
                self.start_days[self.current] = day
            start_date = next((d for d in dates), None)
            if start_date is None and self.last_date is not None:
                start_date = self.last_date
            if start_date is not None:
                self.start_dates[self.current] = start_date
                line.start = start_date.iso
                if start_date.start >= sent.start:
                    line.support("start", start_date.start, start_date.end)
        if new_hits or summarised is not None:
            assert self.current is not None
            self._attach(self.current, Span(intro_start, sent.end), dates, is_intro=True)
        elif prior is None and self.current is not None and not failed:
            self._attach(self.current, sent, dates, is_intro=False)
        if old_refs and not new_hits and old_refs[-1][0].start >= first_new:
            pass
        last = self.current
        if (
            last is not None
            and self.days
            and not self.lines[last].progressed
            and not new_hits
            and re.search(r"\b(?:last\s+follow[\s\-]*up|continue[sd]?|ongoing|remains?)\b", text[sent.start : sent.end])
        ):
            self._day_pfs(last, self.days[-1], censored=True)
        if dates:
            self.last_date = dates[-1]
        for mut in find_mutations(text, sent.start, sent.end):
            self.mutations.append(mut)
            target = self._resistance_target(mut.start, first_new, prior, sent)
            if target is not None:
                label = f"{mut.gene} {mut.protein or mut.coding}"
                line_d = self.lines[target]
                if label not in line_d.resistance_mutations:
                    line_d.resistance_mutations.append(label)
                    line_d.support("resistance_mutations", mut.start, mut.end)

    def _failed_list(self, sent: Span) -> list[DrugHit]:
        """Earlier drugs listed after "after failure of" / "progressed on" that are not lines yet."""
        text = self.text
        m = _FAILED_LIST.search(text, sent.start, sent.end)
        if m is None:
            return []
        out: list[DrugHit] = []
        pos = m.end()
        for h in find_drugs(text, m.end(), sent.end):
            gap = text[pos : h.start]
            if (out and not re.fullmatch(r"\s*(?:,\s*|,?\s*(?:and|or)\s+)", gap)) or (not out and gap.strip()):
                break
            out.append(h)
            pos = h.end
        return [h for h in out if self._line_of(h.value) is None]

    def _resistance_target(self, pos: int, first_new: int, prior: int | None, sent: Span) -> int | None:
        """The line a newly found mutation explains: the line that progressed before it was found.

        A mutation written before the drug of a new line in the same sentence ("a rebiopsy showed
        G1202R and lorlatinib was started") belongs to the line before; one reported with a line that
        has just started but has not progressed ("at progression on crizotinib, sequencing showed
        F1174L"; "switched to lorlatinib; the rebiopsy had shown G1202R") belongs to the progressed line
        before it.
        """
        if pos < first_new and prior is not None and self.lines[prior].progressed:
            return prior
        if self.current is None:
            return None
        if self.lines[self.current].progressed:
            return self.current
        before = self.current - 1
        if before >= 0 and self.lines[before].progressed and _REBIOPSY.search(self.text, sent.start, sent.end):
            return before
        return None

    # ------------------------------------------------------------------ attach facts to a line
    def _attach(self, idx: int, span: Span, dates: list[MonthDate], *, is_intro: bool) -> None:
        text = self.text
        line = self.lines[idx]
        if span.end <= span.start:
            return
        hits = find_responses(text, span.start, span.end)
        progression = _PROGRESSION.search(text, span.start, span.end)
        shrinkage = _SHRINKAGE.search(text, span.start, span.end)
        if shrinkage is not None and (progression is None or shrinkage.start() < progression.start()):
            line.measured_shrinkage = True
        if (
            progression is not None
            and idx > 0
            and self.lines[idx - 1].progressed
            and re.search(
                r"\bat\s+(?:the\s+time\s+of\s+)?$",
                text[max(span.start, progression.start() - 20) : progression.start()],
            )
        ):
            progression = None  # "the rebiopsy at progression showed ...": the progression of the line before
        for hit in hits:
            self._response(line, hit, progression)
        if (
            progression is not None
            and line.best_response is None
            and line.response_as_written is None
            and not line.measured_shrinkage
            and (any(h.negated for h in hits) or (is_intro and not hits))
        ):
            # "failed to achieve a partial response and progressed": only failure is reported
            line.best_response = Response.PD
            line.support("best_response", progression.start(), progression.end())
        if progression is not None and not line.progressed:
            self._progressed(idx, span, progression, dates)
        for d in find_durations(text, span.start, span.end):
            self._duration(idx, d, span)

    def _response(self, line: LineDraft, hit: ResponseHit, progression: re.Match[str] | None) -> None:
        if hit.negated:
            line.notes.append(f"negated response statement: {hit.as_written!r}")
            return
        if hit.category is None:
            if line.response_as_written is None and line.best_response is None:
                line.response_as_written = hit.as_written
                line.support("response_as_written", hit.start, hit.end)
            return
        if hit.category is Response.PD:
            # progression after a response (or a measured shrinkage) is how the line ended, not its best response
            if line.best_response is None and line.response_as_written is None and not line.measured_shrinkage:
                line.best_response = Response.PD
                line.support("best_response", hit.start, hit.end)
            return
        if line.best_response is None or rank(hit.category) < rank(line.best_response):
            line.best_response = hit.category
            line.drop("best_response")
            line.support("best_response", hit.start, hit.end)
            if line.response_as_written is None:
                line.response_as_written = hit.as_written
                line.support("response_as_written", hit.start, hit.end)

    def _progressed(self, idx: int, span: Span, m: re.Match[str], dates: list[MonthDate]) -> None:
        line = self.lines[idx]
        line.progressed = True
        line.reason_stopped = StopReason.PROGRESSION
        line.support("reason_stopped", m.start(), m.end())
        day = next((d for d in reversed(self.days) if d[1] < span.end), None)
        if day is not None:
            self._day_pfs(idx, day, censored=False)
        start = self.start_dates.get(idx)
        end_date = next((d for d in reversed(dates) if d.start < span.end), None) or self.last_date
        if start is not None and end_date is not None and end_date is not start:
            months = start.months_until(end_date)
            if months > 0:
                line.end = end_date.iso
                self.pfs.setdefault(idx, []).append(
                    PfsCandidate(float(months), False, [(start.start, start.end), (end_date.start, end_date.end)], 0)
                )

    def _day_pfs(self, idx: int, day: tuple[int, int, int], *, censored: bool) -> None:
        """PFS from day counts of a timeline: (day of the event - day of the start) / 30.4375.

        Without a day written at the start of the line, the count runs from the start of the line
        ("At week 36 ... progression" after "Ceritinib was started").
        """
        start = self.start_days.get(idx)
        begin = 0 if start is None else start[0]
        if day[0] > begin:
            months = round((day[0] - begin) / DAYS_PER_MONTH, 2)
            spans = [day[1:]] if start is None else [start[1:], day[1:]]
            self.pfs.setdefault(idx, []).append(PfsCandidate(months, censored, spans, -1))

    def _duration(self, idx: int, d: Duration, span: Span) -> None:
        """A duration written about line ``idx``: a PFS candidate unless it times a dose or an assessment."""
        text = self.text
        before = text[max(span.start, d.start - 50) : d.start]
        before = re.split(r"[.;]\s", before)[-1]
        after = text[d.end : min(span.end, d.end + 40)]
        if re.search(r"\b(?:of|mg|dose|cycles?)\s*$", before, re.I) and not _PFS_STATEMENT.search(before):
            return
        if re.search(r"\btaper\w*\s+(?:over\s+)?$", before, re.I):
            return  # "tapered over 6 weeks": a dose schedule
        clause_after = re.split(r"[.;]\s", text[d.end : min(span.end, d.end + 120)])[0]
        if _TOXICITY_STOP.match(clause_after):
            line = self.lines[idx]
            if not line.progressed:
                line.reason_stopped = StopReason.TOXICITY
                line.support("reason_stopped", d.start, d.end + len(clause_after))
            return  # "stopped after 5 weeks because of grade 3 hepatitis": a line stopped for toxicity has no PFS
        still = bool(_STILL_AFTER.match(clause_after))
        if is_assessment_time(before, clause_after) and not still:
            return
        if (
            re.search(r"\bafter\s+(?:\w+\s+)?$", before, re.I)
            and re.search(r"^\s+of\s+(?:\w+\s+)?(?:treatment|therapy)", after)
            and not (PROGRESSED.search(before) or CENSORED.search(before) or still or _RUNNING.search(before))
            and not _PROGRESSION.search(re.split(r",|\bwhich\b|\buntil\b", clause_after)[0])
        ):
            return  # "after 5 months of treatment": the time of an assessment
        if re.search(r"\b(?:age|aged|old|within|ago|before|prior)\b", before, re.I) or re.search(r"^[\s\-]*old", after):
            return
        dose = re.search(r"\d\s*(?:mg|g|mg/m2|mg/m²|mg/kg)\b([^.;]{0,40})$", before, re.I)
        if dose and not re.search(r"[,:]", dose.group(1)):
            return  # "90 mg once daily for 7 days": part of a dose schedule ("600 mg BID: PR, PFS 20 mo" is not)
        if not (_PFS_STATEMENT.search(before) or PROGRESSED.search(before) or CENSORED.search(before)):
            return
        censored = d.censored
        if censored is None and re.search(r"\b(?:progress\w*|relaps\w*|resist\w*)\b", after, re.I):
            censored = False
        if (
            censored is None
            and _PROGRESSION.search(re.split(r",|\bwhich\b|\buntil\b", clause_after)[0])
            and re.search(r"\b(?:after|at)\s+$", before, re.I)
        ):
            censored = False  # "CT after 2 months showed enlargement of the mass"
        if censored is None and (still or _RUNNING.search(before)):
            censored = True  # "has received it for 2 months", "stable disease after 6 months, which continues"
        self.pfs.setdefault(idx, []).append(PfsCandidate(d.months, censored, [(d.start, d.end)], 1))

    # ------------------------------------------------------------------ later statements
    def add_statement(self, sent: Span, rank: int) -> None:
        """Read a sentence from the abstract, discussion or a caption about this patient.

        It can add PFS statements (for conflicts) and fill a missing response of the line whose
        drug it names; it never creates lines.
        """
        text = self.text
        hits = find_drugs(text, sent.start, sent.end)
        idxs = sorted({i for h in hits if (i := self._line_of(h.value)) is not None})
        if not idxs:
            if not self.lines or not re.search(r"\bthe\s+(?:treatment|therapy)\b", text[sent.start : sent.end], re.I):
                return
            idxs = [0]
        if len(idxs) != 1:
            return
        idx = idxs[0]
        line = self.lines[idx]
        for hit in find_responses(text, sent.start, sent.end):
            if hit.category is not None and line.best_response is None and not hit.negated:
                if hit.category is Response.PD and line.response_as_written is not None:
                    continue
                line.best_response = hit.category
                line.support("best_response", hit.start, hit.end)
            elif (
                hit.category is None
                and not hit.negated
                and line.response_as_written is None
                and line.best_response is None
            ):
                line.response_as_written = hit.as_written
                line.support("response_as_written", hit.start, hit.end)
        for d in find_durations(text, sent.start, sent.end):
            before = re.split(r"[.;]\s", text[max(sent.start, d.start - 60) : d.start])[-1]
            if re.search(r"\bafter\s+(?:\w+\s+)?$", before, re.I) and re.search(
                r"^\s+of\s+(?:\w+\s+)?(?:treatment|therapy)", text[d.end : d.end + 30]
            ):
                continue
            if not (PROGRESSED.search(before) or CENSORED.search(before) or _PFS_STATEMENT.search(before)):
                continue
            censored = d.censored
            after = text[d.end : min(sent.end, d.end + 40)]
            if (
                censored is None
                and re.search(r"\bafter\s+start", after, re.I)
                and PROGRESSED.search(text[sent.start : sent.end])
            ):
                censored = False
            self.pfs.setdefault(idx, []).append(PfsCandidate(d.months, censored, [(d.start, d.end)], rank))

    # ------------------------------------------------------------------ finish
    def resolve_pfs(self) -> list[tuple[int, list[PfsCandidate], PfsCandidate]]:
        """Choose each line's PFS (dates, then narrative, then other sections) and report disagreements.

        Returns
        -------
        list
            ``(line index, all candidates, chosen)`` for lines whose candidates disagree.
        """
        conflicts = []
        for idx, cands in self.pfs.items():
            line = self.lines[idx]
            ending = {False: 0, True: 1, None: 2}
            ordered = sorted(cands, key=lambda c: (c.rank, ending[c.censored], c.spans[0][0]))
            chosen = ordered[0]
            if chosen.censored is True:
                censored_all = [c for c in cands if c.rank == chosen.rank and c.censored]
                chosen = max(censored_all, key=lambda c: c.months)
            line.pfs_months = chosen.months
            line.pfs_censored = chosen.censored if chosen.censored is not None else (False if line.progressed else None)
            if (
                line.pfs_censored is None
                and not line.progressed
                and CENSORED.search(self.text[chosen.spans[0][0] - 60 : chosen.spans[0][0]])
            ):
                line.pfs_censored = True
            if idx < len(self.lines) - 1 and line.pfs_censored is not False:
                line.pfs_censored = False  # a later line followed
            for s, e in chosen.spans:
                line.support("pfs_months", s, e)
            distinct = {round(c.months, 1) for c in cands}
            if len(distinct) > 1:
                exact = [c for c in cands if c.censored is not True]
                if (
                    len({round(c.months, 1) for c in exact}) > 1
                    or not exact
                    or (any(c.censored is True and c.months > max(x.months for x in exact) for c in cands))
                ):
                    conflicts.append((idx, cands, chosen))
        return conflicts

    def mark_censoring(self, sentences: list[Span]) -> None:
        """Lines still working at the last report ("maintained to date") are censored."""
        for idx, line in enumerate(self.lines):
            if line.progressed or line.pfs_months is None or line.pfs_censored is not None:
                continue
            if idx == len(self.lines) - 1:
                for sent in sentences:
                    if re.search(
                        r"\b(?:to\s+date|ongoing|until\s+now|so\s+far|remains|continues)\b",
                        self.text[sent.start : sent.end],
                        re.I,
                    ):
                        line.pfs_censored = True
                        break
