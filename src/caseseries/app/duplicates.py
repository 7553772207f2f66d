"""Duplicate patients: list candidate pairs, link or separate them, and the series to pool.

The command line (``caseseries cases duplicates|link|unlink|not-duplicate``) and the web app
call these functions; they take a :class:`~caseseries.store.Store` and return plain results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from caseseries.analysis.compact import Compactor
from caseseries.analysis.duplicates import (
    CandidatePair,
    DuplicateRules,
    MergedSeries,
    candidate_pairs,
    citation_of,
    load_rules,
    merge_linked,
    score_pair,
)
from caseseries.errors import InputError
from caseseries.store import Store, StoredPatient
from caseseries.store.links import LinkStatus, LinkStore, PatientLink

__all__ = [
    "LinkStatus", "PairView", "decide", "duplicates_json", "find_duplicates", "links", "merge_sentence",
    "pooled_series", "unlink",
]  # fmt: skip


@dataclass(frozen=True)
class PairView:
    """A candidate pair with what a reviewer needs to decide: both patients and their sources."""

    pair: CandidatePair
    a: StoredPatient
    b: StoredPatient

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            **self.pair.to_dict(),
            "patients": [_patient_summary(self.a), _patient_summary(self.b)],
        }

    def patient_line(self, which: int) -> str:
        """One line on patient ``which`` (0 or 1): id, label, citation, demographics and lines."""
        sp = self.a if which == 0 else self.b
        p = sp.patient
        who = ", ".join(
            x
            for x in (
                f"{p.age_years:g} y" if p.age_years is not None else None,
                p.sex.value if p.sex else None,
                p.primary_site,
                "/".join(f.label for f in p.fusions) or None,
            )
            if x
        )
        lines = "; ".join(
            f"L{ln.line} {'+'.join(ln.agents) or '?'}"
            + (f" {ln.best_response.value}" if ln.best_response else "")
            + (f" PFS {ln.pfs_months:g}" if ln.pfs_months is not None else "")
            + (f" from {ln.start}" if ln.start else "")
            for ln in p.lines
        )
        return f"case {sp.id} {p.label!r} ({citation_of(sp)}): {who or 'no demographics'} | {lines or 'no lines'}"


def _patient_summary(sp: StoredPatient) -> dict[str, Any]:
    p = sp.patient
    return {
        "id": sp.id,
        "label": p.label,
        "citation": citation_of(sp),
        "status": p.curation_status.value,
        "age_years": p.age_years,
        "sex": p.sex.value if p.sex else None,
        "primary_site": p.primary_site,
        "fusions": [f.label for f in p.fusions],
        "lines": [
            {
                "line": ln.line,
                "agents": list(ln.agents),
                "best_response": ln.best_response.value if ln.best_response else None,
                "pfs_months": ln.pfs_months,
                "start": ln.start,
            }
            for ln in p.lines
        ],
    }


def find_duplicates(store: Store, rules: DuplicateRules | None = None) -> list[PairView]:
    """Candidate pairs not yet decided (neither linked nor marked not duplicates), best first."""
    stored = store.patients()
    by_id = {sp.id: sp for sp in stored}
    decided = [(link.a, link.b) for link in LinkStore(store).pairs()]
    return [PairView(p, by_id[p.a], by_id[p.b]) for p in candidate_pairs(stored, rules, exclude=decided)]


def decide(store: Store, a: int, b: int, status: LinkStatus, *, actor: str) -> PatientLink:
    """Link two stored patients as one person, or mark them as not duplicates.

    The pair's current duplicate score is kept with the decision.

    Raises
    ------
    InputError
        If the actor is empty or the two ids are the same.
    NotFoundError
        If either case is not stored.
    """
    if not actor.strip():
        raise InputError("the reviewer name is empty; give your name or initials", location="--reviewer")
    first, second = store.get_patient(a), store.get_patient(b)
    score, _ = score_pair(first, second, load_rules())
    return LinkStore(store).decide(a, b, status, actor=actor.strip(), score=score)


def unlink(store: Store, a: int, b: int) -> bool:
    """Forget the decision on a pair (it may be proposed again); return whether there was one."""
    return LinkStore(store).remove(a, b)


def links(store: Store) -> list[PatientLink]:
    """Every decided pair."""
    return LinkStore(store).pairs()


def merge_sentence(n_merged: int, n_patients: int) -> str:
    """``"1 duplicate report of 1 patient merged"``, with the right plurals."""
    reports = "report" if n_merged == 1 else "reports"
    patients = "patient" if n_patients == 1 else "patients"
    return f"{n_merged} duplicate {reports} of {n_patients} {patients} merged"


def duplicates_json(store: Store, views: list[PairView]) -> dict[str, Any]:
    """``cases duplicates --json``: the candidate pairs, every decided pair and how many reports are merged."""
    return {
        "candidates": [v.to_dict() for v in views],
        "links": [
            {"a": x.a, "b": x.b, "status": x.status.value, "by": x.actor, "at": x.decided_at.isoformat()}
            for x in links(store)
        ],
        "merged_duplicates": pooled_series(store).merged_duplicates,
    }


def pooled_series(store: Store) -> MergedSeries:
    """The stored case series with linked patients merged: what the analyses and the report pool.

    The patients are read as a stream and each one not linked to another is compacted as it is
    read (:class:`~caseseries.analysis.compact.Compactor`: read-only, about half the memory), so
    the whole series is never held as full models; linked patients stay as read, for the merge to copy.
    """
    groups = LinkStore(store).groups()
    linked = set().union(*groups)
    compactor = Compactor()
    entries = [sp if sp.id in linked else _compacted(sp, compactor) for sp in store.cases.iter_patients()]
    return merge_linked(entries, groups)


def _compacted(stored: StoredPatient, compactor: Compactor) -> StoredPatient:
    compactor.compact(stored.patient)
    return stored
