"""Duplicate patients: the same person reported twice, found, scored and merged for pooling.

The same patient often reaches a case series twice: a meeting abstract and the later case
report, a case report and the series that updates it, a report already tabulated in a review
extracted again. :func:`candidate_pairs` scores every pair of stored patients from different
documents on what they share (source identifiers, first author, age, sex, primary site, fusion
partner, agents, responses, PFS and dates); the points are in a data file a curator can edit
(``analysis/data/duplicates.yaml``, see :func:`load_rules`). Every pair comes with the reasons
behind its score.

A reviewer then links the pairs that are one person (``caseseries cases link``); the links are
stored (:mod:`caseseries.store.links`). :func:`merge_linked` turns the stored patients and the
linked groups into the case file the analyses pool: one patient per person, citing every source
that reported them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from caseseries.analysis.cohort import UNKNOWN_PARTNER, partners
from caseseries.errors import ValidationError
from caseseries.files import load_yaml_mapping, read_data_file
from caseseries.model.case import Patient
from caseseries.model.casejson import CaseDocument, CaseFile, Source, describe_validation_error
from caseseries.model.enums import CurationStatus
from caseseries.vocab import site_term

RULES_FILE = "duplicates.yaml"

# how a kept patient's note names another report of the same person (the report cites these)
ALSO_REPORTED = "Also reported as"

# the curation status a merged patient takes its content from, best first
_STATUS_RANK = {
    CurationStatus.CURATED: 0,
    CurationStatus.REVIEWED: 1,
    CurationStatus.EXTRACTED: 2,
    CurationStatus.REJECTED: 3,
}


class Points(BaseModel):
    """Points a feature adds when both patients have a value: ``match`` or ``mismatch``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    match: float = 0.0
    mismatch: float = 0.0
    tolerance: float | None = Field(default=None, ge=0, description="Age: years; PFS: a fraction.")


class Features(BaseModel):
    """The scored features, one entry each."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    identifier: Points = Points()
    author: Points = Points()
    age: Points = Points()
    sex: Points = Points()
    primary_site: Points = Points()
    partner: Points = Points()
    agents: Points = Points()
    response: Points = Points()
    pfs: Points = Points()
    dates: Points = Points()


class DuplicateRules(BaseModel):
    """Weights and thresholds of duplicate detection (the contents of ``duplicates.yaml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    threshold: float = Field(description="Pairs scoring at least this are candidates.")
    likely: float = Field(description="Pairs scoring at least this are labelled likely duplicates.")
    features: Features = Features()


def parse_rules(text: str, *, source: str) -> DuplicateRules:
    """Validate the text of a duplicate-rules YAML file.

    Raises
    ------
    FormatError
        If the YAML does not parse.
    ValidationError
        For unknown keys (listing the allowed ones) or bad values, naming the field path.
    """
    data = load_yaml_mapping(text, source=source, expected="version, threshold, likely, features")
    try:
        return DuplicateRules.model_validate(data)
    except pydantic.ValidationError as err:
        loc, msg = describe_validation_error(err, DuplicateRules)
        raise ValidationError(msg, source=source, location=loc) from None


def load_rules(path: str | Path | None = None) -> DuplicateRules:
    """Read duplicate rules; ``None`` reads the file shipped with the package."""
    text, source = read_data_file(path, package="caseseries.analysis", name=RULES_FILE, what="duplicate rules")
    return parse_rules(text, source=source)


class PatientEntry(Protocol):
    """A stored patient as the store returns it (:class:`caseseries.store.StoredPatient`)."""

    @property
    def id(self) -> int:
        """The stored patient's id."""
        ...

    @property
    def source(self) -> Source:
        """The source of its document."""
        ...

    @property
    def patient(self) -> Patient:
        """The patient."""
        ...

    @property
    def publication_key(self) -> str:
        """The key of its document."""
        ...


@dataclass(frozen=True)
class Reason:
    """One feature's contribution to a pair's score."""

    feature: str
    points: float
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"feature": self.feature, "points": self.points, "detail": self.detail}


