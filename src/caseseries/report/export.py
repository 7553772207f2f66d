"""Exporters of a case file: Case JSON, a flat CSV (one row per therapy line), Phenopackets.

Every exporter is a plug-in of the entry-point group ``caseseries.exporters``
(:mod:`caseseries.plugins`), the built-ins included.

Case JSON and CSV go to a file (replaced atomically; a folder or a device is refused) or, for
``-``, to standard output; Phenopackets go to a folder (see :mod:`caseseries.output_folder`).
"""

from __future__ import annotations

import csv
import io
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, ClassVar

from caseseries.files import write_output
from caseseries.model.case import Patient, TherapyLine
from caseseries.model.casejson import CaseFile, dump_case_file
from caseseries.plugins import EXPORTERS, plugin_class, plugin_names

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


class Exporter(ABC):
    """Writes a case file somewhere. Registered under the entry-point group ``caseseries.exporters``."""

    name: ClassVar[str]
    writes_folder: ClassVar[bool] = False
    """Whether ``out`` is a folder (else a file, or ``-`` for standard output)."""

    @abstractmethod
    def export(self, case_file: CaseFile, out: str | Path, *, force: bool = False) -> str:
        """Write ``case_file`` to ``out``; return where it went."""


class TextExporter(Exporter):
    """An exporter of one text: to a file (replaced atomically) or, for ``-``, to standard output."""

    @abstractmethod
    def text(self, case_file: CaseFile) -> str:
        """The exported text."""

    def export(self, case_file: CaseFile, out: str | Path, *, force: bool = False) -> str:
        """Write the text to the file ``out`` (``-``: standard output); ``force`` is not used."""
        return write_output(out, self.text(case_file))


class JsonExporter(TextExporter):
    """Case JSON."""

    name = "json"

    def text(self, case_file: CaseFile) -> str:
        """Case JSON as text."""
        return json_text(case_file)


class CsvExporter(TextExporter):
    """The flat CSV, one row per therapy line."""

    name = "csv"

    def text(self, case_file: CaseFile) -> str:
        """The flat CSV as text."""
        return csv_text(case_file)


class PhenopacketExporter(Exporter):
    """GA4GH Phenopacket v2 JSON files, one per patient, in a folder."""

    name = "phenopacket"
    writes_folder = True

    def export(self, case_file: CaseFile, out: str | Path, *, force: bool = False) -> str:
        """Write the files into folder ``out`` (``force``: a non-empty folder caseseries did not write)."""
        from caseseries.report.phenopacket import write_phenopackets

        return str(write_phenopackets(case_file, Path(out), force=force))  # "-" is refused: not a folder


def exporter_names() -> list[str]:
    """Names of the registered exporters (the ``cases export --format`` values), sorted."""
    return plugin_names(EXPORTERS)


def get_exporter(name: str) -> Exporter:
    """A new instance of the exporter registered as ``name``.

    Raises
    ------
    InputError
        For an unknown name (listing the registered ones) or a plug-in that is not an :class:`Exporter`.
    """
    cls: type[Exporter] = plugin_class(EXPORTERS, name, Exporter)
    return cls()


def export_case_file(case_file: CaseFile, fmt: str, out: str | Path, *, force: bool = False) -> str:
    """Export with the exporter registered as ``fmt``; return where it went.

    ``out`` is a file, ``-`` for standard output (json, csv), or a folder (phenopacket; ``force``
    writes into a non-empty folder caseseries did not write, beside the files there).
    """
    return get_exporter(fmt).export(case_file, out, force=force)
