"""The case list and the cohort analysis of the curation app, reviewed and unreviewed patients apart.

A patient counts as *reviewed* when a person checked it: curation status ``reviewed`` (accepted
in the review) or ``curated`` (entered by hand). ``extracted`` patients await review;
``rejected`` ones are listed but left out of the analysis.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from caseseries.analysis.cohort import Cohort, partners
from caseseries.analysis.summary import Analysis, analyze
from caseseries.model import CaseDocument, CaseFile, CurationStatus, Patient
from caseseries.store import Store, StoredPatient
from caseseries.store.review_queries import patient_versions, stored_patients


class ReviewState(StrEnum):
    """Whether a person has checked a patient."""

    REVIEWED = "reviewed"
    UNREVIEWED = "unreviewed"


REVIEWED_STATUSES = (CurationStatus.REVIEWED, CurationStatus.CURATED)
UNREVIEWED_STATUSES = (CurationStatus.EXTRACTED,)
ANALYSED_STATUSES = (*REVIEWED_STATUSES, *UNREVIEWED_STATUSES)


def review_state(patient: Patient) -> ReviewState | None:
    """``reviewed``, ``unreviewed`` or None (rejected)."""
    if patient.curation_status in REVIEWED_STATUSES:
        return ReviewState.REVIEWED
    if patient.curation_status in UNREVIEWED_STATUSES:
        return ReviewState.UNREVIEWED
    return None


@dataclass(frozen=True)
class CaseFilter:
    """Filters of the case list; None or empty selects everything.

    ``disease``, ``site``, ``partner`` and ``agent`` mean what they mean for ``analyze`` (a brand
    name finds its generic, a site synonym its term); ``text`` is a case-insensitive substring of
    the label, source, diagnosis, sites, agents, fusions or notes.
    """

    disease: str | None = None
    site: str | None = None
    partner: str | None = None
    agent: str | None = None
    state: ReviewState | None = None
    text: str | None = None

    def cohort(self) -> Cohort:
        """The filters ``analyze`` shares (raises :class:`~caseseries.errors.VocabularyError` for an unknown agent)."""
        return Cohort(
            disease=self.disease or None, site=self.site or None, partner=self.partner or None, agent=self.agent or None
        )


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list."""

    id: int
    label: str
    source: str
    patient: Patient
    state: ReviewState | None
    revision: int

    @property
    def partners(self) -> str:
        """The fusions, e.g. ``EML4::ALK``."""
        return ", ".join(f.label for f in self.patient.fusions)

    @property
    def agents(self) -> list[str]:
        """Each line's agents, e.g. ``["crizotinib", "alectinib"]``."""
        return [" + ".join(ln.agents) or "?" for ln in self.patient.lines]


@dataclass(frozen=True)
class CasePage:
    """A page of the filtered case list and the counts behind it."""

    rows: list[CaseRow]
    total: int
    reviewed: int
    unreviewed: int
    offset: int
    limit: int


def source_name(sp: StoredPatient) -> str:
    """How the list names a patient's source: citation, title, PMID or path."""
    s = sp.source
    return s.citation or s.title or (f"PMID {s.pmid}" if s.pmid else None) or s.path or sp.publication_key


def _text_of(sp: StoredPatient) -> str:
    p = sp.patient
    words = [p.label, source_name(sp), p.diagnosis or "", p.histology or "", p.primary_site or "", p.reference or ""]
    words += p.metastatic_sites + p.notes + [f.label for f in p.fusions] + [f.as_written for f in p.fusions]
    words += [a for ln in p.lines for a in ln.agents]
    return "\n".join(words).lower()


def _one_document_each(stored: list[StoredPatient]) -> CaseFile:
    """A case file with one document per stored patient, so that selection indexes are list indexes."""
    return CaseFile(documents=[CaseDocument(source=sp.source, patients=[sp.patient]) for sp in stored])


_Version = tuple[int, datetime]
_CACHE: weakref.WeakKeyDictionary[Store, dict[int, tuple[_Version, StoredPatient]]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def current_patients(store: Store) -> list[StoredPatient]:
    """Every stored patient in insertion order, as :meth:`Store.patients`, read again only when it changed.

    Each call asks the database for every patient's revision (and its publication's update
    time); only patients that are new or changed since the last call are read and validated.
    """
    versions = patient_versions(store)
    with _CACHE_LOCK:
        known = _CACHE.setdefault(store, {})
        stale = [pid for pid, rev, updated in versions if known.get(pid, ((-1, updated), None))[0] != (rev, updated)]
    fresh = {sp.id: sp for sp in stored_patients(store, stale)} if stale else {}
    with _CACHE_LOCK:
        for pid, rev, updated in versions:
            if pid in fresh:
                known[pid] = ((rev, updated), fresh[pid])
        alive = {pid for pid, _, _ in versions}
        for pid in [p for p in known if p not in alive]:
            del known[pid]
        return [known[pid][1] for pid, _, _ in versions if pid in known]


def list_cases(store: Store, filters: CaseFilter, *, offset: int = 0, limit: int = 100) -> CasePage:
    """The stored patients passing the filters, newest last, one page of them.

    Raises
    ------
    VocabularyError
        For an agent the drug vocabulary does not know (with suggestions).
    """
    cohort = filters.cohort()
    stored = current_patients(store)
    selection = cohort.apply(_one_document_each(stored))
    chosen = [stored[index] for index, _, _ in selection.patients]
    if filters.text:
        needle = filters.text.lower()
        chosen = [sp for sp in chosen if needle in _text_of(sp)]
    if filters.state is not None:
        chosen = [sp for sp in chosen if review_state(sp.patient) is filters.state]
    states = [review_state(sp.patient) for sp in chosen]
    rows = [
        CaseRow(sp.id, sp.patient.label, source_name(sp), sp.patient, review_state(sp.patient), sp.revision)
        for sp in chosen[offset : offset + limit]
    ]
    return CasePage(
        rows,
        len(chosen),
        states.count(ReviewState.REVIEWED),
        states.count(ReviewState.UNREVIEWED),
        offset,
        limit,
    )


def partner_names(patient: Patient) -> list[str]:
    """The fusion partners of a patient as ``analyze --partner`` reads them."""
    return sorted(partners(patient))


@dataclass(frozen=True)
class CohortAnalyses:
    """The cohort's pooled results over every analysed patient, and over reviewed and unreviewed ones apart."""

    all: Analysis
    reviewed: Analysis
    unreviewed: Analysis
    rejected: int


def analyse_cohort(store: Store, cohort: Cohort | None = None, *, by: str | None = None) -> CohortAnalyses:
    """Response rates and PFS of a cohort (as ``analyze``), reviewed and unreviewed patients counted apart.

    Rejected patients are left out and counted.
    """
    base = cohort or Cohort()
    case_file = store.case_file()
    rejected = sum(1 for _, p in case_file.patients() if p.curation_status is CurationStatus.REJECTED)

    def run(statuses: tuple[CurationStatus, ...]) -> Analysis:
        return analyze(case_file, base.model_copy(update={"status": list(statuses)}), by=by)

    return CohortAnalyses(run(ANALYSED_STATUSES), run(REVIEWED_STATUSES), run(UNREVIEWED_STATUSES), rejected)
