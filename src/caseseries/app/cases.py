"""Use cases of the stored case series: create the database, list, show, add, delete and export cases.

The command line (``caseseries init`` and ``caseseries cases ...``) calls these; each returns a
result that owns its JSON form or its one-line summary. Editing a case in the user's editor is
:mod:`caseseries.app.cases_edit`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caseseries.analysis.duplicates import citation_of
from caseseries.data import bundled_case_series
from caseseries.files import STDOUT, check_file_target, check_folder_target, read_data
from caseseries.model.casejson import CaseFile, parse_case_data
from caseseries.report.export import export_case_file, get_exporter
from caseseries.store import Store, StoredPatient, WriteResult
from caseseries.store.repository import PatientRevision
from caseseries.vocab.check import check_case_file

CASE_COLUMNS = ("id", "source", "label", "reference", "primary_site", "partner", "lines", "first_line", "status")
"""The columns of ``cases list``, in the order of its table."""


def write_counts(result: WriteResult) -> str:
    """``"2 added, 0 updated, 1 unchanged"``."""
    return f"{len(result.added)} added, {len(result.updated)} updated, {len(result.unchanged)} unchanged"


@dataclass(frozen=True)
class Initialised:
    """A created or migrated database and what loading the bundled case series did (if it was loaded)."""

    url: str
    revision: str
    bundled: WriteResult | None

    def lines(self) -> list[str]:
        """What ``caseseries init`` prints."""
        out = [f"Database {self.url} at revision {self.revision}."]
        if self.bundled is not None:
            out.append(f"Bundled case series: {write_counts(self.bundled)}.")
        return out


def init_database(store: Store, *, bundled: bool = True) -> Initialised:
    """Migrate ``store`` to the newest schema and load the bundled case series, keeping the user's changes."""
    revision = store.migrate()
    url = store.engine.url.render_as_string(hide_password=True)
    loaded = store.add_case_file(bundled_case_series(), keep_user_changes=True) if bundled else None
    return Initialised(url, revision, loaded)


@dataclass(frozen=True)
class CaseRow:
    """One line of ``cases list``."""

    id: int
    label: str
    source: str
    reference: str | None
    primary_site: str | None
    partner: str | None
    lines: int
    first_line: str | None
    status: str

    @classmethod
    def of(cls, sp: StoredPatient) -> CaseRow:
        """The row of a stored patient."""
        p = sp.patient
        return cls(
            id=sp.id,
            label=p.label,
            source=citation_of(sp),
            reference=p.reference,
            primary_site=p.primary_site,
            partner=", ".join(f.label for f in p.fusions) or None,
            lines=len(p.lines),
            first_line=", ".join(p.lines[0].agents) if p.lines else None,
            status=p.curation_status.value,
        )

    def to_json(self) -> dict[str, Any]:
        """The row as JSON-ready data (``cases list --json``)."""
        return {
            "id": self.id,
            "label": self.label,
            "source": self.source,
            "reference": self.reference,
            "primary_site": self.primary_site,
            "partner": self.partner,
            "lines": self.lines,
            "first_line": self.first_line,
            "status": self.status,
        }

    def cells(self) -> list[str]:
        """The row's table cells, in :data:`CASE_COLUMNS` order (empty for a missing value)."""
        data = self.to_json()
        return [str(data[c]) if data[c] is not None else "" for c in CASE_COLUMNS]


def list_cases(store: Store) -> Iterator[CaseRow]:
    """Every stored case in insertion order, streamed from the store (memory of one batch of patients)."""
    return (CaseRow.of(sp) for sp in store.cases.iter_patients())


def _revision_json(rev: PatientRevision) -> dict[str, Any]:
    return {
        "revision": rev.revision,
        "change": rev.change,
        "recorded_at": rev.recorded_at.isoformat(),
        "patient": rev.data,
    }


def show_case(store: Store, case_id: int, *, history: bool = False) -> dict[str, Any]:
    """One stored case as ``cases show`` prints it: Case JSON with its revision and provenance (and history)."""
    sp = store.get_patient(case_id)
    shown: dict[str, Any] = {
        "id": sp.id,
        "revision": sp.revision,
        "extractor": sp.extractor,
        "ruleset_version": sp.ruleset_version,
        "source": sp.source.model_dump(mode="json"),
        "patient": sp.patient.model_dump(mode="json"),
    }
    if history:
        shown["history"] = [_revision_json(r) for r in store.patient_history(case_id)]
    return shown


def delete_cases(store: Store, case_ids: list[int]) -> list[str]:
    """Delete stored cases, all or none; one line per deleted case."""
    return [
        f"Deleted case {sp.id} ({sp.patient.label!r} of {sp.publication_key}); kept in its history."
        for sp in store.delete_patients(case_ids)
    ]


def edit_case(store: Store, case_id: int) -> str:
    """Correct a stored case in the user's editor (:func:`caseseries.app.cases_edit.edit_patient`)."""
    from caseseries.app.cases_edit import edit_patient

    return edit_patient(store, store.get_patient(case_id))


def load_case_or_shown(path: Path) -> CaseFile:
    """A Case JSON/YAML file, or what 'cases show' printed (its patient and source)."""
    data = read_data(path)
    if isinstance(data, dict) and "patient" in data and "documents" not in data and "patients" not in data:
        data = {"source": data.get("source") or {}, "patients": [data["patient"]]}
    return parse_case_data(data, source=str(path))


def read_case_files(files: Sequence[Path]) -> list[CaseFile]:
    """Read and check every file (nothing is stored): the first bad one raises."""
    loaded = []
    for path in files:
        case_file = load_case_or_shown(path)
        check_case_file(case_file, source=str(path))
        loaded.append(case_file)
    return loaded


def add_cases(store: Store, files: Sequence[Path], case_files: Sequence[CaseFile]) -> list[str]:
    """Store checked case files (:func:`read_case_files`); one line of counts per file."""
    return [f"{path}: {write_counts(store.add_case_file(cf))}." for path, cf in zip(files, case_files, strict=True)]


def check_export_target(fmt: str, out: str) -> None:
    """Refuse an output the exporter cannot write (before the database is opened)."""
    if get_exporter(fmt).writes_folder:
        check_folder_target(out)
    elif out != STDOUT:
        check_file_target(out)


def export_cases(store: Store, fmt: str, out: str, *, force: bool = False) -> str:
    """Export every stored case with the exporter ``fmt`` to ``out``; return what was written."""
    return export_case_file(store.case_file(), fmt, out, force=force)
