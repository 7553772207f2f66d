"""Mutable drafts of patients and lines that collect values together with their evidence.

Extractors fill drafts; :meth:`PatientDraft.build` turns a draft into a validated
:class:`~caseseries.model.Patient` in which every value carries evidence whose text is
``document[start:end]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caseseries.model import (
    AlkMethod,
    AlkStatus,
    AlkTesting,
    Conflict,
    Dose,
    Evidence,
    Fusion,
    Mutation,
    Patient,
    Response,
    Sex,
    StopReason,
    TherapyLine,
)
from caseseries.model.case import OFFSET_MAX

UNNAMED = "class:"  # the agent value of a drug named only by its class ("class:ALK inhibitor:1")


def evidence(document: str, field_path: str, start: int, end: int) -> Evidence:
    """An evidence entry quoting ``document[start:end]`` for ``field_path``."""
    if 0 <= start <= end <= OFFSET_MAX:  # what the model checks: built without validating again
        return Evidence.model_construct(field=field_path, start=start, end=end, text=document[start:end])
    return Evidence(field=field_path, start=start, end=end, text=document[start:end])


@dataclass
class LineDraft:
    """One therapy line being assembled; ``spans`` maps a field to its supporting spans."""

    agents: list[str] = field(default_factory=list)
    unnamed: list[str] = field(default_factory=list)  # drug classes given without a drug name ("an ALK inhibitor")
    best_response: Response | None = None
    response_as_written: str | None = None
    pfs_months: float | None = None
    pfs_censored: bool | None = None
    summarised_lines: int | None = None
    resistance_mutations: list[str] = field(default_factory=list)
    doses: list[Dose] = field(default_factory=list)
    start: str | None = None
    end: str | None = None
    reason_stopped: StopReason | None = None
    notes: list[str] = field(default_factory=list)
    spans: list[tuple[str, int, int]] = field(default_factory=list)
    progressed: bool = False
    measured_shrinkage: bool = False  # "a 45% reduction": a measurement, so later progression is not its best response
    order: int = 0

    def add_agent(self, name: str, start: int, end: int) -> None:
        """Add an agent (once) with its span; an unnamed class (:data:`UNNAMED` prefix) is kept apart."""
        target = self.unnamed if name.startswith(UNNAMED) else self.agents
        if name not in target:
            target.append(name)
        self.spans.append(("agents", start, end))

    @property
    def given(self) -> bool:
        """Whether the line has an agent, named or only by its class."""
        return bool(self.agents or self.unnamed)

    def support(self, key: str, start: int, end: int) -> None:
        """Record a span supporting field ``key`` of the line."""
        if (key, start, end) not in self.spans:
            self.spans.append((key, start, end))

    def drop(self, key: str) -> None:
        """Forget the spans of field ``key`` (when its value is replaced)."""
        self.spans = [s for s in self.spans if s[0] != key]


@dataclass
class PatientDraft:
    """A patient being assembled from one text segment or one table row."""

    label: str
    values: dict[str, Any] = field(default_factory=dict)
    spans: list[tuple[str, int, int]] = field(default_factory=list)
    alk_methods: list[AlkMethod] = field(default_factory=list)
    metastatic_sites: list[str] = field(default_factory=list)
    fusions: list[Fusion] = field(default_factory=list)
    mutations: list[Mutation] = field(default_factory=list)
    other_alterations: list[str] = field(default_factory=list)
    lines: list[LineDraft] = field(default_factory=list)
    conflicts: list[tuple[str, list[str], str | None, list[tuple[int, int]], str | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def set(self, key: str, value: Any, start: int, end: int, *, overwrite: bool = False) -> bool:
        """Set a scalar field once (unless ``overwrite``) with its span; return whether it was set."""
        if value is None or (key in self.values and not overwrite):
            return False
        if overwrite:
            self.spans = [s for s in self.spans if s[0] != key]
        self.values[key] = value
        self.spans.append((key, start, end))
        return True

    def support(self, key: str, start: int, end: int) -> None:
        """Record a span supporting a field path."""
        if (key, start, end) not in self.spans:
            self.spans.append((key, start, end))

    def build(self, document: str) -> Patient:
        """The validated patient with evidence for every value."""
        ev = [evidence(document, k, s, e) for k, s, e in self.spans]
        lines: list[TherapyLine] = []
        number = 0
        for draft in self.lines:
            if not draft.given:
                continue
            number += 1
            idx = number - 1
            censored = draft.pfs_censored if draft.pfs_months is not None else None
            line_ev = [evidence(document, f"lines[{idx}].{k}", s, e) for k, s, e in draft.spans]
            lines.append(
                TherapyLine(
                    line=number,
                    agents=draft.agents,
                    best_response=draft.best_response,
                    pfs_months=draft.pfs_months,
                    pfs_censored=censored,
                    resistance_mutations=draft.resistance_mutations,
                    evidence=line_ev,
                    doses=draft.doses,
                    start=draft.start,
                    end=draft.end if draft.start is None or (draft.end or "") >= draft.start else None,
                    reason_stopped=draft.reason_stopped,
                    response_as_written=draft.response_as_written,
                    summarised_lines=draft.summarised_lines,
                    notes=draft.notes,
                )
            )
        alk_status = self.values.get("alk.status")
        conflicts = [
            Conflict(
                field=f,
                values=values,
                chosen=chosen,
                note=note,
                evidence=[evidence(document, f, s, e) for s, e in spans],
            )
            for f, values, chosen, spans, note in self.conflicts
        ]
        sex = self.values.get("sex")
        return Patient(
            label=self.label,
            age_years=self.values.get("age_years"),
            sex=Sex(sex) if sex else None,
            diagnosis=self.values.get("diagnosis"),
            histology=self.values.get("histology"),
            primary_site=self.values.get("primary_site"),
            metastatic_sites=self.metastatic_sites,
            alk=AlkTesting(status=AlkStatus(alk_status) if alk_status else None, methods=self.alk_methods),
            fusions=self.fusions,
            mutations=self.mutations,
            other_alterations=self.other_alterations,
            reference=self.values.get("reference"),
            lines=lines,
            evidence=ev,
            conflicts=conflicts,
            notes=self.notes,
        )
