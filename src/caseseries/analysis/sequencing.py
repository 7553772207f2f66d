"""Sequencing: what followed what, and what happened to comparable published patients.

:func:`transitions` lists, for every patient with two or more lines, each pair of consecutive
lines (line n -> line n+1) with responses and PFS; :func:`transition_summary` pools them by
regimen. :func:`similar` answers "what happened next to published patients like this one"
(e.g. after alectinib with ALK G1202R), each patient with its citation. Lines that follow a
resistance mutation carry the knowledge layer's *reported* evidence for the mutation and the
line's agents. This is evidence from published reports, never a treatment recommendation.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from caseseries.analysis.cohort import Cohort, LineUnit, mutation_key
from caseseries.analysis.response import ResponseSummary, regimen, summarise_responses
from caseseries.knowledge.resistance import annotate_line
from caseseries.model.case import CitedReference, Patient, TherapyLine
from caseseries.model.casejson import CaseDocument, CaseFile, Source
from caseseries.model.enums import CurationStatus, DrugClass
from caseseries.vocab import drugs


def citation(doc: CaseDocument, patient: Patient) -> str:
    """The reference of a patient: marker plus first author, journal and year when resolved.

    Falls back to the document's citation, title or path (e.g. for the index patient of a report).

    Examples
    --------
    ``"[9] Carballo et al., Gynecol Oncol Rep 2022"``
    """
    cited: CitedReference | None = patient.cited
    marker = patient.reference or (cited.marker if cited else None)
    resolved = ""
    if cited and (cited.first_author or cited.journal or cited.year):
        author = f"{cited.first_author} et al." if cited.first_author else ""
        resolved = ", ".join(p for p in (author, " ".join(str(x) for x in (cited.journal, cited.year) if x)) if p)
    if not resolved and not marker:
        resolved = short_source(doc)
    return " ".join(p for p in (marker, resolved) if p)


_JOURNAL_YEAR = re.compile(r"\.\s+([A-Z][^.;]*?)\.?\s+((?:19|20)\d{2})\s*;")
_YEAR = re.compile(r"\b((?:19|20)\d{2})\b")


def short_source(doc: CaseDocument) -> str:
    """First author, journal and year of a document's citation (``Wu SC et al., J Cancer Res Pract 2024``)."""
    s = doc.source
    text = s.citation or ""
    if not text:
        return s.title or s.path or (f"PMID {s.pmid}" if s.pmid else "source not recorded")
    author = re.split(r"[,.]", text, maxsplit=1)[0].strip()
    found = _JOURNAL_YEAR.findall(text)
    if found:
        journal, year = found[-1]
        return f"{author} et al., {journal.strip()} {year}"
    years = _YEAR.findall(text)
    return f"{author} et al., {years[-1]}" if years else text


_INITIALS = re.compile(r"(?:\s+[A-Z]{1,3})+$")


def author_year(source: Source) -> str:
    """The short citation of a source: first author's surname and year (``Wu 2024``).

    Uses the source's ``first_author`` and ``year`` when recorded, otherwise reads them from its
    citation; falls back to the title, the file name or the PMID.

    Examples
    --------
    >>> author_year(Source(citation="Wu SC, Chen HW. A case. J Cancer Res Pract 2024;11:44-8."))
    'Wu 2024'
    """
    text = source.citation or ""
    author = source.first_author
    if not author and text:
        author = _INITIALS.sub("", re.split(r"[,.]", text, maxsplit=1)[0].strip()) or None
    year: int | str | None = source.year
    if year is None and text:
        found = _JOURNAL_YEAR.findall(text)
        years = [y for _, y in found] or _YEAR.findall(text)
        year = years[-1] if years else None
    if author:
        return f"{author} {year}" if year else author
    if source.title:
        return source.title
    if source.path:
        return PurePath(source.path).name
    return f"PMID {source.pmid}" if source.pmid else "source not recorded"


UNREVIEWED = "unreviewed"


