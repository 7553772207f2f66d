"""Ordering of therapy lines in a narrative: first-line, subsequently, after progression, salvage, switched to.

:func:`narrative_lines` walks the sentences of one patient's story in order. Drugs named for the
first time start a line (drugs named together form one combination line; sequence words such as
"followed by" or "switched to" split them); drugs already seen refer back to their line unless
the text says "rechallenge"/"again". Responses, progression, dates, durations and resistance
mutations are attached to the line they are written about.
"""

from __future__ import annotations

import re

from caseseries.extraction.agents import (
    SEQUENCE,
    class_matches,
    doses_after,
    find_agents,
    first_mentions,
    groups,
    is_given,
    itemised,
    unnamed_class,
    without_generic_chemotherapy,
)
from caseseries.extraction.annotate import Guarded, found, per_document
from caseseries.extraction.draft import UNNAMED, LineDraft
from caseseries.extraction.entities import DrugHit, MutationHit, find_mutations
from caseseries.extraction.pfs import (
    PfsCandidate,
    is_assessment_time,
    read_duration,
)
from caseseries.extraction.responses import ResponseHit, find_responses, rank
from caseseries.extraction.sentences import Span
from caseseries.extraction.timeline import (
    CENSORED,
    DAYS_PER_MONTH,
    NUMBER_WORDS,
    Duration,
    MonthDate,
    find_dates,
    find_durations,
)
from caseseries.extraction.wording import cue, guarded
from caseseries.model import Response, StopReason
from caseseries.vocab import drugs
from caseseries.vocab.trie import letters_first

__all__ = ["CITED", "Narrative", "doses_after", "is_assessment_time", "is_background"]

_AGAIN = guarded("again")
_SUMMARISED = guarded("summarised")
CITED = cue("cited")
# Words of general statements about drugs: approvals, trials, other diseases, what drugs can do.
_GENERAL = letters_first(cue("general"))
# What ties a sentence to the patient whose story is told.
_PATIENT_ANCHOR = letters_first(cue("patient_anchor"))


_OTHER_PERSON = letters_first(cue("other_person"))


@per_document
def is_background(text: str, sent: Span) -> bool:
    """Whether a sentence speaks of drugs in general or of other patients, not of this patient.

    "Crizotinib produces objective responses in most children with ALK-rearranged IMT [1]",
    "Ensartinib was approved in 2024 for ALK-positive lung cancer": a citation or words of general
    statements, and nothing that ties the sentence to the patient (a pronoun, "the patient",
    "was started", "received"). Such sentences start no line and add nothing to one.
    """
    cited = found(CITED, text, sent.start, sent.end)
    if cited and found(_OTHER_PERSON, text, sent.start, sent.end):
        return True  # "A 33-year-old woman reported by Okafor et al. [7] received alectinib"
    if found(_PATIENT_ANCHOR, text, sent.start, sent.end):
        return False
    return cited or found(_GENERAL, text, sent.start, sent.end)


_REBIOPSY = cue("rebiopsy")
# a mutation written as an attribute of the tumour ("F1174L-mutated", "F1174L-positive neuroblastoma")
_DRIVER = cue("driver")
_ABOUT_NEXT = cue("about_next")
_PROGRESSION = guarded("progression")
# a timeline counted in days or weeks from the start of a drug (not "post-operative day 9", "week 14 after surgery")
_DAY = Guarded(
    re.compile(r"\b(?<!operative\s)(day|week)\s+(\d{1,4})\b(?!\s+(?:after|post|of|from|since)\b)", re.I),
    ("day", "week"),
)
_SHRINKAGE = guarded("shrinkage")
# a sentence that sums the case up rather than telling its course
_SUMMARY = guarded("summary")
# "three short courses of chemotherapy", "high-dose chemotherapy": a new chemotherapy, not the earlier one
_FRESH_CHEMOTHERAPY = cue("fresh_chemotherapy")
_WITH_NEW = re.compile(r"\s*(?:\(\w+\)\s*)?(?:with|and|plus)\s+(?:[\w\-]+\s+){0,2}", re.I)
_DATE_REACH = 300  # characters between a date and the drug of a line that started on it, in one paragraph
_MAINTENANCE = cue("maintenance")


_JOIN = re.compile(
    r"\s*(?:,|and|with|plus|\+|/|along\s+with|together\s+with|combined\s+with|in\s+combination\s+with)\s*"
    r"(?:(?:continuous|concurrent|ongoing|continued)\s+)?(?:(?:treatment|therapy)\s+with\s+)?",
    re.I,
)