@dataclass(frozen=True)
class CandidatePair:
    """Two stored patients (``a < b``) that may be one person, with the score and its reasons."""

    a: int
    b: int
    score: float
    likely: bool
    reasons: list[Reason]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "a": self.a,
            "b": self.b,
            "score": self.score,
            "likely": self.likely,
            "reasons": [r.to_dict() for r in self.reasons],
        }


def citation_of(entry: PatientEntry) -> str:
    """How a stored patient's source is cited: first author, year, journal (or the best available)."""
    cited = entry.patient.cited
    if cited is not None and (cited.first_author or cited.title):
        parts = [cited.first_author, str(cited.year) if cited.year else None, cited.journal]
        return ", ".join(p for p in parts if p) or (cited.title or "")
    src = entry.source
    if src.citation:
        return short_citation(src.citation)
    parts = [src.first_author, str(src.year) if src.year else None]
    named = ", ".join(p for p in parts if p)
    return named or src.title or src.pmid or src.doi or src.path or entry.publication_key


_CITATION = re.compile(
    r"^(?P<authors>[^.]+?)\.\s+(?P<title>.+?[.?!])\s+(?P<journal>[^.]+?)\.?\s+(?P<year>(?:19|20)\d\d)"
)


def short_citation(citation: str) -> str:
    """``Wu SC, Chen HW. Title. J Cancer Res Pract. 2024;...`` -> ``Wu SC et al., 2024, J Cancer Res Pract``."""
    m = _CITATION.match(citation.strip())
    if not m:
        return citation.strip()
    authors = [a.strip() for a in m["authors"].split(",") if a.strip()]
    first = authors[0] + (" et al." if len(authors) > 1 else "") if authors else ""
    return ", ".join(p for p in (first, m["year"], m["journal"].strip(" ;,")) if p)


def _identifiers(entry: PatientEntry) -> set[str]:
    out = set()
    for pmid in (entry.source.pmid, entry.patient.cited.pmid if entry.patient.cited else None):
        if pmid:
            out.add(f"pmid:{pmid.strip()}")
    for doi in (entry.source.doi, entry.patient.cited.doi if entry.patient.cited else None):
        if doi:
            out.add(f"doi:{doi.strip().lower()}")
    return out


def _surname(name: str | None) -> str | None:
    if not name or not name.strip():
        return None
    return re.split(r"[\s,]+", name.strip())[0].lower()


def _authors(entry: PatientEntry) -> set[str]:
    names = [entry.source.first_author, entry.patient.cited.first_author if entry.patient.cited else None]
    if entry.source.citation:
        names.append(entry.source.citation)
    return {s for s in map(_surname, names) if s}


def _site(patient: Patient) -> str | None:
    if not patient.primary_site:
        return None
    return site_term(patient.primary_site) or patient.primary_site.strip().lower()


def _agents(patient: Patient) -> list[frozenset[str]]:
    return [frozenset(line.agents) for line in patient.lines if line.agents]


def _month(date: str | None) -> str | None:
    return date[:7] if date else None


def _pfs_agree(a: Patient, b: Patient, tolerance: float) -> bool | None:
    la, lb = (a.lines[0] if a.lines else None), (b.lines[0] if b.lines else None)
    if la is None or lb is None or la.pfs_months is None or lb.pfs_months is None:
        return None
    x, y = la.pfs_months, lb.pfs_months
    if abs(x - y) <= tolerance * max(x, y, 1.0):
        return True
    # an ongoing line reported earlier may be reported again later with a longer follow-up
    return bool((la.pfs_censored and x < y) or (lb.pfs_censored and y < x))