class PatientLabels:
    """How the report names a patient: the source's short citation and the source's own label.

    ``Wu 2024, Table 1, case 2``; ``Smith 2019a, case 1`` when two different publications share
    an author and year; `` (unreviewed)`` added for a patient extracted but not yet reviewed.
    Every table, the sequencing table, the swimmer plot and the timelines use this one naming.

    Parameters
    ----------
    case_file : CaseFile
        The whole case series (so that the a/b suffixes do not depend on the cohort shown).
    """

    def __init__(self, case_file: CaseFile) -> None:
        by_short: dict[str, list[str]] = {}
        self._short: dict[str, str] = {}
        self._citation_of: dict[str, str] = {}
        for doc in case_file.documents:
            short = author_year(doc.source)
            cited = doc.source.citation or doc.key()
            self._citation_of[doc.key()] = cited
            if cited not in by_short.setdefault(short, []):
                by_short[short].append(cited)
        suffixed: dict[tuple[str, str], str] = {}
        for short, citations in by_short.items():
            for i, cited in enumerate(citations):
                suffixed[(short, cited)] = short if len(citations) == 1 else f"{short}{_suffix(i)}"
        for doc in case_file.documents:
            key = doc.key()
            self._short[key] = suffixed[(author_year(doc.source), self._citation_of[key])]

    def source(self, doc: CaseDocument) -> str:
        """The short citation of a document (``Wu 2024``; ``Smith 2019b`` when ambiguous)."""
        return self._short.get(doc.key()) or author_year(doc.source)

    def __call__(self, doc: CaseDocument, patient: Patient) -> str:
        """The label of a patient: ``Wu 2024, Table 1, case 2`` (`` (unreviewed)`` when extracted only)."""
        text = f"{self.source(doc)}, {patient.label}"
        if patient.curation_status is CurationStatus.EXTRACTED:
            text += f" ({UNREVIEWED})"
        return text


def _suffix(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(ord("a") + r) + letters
    return letters


def line_text(line: TherapyLine) -> str:
    """A compact description of a line: regimen, response and PFS (``alectinib: PR, PFS 5 mo``)."""
    if line.best_response:
        parts = [line.best_response.value]
    else:
        parts = [f'"{line.response_as_written}"' if line.response_as_written else "response not reported"]
    if line.pfs_months is not None:
        if line.pfs_censored:
            parts.append(f"ongoing after {line.pfs_months:g} mo")
        else:
            parts.append(f"PFS {line.pfs_months:g} mo")
    name = f"{line.summarised_lines} lines of {regimen(line.agents)}" if line.summarised_lines else regimen(line.agents)
    return f"{name}: {', '.join(parts)}"


@dataclass(frozen=True, slots=True)
class Transition:
    """Line n followed by line n+1 in one patient."""

    patient_index: int
    label: str
    reference: str
    before: TherapyLine
    after: TherapyLine

    @property
    def mutations(self) -> list[str]:
        """Resistance mutations reported at progression on the earlier line."""
        return list(self.before.resistance_mutations)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "patient": self.label,
            "reference": self.reference,
            "from_line": self.before.line,
            "from": regimen(self.before.agents),
            "from_response": self.before.best_response.value if self.before.best_response else None,
            "from_pfs_months": self.before.pfs_months,
            "to_line": self.after.line,
            "to": regimen(self.after.agents),
            "to_response": self.after.best_response.value if self.after.best_response else None,
            "to_pfs_months": self.after.pfs_months,
            "to_pfs_censored": self.after.pfs_censored,
            "resistance_mutations": self.mutations,
        }


def transitions(case_file: CaseFile, labels: PatientLabels | None = None) -> list[Transition]:
    """Every pair of consecutive lines, for patients with two or more lines, in case-file order.

    ``labels`` names the patients (default: :class:`PatientLabels` of ``case_file``).
    """
    labels = labels or PatientLabels(case_file)
    out: list[Transition] = []
    for index, (doc, patient) in enumerate(case_file.patients()):
        ref = citation(doc, patient)
        for before, after in itertools.pairwise(patient.lines):
            out.append(Transition(index, labels(doc, patient), ref, before, after))
    return out


@dataclass(frozen=True)
class TransitionGroup:
    """Transitions pooled by regimen pair, with the responses to the later line."""

    before: str
    after: str
    n: int
    responses: ResponseSummary

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"from": self.before, "to": self.after, "n": self.n, "response": self.responses.to_dict()}


def transition_summary(items: Sequence[Transition]) -> list[TransitionGroup]:
    """Pool transitions by (regimen in line n, regimen in line n+1), largest groups first."""
    groups: dict[tuple[str, str], list[Transition]] = {}
    for t in items:
        groups.setdefault((regimen(t.before.agents), regimen(t.after.agents)), []).append(t)
    out = [
        TransitionGroup(a, b, len(ts), summarise_responses(t.after.best_response for t in ts))
        for (a, b), ts in groups.items()
    ]
    return sorted(out, key=lambda g: (-g.n, g.before, g.after))