def _joined(text: str, group: list[DrugHit], old: list[DrugHit]) -> list[DrugHit]:
    """Drugs of earlier lines named within a new combination ("steroids and methotrexate" after steroids)."""
    out: list[DrugHit] = []
    for h in old:
        if any(
            (h.end <= k.start and _JOIN.fullmatch(text, h.end, k.start))
            or (k.end <= h.start and _JOIN.fullmatch(text, k.end, h.start))
            for k in group
        ):
            out.append(h)
    return out


@per_document
def is_summary(text: str, sent: Span) -> bool:
    """Whether a sentence sums the case up: a title or heading line, or "we report a case of ..."."""
    if _SUMMARY.search(text, sent.start, sent.end):
        return True
    body = text[sent.start : sent.end].rstrip()
    own_line = (sent.start == 0 or text[sent.start - 1] == "\n") and text[sent.end : sent.end + 1] in ("\n", "")
    return own_line and not body.endswith((".", "!", "?")) and len(body.split()) <= 30


_FAILED_LIST = guarded("failed_list")


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
        self.failed_region = (0, 0)  # "after progression on X and Y" in the sentence being read

    # ------------------------------------------------------------------ main walk
    def read(self, sentences: list[Span]) -> None:
        """Read the narrative sentences in order, creating and filling lines.

        Sentences that sum the case up (a title, "we report a case ... treated with X after
        progression on Y") are read after the course of treatment, so a drug they name first is
        not line 1 when the course names the lines in order; a summary naming only drugs of known
        lines adds to them as a side statement.
        """
        text = self.text
        told = [s for s in sentences if not is_background(text, s)]
        course = [s for s in told if not is_summary(text, s)]
        in_course = {h.value for s in course for h in find_agents(text, s.start, s.end) if is_given(text, h, s)}
        later: list[Span] = []
        for sent in told:
            if sent in course:
                self._sentence(sent)
                continue
            hits = [h for h in find_agents(text, sent.start, sent.end) if is_given(text, h, sent)]
            # "lorlatinib ..., a third-generation ALK inhibitor": the class is a drug the course names
            known = in_course | {h.value for h in hits}
            skip = in_course | {h.value for h in hits if any(class_matches(h.value, v) for v in known)}
            if any(h.value not in skip and self._line_of(h.value) is None for h in hits):
                self._sentence(sent, skip=skip)
            else:
                later.append(sent)
        for sent in later:
            self.add_statement(sent, 2)
        self._resolve_classes(sentences)

    def _line_of(self, name: str) -> int | None:
        """The last line with this agent; for an unnamed class, the last line with it or a drug of it."""
        for i in range(len(self.lines) - 1, -1, -1):
            line = self.lines[i]
            if name in line.agents or name in line.unnamed:
                return i
            if unnamed_class(name) is not None and any(class_matches(name, a) for a in line.agents):
                return i
        return None

    def _resolve_classes(self, sentences: list[Span]) -> None:
        """Name an unnamed class when the patient's text names exactly one drug of it that is no line's.

        "disease control with a first-generation ALK inhibitor" ... "resistance to crizotinib":
        the first line is crizotinib.
        """
        named = {h.value: h for s in sentences for h in find_agents(self.text, s.start, s.end)}
        taken = {a for line in self.lines for a in line.agents}
        for line in self.lines:
            if line.agents or len(line.unnamed) != 1:
                continue
            fits = [h for name, h in named.items() if name not in taken and class_matches(line.unnamed[0], name)]
            if len(fits) == 1:
                line.notes.append(
                    f"{line.unnamed[0][len(UNNAMED) :]!r} read as {fits[0].value} (named later in the text)"
                )
                line.unnamed = []
                line.add_agent(fits[0].value, fits[0].start, fits[0].end)

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

    def _sentence(self, sent: Span, skip: set[str] | None = None) -> None:
        text = self.text
        self.failed_region = (0, 0)
        dates = find_dates(text, sent.start, sent.end)
        self.days = [
            (int(m.group(2)) * (7 if m.group(1).lower() == "week" else 1), m.start(), m.end())
            for m in _DAY.finditer(text, sent.start, sent.end)
        ]
        failed = self._failed_list(sent)
        hits = [
            h
            for h in find_agents(text, sent.start, sent.end)
            if is_given(text, h, sent) and h not in failed and h.value not in (skip or ())
        ]
        summarised = _SUMMARISED.search(text, sent.start, sent.end)
        new_hits: list[DrugHit] = []
        old_refs: list[tuple[DrugHit, int]] = []
        again = bool(_AGAIN.search(text, sent.start, sent.end))
        named_new = any(k.value != "chemotherapy" and self._line_of(k.value) is None for k in hits)
        for h in hits:
            idx = self._line_of(h.value)
            if idx is None:
                idx = self._line_of_class(h.value)
            fresh = (
                named_new
                and h.value == "chemotherapy"
                and (
                    _FRESH_CHEMOTHERAPY.search(text, max(sent.start, h.start - 40), h.start)
                    or any(  # "brentuximab vedotin (BV) with conventional chemotherapy": part of the new combination
                        self._line_of(k.value) is None and _WITH_NEW.fullmatch(text, k.end, h.start)
                        for k in hits
                        if k.end <= h.start
                    )
                )
            )
            if idx is None or (again and idx != self.current) or fresh:
                new_hits.append(h)
            else:
                old_refs.append((h, idx))
        if summarised is not None:
            new_hits = [h for h in new_hits if not (summarised.start() <= h.start < summarised.end())]
        new_hits = first_mentions(new_hits)
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
        listed = itemised(text, summarised, sent) if summarised is not None else None
        if listed is not None:
            after_each = bool(
                re.search(r"\b(?:progress\w*|PD)\b[^.]{0,40}\bafter\s+each\b", text[sent.start : sent.end])
            )
            for part in listed:
                line = LineDraft(order=len(self.lines))
                for h in part:
                    line.add_agent(h.value, h.start, h.end)
                if after_each:
                    line.best_response = Response.PD
                    line.progressed = True
                self.lines.append(line)
                self.current = len(self.lines) - 1
            inside = {h.start for part in listed for h in part}
            new_hits = [h for h in new_hits if h.start not in inside]
            summarised = None
        if summarised is not None:
            raw = summarised.group(1).lower()
            count = int(raw) if raw.isdigit() else int(NUMBER_WORDS.get(raw, 0))
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
        created: list[tuple[int, int]] = []  # (line, position where the words about it begin)
        previous_end = sent.start
        for group in groups(text, [h for h in new_hits]):
            real = without_generic_chemotherapy(text, group)
            if (
                self.current is not None
                and self.lines[self.current].given
                and _MAINTENANCE.search(text, max(sent.start, real[0].start - 40), min(sent.end, real[-1].end + 40))
            ):
                for h in real:  # "followed by vinblastine maintenance": maintenance continues the line
                    self.lines[self.current].add_agent(h.value, h.start, h.end)
                continue
            line = LineDraft(order=len(self.lines))
            for h in [*real, *_joined(text, real, [h for h, _ in old_refs])]:
                line.add_agent(h.value, h.start, h.end)
                line.doses.extend(doses_after(text, h, sent.end))
                if h.fuzzy:
                    line.notes.append(f"{text[h.start : h.end]!r} read as {h.value} (closest known code name)")
            self.lines.append(line)
            self.current = len(self.lines) - 1
            begin = intro_start
            if created:  # the words about this line begin at the sequence word before it ("..., subsequently X")
                seq = list(SEQUENCE.finditer(text, previous_end, group[0].start))
                # "after progression, X": the progression ends the line before
                begin = (
                    (seq[-1].end() if seq[-1].group(0).lower().startswith("after") else seq[-1].start())
                    if seq
                    else group[0].start
                )
            previous_end = group[-1].end
            created.append((self.current, begin))
            day = next((d for d in self.days if d[1] > real[0].start), None)
            if day is not None:
                self.start_days[self.current] = day
            self._start_date(self.current, real[0].start, dates)
        for k, (idx, begin) in enumerate(created):
            stop = created[k + 1][1] if k + 1 < len(created) else sent.end
            self._attach(idx, Span(begin, stop), dates, is_intro=True)
        if (new_hits or summarised is not None) and not created:
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
            if _DRIVER.match(text, mut.end, sent.end):
                continue  # "ALK F1174L-mutated neuroblastoma": the tumour's own mutation, not a resistance
            target = self._resistance_target(mut.start, first_new, prior, sent)
            if target is not None:
                label = f"{mut.gene} {mut.protein or mut.coding}"
                line_d = self.lines[target]
                if label not in line_d.resistance_mutations:
                    line_d.resistance_mutations.append(label)
                    line_d.support("resistance_mutations", mut.start, mut.end)

    def _start_date(self, idx: int, at: int, dates: list[MonthDate]) -> None:
        """The start date of a new line: the date of its sentence nearest its drug that no other line started on.

        Without a date in the sentence, the last date read counts when no other line started on it:
        for PFS arithmetic, and as the line's ``start`` (with that date as its evidence) when it was
        written shortly before the drug in the same paragraph, so a later line never inherits an
        earlier line's start date.
        """
        used = {(d.start, d.end) for d in self.start_dates.values()}
        free = [d for d in dates if (d.start, d.end) not in used]
        if free:
            date = min(free, key=lambda d: abs(d.start - at))
            self.start_dates[idx] = date
            self.lines[idx].start = date.iso
            self.lines[idx].support("start", date.start, date.end)
        elif self.last_date is not None and (self.last_date.start, self.last_date.end) not in used:
            date = self.last_date
            self.start_dates[idx] = date
            if 0 <= at - date.end <= _DATE_REACH and "\n" not in self.text[date.end : at]:
                # "In March 2023, she presented with ... Methotrexate was given": the date of the line's paragraph
                self.lines[idx].start = date.iso
                self.lines[idx].support("start", date.start, date.end)

    def _failed_list(self, sent: Span) -> list[DrugHit]:
        """Earlier drugs listed after "after failure of" / "progressed on" that are not lines yet."""
        text = self.text
        m = _FAILED_LIST.search(text, sent.start, sent.end)
        if m is None:
            return []
        out: list[DrugHit] = []
        pos = m.end()
        self.failed_region = (m.start(), m.end())
        for h in find_agents(text, m.end(), sent.end):
            gap = text[pos : h.start]
            if (out and not re.fullmatch(r"\s*(?:,\s*|,?\s*(?:and|or)\s+)", gap)) or (not out and gap.strip()):
                break
            out.append(h)
            pos = h.end
        self.failed_region = (m.start(), pos)
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
        a, b = self.failed_region
        # "treated with X after progression to Y and Z": that progression ended Y and Z, not X
        progression = next(
            (m for m in _PROGRESSION.finditer(text, span.start, span.end) if not a <= m.start() < b), None
        )
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

    def _duration(self, idx: int, d: Duration, span: Span, rank: int = 1) -> None:
        """A duration written about line ``idx``: a PFS candidate unless it times a dose or an assessment."""
        reading = read_duration(self.text, d, span.start, span.end)
        if reading.kind == "toxicity":
            line = self.lines[idx]
            if not line.progressed:
                line.reason_stopped = StopReason.TOXICITY
                line.support("reason_stopped", d.start, reading.clause_end)
            return  # "stopped after 5 weeks because of grade 3 hepatitis": a line stopped for toxicity has no PFS
        if reading.kind == "pfs":
            self.pfs.setdefault(idx, []).append(
                PfsCandidate(d.months, reading.censored, [(d.start, d.end)], rank, reading.floor, reading.lower_bound)
            )

    # ------------------------------------------------------------------ later statements
    def add_statement(self, sent: Span, rank: int) -> None:
        """Read a sentence from the abstract, discussion or a caption about this patient.

        It can add PFS statements (for conflicts) and fill a missing response of the line whose
        drug it names; it never creates lines.
        """
        text = self.text
        hits = find_agents(text, sent.start, sent.end)
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
            self._duration(idx, d, sent, rank)

    # ------------------------------------------------------------------ finish
    def resolve_pfs(self) -> list[tuple[int, list[PfsCandidate], PfsCandidate]]:
        """Choose each line's PFS (dates, then narrative, then other sections) and report disagreements.

        Returns
        -------
        list
            ``(line index, all candidates, chosen)`` for lines whose candidates disagree.
        """
        conflicts = []
        for idx, written in self.pfs.items():
            line = self.lines[idx]
            last = idx == len(self.lines) - 1
            # the time a response was seen is the PFS only of a last line that never progressed
            cands = [c for c in written if not c.floor or (last and not line.progressed)]
            if not cands:
                continue
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
            ended = [s for k, s, _ in line.spans if k == "reason_stopped" and line.progressed]
            if chosen.lower_bound and ended:
                line.pfs_censored = None  # "over one year" and a progression written elsewhere (decision 24)
            elif line.pfs_censored is True and any(0 < s - chosen.spans[-1][0] < 200 for s in ended):
                line.pfs_censored = False  # "remained stable for 1 year; then developed metastases"
            if not last and line.pfs_censored is not False and not chosen.lower_bound:
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
