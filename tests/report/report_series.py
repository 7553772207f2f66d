"""Small case series built in code for the report tests (our own invented patients)."""

from __future__ import annotations

from caseseries.model.case import CitedReference, Patient, TherapyLine
from caseseries.model.casejson import CaseDocument, CaseFile, Source
from caseseries.model.enums import CurationStatus, Response


def line(n: int, agents: list[str], response: Response | None, pfs: float | None = None,
         censored: bool | None = None) -> TherapyLine:  # fmt: skip
    """A therapy line."""
    return TherapyLine(line=n, agents=agents, best_response=response, pfs_months=pfs, pfs_censored=censored)


def patient(label: str, lines: list[TherapyLine], status: CurationStatus = CurationStatus.CURATED,
            site: str = "lung") -> Patient:  # fmt: skip
    """A patient with a primary site and an unknown-partner ALK fusion."""
    return Patient(label=label, primary_site=site, lines=lines, curation_status=status,
                   cited=CitedReference(first_author="Doe", journal="J Invented Oncol", year=2020))  # fmt: skip


def document(citation: str, patients: list[Patient], title: str | None = None) -> CaseDocument:
    """A source document with a citation."""
    return CaseDocument(source=Source(citation=citation, title=title or citation), patients=patients)


def series(*docs: CaseDocument) -> CaseFile:
    """A case file of the given documents."""
    return CaseFile(documents=list(docs))