@dataclass(frozen=True, slots=True)
class NextLine:
    """A line that followed the comparable situation, with reported evidence on its agents."""

    line: TherapyLine
    prior_mutations: list[str]
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        ln = self.line
        return {
            "line": ln.line,
            "agents": list(ln.agents),
            "summarised_lines": ln.summarised_lines,
            "best_response": ln.best_response.value if ln.best_response else None,
            "response_as_written": ln.response_as_written,
            "pfs_months": ln.pfs_months,
            "pfs_censored": ln.pfs_censored,
            "after_mutations": self.prior_mutations,
            "reported_evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class SimilarPatient:
    """A published patient comparable to the query, and what happened next."""

    patient_index: int
    label: str
    citation: str
    cited: CitedReference | None
    primary_site: str | None
    partners: list[str]
    prior: TherapyLine | None
    next_lines: list[NextLine]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "patient": self.label,
            "citation": self.citation,
            "pmid": self.cited.pmid if self.cited else None,
            "primary_site": self.primary_site,
            "fusion_partners": self.partners,
            "prior_line": None if self.prior is None else {
                "line": self.prior.line,
                "agents": list(self.prior.agents),
                "best_response": self.prior.best_response.value if self.prior.best_response else None,
                "pfs_months": self.prior.pfs_months,
                "pfs_censored": self.prior.pfs_censored,
                "resistance_mutations": list(self.prior.resistance_mutations),
            },
            "next_lines": [n.to_dict() for n in self.next_lines],
        }  # fmt: skip


_TARGETED = (DrugClass.ALK_INHIBITOR, DrugClass.KINASE_INHIBITOR)


def reported_evidence(mutations: Sequence[str], agents: Sequence[str]) -> list[str]:
    """The knowledge layer's reported evidence for a kinase-inhibitor line given after resistance mutations.

    Lines without a kinase inhibitor (chemotherapy, steroids) get no annotation: the resistance
    knowledge is about kinase inhibitors.
    """
    targeted = [a for a in agents if (d := drugs().lookup(a)) is not None and d.drug_class in _TARGETED]
    if not mutations or not targeted:
        return []
    return annotate_line(list(mutations), list(agents))


def _start_index(patient: Patient, cohort: Cohort) -> int:
    if cohort.mutation:
        for i, ln in enumerate(patient.lines):
            if cohort.mutation in {mutation_key(m) for m in ln.resistance_mutations}:
                return i + 1
    return 1


def similar(case_file: CaseFile, filters: Cohort, labels: PatientLabels | None = None) -> list[SimilarPatient]:
    """Published patients comparable to the filters, with what happened next.

    With line-level filters (``after``, ``agent``, ``line`` ...) the selected lines are "what
    happened next" and the line before the first of them is the prior line. Without them, the
    next lines are those after the line at which the filter's mutation was reported (or after
    line 1).

    Parameters
    ----------
    case_file : CaseFile
        The case series.
    filters : Cohort
        e.g. ``Cohort(after="alectinib", mutation="G1202R")``.
    labels : PatientLabels or None
        Names the patients (default: :class:`PatientLabels` of ``case_file``).

    Returns
    -------
    list of SimilarPatient
        In case-file order; patients without a following line are left out.
    """
    labels = labels or PatientLabels(case_file)
    selection = filters.apply(case_file)
    by_patient: dict[int, list[LineUnit]] = {}
    for u in selection.units:
        by_patient.setdefault(u.patient_index, []).append(u)
    out: list[SimilarPatient] = []
    for index, doc, patient in selection.patients:
        if filters.has_line_filter():
            lines = [u.line for u in by_patient.get(index, [])]
        else:
            lines = patient.lines[_start_index(patient, filters) :]
        if not lines:
            continue
        first = patient.lines.index(lines[0])
        prior = patient.lines[first - 1] if first > 0 else None
        next_lines = []
        for ln in lines:
            earlier = patient.lines[: patient.lines.index(ln)]
            muts = list(dict.fromkeys(m for e in earlier for m in e.resistance_mutations))
            next_lines.append(NextLine(ln, muts, reported_evidence(muts, ln.agents)))
        out.append(
            SimilarPatient(
                patient_index=index,
                label=labels(doc, patient),
                citation=citation(doc, patient),
                cited=patient.cited,
                primary_site=patient.primary_site,
                partners=[f.gene5 or "unknown" for f in patient.fusions],
                prior=prior,
                next_lines=next_lines,
            )
        )
    return out
