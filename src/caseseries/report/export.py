"""Exporters of a case file: Case JSON, a flat CSV (one row per therapy line), Phenopackets.

Case JSON and CSV go to a file (replaced atomically; a folder or a device is refused) or, for
``-``, to standard output; Phenopackets go to a folder (see :mod:`caseseries.output_folder`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from caseseries.files import write_atomic, write_output
from caseseries.model.case import Patient, TherapyLine
from caseseries.model.casejson import CaseFile, dump_case_file

CSV_COLUMNS = [
    "document", "label", "reference", "age_years", "sex", "diagnosis", "primary_site", "metastatic_sites",
    "alk_status", "alk_methods", "fusions", "mutations", "line", "agents", "best_response", "pfs_months",
    "pfs_censored", "resistance_mutations", "curation_status",
]  # fmt: skip


def csv_rows(case_file: CaseFile) -> list[dict[str, Any]]:
    """Flatten a case file: one row per therapy line (one row for a patient without lines)."""
    rows: list[dict[str, Any]] = []
    for doc, patient in case_file.patients():
        lines: list[TherapyLine | None] = list(patient.lines) or [None]
        for line in lines:
            rows.append(_row(doc.source.citation or doc.source.title or doc.source.path or "", patient, line))
    return rows


def _row(document: str, p: Patient, line: TherapyLine | None) -> dict[str, Any]:
    return {
        "document": document,
        "label": p.label,
        "reference": p.reference or "",
        "age_years": "" if p.age_years is None else f"{p.age_years:g}",
        "sex": p.sex.value if p.sex else "",
        "diagnosis": p.diagnosis or "",
        "primary_site": p.primary_site or "",
        "metastatic_sites": "; ".join(p.metastatic_sites),
        "alk_status": p.alk.status.value if p.alk.status else "",
        "alk_methods": "; ".join(m.value for m in p.alk.methods),
        "fusions": "; ".join(f.label for f in p.fusions),
        "mutations": "; ".join(m.label for m in p.mutations),
        "line": line.line if line else "",
        "agents": " + ".join(line.agents) if line else "",
        "best_response": line.best_response.value if line and line.best_response else "",
        "pfs_months": "" if not line or line.pfs_months is None else f"{line.pfs_months:g}",
        "pfs_censored": "" if not line or line.pfs_censored is None else str(line.pfs_censored).lower(),
        "resistance_mutations": "; ".join(line.resistance_mutations) if line else "",
        "curation_status": p.curation_status.value,
    }


def csv_text(case_file: CaseFile) -> str:
    """The flat CSV (one row per therapy line) as text."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(csv_rows(case_file))
    return buffer.getvalue()


def json_text(case_file: CaseFile) -> str:
    """Case JSON as text."""
    return dump_case_file(case_file) + "\n"


def write_csv(case_file: CaseFile, out: Path) -> Path:
    """Write the flat CSV; return the path."""
    return write_atomic(out, csv_text(case_file))


def write_json(case_file: CaseFile, out: Path) -> Path:
    """Write Case JSON; return the path."""
    return write_atomic(out, json_text(case_file))


def write_phenopacket_dir(case_file: CaseFile, out: Path, force: bool = False) -> Path:
    """Write GA4GH Phenopacket v2 JSON files, one per patient, into folder ``out``."""
    from caseseries.report.phenopacket import write_phenopackets

    return write_phenopackets(case_file, out, force=force)


EXPORTERS: dict[str, Callable[[CaseFile, Path], Path]] = {
    "json": write_json,
    "csv": write_csv,
    "phenopacket": write_phenopacket_dir,
}
TEXT_EXPORTERS: dict[str, Callable[[CaseFile], str]] = {"json": json_text, "csv": csv_text}


def export_case_file(case_file: CaseFile, fmt: str, out: str | Path, *, force: bool = False) -> str:
    """Export with the named exporter (see :data:`EXPORTERS`); return where it went.

    ``out`` is a file, ``-`` for standard output (json, csv), or a folder (phenopacket; ``force``
    writes into a non-empty folder caseseries did not write, beside the files there).
    """
    if fmt == "phenopacket":
        return str(write_phenopacket_dir(case_file, Path(out), force=force))  # "-" is refused: not a folder
    if fmt in TEXT_EXPORTERS:
        return write_output(out, TEXT_EXPORTERS[fmt](case_file))
    return str(EXPORTERS[fmt](case_file, Path(out)))