def score_pair(x: PatientEntry, y: PatientEntry, rules: DuplicateRules) -> tuple[float, list[Reason]]:
    """Score two stored patients as one person; return the score and the reasons behind it."""
    f = rules.features
    reasons: list[Reason] = []

    def add(name: str, points: Points, agree: bool | None, detail: str) -> None:
        if agree is None:
            return
        value = points.match if agree else points.mismatch
        if value:
            reasons.append(Reason(name, value, detail if agree else f"differ: {detail}"))

    a, b = x.patient, y.patient
    shared_ids = _identifiers(x) & _identifiers(y)
    add("identifier", f.identifier, True if shared_ids else None, f"shared {', '.join(sorted(shared_ids))}")
    shared_authors = _authors(x) & _authors(y)
    add("author", f.author, True if shared_authors else None, f"first author {', '.join(sorted(shared_authors))}")
    if a.age_years is not None and b.age_years is not None:
        tol = f.age.tolerance if f.age.tolerance is not None else 0.0
        add("age", f.age, abs(a.age_years - b.age_years) <= tol, f"age {a.age_years:g} and {b.age_years:g}")
    if a.sex is not None and b.sex is not None:
        add("sex", f.sex, a.sex == b.sex, f"sex {a.sex.value} and {b.sex.value}")
    sa, sb = _site(a), _site(b)
    if sa and sb:
        add("primary_site", f.primary_site, sa == sb, f"primary site {sa} and {sb}")
    pa, pb = partners(a) - {UNKNOWN_PARTNER}, partners(b) - {UNKNOWN_PARTNER}
    if pa and pb:
        add("partner", f.partner, bool(pa & pb), f"partner {'/'.join(sorted(pa))} and {'/'.join(sorted(pb))}")
    ga, gb = _agents(a), _agents(b)
    if ga and gb:
        n = min(len(ga), len(gb))
        first = ", ".join(sorted(ga[0]))
        add("agents", f.agents, ga[:n] == gb[:n], f"lines from {first} ({len(ga)} and {len(gb)} lines)")
    ra = a.lines[0].best_response if a.lines else None
    rb = b.lines[0].best_response if b.lines else None
    if ra is not None and rb is not None:
        add("response", f.response, ra == rb, f"first-line response {ra.value} and {rb.value}")
    pfs = _pfs_agree(a, b, f.pfs.tolerance if f.pfs.tolerance is not None else 0.0)
    if pfs is not None:
        add("pfs", f.pfs, pfs, f"first-line PFS {a.lines[0].pfs_months:g} and {b.lines[0].pfs_months:g} months")
    da = {_month(ln.start) for ln in a.lines if ln.start}
    db = {_month(ln.start) for ln in b.lines if ln.start}
    if da and db:
        shared = da & db
        detail = f"line start {', '.join(sorted(shared or (da | db)))}"  # type: ignore[arg-type]
        add("dates", f.dates, bool(shared), detail)
    return sum(r.points for r in reasons), reasons


def candidate_pairs(
    entries: Sequence[PatientEntry],
    rules: DuplicateRules | None = None,
    *,
    exclude: Iterable[tuple[int, int]] = (),
) -> list[CandidatePair]:
    """Pairs of stored patients from different documents that may be one person, best first.

    Parameters
    ----------
    entries : sequence of PatientEntry
        The stored patients (``Store.patients()``).
    rules : DuplicateRules or None
        Weights and thresholds; None reads the shipped ``duplicates.yaml``.
    exclude : iterable of (int, int)
        Pairs already decided (linked, or marked not duplicates), in any order.

    Returns
    -------
    list of CandidatePair
        Every pair scoring at least ``rules.threshold``, by score descending, then by ids.
    """
    rules = rules or load_rules()
    skip = {(min(p), max(p)) for p in exclude}
    out: list[CandidatePair] = []
    ordered = sorted(entries, key=lambda e: e.id)
    for i, x in enumerate(ordered):
        for y in ordered[i + 1 :]:
            if x.publication_key == y.publication_key or (x.id, y.id) in skip:
                continue
            score, reasons = score_pair(x, y, rules)
            if score >= rules.threshold:
                out.append(CandidatePair(x.id, y.id, score, score >= rules.likely, reasons))
    out.sort(key=lambda p: (-p.score, p.a, p.b))
    return out


# ---------------------------------------------------------------------- merging
@dataclass(frozen=True)
class MergedPatient:
    """One person reported by several stored patients, as pooled.

    Attributes
    ----------
    kept : int
        The stored patient whose data is pooled (the best curated; then the one with most lines).
    merged : list of int
        The other stored patients linked to it (not pooled again).
    label : str
        The kept patient's label.
    citations : list of str
        Every source that reported the person, the kept one first.
    """

    kept: int
    merged: list[int]
    label: str
    citations: list[str]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"kept": self.kept, "merged": self.merged, "label": self.label, "citations": self.citations}


@dataclass(frozen=True)
class MergedSeries:
    """The case file to pool (one patient per person) and the merges made.

    Attributes
    ----------
    case_file : CaseFile
        Every stored patient that is not merged into another, grouped by document; a kept
        patient's notes name the other reports of the same person.
    merged : list of MergedPatient
        One entry per linked group.
    kept_keys : dict
        Kept patient id -> (document key, label) in ``case_file``.
    """

    case_file: CaseFile
    merged: list[MergedPatient] = field(default_factory=list)
    kept_keys: dict[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def merged_duplicates(self) -> int:
        """How many stored patients were merged into another (not counted again)."""
        return sum(len(m.merged) for m in self.merged)

    def merges_for(self, patients: Iterable[tuple[CaseDocument, Patient]]) -> list[MergedPatient]:
        """The merges whose kept patient is among ``patients`` (e.g. a cohort's selection)."""
        chosen = {(doc.key(), p.label) for doc, p in patients}
        return [m for m in self.merged if self.kept_keys.get(m.kept) in chosen]


def _kept_first(entry: PatientEntry) -> tuple[int, int, int]:
    return (_STATUS_RANK.get(entry.patient.curation_status, 9), -len(entry.patient.lines), entry.id)


def merge_linked(entries: Sequence[PatientEntry], groups: Iterable[Iterable[int]]) -> MergedSeries:
    """Pool one patient per person: each linked group becomes its best-curated member.

    Parameters
    ----------
    entries : sequence of PatientEntry
        The stored patients, in store order.
    groups : iterable of iterables of int
        Sets of stored patient ids that are one person (ids not stored are ignored).

    Returns
    -------
    MergedSeries
        The case file to pool and the merges made.
    """
    by_id = {e.id: e for e in entries}
    drop: set[int] = set()
    notes: dict[int, list[str]] = {}
    merges: list[MergedPatient] = []
    kept_keys: dict[int, tuple[str, str]] = {}
    for group in groups:
        members = sorted((by_id[i] for i in set(group) if i in by_id), key=_kept_first)
        if len(members) < 2:
            continue
        kept, others = members[0], members[1:]
        drop.update(o.id for o in others)
        notes[kept.id] = [
            f"{ALSO_REPORTED} {o.patient.label!r} in {citation_of(o)} (case {o.id}); linked as the same patient."
            for o in others
        ]
        merges.append(
            MergedPatient(kept.id, [o.id for o in others], kept.patient.label, [citation_of(m) for m in members])
        )
    docs: dict[str, CaseDocument] = {}
    for e in entries:
        if e.id in drop:
            continue
        patient = e.patient
        if e.id in notes:
            patient = patient.model_copy(update={"notes": [*patient.notes, *notes[e.id]]})
        doc = docs.setdefault(e.publication_key, CaseDocument(source=e.source, patients=[]))
        doc.patients.append(patient)
        if e.id in notes:
            kept_keys[e.id] = (doc.key(), patient.label)
    merges.sort(key=lambda m: m.kept)
    return MergedSeries(CaseFile(documents=list(docs.values())), merges, kept_keys)
